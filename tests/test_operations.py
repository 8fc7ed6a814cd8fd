"""Backfill from the arXiv API, gap detection, and the daemon, against loopback services."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.fakes.arxiv import FakeArxiv
from tests.fakes.slack import FakeSlack
from tests.realdays import QUERY, as_arxiv, days, feed_of, papers_of, write_config
from watcher.arxiv_calendar import missing_days, submission_window
from watcher.cli import main
from watcher.config import ScheduleSettings
from watcher.daemon import cron_trigger
from watcher.state import State

WINDOW = days()[3:6]  # three real announcement days


def api_papers(fake: FakeArxiv, days_: list[str]) -> set[str]:
    ids = set()
    for d in days_:
        for p in papers_of(d):
            if p.get("announce_guess") != "replacement":
                fake.add_paper(as_arxiv(p))
                ids.add(p["arxiv_id"])
    return ids


def backfill_config(tmp: Path, fake: FakeArxiv) -> Path:
    """API pacing configured down to 0.2 s for the tests, and small pages to exercise paging."""
    return write_config(
        tmp,
        rss_url=fake.url + "/rss/",
        api_url=fake.api_url,
        arxiv={"api_delay": 0.2, "api_page_size": 100, "retries": 3},
    )


def test_backfill_pages_through_the_api_and_records_every_paper_once(
    tmp_path: Path, fake_arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = api_papers(fake_arxiv, list(WINDOW))
    # throttling as arXiv does it: a 429, a 503 with Retry-After, and a 200 page without entries
    fake_arxiv.fail("GET", "/api/query", status=429, headers={"Retry-After": "0"})
    fake_arxiv.fail("GET", "/api/query", status=503, headers={"Retry-After": "0"})
    fake_arxiv.fail("GET", "/api/query", kind="empty_page")
    config = backfill_config(tmp_path, fake_arxiv)
    since = date.fromisoformat(WINDOW[0]) - timedelta(days=1)  # the fake's papers were submitted the day before
    assert (
        main(["backfill", "--config", str(config), "--since", since.isoformat(), "--until", WINDOW[-1], "--json"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    with State.open(tmp_path / "state" / "watcher.sqlite3") as state:
        seen = {d.paper.arxiv_id for d in state.papers()}
        runs = state.runs()
    assert seen == expected  # every paper of the window, each once
    assert report["counts"]["fetched"] == len(expected)
    assert runs[-1]["command"] == "backfill" and runs[-1]["outcome"] == "ok"
    calls = fake_arxiv.api_calls()
    pages = [int(c.query["start"]) for c in calls if not c.fault]
    assert len(pages) >= len(expected) // 100 and len(calls) >= len(pages) + 2  # paged, with retries
    assert [c.query["max_results"] for c in calls[:1]] == ["100"]
    gaps = [b.time - a.time for a, b in itertools.pairwise(calls)]
    assert min(gaps) >= 0.19  # pacing: api_delay between requests, even after errors


def test_backfill_again_proposes_nothing_new(
    tmp_path: Path, fake_arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    api_papers(fake_arxiv, list(WINDOW[:1]))
    config = backfill_config(tmp_path, fake_arxiv)
    args = ["backfill", "--config", str(config), "--since", "2025-05-20", "--until", WINDOW[0], "--json"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["counts"]["proposed"] == 0 and again["counts"]["already_seen"] == again["counts"]["kept"]


def test_throttling_that_never_ends_fails_with_a_clear_message(
    tmp_path: Path, fake_arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    api_papers(fake_arxiv, list(WINDOW[:1]))
    fake_arxiv.fail("GET", "/api/query", kind="empty_page", times=10)
    config = backfill_config(tmp_path, fake_arxiv)
    assert main(["backfill", "--config", str(config), "--since", "2025-05-20", "--until", WINDOW[0]]) == 1
    err = capsys.readouterr().err
    assert "arXiv API: empty pages at offset 0" in err and "(throttled)" in err


GAP_BEFORE, GAP, GAP_AFTER = days()[3], days()[4:6], days()[6]


def run_then_miss_days(tmp_path: Path, fake_arxiv: FakeArxiv) -> tuple[Path, set[str]]:
    """A run on GAP_BEFORE; then the feed shows GAP_AFTER (the runs of GAP never happened) and the
    API holds GAP's papers. Returns the config and those papers' ids."""
    hidden = api_papers(fake_arxiv, GAP)
    config = backfill_config(tmp_path, fake_arxiv)
    fake_arxiv.set_feed(feed_of(GAP_BEFORE), query=QUERY)
    assert main(["run", "--config", str(config)]) == 0
    fake_arxiv.set_feed(feed_of(GAP_AFTER), query=QUERY)
    return config, hidden


def test_a_run_after_missed_days_backfills_them(
    tmp_path: Path, fake_arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    d0, today = GAP_BEFORE, GAP_AFTER
    config, hidden = run_then_miss_days(tmp_path, fake_arxiv)
    capsys.readouterr()
    assert main(["run", "--config", str(config), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["missed_days"] == len(missing_days(date.fromisoformat(d0), date.fromisoformat(today)))
    assert any(n.startswith("backfilled ") for n in report["notes"])
    with State.open(tmp_path / "state" / "watcher.sqlite3") as state:
        seen = {d.paper.arxiv_id for d in state.papers()}
        assert state.fact("last_announced") == today
    assert hidden <= seen  # the missed days' papers were all scored


def test_with_auto_backfill_off_the_gap_is_reported_loudly(
    tmp_path: Path, fake_arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_slack = FakeSlack(start_ts=int(time.time()))
    with fake_slack:
        config = write_config(
            tmp_path,
            rss_url=fake_arxiv.url + "/rss/",
            api_url=fake_arxiv.api_url,
            slack_url=fake_slack.api_url,
            backfill={"auto": False},
            slack={"post_empty": True},
        )
        os.environ["SLACK_BOT_TOKEN"] = fake_slack.token
        try:
            fake_arxiv.set_feed(feed_of(days()[3]), query=QUERY)
            assert main(["run", "--config", str(config)]) == 0
            fake_arxiv.set_feed(feed_of(days()[6]), query=QUERY)
            capsys.readouterr()
            assert main(["run", "--config", str(config)]) == 0
        finally:
            del os.environ["SLACK_BOT_TOKEN"]
        out = capsys.readouterr().out
        gap = missing_days(date.fromisoformat(days()[3]), date.fromisoformat(days()[6]))
        names = ", ".join(d.isoformat() for d in gap)
        assert f"MISSED {len(gap)} announcement day(s) since the last run ({names})" in out
        assert f"run `watcher backfill --since {gap[0].isoformat()}`" in out
        last = fake_slack.top_level()[-1]
        assert f"MISSED {len(gap)} announcement day(s)" in json.dumps(last.blocks)
        assert fake_arxiv.api_calls() == []


def test_configured_holidays_are_not_missed_days(
    tmp_path: Path, fake_arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    gap = missing_days(date.fromisoformat(days()[3]), date.fromisoformat(days()[6]))
    config = write_config(
        tmp_path,
        rss_url=fake_arxiv.url + "/rss/",
        api_url=fake_arxiv.api_url,
        backfill={"auto": False},
        arxiv={"holidays": [d.isoformat() for d in gap]},
    )
    for day in (days()[3], days()[6]):
        fake_arxiv.set_feed(feed_of(day), query=QUERY)
        assert main(["run", "--config", str(config), "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
    assert "missed_days" not in report["counts"] and not any("MISSED" in n for n in report["notes"])
    assert fake_arxiv.api_calls() == []


def test_a_failed_backfill_is_retried_by_a_rerun_the_same_day(
    tmp_path: Path, fake_arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    config, hidden = run_then_miss_days(tmp_path, fake_arxiv)
    fake_arxiv.fail("GET", "/api/query", status=503, times=100)
    assert main(["run", "--config", str(config)]) == 1  # the gap could not be fetched
    fake_arxiv.clear_faults()
    capsys.readouterr()
    assert main(["run", "--config", str(config), "--json"]) == 0  # same feed, same day: the gap again
    report = json.loads(capsys.readouterr().out)
    assert any(n.startswith("backfilled ") for n in report["notes"])
    with State.open(tmp_path / "state" / "watcher.sqlite3") as state:
        assert hidden <= {d.paper.arxiv_id for d in state.papers()}
        assert state.fact("last_announced") == GAP_AFTER


def test_a_throttled_page_claiming_zero_results_does_not_end_the_search() -> None:
    from watcher.arxiv_api import ArxivApi
    from watcher.download import Fetched

    def page(total: int, ids: list[int]) -> bytes:
        entries = "".join(
            f"<entry><id>http://arxiv.org/abs/2501.{i:05d}v1</id><title>t{i}</title><summary>a</summary>"
            "<published>2025-01-02T00:00:00Z</published></entry>"
            for i in ids
        )
        return (
            f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
            f'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"><title>q</title><id>x</id>'
            f"<opensearch:totalResults>{total}</opensearch:totalResults>{entries}</feed>"
        ).encode()

    answers = [page(4, [1, 2]), page(0, []), page(4, [3, 4])]

    class Pages:
        def get(self, url: str, **kw: object) -> Fetched:
            return Fetched(url, 200, {}, answers.pop(0))

    api = ArxivApi(Pages(), "http://arxiv.test/api/query", page_size=2, sleep=lambda s: None)  # type: ignore[arg-type]
    assert [p.arxiv_id for p in api.search("q")] == ["2501.00001", "2501.00002", "2501.00003", "2501.00004"]


@pytest.mark.parametrize(
    "dow, days_fired",
    [
        ("1-5", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("0-6", ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]),
        ("0-7", ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]),
        ("0-4", ["Sun", "Mon", "Tue", "Wed", "Thu"]),
        ("*/2", ["Sun", "Tue", "Thu", "Sat"]),
        ("1-5/2", ["Mon", "Wed", "Fri"]),
        ("sat,0", ["Sun", "Sat"]),
    ],
)
def test_every_cron_weekday_form_means_what_cron_means(dow: str, days_fired: list[str]) -> None:
    trigger = cron_trigger(ScheduleSettings(cron=f"23 6 * * {dow}", timezone="UTC"))
    fire = datetime(2025, 1, 4, 12, tzinfo=UTC)  # a Saturday
    seen = set()
    for _ in range(14):
        fire = trigger.get_next_fire_time(None, fire)
        seen.add(fire.strftime("%a"))
        fire = fire.replace(minute=30)
    assert sorted(seen, key=["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].index) == days_fired


def test_calendar() -> None:
    assert missing_days(date(2026, 11, 20), date(2026, 11, 30)) == [  # Thanksgiving 11-26 is a holiday
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 27),
    ]
    assert missing_days(None, date(2026, 11, 30)) == []
    assert submission_window([date(2026, 11, 23), date(2026, 11, 25)]) == (date(2026, 11, 19), date(2026, 11, 25))


def test_cron_weekdays_mean_what_cron_means() -> None:
    trigger = cron_trigger(ScheduleSettings(cron="23 6 * * 1-5", timezone="UTC"))
    fire = datetime(2025, 1, 4, 12, tzinfo=UTC)  # a Saturday
    seen = []
    for _ in range(6):
        fire = trigger.get_next_fire_time(None, fire)
        seen.append(fire.strftime("%a"))
        fire = fire.replace(minute=30)
    assert seen == ["Mon", "Tue", "Wed", "Thu", "Fri", "Mon"]


def test_daemon_runs_on_schedule_and_stops_cleanly_on_sigterm(tmp_path: Path, fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.set_feed(feed_of(days()[3]), query=QUERY)
    config = write_config(
        tmp_path,
        rss_url=fake_arxiv.url + "/rss/",
        api_url=fake_arxiv.api_url,
        schedule={"cron": "*/2 * * * * *", "misfire_grace_time": 30},
    )
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "watcher", "serve", "--config", str(config)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.time() + 120
            while time.time() < deadline and "[ok]" not in log.read_text():
                time.sleep(0.5)
            assert "[ok]" in log.read_text(), log.read_text()
            # the next run is slow (the feed answers after 3 s): SIGTERM arrives in the middle of it
            fake_arxiv.fail("GET", "/rss/", kind="delay", seconds=3.0, times=5)
            n_runs = log.read_text().count("[ok]")
            while time.time() < deadline and len(fake_arxiv.requests_matching("GET", "/rss/")) < n_runs + 1:
                time.sleep(0.1)
            time.sleep(0.5)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    text = log.read_text()
    assert "next run at" in text and "SIGTERM received: finishing the current run" in text
    with State.open(tmp_path / "state" / "watcher.sqlite3") as state:
        outcomes = [r["outcome"] for r in state.runs()]
    assert outcomes and all(o == "ok" for o in outcomes)  # the interrupted run was finished, not cut
    assert len(outcomes) == text.count("[ok]")
