"""Writes tests/golden/lists/<list file>.json: how watcher reads each shared list (its sections,
what it skips and why, a sample of entries with their fields) and the exact lines it inserts when
adding three papers to two sections. Each file was read and checked by hand before it was
committed; rerun (`python -m tests.golden.make_list_goldens`) only to review a deliberate change,
and read the diff."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests.conftest import SHARED
from tests.golden.make_seed_golden import insertions
from watcher import listedit, listfile
from watcher.listfile import NewEntry

OUT = Path(__file__).resolve().parent / "lists"


def additions(doc: listfile.ListDocument) -> list[NewEntry]:
    """Three papers for two sections: two for the target with most entries, one for the first
    other target that has entries (the section names are pinned in the golden file)."""
    targets = [s for s in doc.targets if s.entries]
    first = max(targets, key=lambda s: len(s.entries))
    second = next((s for s in targets if s is not first), first)
    return [
        NewEntry(
            first.name,
            "Listening Before Speaking: A Study of Streaming Speech Models",
            "2606.01234",
            version=2,
            authors=("Jane Doe", "Li Wei", "Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"),
            published=date(2026, 6, 2),
            code_url="https://github.com/janedoe/listen",
        ),
        NewEntry(
            first.name,
            "Tokens, Time and Tables: Long Context Without Tears",
            "2606.05678",
            authors=("Bo Chen", "Maria Garcia"),
            published=date(2026, 6, 9),
        ),
        NewEntry(
            second.name,
            "A Benchmark of Everything | With a Pipe",
            "2606.09999",
            authors=("Sam Smith",),
            published=date(2026, 6, 11),
        ),
    ]


def entry_record(e: listfile.Entry) -> dict[str, object]:
    return {
        "line": e.start + 1,
        "end": e.end,
        "section": e.heading,
        "shape": e.shape,
        "title": e.title,
        "arxiv_ids": sorted(e.arxiv_ids),
        "dois": sorted(e.dois),
        "venue": e.venue,
        "date": e.date,
        "authors": e.authors[:80],
        "links": [f"{link.kind} {link.text[:30]}" for link in e.links][:6],
    }


def section_records(doc: listfile.ListDocument) -> list[dict[str, object]]:
    return [
        {
            "name": s.name,
            "line": s.line + 1,
            "level": s.level,
            "target": s.target,
            "why": s.why,
            "entries": len(s.entries),
        }
        for s in doc.sections
    ]


def skipped_records(doc: listfile.ListDocument) -> list[list[object]]:
    return [[s.line + 1, s.reason, len(s.arxiv_ids), s.text[:70]] for s in doc.skipped]


def golden(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    doc = listfile.parse(text)
    adds = additions(doc)
    after = listedit.add_entries(doc, adds)
    step = max(1, len(doc.entries) // 12)
    return {
        "file": path.name,
        "entries": len(doc.entries),
        "sections": section_records(doc),
        "skipped": skipped_records(doc),
        "sample": [entry_record(e) for e in doc.entries[::step]],
        "styles": {s.name: listedit.style_example(doc, s.name) for s in doc.targets},
        "edit": {
            "additions": [[a.heading, a.title, a.arxiv_id] for a in adds],
            "insertions": insertions(text, after),
        },
    }


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for path in sorted((SHARED / "lists").glob("*@*.md")):
        data = golden(path)
        (OUT / (path.name + ".json")).write_text(
            json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
