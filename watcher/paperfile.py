"""Paper files: JSON Lines with `arxiv_id`, `title`, `abstract`, `categories`, and optionally
`published`, `label` (relevant / uncertain / irrelevant) and `section` (the heading). I/O here."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .errors import UsageError
from .paper import Paper

LABELS = ("relevant", "uncertain", "irrelevant")


@dataclass(frozen=True)
class PaperRow:
    paper: Paper
    label: str | None = None
    section: str | None = None
    replacement: bool = False  # the file says the row is a replacement (announce_guess)


def _paper(obj: dict[str, Any], where: str) -> PaperRow:
    title = obj.get("title")
    if not isinstance(title, str) or not title.strip():
        raise UsageError(f'{where}: expected a JSON object with a non-empty "title"')
    categories = obj.get("categories") or []
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise UsageError(f'{where}: "categories" must be a list of strings')
    label = obj.get("label")
    if label is not None and label not in LABELS:
        raise UsageError(f'{where}: "label" must be one of {", ".join(LABELS)}, not {label!r}')
    section = obj.get("section") or obj.get("section_if_relevant") if label == "uncertain" else obj.get("section")
    published = obj.get("published")
    try:
        day = date.fromisoformat(published[:10]) if isinstance(published, str) and published else None
    except ValueError:
        raise UsageError(f'{where}: "published" must be a date like 2025-05-21, not {published!r}') from None
    arxiv_id = obj.get("arxiv_id") or ""
    if not isinstance(arxiv_id, str):
        raise UsageError(f'{where}: "arxiv_id" must be a string')
    abstract = obj.get("abstract") or ""
    announce = obj.get("announce_type") or ""
    replacement = obj.get("announce_guess") == "replacement" or str(announce).startswith("replace")
    paper = Paper(
        arxiv_id=arxiv_id,
        title=" ".join(title.split()),
        abstract=" ".join(str(abstract).split()),
        categories=tuple(categories),
        announced=day,
        announce_type=str(announce),
    )
    return PaperRow(paper, label, section if isinstance(section, str) else None, replacement)


def read_papers(path: Path) -> list[PaperRow]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 (byte {exc.start})") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise UsageError(f"{where}: expected a JSON object")
        rows.append(_paper(obj, where))
    return rows


def paper_row(p: Paper) -> dict[str, Any]:
    """A paper as a row of a paper file (what read_papers reads back)."""
    return {
        "arxiv_id": p.arxiv_id,
        "title": p.title,
        "abstract": p.abstract,
        "authors": p.authors,
        "categories": list(p.categories),
        "published": p.announced.isoformat() if p.announced else None,
    }


def write_jsonl(path: Path, objects: Iterable[dict[str, Any]]) -> int:
    """Write objects as JSON Lines through a temporary file (never a half-written output)."""
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    try:
        with tmp.open("w", encoding="utf-8") as f:
            for obj in objects:
                f.write(json.dumps(obj, ensure_ascii=False) + "\n")
                count += 1
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return count
