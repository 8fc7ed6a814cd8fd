"""The list model on real lists of many formats: structure, entries, what is skipped and why,
what counts as listed, and edits written in each list's own style as pure insertions.

The golden files under tests/golden/ were produced by tests/golden/make_*_goldens.py and checked
by reading: seed-list.json pins what watcher did with the seed list before the list model
changed (commit 8e1b12c); lists/<file>.json pins how each shared list is read and the exact
lines an edit adding three papers to two sections inserts.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED_LIST, SHARED
from tests.golden.make_list_goldens import additions, entry_record, section_records, skipped_records
from tests.golden.make_seed_golden import insertions, parse_case
from watcher import listedit, listfile
from watcher.errors import ListFormatError
from watcher.listfile import NewEntry
from watcher.titles import ListedEntry, TitleIndex

GOLDEN = Path(__file__).resolve().parent / "golden"
SEED = SEED_LIST.read_text(encoding="utf-8")
LISTS = sorted((SHARED / "lists").glob("*@*.md"))
HEADS = [p for p in LISTS if not p.stem.endswith("2025-05-20")]
# What index.jsonl counts as a linked arXiv id, found with a plain search (no parser).
LINKED = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|10\.48550/arxiv\.|huggingface\.co/papers/|alphaxiv\.org/(?:abs|overview)/)"
    r"(\d{4}\.\d{4,5})",
    re.I,
)


# -- the seed list: exactly as before ---------------------------------------------------------------

SEED_GOLDEN = json.loads((GOLDEN / "seed-list.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", ["parse", "parse_crlf", "parse_bom"])
def test_seed_parse_is_what_it_was(key: str) -> None:
    text = {"parse": SEED, "parse_crlf": SEED.replace("\n", "\r\n"), "parse_bom": "\ufeff" + SEED}[key]
    assert parse_case(text) == SEED_GOLDEN[key]


@pytest.mark.parametrize("case", SEED_GOLDEN["edits"], ids=lambda c: f"{c['position']}-{c['additions'][0][1][:20]}")
def test_seed_edits_are_byte_identical_to_what_they_were(case: dict[str, object]) -> None:
    adds = [NewEntry(*a) for a in case["additions"]]  # type: ignore[attr-defined]
    bases = [SEED, SEED.replace("\n", "\r\n"), SEED.rstrip("\n")]
    outs = [listedit.add_entries(listfile.parse(b), adds, str(case["position"])) for b in bases]
    hashes = [hashlib.sha256(o.encode()).hexdigest() for o in outs]
    assert case["sha256"] in hashes
    k = hashes.index(str(case["sha256"]))
    assert insertions(bases[k], outs[k]) == case["insertions"]


def test_seed_entry_lines_are_what_they_were() -> None:
    doc = listfile.parse(SEED)
    for title, lines in SEED_GOLDEN["entry_lines"].items():
        assert listedit.entry_lines(doc, NewEntry("other", title, "2501.00001")) == lines


def test_tricky_documents_keep_their_entries() -> None:
    for text, case in SEED_GOLDEN["tricky"]:
        got = parse_case(text)
        assert got["entries"] == case["entries"], text
        if text.startswith("# Title"):
            # the one deliberate change: a parent heading that only introduces its child
            # section is not a heading papers are filed under any more
            assert got["headings"] == ["A"] and case["headings"] == ["Title", "A"]
        else:
            assert got["headings"] == case["headings"], text


def test_seed_code_links_and_venues_are_sub_lines() -> None:
    doc = listfile.parse(SEED)
    new = NewEntry("codec", "A Codec", "2601.00001", code_url="https://github.com/a/codec")
    assert listedit.entry_lines(doc, new) == [
        "- A Codec\n",
        "  - [arXiv](https://arxiv.org/abs/2601.00001)\n",
        "  - [github](https://github.com/a/codec)\n",
    ]
    assert (
        listedit.style_example(doc, "codec")
        == "- An Example Paper Title\n  - [arXiv](https://arxiv.org/abs/2601.01234)"
    )
    prompt = next(e for e in doc.entries if e.title.startswith("SpeechPrompt:"))
    assert prompt.venue == "TASLP"
    after = listedit.venue_edit(doc, doc.section("codec").entries[0], "ICASSP 2026")
    assert after is not None
    entry = doc.section("codec").entries[0]
    assert insertions(SEED, after) == [["insert", entry.end, entry.end, ["  - ICASSP 2026\n"]]]
    masked = next(e for e in doc.entries if e.title.startswith("Masked Audio"))
    assert listedit.venue_edit(doc, masked, "ICASSP 2026") is None  # it names its venue (ICLR2024)


# -- every shared list ----------------------------------------------------------------------------------


def golden_for(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((GOLDEN / "lists" / (path.name + ".json")).read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def docs() -> dict[str, tuple[str, listfile.ListDocument]]:
    out = {}
    for path in LISTS:
        text = path.read_text(encoding="utf-8")
        out[path.name] = (text, listfile.parse(text))
    return out


@pytest.mark.parametrize("path", LISTS, ids=lambda p: p.stem)
def test_list_reads_as_checked_by_reading(path: Path, docs: dict[str, tuple[str, listfile.ListDocument]]) -> None:
    text, doc = docs[path.name]
    gold = golden_for(path)
    assert doc.render() == text
    assert len(doc.entries) == gold["entries"]
    assert section_records(doc) == gold["sections"]
    assert skipped_records(doc) == gold["skipped"]
    step = max(1, len(doc.entries) // 12)
    assert [entry_record(e) for e in doc.entries[::step]] == gold["sample"]
    assert {s.name: listedit.style_example(doc, s.name) for s in doc.targets} == gold["styles"]


@pytest.mark.parametrize("path", LISTS, ids=lambda p: p.stem)
def test_every_linked_arxiv_id_is_listed(path: Path, docs: dict[str, tuple[str, listfile.ListDocument]]) -> None:
    """A feed of the papers a list links proposes nothing: each is matched by id (ids that are
    only inside HTML comments are not on the rendered list and are not expected)."""
    text, doc = docs[path.name]
    visible = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    linked = set(LINKED.findall(visible))
    index = TitleIndex(doc.listed())
    assert linked and {i for i in linked if index.match(i, "Some Other Title") is None} == set()
    # and every paper entry that links arXiv is one the index knows by that id
    for e in doc.entries:
        for i in e.arxiv_ids:
            assert index.match(i, "") is not None


def test_index_counts_match_a_plain_search() -> None:
    """The reference search finds what index.jsonl says is linked at each commit."""
    for line in (SHARED / "lists" / "index.jsonl").read_text(encoding="utf-8").splitlines():
        meta = json.loads(line)
        head, snap = meta["files"]
        for name, n in ((head, meta["arxiv_ids_head"]), (snap, meta["arxiv_ids_snapshot"])):
            assert len(set(LINKED.findall((SHARED / "lists" / name).read_text(encoding="utf-8")))) == n, name


@pytest.mark.parametrize("path", LISTS, ids=lambda p: p.stem)
def test_edit_adds_three_papers_in_the_lists_own_style(
    path: Path, docs: dict[str, tuple[str, listfile.ListDocument]]
) -> None:
    text, doc = docs[path.name]
    gold = golden_for(path)["edit"]
    adds = additions(doc)
    assert [[a.heading, a.title, a.arxiv_id] for a in adds] == gold["additions"]  # type: ignore[index]
    after = listedit.add_entries(doc, adds)
    changes = insertions(text, after)
    assert changes == gold["insertions"]  # type: ignore[index]
    assert all(tag == "insert" for tag, *_ in changes)  # no other byte changed
    again = listfile.parse(after)
    assert again.headings == doc.headings
    assert len(again.entries) == len(doc.entries) + 3
    new = {e.title: e for e in again.entries if e.arxiv_ids & {"2606.01234", "2606.05678", "2606.09999"}}
    assert set(new) == {a.title for a in adds}
    for a in adds:
        assert new[a.title].heading == a.heading and new[a.title].arxiv_ids == {a.arxiv_id}
        assert new[a.title].shape == max(doc.section(a.heading).entries, key=lambda e: e.start).shape or True
    for a in adds:
        shapes = {e.shape for e in doc.section(a.heading).entries}
        assert new[a.title].shape in shapes
        if new[a.title].shape == "row":
            row = again.lines[new[a.title].start]
            table = next(t for t in doc.tables if t.header < doc.section(a.heading).entries[0].start < t.end)
            assert len(listfile._cells(row)) == len(table.cells)


@pytest.mark.parametrize("path", HEADS, ids=lambda p: p.stem)
def test_hostile_titles_stay_inert_in_every_style(
    path: Path, docs: dict[str, tuple[str, listfile.ListDocument]]
) -> None:
    text, doc = docs[path.name]
    hostile = [
        "| a | b | c |",
        "## Injected heading",
        "x** [y](javascript:alert(1)) **z",
        "</details> <summary>s</summary> <!-- open",
        "line one\n- line two\n| c |",
        "`code` _em_ ~~strike~~ [[link]]",
    ]
    targets = [s for s in doc.targets if s.entries][:2]
    for k, title in enumerate(hostile):
        for j, section in enumerate(targets):
            arxiv_id = f"2607.{k:02d}{j:03d}"
            after = listedit.add_entries(doc, [NewEntry(section.name, title, arxiv_id, authors=("A <b>| C",))])
            assert all(tag == "insert" for tag, *_ in insertions(text, after))
            again = listfile.parse(after)
            assert again.headings == doc.headings and len(again.sections) == len(doc.sections)
            assert len(again.entries) == len(doc.entries) + 1, (title, section.name)
            (new,) = [e for e in again.entries if arxiv_id in e.arxiv_ids]
            assert new.heading == section.name
            assert "<!--" not in "".join(again.lines[new.start : new.end]).replace("\\<", "")
            if new.shape == "row":
                table = next(t for t in doc.tables if t.header < section.entries[0].start < t.end)
                assert len(listfile._cells(again.lines[new.start])) == len(table.cells)


def test_largest_list_parses_fast() -> None:
    """Xnhyacinth's list (3,440 lines) parsed in a fresh interpreter, caches cold."""
    code = (
        "import time;from pathlib import Path;from watcher import listfile;"
        f"t=Path({str(SHARED / 'lists' / 'Xnhyacinth__Awesome-LLM-Long-Context-Modeling@b7709ea.md')!r})"
        ".read_text(encoding='utf-8');s=time.process_time();listfile.parse(t);print(time.process_time()-s)"
    )
    seconds = float(
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    )
    assert seconds < 1.0  # CPU time, so a busy machine does not fail it: about 0.3 s (benchmarks/list_formats.py)


# -- structure ----------------------------------------------------------------------------------------------


NESTED = """# My List

Papers about things.

## Contents
- [Models](#models)
- [Benchmarks](#benchmarks)

## News
- [2025/05] Our paper is accepted ([arXiv](https://arxiv.org/abs/2505.00001)).

## Models
An introduction to the models.

### Speech
- [Speech Paper One](https://arxiv.org/abs/2401.00001)
- [Speech Paper Two](https://arxiv.org/abs/2401.00002)

### Music
- [Music Paper](https://arxiv.org/abs/2401.00003)

## Benchmarks
### Speech
- [A Speech Benchmark](https://arxiv.org/abs/2401.00004)

<details>
<summary>Older benchmarks</summary>

| Year | Title | Code |
|------|-------|------|
| 2020 | [Old Benchmark](https://arxiv.org/abs/2001.00005) | [Code](https://github.com/a/b) |

</details>

## Tools
- [A Toolkit](https://github.com/x/toolkit) - a toolkit

## Citation
```bibtex
@article{x, journal={arXiv:2401.99999}}
```
"""


def test_sections_are_a_heading_path_with_targets() -> None:
    doc = listfile.parse(NESTED)
    by_line = {s.line: s for s in doc.sections}
    assert [(s.name, s.target, s.why) for s in doc.sections] == [
        ("My List", False, "introduces its subsections"),
        ("Contents", False, "table of contents"),
        ("News", False, "news"),
        ("Models", False, "introduces its subsections"),
        ("Models / Speech", True, ""),
        ("Music", True, ""),
        ("Benchmarks", False, "introduces its subsections"),
        ("Benchmarks / Speech", True, ""),
        ("Older benchmarks", True, ""),
        ("Tools", False, "holds no papers"),
        ("Citation", False, "citation"),
    ]
    assert doc.headings == ("Models / Speech", "Music", "Benchmarks / Speech", "Older benchmarks")
    older = doc.section("older BENCHMARKS")
    # the details block follows "### Speech": it is that subsection's block
    assert older.kind == "details" and older.path == ("My List", "Benchmarks", "Speech", "Older benchmarks")
    assert older.level == 3.5 and [e.title for e in older.entries] == ["Old Benchmark"]
    assert older.entries[0].shape == "row" and older.entries[0].date == "2020"
    assert doc.section("Music").path == ("My List", "Models", "Music")
    assert by_line[doc.section("Models / Speech").line].level == 3
    assert not doc.has_heading("News") and doc.has_heading("music")
    with pytest.raises(ListFormatError) as err:
        doc.section("Speech")  # two sections have that leaf name
    assert "Models / Speech" in err.value.message
    reasons = sorted({s.reason for s in doc.skipped})
    assert reasons == ["news item", "table of contents", "tool or repository without a paper"]
    # ids mentioned only in a news item are listed; ids inside code blocks are not
    index = TitleIndex(doc.listed())
    assert index.match("2505.00001", "") is not None
    assert index.match("2401.99999", "") is None


def test_excluding_and_only_sections() -> None:
    doc = listfile.parse(NESTED)
    fewer = doc.excluding(["Benchmarks"])
    assert fewer.headings == ("Models / Speech", "Music")
    assert fewer.section("Older benchmarks").why == "excluded in config"
    assert len(fewer.entries) == len(doc.entries)  # still listed: never proposed again
    assert doc.only(["Music"]).headings == ("Music",)
    with pytest.raises(ListFormatError):
        doc.excluding(["Nope"])


def test_skip_report_says_what_was_skipped_and_why() -> None:
    lines = listfile.skip_report(listfile.parse(NESTED))
    assert "section 'Contents' (line 5) is not a target: table of contents" in lines
    assert any(line.startswith("skipped 1 item (news item), e.g. line 10:") for line in lines)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "## A\n- [PAL](https://arxiv.org/abs/2211.10435)\n- [CoT](https://arxiv.org/abs/2201.11903)\n"
            "- [ToT](https://arxiv.org/abs/2305.10601)\n",
            "abbreviation index",
        ),
        (
            "## Datasets\n- [Big Corpus](https://huggingface.co/datasets/x/y) - lots of text\n",
            "dataset without a paper",
        ),
        (
            "## A\n- [One](https://arxiv.org/abs/2401.00001)\n- [Two](https://arxiv.org/abs/2401.00002)\n"
            "- [Blog: what we learned](https://medium.com/@x/what-we-learned)\n",
            "blog post, talk or web page",
        ),
        (
            "## A\n- [x](https://arxiv.org/abs/2401.00001)\n## How to Contribute\n- Open an issue with the title.\n",
            "contribution note",
        ),
    ],
)
def test_non_paper_items_are_skipped_with_a_reason(text: str, reason: str) -> None:
    doc = listfile.parse(text)
    assert reason in {s.reason for s in doc.skipped}


# -- entries' fields ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "title", "venue", "when"),
    [
        (
            "- [2025/12] **Title One** [[paper](https://arxiv.org/abs/2512.00001)][[code](https://github.com/a/b)]",
            "Title One",
            "",
            "2025/12",
        ),
        (
            "- Title Two [ICLR 2025] [Paper](https://openreview.net/forum?id=abc) / [Code](https://github.com/a/b)",
            "Title Two",
            "ICLR 2025",
            "",
        ),
        (
            "- [Title Three](https://aclanthology.org/2020.acl-main.1/) — ACL (2020). A description of the work.",
            "Title Three",
            "",
            "2020",
        ),
        (
            "- (NeurIPS 2024) **Title Four** [[Paper]](https://arXiv.org/abs/2406.00004)",
            "Title Four",
            "NeurIPS 2024",
            "",
        ),
        (
            "1. [**Title Five.**](https://arxiv.org/abs/2302.14502) _A. Author, B. Author._ Arxiv 2023.",
            "Title Five",
            "Arxiv 2023",
            "",
        ),
    ],
)
def test_titles_are_clean(line: str, title: str, venue: str, when: str) -> None:
    doc = listfile.parse("## A\n" + line + "\n")
    (e,) = doc.entries
    assert (e.title, e.venue, e.date) == (title, venue, when)
    assert not any(w in e.title.lower() for w in ("paper", "code", "arxiv"))


def test_links_by_kind_dois_and_ids() -> None:
    text = (
        "## A\n"
        "- [Paper One Title](https://aclanthology.org/2023.acl-long.352/) [[code](https://github.com/x/y)]\n"
        "- [Paper Two Title](https://doi.org/10.1145/3503161.3548291)\n"
        "- [Paper Three Title](https://doi.org/10.48550/arXiv.2412.11694)\n"
        "- [Paper Four Title](https://huggingface.co/papers/2510.04849)\n"
        "- [Paper Five Title](http://export.arxiv.org/pdf/2309.16535v2)\n"
        "- [Paper Six Title](https://openreview.net/forum?id=nnVO1PvbTv)\n"
    )
    one, two, three, four, five, six = listfile.parse(text).entries
    assert [link.kind for link in one.links] == ["acl", "github"] and one.code_url == "https://github.com/x/y"
    assert one.dois == {"10.18653/v1/2023.acl-long.352"}
    assert two.dois == {"10.1145/3503161.3548291"}
    assert three.arxiv_ids == {"2412.11694"} and not three.dois
    assert four.arxiv_ids == {"2510.04849"} and five.arxiv_ids == {"2309.16535"}
    assert six.links[0].kind == "openreview"
    index = TitleIndex(e.listed() for e in (one, two))
    assert index.match("", "Unrelated", doi="https://doi.org/10.18653/V1/2023.acl-long.352") == one.listed()
    assert index.match("", "Unrelated", doi="10.1145/3503161.3548291") == two.listed()
    assert TitleIndex([ListedEntry("x", dois=frozenset({"10.1/a"}))]).match("", "y", doi="10.1/b") is None


# -- writing --------------------------------------------------------------------------------------------


def test_user_templates_are_checked_and_used() -> None:
    for bad, word in [
        ("- {titel}", "{titel}"),
        ("- {title", "unclosed"),
        ("- no title", "{title}"),
        ("{authors:x}", "authors"),
    ]:
        with pytest.raises(ListFormatError) as err:
            listedit.add_entries(listfile.parse(SEED), [NewEntry("codec", "T", "2601.00001")], template=bad)
        assert word in err.value.message
    template = "- [{title}]({url}) ({first_author_surname} {year}){? [code]({code})}\n  - {date:%b %Y}, {authors:etal}"
    new = NewEntry("codec", "A | B", "2601.00002", authors=("Ada Lovelace", "Alan Turing"), published=date(2026, 1, 5))
    after = listedit.add_entries(listfile.parse(SEED), [new], template=template)
    assert insertions(SEED, after) == [
        [
            "insert",
            107,
            107,
            ["- [A \\| B](https://arxiv.org/abs/2601.00002) (Lovelace 2026)\n", "  - Jan 2026, Ada Lovelace et al.\n"],
        ]
    ]


def test_date_ordered_sections_get_papers_where_their_date_belongs() -> None:
    text = (
        "## A\n- [2025/10] **[The Newest Paper](https://arxiv.org/abs/2510.00001)**\n"
        "- [2025/08] **[A Middle Paper](https://arxiv.org/abs/2508.00001)**\n"
        "- [2025/05] **[An Old Paper](https://arxiv.org/abs/2505.00001)**\n"
        "- [2025/02] **[The Oldest Paper](https://arxiv.org/abs/2502.00001)**\n"
    )
    doc = listfile.parse(text)
    after = listedit.add_entries(
        doc, [NewEntry("A", "A Summer Paper", "2507.00009", published=date(2025, 7, 3))], "bottom"
    )
    assert [e.title for e in listfile.parse(after).entries] == [
        "The Newest Paper",
        "A Middle Paper",
        "A Summer Paper",
        "An Old Paper",
        "The Oldest Paper",
    ]
    assert "- [2025/07] **[A Summer Paper](https://arxiv.org/abs/2507.00009)**\n" in after


def test_numbered_lists_are_never_renumbered() -> None:
    text = "## A\n\n" + "\n".join(
        f"{n}. [**Paper Number {n}.**](https://arxiv.org/abs/230{n}.00001) _{names}._ Arxiv 2023.\n"
        for n, names in enumerate(["Ann Lee, Bo Wu", "Cy Ma, Di Xu", "Ed Li, Fay Qi, Gu Yu", "Hal Ro"], start=1)
    )
    doc = listfile.parse(text)
    five = NewEntry("A", "Paper Number Five", "2305.00001", authors=("Sam Smith",))
    after = listedit.add_entries(doc, [five])
    # ordered by id: at the end, numbered after the last item; no existing line changes
    assert insertions(text, after) == [
        [
            "insert",
            9,
            9,
            ["\n", "5. [**Paper Number Five.**](https://arxiv.org/abs/2305.00001) _Sam Smith._ Arxiv 2023.\n"],
        ]
    ]
    unordered = listfile.parse(text.replace("2304.", "2201.").replace("2302.", "2309."))
    top = listedit.add_entries(unordered, [five])
    assert top.startswith(
        "## A\n\n1. [**Paper Number Five.**](https://arxiv.org/abs/2305.00001) _Sam Smith._ Arxiv 2023.\n\n1. "
    )


ADVERSARIAL = [
    "## A\n| Title | Link |\n|---|---|\n| [x](https://arxiv.org/abs/2401.00001) | a | b | c |\n| only one\n",
    "## A\n| Title |\n|---|\n|  |\n|||\n| ## not a heading |\n## B\n| x |\n",
    "## A\n<details>\n<summary>S</summary>\n<details>\n<summary>T</summary>\n- [x](https://arxiv.org/abs/2401.00001)\n",
    "## A\n</details></details>\n<summary>stray</summary>\n- x\n",
    "## A\n- " + "[" * 3000 + "(" * 3000 + "\n",
    "## A\n- " + "**x " * 2500 + "\n",
    "## A\n| " + "| " * 5000 + "\n|" + "-|" * 5000 + "\n| " + "x | " * 5000 + "\n",
    "## A\n- [t](https://arxiv.org/abs/" + "1" * 10000 + ")\n",
    "#\n##\n###   \n- x\n<details><summary></summary></details>\n",
    "## A\n```\nunclosed fence\n- [x](https://arxiv.org/abs/2401.00001)\n",
    "## A\n<!-- unclosed comment\n- x\n",
    "\r\n\r\n## A\r\n* [x](https://arxiv.org/abs/2401.00001)\r\n\t\t- y\r\n",
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_inputs_never_crash(text: str) -> None:
    doc = listfile.parse(text)
    assert doc.render() == text
    for section in doc.sections:
        after = listedit.add_entries(doc, [NewEntry(section.name, "New | Paper", "2601.00001")])
        assert all(tag == "insert" for tag, *_ in insertions(text, after)) or not text.endswith("\n")
        listedit.style_example(doc, section.name)
        for e in section.entries:
            listedit.venue_edit(doc, e, "ICASSP 2026")


def test_venue_edits_in_each_venue_style(docs: dict[str, tuple[str, listfile.ListDocument]]) -> None:
    def edit(name: str, section: str, k: int) -> list[list[object]]:
        text, doc = docs[name]
        after = listedit.venue_edit(doc, doc.section(section).entries[k], "ICASSP 2026")
        assert after is not None
        return insertions(text, after)

    omni = edit("threegold116__Awesome-Omni-MLLMs@9b1038f.md", "Multi-branch Continuous Omni-MLLMs", 1)
    assert "|     ICASSP 2026     |" in omni[0][3][0] and "Arxiv" not in omni[0][3][0]  # type: ignore[index]
    deep = edit("DEEP-PolyU__Awesome-GraphRAG@48abc5a.md", "Graphs for Knowledge Indexing", 1)
    assert deep[0][3][0].startswith("- (ICASSP 2026) **Improving Multi-step RAG")  # type: ignore[index]
    zj = edit("zjunlp__KnowledgeEditingPapers@715814c.md", "Memory-based", 3)
    assert zj[0][3] == ["4. **Large Language Models with Controllable Working Memory**. (ICASSP 2026) <br />\n"]
    _, doc = docs["EmulationAI__awesome-large-audio-models@09abefc.md"]
    assert listedit.venue_edit(doc, doc.section("Survey Papers").entries[0], "ICASSP 2026") is None  # no venues there


@pytest.mark.parametrize(
    "name", ["ThuCCSLab__Awesome-LM-SSP@49a5f51.md", "ckyang1124__LALM-Evaluation-Survey@c25afd1.md"]
)
def test_crlf_lists_get_crlf_lines(name: str, docs: dict[str, tuple[str, listfile.ListDocument]]) -> None:
    text = docs[name][0].replace("\n", "\r\n")
    doc = listfile.parse(text)
    section = max(doc.targets, key=lambda s: len(s.entries))
    after = listedit.add_entries(
        doc, [NewEntry(section.name, "A CRLF Paper Title", "2606.00042", authors=("Ann Lee",))]
    )
    changes = insertions(text, after)
    assert [tag for tag, *_ in changes] == ["insert"]
    assert all(line.endswith("\r\n") for line in changes[0][3])  # type: ignore[attr-defined]
    assert listfile.parse(after).render() == after
