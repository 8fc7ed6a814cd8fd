"""Fault injection end to end: nothing lost, nothing duplicated, whatever fails and wherever.

Over real announcement days, the real pipeline (feedparser, slack-sdk, PyGithub) runs against
loopback arXiv, Slack and GitHub. At each external call in turn a fault is injected for a whole
run (connection reset, a lost answer after the service did the work, timeout, 429, 5xx, broken
bodies, Slack ok:false, GitHub 401/403/404/409/422); then the day is run again without faults,
and the next day too. After the last day, every proposed paper must be in exactly one Slack post
and exactly once in the list on the pull request branch, nothing else may be, and the state
database must open and agree with GitHub. The process killed between and during deliveries:
tests/test_crash_recovery.py.

The fast set runs in CI; `pytest -m soak tests/test_reliability.py` runs the other combinations of
call site and fault (the fast set is not soak-marked).
"""

from __future__ import annotations

import pytest

from tests.fakes.loopback import LoopbackServer
from tests.realdays import days
from tests.world import World, small_day

DAY_A, DAY_B, DAY_C = days()[5], days()[6], days()[7]

SLOW = 3.0  # seconds a "timeout" fault holds an answer; the clients time out after 1 s

GITHUB_SITES = {
    "read repository": ("GET", r"^/repos/acme/papers$"),
    "list pull requests": ("GET", r"^/repos/acme/papers/pulls$"),
    "read list": ("GET", r"/contents/README\.md"),
    "read base head": ("GET", r"/git/ref/heads/main$"),
    "create branch": ("POST", r"/git/refs$"),
    "commit list": ("PUT", r"/contents/README\.md$"),
    "open pull request": ("POST", r"^/repos/acme/papers/pulls$"),
    "read labels": ("GET", r"/labels$"),
    "create label": ("POST", r"^/repos/acme/papers/labels$"),
    "label pull request": ("POST", r"/issues/\d+/labels$"),
    "update pull request": ("PATCH", r"/pulls/\d+$"),
    "read pull request commits": ("GET", r"/pulls/\d+/commits$"),
}
# sites only used when the pull request is opened (day A) or updated (day B)
UPDATE_ONLY = {"update pull request", "read pull request commits"}
SLACK_SITES = {"read history": ("POST", r"conversations\.history"), "post digest": ("POST", r"chat\.postMessage")}
ARXIV_SITES = {"fetch feed": ("GET", r"^/rss/")}

COMMON = {
    "reset": {"kind": "reset"},
    "lost answer": {"kind": "lost_answer"},
    "timeout": {"kind": "delay", "seconds": SLOW},
    "429": {"status": 429, "headers": {"Retry-After": "0"}},
    "500": {"status": 500},
    "502": {"status": 502},
    "503": {"status": 503, "headers": {"Retry-After": "0"}},
    "truncated": {"kind": "truncate"},
    "malformed": {"kind": "garbage"},
}
GITHUB_ONLY = {
    "401": {"status": 401, "body": {"message": "Bad credentials"}},
    "403": {"status": 403, "body": {"message": "Resource not accessible by integration"}},
    "404": {"status": 404, "body": {"message": "Not Found"}},
    "409": {"status": 409, "body": {"message": "README.md is at 0000 but expected 1111"}},
    "422": {"status": 422, "body": {"message": "Validation Failed", "errors": [{"message": "invalid"}]}},
}
SLACK_ONLY = {"ok:false": {"status": 200, "body": {"ok": False, "error": "internal_error"}}}
# The CI set: every site with the two most telling faults (a lost answer, a 5xx), plus each
# GitHub status at the call where it matters, and the full menu for Slack's post and the feed.
FAST = {
    *{("github", site, kind) for site in GITHUB_SITES for kind in ("lost answer", "502")},
    ("github", "read repository", "401"),
    ("github", "open pull request", "403"),
    ("github", "read list", "404"),
    ("github", "commit list", "409"),
    ("github", "open pull request", "422"),
    ("github", "commit list", "malformed"),
    ("github", "update pull request", "malformed"),
    ("github", "read list", "timeout"),
    ("github", "list pull requests", "truncated"),
    *{
        ("slack", "post digest", kind)
        for kind in ("reset", "lost answer", "timeout", "429", "503", "truncated", "malformed", "ok:false")
    },
    ("slack", "read history", "reset"),
    ("slack", "read history", "ok:false"),
    *{("arxiv", "fetch feed", kind) for kind in ("reset", "timeout", "503", "truncated", "malformed")},
}


def scenarios(soak: bool) -> list[tuple[str, str, str, dict]]:
    out = []
    for service, sites, kinds in (
        ("github", GITHUB_SITES, {**COMMON, **GITHUB_ONLY}),
        ("slack", SLACK_SITES, {**COMMON, **SLACK_ONLY}),
        ("arxiv", ARXIV_SITES, COMMON),
    ):
        for site in sites:
            for kind, fault in kinds.items():
                if soak or (service, site, kind) in FAST:
                    out.append((service, site, kind, fault))
    return out


def ids(cases: list[tuple[str, str, str, dict]]) -> list[str]:
    return [f"{service}:{site}:{kind}" for service, site, kind, _ in cases]


@pytest.fixture
def world(world: World) -> World:
    # timeouts cost a second, not five
    world.reconfigure(arxiv={"timeout": 1.0}, slack={"timeout": 1.0}, github={"timeout": 1.0})
    return world


def inject(w: World, service: str, site: str, fault: dict) -> LoopbackServer:
    fake = {"github": w.github, "slack": w.slack, "arxiv": w.arxiv}[service]
    method, path = {**GITHUB_SITES, **SLACK_SITES, **ARXIV_SITES}[site]
    fake.fail(method, path, times=30, **fault)
    return fake


def clear(w: World) -> None:
    for fake in (w.github, w.slack, w.arxiv):
        fake.clear_faults()


def run_scenario(w: World, service: str, site: str, fault: dict) -> None:
    faulted_day = DAY_B if site in UPDATE_ONLY else DAY_A
    for day in (DAY_A, DAY_B, DAY_C):
        w.serve(small_day(day))
        if day == faulted_day:
            fake = inject(w, service, site, fault)
            code = w.run()
            assert any(r.fault for r in fake.requests), f"the run never called {site}: the fault did not fire"
            assert code in (0, 1)  # never a crash: a failed run says so with exit 1
            clear(w)
            if service == "arxiv" and fault.get("kind") != "delay":
                assert code == 1  # a broken feed is a failed run
        assert w.run() == 0, w.dump()
    assert w.run() == 0  # running a day twice sends nothing new
    w.check_exactly_once()


@pytest.mark.parametrize(("service", "site", "kind", "fault"), scenarios(False), ids=ids(scenarios(False)))
def test_fault(world: World, service: str, site: str, kind: str, fault: dict) -> None:
    run_scenario(world, service, site, fault)


SOAK = [s for s in scenarios(True) if s not in scenarios(False)]


@pytest.mark.soak
@pytest.mark.parametrize(("service", "site", "kind", "fault"), SOAK, ids=ids(SOAK))
def test_fault_soak(world: World, service: str, site: str, kind: str, fault: dict) -> None:
    run_scenario(world, service, site, fault)


def test_the_number_of_scenarios() -> None:
    """Reported in the notes: how many fault scenarios the fast set and the soak run."""
    fast, soak = len(scenarios(False)), len(scenarios(True))
    print(f"fault scenarios: {fast} in CI, {soak} with -m soak")
    assert fast >= 40 and soak >= 150 and len(FAST) == fast
