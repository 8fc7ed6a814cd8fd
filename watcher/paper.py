"""The `Paper` record that flows through every stage, and arXiv identifier parsing. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# New-style ids (0704 onwards): YYMM.NNNN or YYMM.NNNNN, optional version.
_NEW_ID = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v(\d+))?(?![\d])")
# Old-style ids: archive[.SC]/YYMMNNN, optional version; the subject class is not part of the id.
_OLD_ID = re.compile(r"(?<![\w.-])([a-z]+(?:-[a-z]+)?)(?:\.[A-Z]{2})?/(\d{7})(?:v(\d+))?(?!\d)")

ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")


def parse_arxiv_id(text: str) -> tuple[str, int | None]:
    """Find an arXiv identifier in `text` (a bare id, an abs/pdf URL, an OAI guid).

    Returns (base id without version, version or None). Raises ValueError if there is none.
    `math.CA/0611800v2` gives ("math/0611800", 2): the subject class is dropped, as arXiv does.
    """
    if m := _NEW_ID.search(text):
        return m[1], int(m[2]) if m[2] else None
    if m := _OLD_ID.search(text):
        return f"{m[1]}/{m[2]}", int(m[3]) if m[3] else None
    raise ValueError(f"no arXiv identifier in {text!r}")


_ARXIV_LINK = re.compile(r"arxiv\.org/(?:abs|pdf|html)/([^\s)\]>\"']+)", re.I)
_ARXIV_COLON = re.compile(r"\barXiv:\s*(\S+)", re.I)
_ARXIV_DOI = re.compile(r"\b10\.48550/arxiv\.([^\s)\]>\"']+)", re.I)
_ANY_ARXIV = re.compile(r"arxiv|10\.48550", re.I)


def find_arxiv_ids(text: str) -> set[str]:
    """All base arXiv ids mentioned in arXiv links in `text` (used on list entries): arxiv.org
    abs/pdf/html URLs on any host name (www., export.), `arXiv:ID`, and 10.48550/arXiv.ID DOIs.
    Links that name a paper elsewhere (huggingface.co/papers/ID) are read by
    `entryfields.arxiv_id_from_url`, on link targets only: in plain text they are not links."""
    ids: set[str] = set()
    if not _ANY_ARXIV.search(text):
        return ids
    # arXiv's own DOIs (10.48550/arXiv.2412.11694) name the paper too.
    for pattern in (_ARXIV_LINK, _ARXIV_COLON, _ARXIV_DOI):
        for m in pattern.finditer(text):
            try:
                ids.add(parse_arxiv_id(m[1])[0])
            except ValueError:
                continue
    return ids


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def squash_whitespace(text: str) -> str:
    """One line, single spaces: feed titles wrap lines and indent continuation lines."""
    return " ".join(text.split())


def split_authors(authors: str) -> list[str]:
    """Split arXiv's one-string author list on commas outside parentheses.

    `A (IFPEN, Univ X), B` -> ["A (IFPEN, Univ X)", "B"]; affiliations contain commas.
    """
    names: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in authors:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            names.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    names.append("".join(current).strip())
    return [n for n in names if n]


@dataclass(frozen=True, slots=True)
class Paper:
    """One arXiv paper as announced. Scores travel beside it, never inside it."""

    arxiv_id: str  # base id, no version: the dedupe key
    title: str
    abstract: str = ""
    version: int | None = None
    authors: str = ""
    categories: tuple[str, ...] = ()  # primary first where the source says which
    announce_type: str = ""  # new / cross / replace / replace-cross; "" when unknown
    announced: date | None = None
    link: str = ""
    comment: str = ""  # the authors' arXiv comment ("Accepted to ICASSP 2026; code at ...")
    journal_ref: str = ""  # arXiv's journal reference, where the authors gave one
    doi: str = ""  # the published version's DOI, where the authors gave one

    @property
    def url(self) -> str:
        return self.link or abs_url(self.arxiv_id)

    @property
    def is_replacement(self) -> bool:
        return self.announce_type.startswith("replace")

    @property
    def text(self) -> str:
        """Title and abstract, the text the classifier reads."""
        return f"{self.title}. {self.abstract}" if self.abstract else self.title
