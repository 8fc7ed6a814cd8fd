"""Code links read from real pool-dev abstracts (LaTeX, Markdown, line-break artefacts) and hostile text."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest

from tests.conftest import SHARED
from watcher.codelinks import code_urls, first_code_url

POOL = SHARED / "pool-dev.jsonl"
SAFE_URL = re.compile(
    r"https://(?:github\.com/[\w.-]+/[\w.-]+|gitlab\.com(?:/[\w.-]+){2,}|huggingface\.co/(?:(?:datasets|spaces)/)?[\w.-]+/[\w.-]+)",
    re.ASCII,
)


@cache
def abstracts() -> dict[str, str]:
    rows = [json.loads(line) for line in POOL.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["arxiv_id"]: r["abstract"] or "" for r in rows}


REAL = [
    # plain, with the sentence's full stop
    ("2505.13480", ("https://github.com/av9ash/llm_cssrs_code",)),
    # in parentheses
    ("2505.13483", ("https://github.com/DUTIR-YSQ/EmoMeta",)),
    # trailing slash inside parentheses: "(https://github.com/Honee-W/U-SAM/)."
    ("2505.13880", ("https://github.com/Honee-W/U-SAM",)),
    # no scheme
    ("2505.14471", ("https://github.com/LITONG99/Citss",)),
    # www. and a space before the full stop (a replacement, but the text is real)
    ("2503.09579", ("https://github.com/THUNLP/cost-optimal-gqa",)),
    # http:// and a dataset
    ("2505.17235", ("https://huggingface.co/datasets/omoured/CHAOS",)),
    # "https: //github.com/..." line-break artefact
    ("2506.02515", ("https://github.com/mbzuai-nlp/finchain",)),
    # "https:// github.com/..." line-break artefact
    ("2506.08938", ("https://github.com/DeepLearnXMU/Faithful-RAG",)),
    # "athttps://" (no space after "at")
    ("2506.09081", ("https://github.com/flageval-baai/FlagEvalMM",)),
    # Markdown link "[Github](https://github.com/Hambaobao/SWE-Flow)."
    ("2506.09003", ("https://github.com/Hambaobao/SWE-Flow",)),
    # in square brackets
    ("2506.08277", ("https://github.com/subbareddy248/mllm_videos",)),
    # \href{URL}{URL}: once
    ("2411.17388", ("https://github.com/hhy-huang/GraphJudge",)),
    # \href{URL}{URL with \_}: LaTeX's escaped underscore, once
    ("2505.00675", ("https://github.com/Elvin-Yiming-Du/Survey_Memory_in_AI",)),
    # .git inside \href
    ("2506.02426", ("https://github.com/maryambrj/ALIEN",)),
    # /tree/main/<folder>: the repository
    ("2501.12368", ("https://github.com/InternLM/InternLM-XComposer",)),
    # /tree/master/... with an escaped underscore further on
    ("2409.08797", ("https://github.com/open-creator/icefall",)),
    # hf.co short host
    ("2505.13404", ("https://huggingface.co/datasets/nvidia/Granary",)),
    # a Space
    ("2412.17933", ("https://huggingface.co/spaces/CZLC/BenCzechMark",)),
    ("2505.21568", ("https://huggingface.co/spaces/haiyunli/VoiceMark",)),
    # Hugging Face dataset then GitLab, in order of appearance
    ("2407.09823", ("https://huggingface.co/datasets/QCRI/MultiNativQA", "https://gitlab.com/nativqa/multinativqa")),
    ("2505.14112", ("https://github.com/Carol-gutianle/IE", "https://huggingface.co/datasets/Carol0110/IE-Tagger")),
    # \href{...}{code} and a Hugging Face collection (not a repository)
    ("2505.20875", ("https://github.com/jiyounglee-0523/TransEnV",)),
    # a repository and an owner page (huggingface.co/yongchao98.)
    ("2505.21668", ("https://github.com/yongchao98/R1-Code-Interpreter",)),
    # \texttt{github.com/...} inside \href
    ("2505.24362", ("https://github.com/anum94/CoTpred",)),
    # negatives: owner pages only
    ("2505.14674", ()),  # huggingface.co/Reward-Reasoning.
    ("2505.18129", ()),  # github.com/MiniMax-AI.
    ("2506.09560", ()),  # github.com/LVSTCK and huggingface.co/LVSTCK
    ("2506.01615", ()),  # a Hugging Face collection
    # negatives: a space breaks the path; joining it would be a guess
    ("2506.03619", ()),  # github.com/CyberAgentA ILab/YokaiEval
    ("2506.05154", ()),  # github.com/lcy80366872/ knowledgeable-r1
]


@pytest.mark.parametrize(("arxiv_id", "expected"), REAL)
def test_real_abstract(arxiv_id: str, expected: tuple[str, ...]) -> None:
    abstract = abstracts()[arxiv_id]
    assert re.search(r"github|gitlab|huggingface|hf\.co", abstract, re.I), "the example must mention a host"
    assert code_urls(abstract) == expected


def test_every_url_read_from_the_real_abstracts_is_a_safe_repository_url() -> None:
    found = [url for text in abstracts().values() for url in code_urls(text)]
    assert len(found) > 400
    assert [u for u in found if not SAFE_URL.fullmatch(u) or "/." in u or u.endswith((".", ".git"))] == []


def test_github_io_pages_are_not_code() -> None:
    pages = [a for a in abstracts().values() if "github.io" in a and "github.com" not in a]
    assert len(pages) > 10
    assert [code_urls(a) for a in pages if code_urls(a)] == []


def test_seed_list_link_line() -> None:
    seed = (SHARED / "seed-list.md").read_text(encoding="utf-8")
    (line,) = [x for x in seed.splitlines() if x.startswith("  - [github]")]
    assert code_urls(line) == ("https://github.com/facebookresearch/audiocraft",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Code: \\url{https://github.com/a-b/c_d}.", ("https://github.com/a-b/c_d",)),
        ("See (https://github.com/o/r).", ("https://github.com/o/r",)),
        ("https://github.com/o/r.git.", ("https://github.com/o/r",)),
        ("https://github.com/o/v1.0.", ("https://github.com/o/v1.0",)),  # a dot inside a name stays
        ("https://github.com/o/r/blob/main/README.md#usage", ("https://github.com/o/r",)),
        ("https://github.com/o/r?tab=readme", ("https://github.com/o/r",)),
        ("GitHub.com/Owner/Repo and github.com/owner/repo", ("https://github.com/Owner/Repo",)),  # same repository
        ("https://gitlab.com/group/sub/project/-/tree/main/src", ("https://gitlab.com/group/sub/project",)),
        ("https://gitlab.com/group/project.git", ("https://gitlab.com/group/project",)),
        ("https://huggingface.co/org/model/tree/main", ("https://huggingface.co/org/model",)),
        ("https://huggingface.co/datasets/org/data/viewer", ("https://huggingface.co/datasets/org/data",)),
        ("a https://github.com/x/y b https://hf.co/x/y c", ("https://github.com/x/y", "https://huggingface.co/x/y")),
    ],
)
def test_forms(text: str, expected: tuple[str, ...]) -> None:
    assert code_urls(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "https://huggingface.co/papers/2505.12345",
        "https://huggingface.co/collections/org/thing-123",
        "https://huggingface.co/blog/post-name",
        "https://huggingface.co/datasets/onlyowner",
        "https://huggingface.co/spaces",
        "https://github.com/owner",
        "https://github.com/orgs/acme/repositories",
        "https://github.com/topics/speech",
        "https://github.com/owner/repo/issues/12",
        "https://github.com/owner/repo/pull/3",
        "https://gitlab.com/owner/repo/-/issues/4",
        "https://gitlab.com/groups/acme",
        "https://gist.github.com/owner/0123abcd",
        "https://owner.github.io/repo/",
        "https://raw.githubusercontent.com/owner/repo/main/x.py",
        "https://github.cs.example.edu/lab/repo",
        "https://github.com.evil.example/owner/repo",
        "https://notgithub.com/owner/repo",
        "https://evil.example/github.com/owner/repo",
        "git@github.com:owner/repo.git",
        "https://github.com/../..",
        "https://github.com/./repo",
        "https://github.com/o%2Fx/repo",
        "https://github.com/ow\u0578er/repo",  # a look-alike letter ends the name: only "ow" is left
        "https://github.com/-owner/repo",
        "https://github.com/" + "a" * 101 + "/repo",
        "javascript:alert(1)//github.com/x",
        "",
    ],
)
def test_not_code(text: str) -> None:
    assert code_urls(text) == ()


def test_order_and_dedupe_across_texts() -> None:
    abstract = "Code: https://github.com/a/b. Data: https://huggingface.co/datasets/a/d."
    comment = "Accepted to ICASSP 2026; code at https://github.com/a/b/tree/main and https://gitlab.com/g/p"
    assert code_urls(abstract, comment) == (
        "https://github.com/a/b",
        "https://huggingface.co/datasets/a/d",
        "https://gitlab.com/g/p",
    )


def test_first_code_url() -> None:
    assert first_code_url("nothing here", "see https://github.com/x/y and https://github.com/z/w") == (
        "https://github.com/x/y"
    )
    assert first_code_url("https://github.com/x") == ""
    assert first_code_url() == ""


def test_first_code_url_prefers_code_to_data_on_real_abstracts() -> None:
    # 2506.04779 names its Hugging Face dataset first, then its GitHub code.
    abstract = abstracts()["2506.04779"]
    assert code_urls(abstract) == (
        "https://huggingface.co/datasets/ddwang2000/MMSU",
        "https://github.com/dingdongwang/MMSU_Bench",
    )
    assert first_code_url(abstract) == "https://github.com/dingdongwang/MMSU_Bench"
    assert first_code_url(abstracts()["2407.09823"]) == "https://gitlab.com/nativqa/multinativqa"
    assert first_code_url(abstracts()["2505.21568"]) == "https://huggingface.co/spaces/haiyunli/VoiceMark"  # only HF


def test_huge_text() -> None:
    text = "github.com/" * 100_000 + " https://github.com/a/b " + "x" * 1_000_000
    assert code_urls(text) == ("https://github.com/a/b",)
