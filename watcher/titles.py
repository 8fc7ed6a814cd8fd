"""Title normalisation and "is this paper already on the list?" matching. No I/O.

Real lists are messy: titles in capitals, with LaTeX, Unicode dashes and quotes, different
spacing around punctuation, and titles cut off mid-word ("...Zero and Few-shot Learnin").
A paper matches a list entry when any of these hold, strongest first:

1. one of the entry's arXiv links names the paper's id, or one of its DOIs (a doi.org link, an
   ACL Anthology id, which implies its 10.18653/v1/ DOI) is the paper's DOI;
2. the compact keys (letters and digits only, lower case, accents and LaTeX removed) are equal;
3. the entry's key is a long prefix of the paper's key (a truncated title);
4. the word sets are nearly the same (Jaccard >= 0.9 on titles of six or more words).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

# LaTeX accent commands (\'e, \"{o}, \c{c}): drop the command, keep the letter.
_LATEX_ACCENT = re.compile(r"\\(?:[`'^\"~=.]\s*\{?([A-Za-z])\}?|[uvHtcdbk]\{([A-Za-z])\})")
# \emph{x}, \textbf{x}, \mathrm{x} ... -> x ; bare commands (\alpha, \LaTeX) -> the command word.
_LATEX_CMD_ARG = re.compile(r"\\[A-Za-z]+\*?\s*\{([^{}]*)\}")
_LATEX_CMD = re.compile(r"\\([A-Za-z]+)")
_WORD = re.compile(r"[0-9a-z]+")

# Minimum length (in key characters) for a truncated list title to count as a prefix match,
# and the share of the paper's key it must cover: short generic titles must match exactly.
PREFIX_MIN_CHARS = 40
PREFIX_MIN_SHARE = 0.5
FUZZY_MIN_WORDS = 6
FUZZY_MIN_JACCARD = 0.9


def plain_title(title: str) -> str:
    """The title as a reader sees it: LaTeX markup removed, whitespace squashed."""
    text = _LATEX_ACCENT.sub(lambda m: m[1] or m[2], title)
    for _ in range(3):  # nested \cmd{\cmd{x}}
        text, n = _LATEX_CMD_ARG.subn(r"\1", text)
        if not n:
            break
    text = _LATEX_CMD.sub(r"\1", text)
    text = text.replace("$", "").replace("{", "").replace("}", "").replace("~", " ")
    return " ".join(text.split())


def _folded(title: str) -> str:
    text = unicodedata.normalize("NFKD", plain_title(title))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.casefold()


def title_key(title: str) -> str:
    """Letters and digits only: 'Few-shot', 'Few shot' and 'FEW–SHOT' give the same key."""
    return "".join(_WORD.findall(_folded(title)))


def title_words(title: str) -> frozenset[str]:
    return frozenset(_WORD.findall(_folded(title)))


@dataclass(frozen=True, slots=True)
class ListedEntry:
    """What matching needs to know about one entry of the list."""

    title: str
    arxiv_ids: frozenset[str] = frozenset()
    heading: str = ""
    dois: frozenset[str] = frozenset()  # normalised: lower case, no URL prefix


def _cut_copy(entry: list[str], marked: bool, paper: list[str]) -> bool:
    """Is the list title `entry` a cut-off copy of the paper title? Only when it visibly is: it
    ends in an ellipsis, or its last word is cut short ("... Few-shot Learnin"). A complete
    title that happens to begin a longer one ("A Survey" / "A Survey on Evaluation") is another
    paper."""
    n = len(entry)
    if n == 0 or len(paper) < n or paper[: n - 1] != entry[: n - 1]:
        return False
    last, theirs = entry[-1], paper[n - 1]
    return theirs.startswith(last) and (marked or theirs != last)


def _doi_key(doi: str) -> str:
    d = doi.strip().lower()
    d = re.sub(r"^(?:https?://)?(?:dx\.)?doi\.org/|^doi:\s*", "", d)
    return d.rstrip(".,;/")


class TitleIndex:
    """Answers `match(arxiv_id, title)` against a fixed set of list entries."""

    def __init__(self, entries: Iterable[ListedEntry]) -> None:
        self._entries = list(entries)
        self._by_id: dict[str, ListedEntry] = {}
        self._by_doi: dict[str, ListedEntry] = {}
        self._by_key: dict[str, ListedEntry] = {}
        # entries long enough that a cut-off copy of them is still unambiguous:
        # (their words, whether the title ends in an ellipsis, the entry)
        self._long: list[tuple[list[str], bool, ListedEntry]] = []
        self._words: list[frozenset[str]] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(self._entries):
            for arxiv_id in entry.arxiv_ids:
                self._by_id.setdefault(arxiv_id, entry)
            for doi in entry.dois:
                self._by_doi.setdefault(_doi_key(doi), entry)
            key = title_key(entry.title)
            if key:
                self._by_key.setdefault(key, entry)
            if len(key) >= PREFIX_MIN_CHARS:
                marked = entry.title.rstrip().endswith(("...", "…"))
                self._long.append((_WORD.findall(_folded(entry.title)), marked, entry))
            words = title_words(entry.title)
            self._words.append(words)
            for word in words:
                self._postings[word].append(i)

    def __len__(self) -> int:
        return len(self._entries)

    def match(self, arxiv_id: str, title: str, doi: str = "") -> ListedEntry | None:
        """The list entry this paper already is, or None. `doi` is the paper's published DOI
        (arXiv's journal DOI), in any form (`10.x/y`, `https://doi.org/10.x/y`)."""
        if arxiv_id and arxiv_id in self._by_id:
            return self._by_id[arxiv_id]
        if doi and (hit := self._by_doi.get(_doi_key(doi))) is not None:
            return hit
        key = title_key(title)
        if not key:
            return None
        if key in self._by_key:
            return self._by_key[key]
        words = _WORD.findall(_folded(title))
        for entry_words, marked, entry in self._long:
            if _cut_copy(entry_words, marked, words) and sum(map(len, entry_words)) >= PREFIX_MIN_SHARE * len(key):
                return entry
        return self._fuzzy(frozenset(words))

    def _fuzzy(self, words: frozenset[str]) -> ListedEntry | None:
        if len(words) < FUZZY_MIN_WORDS:
            return None
        shared: dict[int, int] = defaultdict(int)
        for word in words:
            for i in self._postings.get(word, ()):
                shared[i] += 1
        best, best_score = None, 0.0
        for i, n in shared.items():
            other = self._words[i]
            if len(other) < FUZZY_MIN_WORDS:
                continue
            score = n / (len(words) + len(other) - n)
            if score > best_score:
                best, best_score = self._entries[i], score
        return best if best_score >= FUZZY_MIN_JACCARD else None
