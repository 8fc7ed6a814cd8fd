"""What a reviewer reads about one proposal, in plain words: its first authors, the opening of its
abstract, its standing among the list's entries, the runner-up heading when it is close, and the
nearest entry under its heading. Pure: no I/O, no markup (the PR body and the Slack digest each
escape and lay out these same facts in their own form).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .paper import split_authors
from .scoring import Neighbour, Scored
from .titles import plain_title

SHOWN_AUTHORS = 3  # then "et al."
OPENING_CHARS = 300  # the abstract's first sentence or two, at most this long
OPENING_SENTENCES = 2
AUTHORS_CHARS = 160  # "et al." after three names keeps most lines well below; a name can be long
NEAREST_CHARS = 120
# A runner-up heading is worth naming when it is at least this likely relative to the proposed
# one (0.5: half as likely); below that, naming it only adds words to every line.
RUNNER_UP_CLOSE = 0.5

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"“'])")
# Abbreviations that end with a full stop but not a sentence.
_NOT_AN_END = re.compile(r"(?:\b(?:e\.g|i\.e|et al|cf|vs|etc|Fig|Eq|Sec|No|approx)\.|\b[A-Z]\.)$")


def first_authors(authors: str, shown: int = SHOWN_AUTHORS) -> str:
    """The first `shown` names ("Ann Lee, Bo Chen, Cy Diaz et al.") as arXiv gives them, LaTeX
    accents reduced to their letters (arXiv keeps the authors' "Sedl\\'a\\v{c}ek")."""
    names = [plain_title(n) for n in split_authors(" ".join(authors.split()))]
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + " et al."


def clip(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, "…" marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def sentences(text: str) -> list[str]:
    """`text` split into sentences (a full stop after "e.g." or an initial does not end one)."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if _NOT_AN_END.search(text[start : m.start()]):
            continue
        out.append(text[start : m.start()])
        start = m.end()
    out.append(text[start:])
    return [s for s in out if s]


def opening(abstract: str, limit: int = OPENING_CHARS) -> str:
    """The abstract's first sentence, and the second when both fit in `limit` characters."""
    parts = sentences(" ".join(abstract.split()))
    if not parts:
        return ""
    text = parts[0]
    for more in parts[1:OPENING_SENTENCES]:
        if len(text) + 1 + len(more) > limit:
            break
        text = f"{text} {more}"
    return clip(text, limit)


def close_runner_up(s: Scored) -> str:
    """The runner-up heading when it is close to the proposed one (RUNNER_UP_CLOSE), else ""."""
    if not s.runner_up or s.runner_up == s.heading:
        return ""
    top, second = s.heading_scores.get(s.heading, 0.0), s.heading_scores.get(s.runner_up, 0.0)
    return s.runner_up if top > 0 and second >= RUNNER_UP_CLOSE * top else ""


def nearest_under(s: Scored, heading: str | None = None) -> Neighbour | None:
    """The nearest entry under `heading` (the paper's own by default), else the nearest of all
    (its heading says which it is), else None."""
    heading = s.heading if heading is None else heading
    return next((n for n in s.nearest if n.heading == heading), s.nearest[0] if s.nearest else None)


def standing_words(standing: float | None, lead: float = 0.0) -> str:
    """The standing as a reviewer reads it: "above 87% of list entries"; "above 99.6% ..." near
    the top (one decimal, so papers there still differ); "above all list entries (+1.3)" past
    the best, with how far past it in score points (when that is at least 0.05). "" when there
    is no standing."""
    if standing is None:
        return ""
    if standing >= 1.0:  # how far past the best, when that rounds to something
        return f"above all list entries (+{lead:.1f})" if lead >= 0.05 else "above all list entries"
    percent = 100 * standing
    shown = f"{percent:.1f}" if percent >= 99 else f"{percent:.0f}"
    return f"above {shown}% of list entries"


@dataclass(frozen=True)
class Score:
    """The score a line shows: the standing when the model has one, else the probability."""

    standing: float | None
    lead: float
    relevance: float

    @property
    def words(self) -> str:
        return standing_words(self.standing, self.lead) or f"relevance {self.relevance:.2f}"

    @property
    def rank(self) -> tuple[float, float, float]:
        """Higher is better; papers with a standing before those without one."""
        return (-1.0 if self.standing is None else self.standing, self.lead, self.relevance)


STANDING_NOTE = (
    "“Above N% of list entries”: the share of the list's own entries that score lower than the paper, "
    "each entry scored by a model trained without it (“+x”: score points past the best entry)."
)
RELEVANCE_NOTE = "Relevance: the calibrated probability that the paper belongs on the list."
RUNNER_UP_NOTE = f"A second heading in brackets is at least {RUNNER_UP_CLOSE:.0%} as likely as the first."
