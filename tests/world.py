"""A small world for end-to-end tests: loopback arXiv, Slack and GitHub, a list repository,
a config pointing at them, and checks of the exactly-once invariants."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from tests import canary
from tests.builders import merged
from tests.conftest import SEED_LIST
from tests.fakes.arxiv import FakeArxiv, rss_feed
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack
from tests.realdays import QUERY, as_arxiv, papers_of, write_config
from watcher import listfile
from watcher.cli import main
from watcher.proposal import proposed_in

REPO = "acme/papers"
BRANCH = "watcher/new-papers"
SEED = SEED_LIST.read_text()


def small_day(day: str, others: int = 30) -> bytes:
    """A real day cut down for speed: its relevant and uncertain papers plus `others` more."""
    papers = [p for p in papers_of(day) if p.get("announce_guess") != "replacement"]
    irrelevant = [p for p in papers if p["label"] == "irrelevant"]
    keep = [p for p in papers if p["label"] != "irrelevant"] + irrelevant[:others]
    return rss_feed([as_arxiv(p) for p in keep], query=QUERY, day=date.fromisoformat(day))


class World:
    def __init__(
        self,
        tmp: Path,
        arxiv: FakeArxiv,
        slack: FakeSlack,
        github: FakeGitHub,
        environ: Any,
        *,
        model_dir: Path,
        config: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.arxiv, self.slack, self.github = arxiv, slack, github
        github.create_repo("acme", "papers", files={"README.md": SEED})
        # the services accept the canary secrets the whole suite runs with
        slack.token, github.token = canary.SLACK_TOKEN, canary.GITHUB_TOKEN
        environ.setenv("SLACK_BOT_TOKEN", slack.token)
        environ.setenv("GITHUB_TOKEN", github.token)
        self.tmp = tmp
        self.state_path = tmp / "state" / "watcher.sqlite3"
        self.model_dir = model_dir  # tests/conftest.py: world_model
        self.overrides = merged({"backfill": {"auto": False}}, config or {})
        self.config = self._write_config()

    def _write_config(self) -> Path:
        return write_config(
            self.tmp,
            rss_url=self.arxiv.url + "/rss/",
            api_url=self.arxiv.api_url,
            slack_url=self.slack.api_url,
            github_url=self.github.url,
            model_dir=self.model_dir,
            embeddings=False,
            **self.overrides,
        )

    def reconfigure(self, **overrides: dict[str, Any]) -> None:
        """Change config keys from the next run on (`world.reconfigure(slack={"post_empty": True})`)."""
        self.overrides = merged(self.overrides, overrides)
        self._write_config()

    def serve(self, feed: bytes) -> None:
        self.arxiv.set_feed(feed, query=QUERY)

    def run(self, *args: str) -> int:
        return main(["run", "--config", str(self.config), *args])

    # -- what the services hold --------------------------------------------------------------

    def branch_list(self) -> str:
        try:
            return self.github.file_at(REPO, BRANCH, "README.md").decode()
        except KeyError:
            return SEED

    def open_pulls(self) -> list[Any]:
        return [p for p in self.github.pulls(REPO) if p.state == "open"]

    def posted(self) -> Counter[str]:
        """How often each arXiv id was announced in Slack, over every message."""
        ids: Counter[str] = Counter()
        for m in self.slack.messages:
            meta = m.payload.get("metadata") or {}
            ids.update(i for i in (meta.get("event_payload") or {}).get("ids", "").split(",") if i)
        return ids

    def on_branch(self) -> Counter[str]:
        text = self.branch_list()
        ids: Counter[str] = Counter()
        for e in listfile.parse(text).entries:
            ids.update(e.arxiv_ids)
        return ids

    def proposed(self) -> set[str]:
        db = sqlite3.connect(self.state_path)  # the state database must open
        try:
            return {r[0] for r in db.execute("SELECT arxiv_id FROM papers WHERE decision = 'proposed'")}
        finally:
            db.close()

    def delivered(self, target: str) -> set[str]:
        db = sqlite3.connect(self.state_path)
        try:
            return {r[0] for r in db.execute("SELECT arxiv_id FROM deliveries WHERE target = ?", (target,))}
        finally:
            db.close()

    def check_exactly_once(self) -> set[str]:
        """Every proposed paper is in exactly one Slack post and exactly once on the PR branch;
        nothing else is; the list changed only by added entries; the state agrees with GitHub."""
        proposed = self.proposed()
        posted, branch = self.posted(), self.on_branch()
        assert proposed, "nothing was proposed: the scenario tests nothing"
        assert set(posted) == proposed, set(posted) ^ proposed
        assert all(n == 1 for n in posted.values()), [i for i, n in posted.items() if n > 1]
        assert set(branch) == proposed, set(branch) ^ proposed
        assert all(n == 1 for n in branch.values()), [i for i, n in branch.items() if n > 1]
        before = SEED.splitlines()
        after = self.branch_list().splitlines()
        kept = iter(after)
        assert all(any(line == other for other in kept) for line in before), "a line of the list changed"
        assert len(after) == len(before) + 2 * len(proposed)
        assert listfile.parse(self.branch_list()).headings == listfile.parse(SEED).headings
        pulls = self.open_pulls()
        assert len(pulls) == 1 and len(self.github.pulls(REPO)) == 1
        assert set(proposed_in(pulls[0].body)) == proposed
        assert self.delivered("github") == proposed and self.delivered("slack") == proposed
        return proposed

    def dump(self) -> str:
        return json.dumps({"posted": self.posted(), "branch": self.on_branch(), "proposed": sorted(self.proposed())})
