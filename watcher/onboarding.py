"""What `watcher init` decides for a list repository, as pure functions: which Markdown file is
the list, which repository it is, where new entries go, and the text of the config it writes.

commands.init_ does the I/O (reading files, git, arXiv, training) and calls these.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import PurePosixPath

from . import __version__, listfile
from .config import ArxivSettings
from .errors import ListFormatError

# A file counts as the list when it holds at least this many paper entries.
MIN_ENTRIES = 3
# README.md is chosen over a file with more entries when it has at least this share of them
# (a README that is the list, next to a docs/ page that repeats part of it).
README_SHARE = 0.5


@dataclass(frozen=True)
class Candidate:
    path: str  # relative to the repository, with "/"
    entries: int


def choose_list(candidates: Sequence[Candidate]) -> tuple[Candidate | None, list[Candidate]]:
    """The list among the repository's Markdown files: README.md (at the top level) when it holds
    at least README_SHARE of the most entries any file holds, else the file with the most; and
    the other files with paper entries, most first. None when no file has MIN_ENTRIES."""
    ranked = sorted((c for c in candidates if c.entries >= MIN_ENTRIES), key=lambda c: (-c.entries, c.path))
    if not ranked:
        return None, []
    readme = next((c for c in ranked if c.path.lower() == "readme.md"), None)
    chosen = readme if readme is not None and readme.entries >= README_SHARE * ranked[0].entries else ranked[0]
    return chosen, [c for c in ranked if c != chosen]


def count_entries(text: str) -> int:
    """Paper entries a Markdown text holds, as watcher reads them (0 for what it cannot read)."""
    try:
        return len(listfile.parse(text).target_entries)
    except (ListFormatError, ValueError):
        return 0


_REMOTE = re.compile(
    r"^(?:https?://(?:[^@/]+@)?github\.com/|ssh://git@github\.com/|git@github\.com:)"
    r"(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?)/(?P<name>[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)


def repo_from_remote(url: str) -> str | None:
    """owner/name of a github.com remote URL (https, ssh or scp-like), else None."""
    m = _REMOTE.match(url.strip())
    return f"{m['owner']}/{m['name']}" if m else None


def _id_order(arxiv_id: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"(\d{4})\.(\d{4,5})", arxiv_id)
    return (int(m[1]), int(m[2])) if m else None


def infer_position(doc: listfile.ListDocument) -> str:
    """Where the list puts new papers in a section: "bottom" when most sections run oldest to
    newest (by their papers' arXiv ids), else "top" (newest first, the default)."""
    votes = {"top": 0, "bottom": 0}
    for section in doc.targets:
        ids = [o for e in section.entries for i in sorted(e.arxiv_ids)[:1] if (o := _id_order(i))]
        if len(ids) < 3:
            continue
        rising = sum(b > a for a, b in pairwise(ids))
        falling = sum(b < a for a, b in pairwise(ids))
        if rising > 2 * falling:
            votes["bottom"] += 1
        elif falling > 2 * rising:
            votes["top"] += 1
    return "bottom" if votes["bottom"] > votes["top"] else "top"


def relative_to(target: PurePosixPath, start: PurePosixPath) -> str:
    """`target` relative to the directory `start` (both relative to the repository), with "..";
    what a config path must be: relative to the config file's directory."""
    t, s = target.parts, start.parts
    common = 0
    while common < min(len(t), len(s)) and t[common] == s[common]:
        common += 1
    return "/".join([".."] * (len(s) - common) + list(t[common:])) or "."


@dataclass(frozen=True)
class ConfigChoices:
    """What `watcher init` learned about a list repository: the config it writes says exactly this."""

    list_path: str  # the list inside the repository ("README.md")
    list_file: str  # the list relative to the config file ("../README.md")
    repo: str  # owner/name, "" when unknown
    categories: tuple[str, ...]
    category_share: float  # of the resolved papers, the share the categories carry
    resolved: int  # list entries resolved on arXiv
    model_dir: str = "model"
    position: str = "top"
    embeddings: bool = False
    api_url: str = ""  # only when not arXiv's own
    exclude_headings: tuple[str, ...] = ()
    written_on: date | None = None


def _toml(value: object) -> str:
    """A TOML value: strings and lists of strings as JSON writes them (valid TOML basic strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def user_agent(repo: str) -> str:
    where = f"https://github.com/{repo}" if repo else "https://github.com/watcher-bot/watcher"
    what = f"paper bot for {repo}" if repo else "awesome-list paper bot"
    return f"watcher/{'.'.join(__version__.split('.')[:2])} ({what}; +{where})"


def render_config(c: ConfigChoices) -> str:
    """The config file `watcher init` writes: the keys that differ from the defaults, the ones a
    maintainer must fill, and a comment on each saying where its value came from."""
    when = f" on {c.written_on.isoformat()}" if c.written_on else ""
    lines = [
        f"# watcher's configuration for {c.repo or 'this list'}, written by `watcher init` "
        f"(watcher {__version__}){when}.",
        "# Only the keys that differ from watcher's defaults are here; every key, its default and what it",
        "# does: https://github.com/watcher-bot/watcher/blob/main/config.toml. Paths are relative to this file.",
        "# Secrets never go here: the workflow passes them as environment variables.",
        "# Check it with `watcher check-config --config <this file>`.",
        "",
        "[arxiv]",
    ]
    if c.categories:
        lines.append(
            f"# The categories the list's papers are announced in: {c.category_share:.0%} of its {c.resolved} "
            "papers found on arXiv."
        )
    else:
        lines.append("# No list entry was found on arXiv: these are watcher's defaults. Set the list's categories.")
    lines.append(f"categories = {_toml(list(c.categories or ArxivSettings().categories))}")
    lines += [
        "# arXiv asks bots to identify themselves; a contact address here is welcome.",
        f"user_agent = {_toml(user_agent(c.repo))}",
    ]
    if c.api_url:
        lines.append(f"api_url = {_toml(c.api_url)}")
    lines += [
        "",
        "[list]",
        "# The list: in a checkout (dry runs, `watcher train`) and in the repository (the pull requests).",
        f"file = {_toml(c.list_file)}",
        f"path = {_toml(c.list_path)}",
    ]
    if c.position != "top":
        lines += [
            "# The list's sections run oldest to newest: new papers go at the end.",
            f"position = {_toml(c.position)}",
        ]
    if c.exclude_headings:
        lines.append(f"exclude_headings = {_toml(list(c.exclude_headings))}")
    lines += [
        "",
        "[classifier]",
        "# The model `watcher init` learned from the list; the daily run retrains it when the list or",
        "# the reviews change. Rebuild it from scratch with `watcher init --retrain`.",
        f"model_dir = {_toml(c.model_dir)}",
    ]
    if c.embeddings:
        lines += ["# The MiniLM embedding score (the action installs its weights).", "embeddings = true"]
    lines += [
        "",
        "[github]",
        "# The repository whose list the pull requests edit."
        + ("" if c.repo else " FILL IN: owner/name (empty = no pull requests)."),
        f"repo = {_toml(c.repo)}",
        "",
        "[slack]",
        '# The daily digest. "bot": a bot token in $SLACK_BOT_TOKEN and the channel ID below;',
        '# "webhook": an incoming webhook URL in $SLACK_WEBHOOK_URL; "off": no digest.',
        'mode = "off"',
        '# channel = "C0123456789"',
    ]
    return "\n".join(lines) + "\n"


GITIGNORE = "# watcher's state (the Actions cache keeps it between runs) and its enrichment cache\nstate/\n"


def next_steps(*, repo: str, config: str, workflow: str, list_file: str) -> list[str]:
    """What the maintainer does after `watcher init`, in order."""
    where = f"https://github.com/{repo}/settings/actions" if repo else "the repository's Settings > Actions > General"
    return [
        f"1. Try it: watcher run --dry-run --config {config} --list {list_file}",
        "   (today's announcements; add --feed FILE to replay a saved day). It sends nothing.",
        f"2. Allow the workflow to open pull requests: {where},",
        '   "Workflow permissions": tick "Allow GitHub Actions to create and approve pull requests".',
        "3. For the Slack digest: set slack.mode in the config and add the secret SLACK_BOT_TOKEN (bot)",
        "   or SLACK_WEBHOOK_URL (webhook) under Settings > Secrets and variables > Actions.",
        f"4. Commit {config}, its model directory and {workflow}, and push.",
        "5. Run the workflow once by hand (Actions > watcher > Run workflow, dry run ticked); after",
        "   that it runs every weekday after arXiv's announcements.",
    ]
