"""Venue updates for listed papers, the pure part: which entries get which venue, the edit (only
the venue, in the list's style), the commit message, the pull request section beside the new
papers' part, and the review of earlier proposals."""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from datetime import date

import pytest

from tests.builders import scored
from tests.conftest import SEED_LIST, SHARED
from watcher import listfile, venue_updates
from watcher.paper import Paper
from watcher.ports import VenueUpdate
from watcher.proposal import BEGIN, END, MAX_BODY_CHARS, proposed_in, render_body
from watcher.venue_updates import apply, committed_venues, listed_papers, plan, records_venues, venues_in, with_section
from watcher.venues import Venue, shows_venue, venue_in_text

SEED = SEED_LIST.read_text()
LISTS = SHARED / "lists"
DAY = date(2026, 3, 2)


def link(text: str, title_start: str, arxiv_id: str) -> str:
    """`text` with an arXiv link line under the entry whose title starts with `title_start`, as
    the bot writes one in the seed list's style."""
    doc = listfile.parse(text)
    e = next(e for e in doc.entries if e.title.startswith(title_start))
    lines = list(doc.lines)
    lines.insert(e.end, f"  - [arXiv](https://arxiv.org/abs/{arxiv_id})\n")
    return "".join(lines)


LINKS = {
    "LLaMA-Omni": "2409.06666",
    "Moshi": "2410.00037",
    "SpeechPrompt": "2408.13040",  # writes "  - TASLP" already
    "WavCraft": "2403.09527",  # writes "  - ICLR 2024" already
    "Qwen2-Audio": "2407.10759",
    "AudioGPT": "2304.12995",
}
LINKED = SEED
for start, arxiv_id in LINKS.items():
    LINKED = link(LINKED, start, arxiv_id)


def paper(arxiv_id: str, comment: str = "", journal_ref: str = "") -> Paper:
    return Paper(arxiv_id, "t", "a", comment=comment, journal_ref=journal_ref)


METADATA = {
    "2409.06666": paper("2409.06666", comment="ICLR 2025 camera-ready; code at https://github.com/ictnlp/LLaMA-Omni"),
    "2410.00037": paper(
        "2410.00037",
        comment="Accepted at the 2026 IEEE International Conference on Acoustics, Speech and Signal Processing",
    ),
    "2408.13040": paper(
        "2408.13040", journal_ref="IEEE/ACM Transactions on Audio, Speech, and Language Processing 2024"
    ),
    "2403.09527": paper("2403.09527", comment="Accepted to ICASSP 2025"),
    "2407.10759": paper("2407.10759", comment="Technical report, 20 pages"),
    "2304.12995": paper("2304.12995", comment="Submitted to AAAI 2024"),
}


def ops(before: str, after: str) -> list[tuple[str, list[str], list[str]]]:
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return [(tag, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]


# -- the list's papers and what they get -----------------------------------------------------------


def test_listed_papers_are_the_linked_entries_and_the_titles_enrich_resolved() -> None:
    doc = listfile.parse(LINKED)
    listed = listed_papers(doc)
    assert {p.arxiv_id for p in listed} == set(LINKS.values()) and {p.how for p in listed} == {"link"}
    spirit = next(e for e in doc.entries if e.title.startswith("SpiRit-LM"))
    resolved = {venue_updates.title_key(spirit.title): "2402.05755", "some other title": "2401.00001"}
    by_title = [p for p in listed_papers(doc, resolved) if p.how == "title"]
    assert [(p.arxiv_id, p.title) for p in by_title] == [("2402.05755", spirit.title)]
    assert listed_papers(listfile.parse(SEED)) == []  # titles only, nothing resolved


def test_each_listed_paper_with_a_clear_new_venue_gets_one_update_in_list_order() -> None:
    doc = listfile.parse(LINKED)
    got = plan(doc, listed_papers(doc), METADATA, {}, DAY)
    assert [(u.arxiv_id, u.venue) for u in got.updates] == [("2410.00037", "ICASSP 2026"), ("2409.06666", "ICLR 2025")]
    moshi = got.updates[0]
    assert moshi.title == "Moshi: a speech-text foundation model for real-time dialogue" and moshi.day == "2026-03-02"
    assert moshi.source == (
        "comment: Accepted at the 2026 IEEE International Conference on Acoustics, Speech and Signal Processing"
    )
    # SpeechPrompt shows TASLP already (as "TASLP"); WavCraft names ICLR 2024, not ICASSP 2025;
    # a technical report and a submission say nothing clear
    assert got.skipped == Counter({"shown": 1, "other_venue": 1, "unclear": 2})


def test_a_check_proposes_at_most_max_per_check_and_the_next_check_the_rest() -> None:
    doc = listfile.parse(LINKED)
    first = plan(doc, listed_papers(doc), METADATA, {}, DAY, most=1)
    assert [u.arxiv_id for u in first.updates] == ["2410.00037"] and first.skipped["later"] == 1
    merged = {(u.arxiv_id, u.venue): "merged" for u in first.updates}  # the maintainer merged it
    second = plan(doc, listed_papers(doc), METADATA, merged, DAY, most=1)
    assert [u.arxiv_id for u in second.updates] == ["2409.06666"] and second.skipped["later"] == 0


def test_earlier_proposals_are_never_made_again() -> None:
    doc = listfile.parse(LINKED)
    listed = listed_papers(doc)
    known = {("2409.06666", "ICLR 2025"): "rejected", ("2410.00037", "ICASSP 2026"): "merged"}
    assert plan(doc, listed, METADATA, known).updates == ()
    pending = {("2409.06666", "ICLR 2025"): "proposed", ("2410.00037", "ICASSP 2025"): "proposed"}
    got = plan(doc, listed, METADATA, pending)
    assert got.updates == () and got.skipped["pending"] == 2  # one venue per paper in the pull request
    gone = plan(doc, listed, {}, {})
    assert gone.updates == () and gone.skipped == Counter({"not_on_arxiv": 6})
    bare = plan(doc, listed, {i: paper(i) for i in LINKS.values()}, {})
    assert bare.skipped == Counter({"no_metadata": 6})


@pytest.mark.parametrize(
    ("text", "venue", "shown"),
    [
        ("- Masked Audio Generation\n  - meta\n  - ICLR2024\n", Venue("ICLR", 2024), True),
        ("- A\n  - iclr 2024 workshop\n", Venue("ICLR", 2024), True),  # a track is still the venue
        ("- A\n  - ICLR\n", Venue("ICLR", 2025), True),  # no year written: it shows the venue
        ("- A\n  - ICLR 2024\n", Venue("ICLR", 2025), False),  # another year
        ("- A\n  - IEEE/ACM Transactions on Audio, Speech, and Language Processing\n", Venue("TASLP"), True),
        ("- (NeurIPS'25) **A**\n", Venue("NeurIPS", 2025), True),
        ("| [A](https://arxiv.org/abs/2501.12026) | **ICASSP'26** | 2026 |\n", Venue("ICASSP", 2026), True),
        ("- A [[Paper]](https://icassp2026.example.org/a)\n", Venue("ICASSP", 2026), False),  # a link target
        ("- A\n  - Arxiv\n", Venue("ICASSP", 2026), False),
    ],
)
def test_the_list_shows_a_venue_in_any_form(text: str, venue: Venue, shown: bool) -> None:
    assert shows_venue(text, venue) is shown


def test_a_list_that_writes_no_venues_gets_none() -> None:
    bare = "".join(
        line for line in LINKED.splitlines(keepends=True) if not (line.startswith("  - ") and venue_in_text(line))
    )
    doc = listfile.parse(bare)
    assert records_venues(listfile.parse(LINKED)) and not records_venues(doc)
    # venue_edit finds no style anywhere: nothing would be proposed either
    assert plan(doc, listed_papers(doc), METADATA, {}).updates == ()


# -- the edit: the venue, in the list's style, and nothing else -------------------------------------


def test_the_seed_style_gets_indented_venue_lines_and_nothing_else_changes() -> None:
    doc = listfile.parse(LINKED)
    updates = plan(doc, listed_papers(doc), METADATA, {}, DAY).updates
    edit = apply(LINKED, updates)
    assert edit.applied == updates and edit.left == ()
    changes = ops(LINKED, edit.after)
    assert changes == [
        ("insert", [], ["  - ICASSP 2026\n"]),
        ("insert", [], ["  - ICLR 2025\n"]),
    ]
    after = listfile.parse(edit.after)
    for e in after.entries:
        if e.arxiv_ids & {"2409.06666", "2410.00037"}:
            lines = after.lines[e.start : e.end]
            assert lines[-1] in ("  - ICLR 2025\n", "  - ICASSP 2026\n")  # under the entry, after its link
    # the entries are the same papers under the same headings: titles, ids, order
    assert [(e.heading, e.title, e.arxiv_ids) for e in after.entries] == [
        (e.heading, e.title, e.arxiv_ids) for e in doc.entries
    ]
    assert apply(edit.after, updates).changed is False  # the venue shows now: applied once only


def test_a_crlf_list_without_a_final_newline_keeps_its_bytes() -> None:
    text = "## a\r\n- A\r\n  - TASLP\r\n- B\r\n  - [arXiv](https://arxiv.org/abs/2401.00002)"
    edit = apply(text, [VenueUpdate("2401.00002", "B", "ICLR 2025")])
    assert edit.after == text + "\r\n  - ICLR 2025"


@pytest.fixture(scope="module")
def shared_lists() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in LISTS.glob("*@???????.md")}


def update_for(text: str, section: str, k: int, venue: str = "ICASSP 2026") -> VenueUpdate:
    doc = listfile.parse(text)
    e = doc.section(section).entries[k]
    arxiv_id = sorted(e.arxiv_ids)[0]
    return VenueUpdate(arxiv_id, e.title, venue)


def test_a_tagged_list_gets_its_preprint_tag_replaced_by_the_venue(shared_lists: dict[str, str]) -> None:
    text = shared_lists["DEEP-PolyU__Awesome-GraphRAG@48abc5a.md"]
    u = update_for(text, "Graphs for Knowledge Indexing", 1)
    edit = apply(text, [u])
    assert ops(text, edit.after) == [
        (
            "replace",
            [
                "- (arXiv 2025) **Improving Multi-step RAG with Hypergraph-based Memoryfor Long-Context Complex "
                "Relational Modeling** [[Paper]](https://arxiv.org/abs/2512.23959)\n"
            ],
            [
                "- (ICASSP 2026) **Improving Multi-step RAG with Hypergraph-based Memoryfor Long-Context Complex "
                "Relational Modeling** [[Paper]](https://arxiv.org/abs/2512.23959)\n"
            ],
        )
    ]
    assert venue_updates.shown(listfile.parse(edit.after), u.arxiv_id, u.title, u.venue)


def test_a_numbered_list_gets_a_tag_after_the_title_as_its_other_entries_have(shared_lists: dict[str, str]) -> None:
    text = shared_lists["zjunlp__KnowledgeEditingPapers@715814c.md"]
    u = update_for(text, "Memory-based", 3)
    (change,) = ops(text, apply(text, [u]).after)
    assert change[1:] == (
        ["4. **Large Language Models with Controllable Working Memory**. <br />\n"],
        ["4. **Large Language Models with Controllable Working Memory**. (ICASSP 2026) <br />\n"],
    )


def test_a_table_gets_its_venue_cell_filled_and_every_other_cell_kept(shared_lists: dict[str, str]) -> None:
    text = shared_lists["threegold116__Awesome-Omni-MLLMs@9b1038f.md"]
    u = update_for(text, "Multi-branch Continuous Omni-MLLMs", 1)
    ((tag, (old,), (new,)),) = ops(text, apply(text, [u]).after)
    assert tag == "replace" and old.replace("        Arxiv        ", "     ICASSP 2026     ") == new


def test_several_updates_in_one_pass_are_each_exactly_their_own_edit(shared_lists: dict[str, str]) -> None:
    text = shared_lists["zjunlp__KnowledgeEditingPapers@715814c.md"]
    doc = listfile.parse(text)
    bare = [e for e in doc.entries if e.arxiv_ids and not e.venue][:12]
    updates = [VenueUpdate(sorted(e.arxiv_ids)[0], e.title, f"ICLR {2020 + i}") for i, e in enumerate(bare)]
    together = apply(text, updates)
    one_by_one = text
    for u in updates:
        one_by_one = apply(one_by_one, [u]).after
    assert together.after == one_by_one
    assert len(together.applied) + len(together.left) == len(updates) and len(together.applied) >= 8


# -- commit messages ------------------------------------------------------------------------------


def test_the_venue_commit_says_what_it_adds_and_is_not_a_paper_commit() -> None:
    from watcher.proposal import committed_ids

    updates = [
        VenueUpdate("2409.06666", "LLaMA-Omni", "ICLR 2025"),
        VenueUpdate("2410.00037", "Moshi", "ACL 2025 Findings"),
    ]
    message = venue_updates.commit_message(updates)
    assert (
        message
        == "Add venues to 2 listed papers (watcher)\n\narXiv:2409.06666 ICLR 2025\narXiv:2410.00037 ACL 2025 Findings"
    )
    assert committed_venues(message) == [("2409.06666", "ICLR 2025"), ("2410.00037", "ACL 2025 Findings")]
    assert committed_ids(message) == []  # reconcile does not take it for new papers
    assert committed_venues("Add 2 papers proposed by watcher\n\narXiv:2409.06666") == []
    assert venue_updates.commit_message(updates[:1]).startswith("Add venue to 1 listed paper (watcher)\n")


# -- the pull request section ---------------------------------------------------------------------

HOSTILE = VenueUpdate(
    "2410.00037",
    "Moshi | <!-- watcher:venues:end --> [x](javascript:alert(1))",
    "ICASSP 2026",
    "comment: Accepted at ICASSP 2026 | <script>alert(1)</script> " + "long " * 100,
    "2026-03-02",
)
UPDATES = {
    "2409.06666": VenueUpdate("2409.06666", "LLaMA-Omni", "ICLR 2025", "comment: ICLR 2025 camera-ready", "2026-03-02"),
    HOSTILE.arxiv_id: HOSTILE,
}


def test_the_section_lists_each_paper_its_venue_and_what_arxiv_said_escaped_and_clipped() -> None:
    text = with_section(None, UPDATES, MAX_BODY_CHARS)
    assert text.startswith(venue_updates.BEGIN) and text.endswith(venue_updates.END + "\n")
    assert "### Venue updates" in text and "**2 papers already on the list**" in text
    rows = [line for line in text.splitlines() if line.startswith("| [")]
    assert (
        rows[0]
        == "| [LLaMA-Omni](https://arxiv.org/abs/2409.06666) | **ICLR 2025** | comment: ICLR 2025 camera-ready |"
    )
    hostile = rows[1]  # in the order proposed
    # escaped as list titles are: no tag, comment, link or cell of its own
    assert "\\<script\\>" in hostile and "\\[x\\](javascript" in hostile and venue_updates.END not in hostile
    assert hostile.count(" | ") == 2 and hostile.endswith("… |") and len(hostile) < 400
    assert text.count(venue_updates.END) == 1 and len(re.findall(r"(?<!\\)<!--", text)) == 3  # begin, data, end
    assert venues_in(text) == UPDATES  # the data comment holds them whole


def test_the_venue_section_and_the_new_papers_part_survive_each_other() -> None:
    a = scored("2505.10001", "A Neural Codec for Speech LLMs", day=date(2025, 5, 21))
    b = scored("2505.10002", "Spoken Dialogue with Full-Duplex LLMs", day=date(2025, 5, 22))
    human = "Reviewed by @maintainer.\n"
    # papers first, then venues, then more papers
    body = render_body(human, [a], date(2025, 5, 21))
    body = with_section(body, UPDATES, MAX_BODY_CHARS)
    body = render_body(body, [b], date(2025, 5, 22))
    assert set(proposed_in(body)) == {"2505.10001", "2505.10002"} and venues_in(body) == UPDATES
    assert human in body and body.index(END) < body.index(venue_updates.BEGIN)
    # venues first (a pull request opened for venues alone), then papers, then more venues
    other = with_section(None, {"2409.06666": UPDATES["2409.06666"]}, MAX_BODY_CHARS)
    other = render_body(other, [a], date(2025, 5, 21))
    assert set(proposed_in(other)) == {"2505.10001"} and set(venues_in(other)) == {"2409.06666"}
    other = with_section(other, UPDATES, MAX_BODY_CHARS)
    assert set(proposed_in(other)) == {"2505.10001"} and venues_in(other) == UPDATES
    assert other.index(BEGIN) < other.index(venue_updates.BEGIN)
    assert with_section(other, UPDATES, MAX_BODY_CHARS) == other  # re-rendered: the same bytes


def test_the_section_read_back_renders_the_same_bytes() -> None:
    long = VenueUpdate(
        "2401.00001", "A " + "very long title " * 30, "TASLP", "journal reference: " + "x" * 300, "2026-03-01"
    )
    body = with_section("Reviewed.\n", {long.arxiv_id: long, **UPDATES}, MAX_BODY_CHARS)
    assert body.startswith("Reviewed.\n\n" + venue_updates.BEGIN)
    assert with_section(body, venues_in(body), MAX_BODY_CHARS) == body


def test_hundreds_of_venues_stay_within_the_section_budget_and_keep_their_data() -> None:
    many = {
        f"2401.{i:05d}": VenueUpdate(
            f"2401.{i:05d}", f"A Long Paper Title Number {i} " * 3, "ICASSP 2026", "comment: x " * 30, "2026-03-02"
        )
        for i in range(400)
    }
    text = with_section(None, many, MAX_BODY_CHARS)
    assert len(text) <= venue_updates.MAX_SECTION_CHARS
    assert set(venues_in(text)) == set(many)  # every venue still known to later runs
    assert "more venue updates are not shown" in text
    big_papers = render_body(None, [scored(f"2505.{i:05d}", f"Paper {i} " * 20) for i in range(300)], None)
    both = with_section(big_papers, many, MAX_BODY_CHARS)
    assert set(venues_in(both)) == set(many) and len(both) <= 65536
    refit = render_body(both, (), None)  # the new papers' part makes room for the section
    assert len(refit) <= MAX_BODY_CHARS and set(proposed_in(refit)) == set(proposed_in(big_papers))


def test_a_body_without_the_venue_data_reads_as_none() -> None:
    assert venues_in(None) == {} and venues_in("text") == {}
    broken = f"{venue_updates.BEGIN}\n<!-- watcher:venues {{not json}} -->\n{venue_updates.END}"
    assert venues_in(broken) == {}
    data = {"v": 1, "venues": {"2401.00001": {"title": "no venue"}, "2401.00002": {"venue": "TASLP"}}}
    odd = f"{venue_updates.BEGIN}\n<!-- watcher:venues {json.dumps(data)} -->\n{venue_updates.END}"
    assert list(venues_in(odd)) == ["2401.00002"]


# -- review ---------------------------------------------------------------------------------------


def test_review_reads_deleted_merged_and_closed() -> None:
    doc = listfile.parse(LINKED)
    updates = list(plan(doc, listed_papers(doc), METADATA, {}, DAY).updates)
    branch = apply(LINKED, updates).after
    deleted = branch.replace("  - ICLR 2025\n", "")
    on = listfile.parse(deleted)
    got = {(o.arxiv_id, o.outcome) for o in venue_updates.review(updates, number=3, state="open", on=on)}
    assert got == {("2409.06666", "rejected"), ("2410.00037", "proposed")}
    merged = venue_updates.review(updates, number=3, state="merged", on=on)
    assert {(o.arxiv_id, o.outcome, o.pull_request) for o in merged} == {
        ("2409.06666", "rejected", 3),
        ("2410.00037", "merged", 3),
    }
    closed = venue_updates.review(updates, number=3, state="closed", on=None)
    assert {o.outcome for o in closed} == {"rejected"}
    elsewhere = venue_updates.review(updates, number=3, state="elsewhere", on=None)
    assert {o.outcome for o in elsewhere} == {"proposed"}
