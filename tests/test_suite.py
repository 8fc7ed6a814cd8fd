"""The suite itself: a checkout without the real data reports what did not run instead of erroring."""

from __future__ import annotations

import re

from tests.conftest import NEEDS_SHARED, ROOT


def test_every_module_that_reads_the_real_data_is_declared() -> None:
    reads = re.compile(
        r"^from tests\.(realdays|world) import"
        r"|^from tests\.conftest import .*\b(SHARED|FEEDS|BIG_FEED|EMPTY_FEED|ATOM_FEED)\b",
        re.M,
    )
    modules = sorted(p.name for p in (ROOT / "tests").glob("test_*.py") if reads.search(p.read_text()))
    assert modules, "the pattern no longer finds any module: update it"
    guards_itself = {"test_fakes_arxiv.py"}  # checks that each real sample exists before it uses it
    assert [m for m in modules if m not in NEEDS_SHARED | guards_itself] == []
