"""Writes tests/golden/seed-list.json: what watcher's list parser and editor did with the seed list
at commit 8e1b12c (before the list model learned other formats). Run once, at that commit; the
golden file pins that behaviour (tests/test_list_formats.py compares against it)."""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path

from tests.test_listfile import TRICKY
from watcher import listedit, listfile
from watcher.listfile import NewEntry

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "models" / "seed-list.md").read_text(encoding="utf-8")

HOSTILE = [
    "## Injected heading",
    "- fake entry",
    "[click](javascript:alert(1))",
    "<!-- swallow the rest",
    "`code` and ``` fence",
    "line one\n## two\n- three",
    "<script>alert(1)</script> &amp; friends",
    "Zero\u200bwidth \u202eRTL override",
    "| a | b |",
    "**bold** _it_ </details> <summary>x</summary>",
    "1. numbered",
    "$$",
]


def insertions(before: str, after: str) -> list[list[object]]:
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    out: list[list[object]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":  # "replace" only where a last line without a line ending gets one
            out.append([tag, i1, i2, b[j1:j2]])
    return out


def edit_case(text: str, adds: list[NewEntry], position: str) -> dict[str, object]:
    after = listedit.add_entries(listfile.parse(text), adds, position)
    return {
        "position": position,
        "additions": [[a.heading, a.title, a.arxiv_id] for a in adds],
        "sha256": hashlib.sha256(after.encode()).hexdigest(),
        "insertions": insertions(text, after),
    }


def parse_case(text: str) -> dict[str, object]:
    doc = listfile.parse(text)
    return {
        "headings": list(doc.headings),
        "sections": [[s.name, s.line, s.end, len(s.entries)] for s in doc.sections],
        "entries": [[e.heading, e.title, sorted(e.arxiv_ids), e.start, e.end] for e in doc.entries],
        "bullet": doc.bullet,
        "sub_indent": doc.sub_indent,
        "newline": doc.newline,
    }


def main() -> None:
    doc = listfile.parse(SEED)
    heads = list(doc.headings)
    cases = []
    for position in ("top", "bottom"):
        cases.append(
            edit_case(SEED, [NewEntry(h, f"Paper for {h}", f"2601.{i:05d}") for i, h in enumerate(heads)], position)
        )
        cases.append(
            edit_case(
                SEED,
                [
                    NewEntry("multi-task", "First Added Paper", "2601.10001"),
                    NewEntry("codec", "Second Added Paper", "2601.10002"),
                    NewEntry("multi-task", "Third Added Paper", "2601.10003"),
                ],
                position,
            )
        )
    for i, title in enumerate(HOSTILE):
        cases.append(edit_case(SEED, [NewEntry("other", title, f"2501.{i:05d}")], "top"))
    crlf = SEED.replace("\n", "\r\n")
    cases.append(edit_case(crlf, [NewEntry("ASR/ST", "A CRLF Paper", "2602.00001")], "bottom"))
    no_final = SEED.rstrip("\n")
    cases.append(edit_case(no_final, [NewEntry("other", "At The Very End", "2602.00002")], "bottom"))
    lines = {t: listedit.entry_lines(doc, NewEntry("other", t, "2501.00001")) for t in [*HOSTILE, "A Plain Title"]}

    golden = {
        "commit": "8e1b12c",
        "parse": parse_case(SEED),
        "parse_crlf": parse_case(crlf),
        "parse_bom": parse_case("\ufeff" + SEED),
        "edits": cases,
        "entry_lines": lines,
        "tricky": [[t, parse_case(t)] for t in TRICKY],
    }
    out = ROOT / "tests" / "golden" / "seed-list.json"
    out.write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
