"""The Markdown list: byte-for-byte round trips, entries, and minimal, style-keeping additions."""

from __future__ import annotations

import difflib

import pytest

from tests.conftest import SEED_LIST
from watcher import listedit, listfile
from watcher.errors import ListFormatError
from watcher.listfile import NewEntry

SEED = SEED_LIST.read_text(encoding="utf-8")
SEED_HEADINGS = ("multi-task", "generation task", "ASR/ST", "NLP", "codec", "benchmark", "other")


def added_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(lines added, lines removed) between two texts, line endings included."""
    diff = list(difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)))
    return ([d[2:] for d in diff if d.startswith("+ ")], [d[2:] for d in diff if d.startswith("- ")])


def test_seed_list_round_trips_byte_for_byte() -> None:
    raw = SEED_LIST.read_bytes()
    assert listfile.parse(raw.decode("utf-8")).render().encode("utf-8") == raw


def test_seed_list_has_its_headings_and_125_entries() -> None:
    doc = listfile.parse(SEED)
    assert doc.headings == SEED_HEADINGS
    assert len(doc.entries) == 125
    assert doc.entries[0].title.startswith("LLaSO: A Foundational Framework")
    # sub-bullets (venue, links) belong to their entry
    prompt = next(e for e in doc.entries if e.title.startswith("SpeechPrompt:"))
    assert prompt.end - prompt.start == 2
    assert doc.lines[prompt.start + 1] == "  - TASLP\n"
    assert doc.sub_indent == "  " and doc.bullet == "-" and doc.newline == "\n"


TRICKY = [
    "",
    "no headings at all\n- not an entry\n",
    "# Title\n\nIntro text before the first list heading.\n\n## A\n- One\n",
    "## A\r\n- One\r\n  - venue\r\n\r\n## B\r\n- Two\r\n",  # CRLF
    "## A\n- One\n- Two",  # no final newline
    "## A   \n- One  \n  - [code](https://x)   \n\n\n## B\n",  # trailing spaces, blank runs
    "## A\n```\n## not a heading\n- not an entry\n```\n- Real\n",  # fenced code
    "## A\n<!-- hidden\n- not an entry\n-->\n- Real\n",  # HTML comment
    "## A\n* Star bullet\n    * deep sub\n\t- tab sub\n",
    "\ufeff## BOM heading\n- x\n",
    "## A\n- line with \x0c form feed and \u2028 separator\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_documents_round_trip(text: str) -> None:
    assert listfile.parse(text).render() == text


def test_fenced_code_and_comments_hold_no_entries() -> None:
    assert [e.title for e in listfile.parse(TRICKY[6]).entries] == ["Real"]
    assert [e.title for e in listfile.parse(TRICKY[7]).entries] == ["Real"]


def test_entry_titles_drop_link_targets_and_arxiv_ids_come_from_links() -> None:
    doc = listfile.parse(
        "## A\n- [Moshi: a speech-text model](https://arxiv.org/abs/2410.00037v2)\n"
        "- **Bold title**\n  - [paper](https://arxiv.org/pdf/2401.01234.pdf), arXiv:cs/0601001\n"
    )
    first, second = doc.entries
    assert first.title == "Moshi: a speech-text model"
    assert first.arxiv_ids == {"2410.00037"}
    assert second.title == "Bold title"
    assert second.arxiv_ids == {"2401.01234", "cs/0601001"}


def test_adding_changes_only_the_added_lines_at_the_top_of_the_heading() -> None:
    doc = listfile.parse(SEED)
    after = listedit.add_entries(doc, [NewEntry("codec", "A New Codec for Speech LLMs", "2505.12345")])
    plus, minus = added_lines(SEED, after)
    assert minus == []
    assert plus == ["- A New Codec for Speech LLMs\n", "  - [arXiv](https://arxiv.org/abs/2505.12345)\n"]
    codec = listfile.parse(after).section("codec")
    assert codec.entries[0].title == "A New Codec for Speech LLMs"
    assert codec.entries[0].arxiv_ids == {"2505.12345"}
    # everything else is byte-identical: removing the two lines gives the seed back
    assert after.replace(plus[0] + plus[1], "", 1) == SEED


def test_bottom_position_and_several_headings_in_one_edit() -> None:
    doc = listfile.parse(SEED)
    adds = [
        NewEntry("NLP", "First", "2505.00001"),
        NewEntry("other", "Last one", "2505.00002"),
        NewEntry("NLP", "Second", "2505.00003"),
    ]
    after = listfile.parse(listedit.add_entries(doc, adds, position="bottom"))
    nlp = [e.title for e in after.section("nlp").entries]
    assert nlp[-2:] == ["First", "Second"]
    assert after.section("other").entries[-1].title == "Last one"
    assert len(after.entries) == 128


def test_crlf_file_gets_crlf_lines_and_missing_final_newline_is_kept() -> None:
    text = "## A\r\n- One\r\n## B\r\n- Two"
    after = listedit.add_entries(listfile.parse(text), [NewEntry("B", "New", "2501.00001")], "bottom")
    assert after == "## A\r\n- One\r\n## B\r\n- Two\r\n- New\r\n  - [arXiv](https://arxiv.org/abs/2501.00001)"


def test_empty_heading_gets_entries_after_its_intro_text() -> None:
    text = "## A\nSome words.\n\n## B\n- x\n"
    after = listedit.add_entries(listfile.parse(text), [NewEntry("a", "New", "2501.00001")])
    assert after == "## A\nSome words.\n- New\n  - [arXiv](https://arxiv.org/abs/2501.00001)\n\n## B\n- x\n"


def test_list_style_is_followed() -> None:
    text = "## A\n* One\n    * venue\n"
    after = listedit.add_entries(listfile.parse(text), [NewEntry("A", "New", "2501.00001")])
    assert after.startswith("## A\n* New\n    * [arXiv](https://arxiv.org/abs/2501.00001)\n* One\n")


def test_unknown_heading_is_a_clear_error() -> None:
    with pytest.raises(ListFormatError) as err:
        listedit.add_entries(listfile.parse(SEED), [NewEntry("speech", "X", "2501.00001")])
    assert err.value.message == (
        "heading 'speech' is not in the list (headings: 'multi-task', 'generation task', 'ASR/ST', "
        "'NLP', 'codec', 'benchmark', 'other')"
    )


HOSTILE = [
    "## Injected heading",
    "- fake entry",
    "[click](javascript:alert(1))",
    "<!-- swallow the rest",
    "`code` and ``` fence",
    "line one\n## two\n- three",
    "<script>alert(1)</script> &amp; friends",
    "Zero\u200bwidth \u202eRTL override",
]


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_stay_one_inert_entry(title: str) -> None:
    doc = listfile.parse(SEED)
    after = listedit.add_entries(doc, [NewEntry("other", title, "2501.00001")])
    parsed = listfile.parse(after)
    assert len(parsed.entries) == 126  # exactly one more entry, every old one still parsed
    assert parsed.headings == SEED_HEADINGS
    new = parsed.section("other").entries[0]
    assert new.arxiv_ids == {"2501.00001"}
    line = after.splitlines()[new.start]
    assert line.startswith("- ") and "\n" not in line
    assert "<!--" not in line.replace("\\<", "") and "](" not in line.replace("\\](", "")
    assert "\u202e" not in line and "\u200b" not in line
    plus, minus = added_lines(SEED, after)
    assert minus == [] and len(plus) == 2


def test_markdown_title_escapes_and_simplifies() -> None:
    assert listedit.markdown_title("A $\\mathcal{O}(n)$ model_v2 [x]") == "A O(n) model\\_v2 \\[x\\]"
    assert listedit.markdown_title("Speech & Audio &amp; more") == "Speech & Audio &amp;amp; more"
    assert listedit.markdown_title("x" * 400).endswith("…")


# -- reading a list as GitHub renders it ------------------------------------------------------


def entries(text: str) -> list[tuple[str, str, list[str]]]:
    return [(e.heading, e.title, sorted(e.arxiv_ids)) for e in listfile.parse(text).entries]


def test_a_byte_order_mark_hides_no_heading() -> None:
    text = "\ufeff" + SEED
    doc = listfile.parse(text)
    assert doc.headings == SEED_HEADINGS and len(doc.entries) == 125 and doc.render() == text


@pytest.mark.parametrize(
    "text",
    [
        "## A\n````md\n```\n## Fake\n- fake entry\n```\n````\n- Real\n",  # a shorter fence does not close
        "## A\n```\n~~~\n## Fake\n- fake entry\n```\n- Real\n",  # nor does the other fence character
    ],
)
def test_only_the_matching_fence_closes_a_code_block(text: str) -> None:
    assert entries(text) == [("A", "Real", [])]


def test_comments_count_only_outside_code_spans_and_around_entries() -> None:
    assert listfile.parse("## A\n- Using `<!--` in titles\n- Two\n## B\n- Three\n").headings == ("A", "B")
    text = "## A\n- One <!-- note\n  continues -->\n  - [arXiv](https://arxiv.org/abs/2401.00001)\n- Two\n"
    assert [t for _, t, _ in entries(text)] == ["One", "Two"]
    assert entries("## A\n<!-- a --> <!-- b\n- hidden\n-->\n- Real\n") == [("A", "Real", [])]


@pytest.mark.parametrize(
    "text",
    [
        "## A\n- One\n\n  - [arXiv](https://arxiv.org/abs/2401.00001)\n\n## B\n",
        "## A\n- One\n  ```\n  code\n  ```\n  - [arXiv](https://arxiv.org/abs/2401.00001)\n## B\n",
    ],
)
def test_an_entry_spans_blank_lines_and_code_when_indented_text_follows(text: str) -> None:
    assert entries(text) == [("A", "One", ["2401.00001"])]
    after = listedit.add_entries(listfile.parse(text), [NewEntry("A", "New Paper", "2502.00002")], "bottom")
    lines = after.splitlines()
    assert lines.index("- New Paper") > lines.index("  - [arXiv](https://arxiv.org/abs/2401.00001)")
    assert listfile.parse(text).render() == text


def test_a_closing_hash_run_needs_a_space() -> None:
    assert listfile.parse("## C#\n- a\n## B ##\n- b\n").headings == ("C#", "B")


# -- writing hostile titles -------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, line",
    [
        ("## Heading", "- \\## Heading"),
        ("- fake entry", "- \\- fake entry"),
        ("---", "- \\---"),
        ("1. one", "- 1\\. one"),
        ("+ plus", "- \\+ plus"),
        ("3.5 Sonnet and 1-bit LLMs", "- 3.5 Sonnet and 1-bit LLMs"),
        (
            "Comment on arXiv:2401.99999, see https://arxiv.org/abs/2402.88888 or www.evil.com",
            "- Comment on arXiv\\:2401.99999, see https\\://arxiv\\.org/abs/2402.88888 or www\\.evil.com",
        ),
        ("$$", "- Untitled (arXiv 2501.00001)"),
        ("\u202e\u200b", "- Untitled (arXiv 2501.00001)"),
    ],
)
def test_a_title_is_one_line_of_plain_text(title: str, line: str) -> None:
    doc = listfile.parse(SEED)
    assert listedit.entry_lines(doc, NewEntry("other", title, "2501.00001"))[0] == line + "\n"
    after = listfile.parse(listedit.add_entries(doc, [NewEntry("other", title, "2501.00001")]))
    assert len(after.entries) == 126 and after.headings == SEED_HEADINGS
    (new,) = [e for e in after.entries if e.arxiv_ids == {"2501.00001"}]
    assert new.heading == "other"
    assert all("2401.99999" not in e.arxiv_ids and "2402.88888" not in e.arxiv_ids for e in after.entries)
