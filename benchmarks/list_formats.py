"""How watcher reads and writes the real lists in ../shared/data/lists (both commits of each).

    python benchmarks/list_formats.py [--data ../shared/data] [--styles]

Per list file: the paper entries the parser found, the arXiv ids it recognises as listed out of
the ids index.jsonl says are linked at that commit (its own count, and the same ids found by a
plain search of the file: those inside HTML comments are not on the rendered list and are not
counted as listed), the items it skipped by reason, the target sections, and the parse time.
With --styles, one example added entry (`style_example`) per distinct section style.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import SHARED  # noqa: E402  (../shared/data, or $WATCHER_SHARED_DATA)
from watcher import listedit, listfile  # noqa: E402
from watcher.titles import TitleIndex  # noqa: E402

# The ids index.jsonl counts: arXiv abs/pdf/html links, 10.48550 DOIs, huggingface.co/papers
# and alphaXiv pages, versions stripped (a plain search of the file, comments included).
LINKED = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|10\.48550/arxiv\.|huggingface\.co/papers/|alphaxiv\.org/(?:abs|overview)/)"
    r"(\d{4}\.\d{4,5})",
    re.I,
)


def report(path: Path, expected: int, styles: bool) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    t0 = time.perf_counter()
    doc = listfile.parse(text)
    seconds = time.perf_counter() - t0
    linked = set(LINKED.findall(text))
    index = TitleIndex(doc.listed())
    recognised = {i for i in linked if index.match(i, "") is not None}
    visible = listfile.parse(re.sub(r"<!--.*?-->", "", text, flags=re.S))
    in_comments = linked - set(LINKED.findall(visible.render()))
    reasons = Counter(s.reason for s in doc.skipped)
    out: dict[str, object] = {
        "file": path.name,
        "entries": len(doc.entries),
        "targets": len(doc.headings),
        "sections": len(doc.sections),
        "ids_index": expected,
        "ids_linked": len(linked),
        "ids_recognised": len(recognised),
        "ids_in_comments": len(in_comments - recognised),
        "skipped": dict(reasons.most_common()),
        "seconds": round(seconds, 3),
    }
    if styles:
        seen: dict[str, str] = {}
        for section in doc.targets:
            example = listedit.style_example(doc, section.name)
            key = re.sub(r"\d+", "#", example)
            seen.setdefault(key, f"[{section.name}]\n{example}")
        out["styles"] = list(seen.values())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SHARED)
    ap.add_argument("--styles", action="store_true", help="print one example entry per section style")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON lines")
    args = ap.parse_args()
    lists = args.data / "lists"
    rows = []
    for line in (lists / "index.jsonl").read_text(encoding="utf-8").splitlines():
        meta = json.loads(line)
        head, snap = meta["files"]
        rows.append(report(lists / head, meta["arxiv_ids_head"], args.styles))
        rows.append(report(lists / snap, meta["arxiv_ids_snapshot"], args.styles))
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    print(f"{'list file':<62} {'entries':>7} {'targets':>7} {'ids recognised':>16} {'in comments':>11} {'parse s':>7}")
    for row in rows:
        ids = f"{row['ids_recognised']}/{row['ids_index']}"
        print(
            f"{row['file']:<62} {row['entries']:>7} {row['targets']:>7} {ids:>16} {row['ids_in_comments']:>11}"
            f" {row['seconds']:>7}"
        )
    print()
    for row in rows:
        skipped = row["skipped"]
        assert isinstance(skipped, dict)
        total = sum(skipped.values())
        detail = ", ".join(f"{n} {reason}" for reason, n in skipped.items()) or "none"
        print(f"{row['file']}: skipped {total}: {detail}")
        for style in row.get("styles", []):  # type: ignore[attr-defined]
            print("    " + str(style).replace("\n", "\n    "))
    print()


if __name__ == "__main__":
    main()
