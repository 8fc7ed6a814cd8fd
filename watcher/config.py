"""config.toml -> typed, immutable settings. Reads the one file it is given; nothing else.

Every key has a default equal to the project's documented config.toml, so a config file only
needs the keys it changes. An unknown key, a wrong type or an impossible value stops the load
with a ConfigError naming the dotted key and what is expected. Secrets are never in the file:
it names the environment variables that hold them.
"""

from __future__ import annotations

import re
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from .errors import ConfigError, ListFormatError
from .listfile import check_template
from .profile import Term, TermError

_CATEGORY = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class ArxivSettings:
    categories: tuple[str, ...] = ("cs.CL", "cs.SD", "eess.AS")
    announce_types: tuple[str, ...] = ("new", "cross")
    rss_url: str = "https://rss.arxiv.org/rss/"
    api_url: str = "https://export.arxiv.org/api/query"
    user_agent: str = "watcher/0.2 (awesome-list paper bot; +https://github.com/watcher-bot/watcher)"
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 2.0
    api_delay: float = 3.0
    api_page_size: int = 200
    holidays: tuple[str, ...] = ()  # extra days without announcements ("YYYY-MM-DD"), beyond arxiv_calendar's


@dataclass(frozen=True)
class ListSettings:
    file: Path = Path("models/seed-list.md")
    path: str = "README.md"
    position: str = "top"
    headings: tuple[str, ...] = ()
    exclude_headings: tuple[str, ...] = ()
    entry_template: str = ""


@dataclass(frozen=True)
class ClassifierSettings:
    model_dir: Path = Path("models")
    target_precision: float = 0.8
    retrain: bool = True
    embeddings: bool = False


@dataclass(frozen=True)
class SlackSettings:
    mode: str = "off"
    channel: str = ""
    token_env: str = "SLACK_BOT_TOKEN"
    webhook_env: str = "SLACK_WEBHOOK_URL"
    base_url: str = "https://slack.com/api/"
    post_empty: bool = False
    timeout: float = 30.0
    retries: int = 2


@dataclass(frozen=True)
class GitHubSettings:
    repo: str = ""
    base_branch: str = ""
    branch: str = "watcher/new-papers"
    labels: tuple[str, ...] = ("watcher",)
    token_env: str = "GITHUB_TOKEN"
    base_url: str = "https://api.github.com"
    pr_title: str = "New papers for the list"
    timeout: float = 30.0
    retries: int = 3


@dataclass(frozen=True)
class ProfileSettings:
    """Replaces or adds to the profile `watcher train` learns (profile.py has the term syntax)."""

    facets: tuple[tuple[str, ...], ...] = ()  # replaces the learned facets
    gate: tuple[str, ...] = ()  # replaces the learned gate terms
    categories: tuple[str, ...] = ()  # replaces the categories that pass the gate on their own
    require: tuple[str, ...] = ()  # a paper must name one of these to be proposed
    exclude: tuple[str, ...] = ()  # a paper naming any of these is never proposed
    cues: dict[str, tuple[str, ...]] = field(default_factory=dict)  # heading -> its cue words

    def as_mapping(self) -> dict[str, Any]:
        return {
            "facets": [list(f) for f in self.facets],
            "gate": list(self.gate),
            "categories": list(self.categories),
            "cues": {h: list(c) for h, c in self.cues.items()},
            "require": list(self.require),
            "exclude": list(self.exclude),
        }


@dataclass(frozen=True)
class StateSettings:
    path: Path = Path("state/watcher.sqlite3")


@dataclass(frozen=True)
class ScheduleSettings:
    cron: str = "23 6 * * mon-fri"
    timezone: str = "UTC"
    misfire_grace_time: int = 3600


@dataclass(frozen=True)
class BackfillSettings:
    auto: bool = True
    max_days: int = 10


@dataclass(frozen=True)
class VenueSettings:
    enabled: bool = True
    every_days: int = 7
    max_per_check: int = 30


@dataclass(frozen=True)
class Settings:
    arxiv: ArxivSettings = field(default_factory=ArxivSettings)
    list: ListSettings = field(default_factory=ListSettings)
    classifier: ClassifierSettings = field(default_factory=ClassifierSettings)
    profile: ProfileSettings = field(default_factory=ProfileSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    github: GitHubSettings = field(default_factory=GitHubSettings)
    state: StateSettings = field(default_factory=StateSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    backfill: BackfillSettings = field(default_factory=BackfillSettings)
    venues: VenueSettings = field(default_factory=VenueSettings)
    source: Path | None = None  # the file these settings came from

    @property
    def github_enabled(self) -> bool:
        return bool(self.github.repo)

    def rss_feed_url(self) -> str:
        return self.arxiv.rss_url.rstrip("/") + "/" + "+".join(self.arxiv.categories)


def _type_name(tp: Any) -> str:
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if tp is Path:
        return "a path (string)"
    if tp == tuple[tuple[str, ...], ...]:
        return "a list of lists of strings"
    if tp == dict[str, tuple[str, ...]]:
        return "a table of lists of strings"
    return "a list of strings"


def _describe(value: Any) -> str:
    kind = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "table"}.get(
        type(value), type(value).__name__
    )
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    return f"{kind} {shown}"


def _coerce(value: Any, tp: Any, key: str) -> Any:
    ok: bool
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif tp is str:
        ok = isinstance(value, str)
    elif tp is Path:
        ok = isinstance(value, str)
        value = Path(value) if ok else value
    elif tp == tuple[tuple[str, ...], ...]:
        ok = isinstance(value, list) and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value)
        value = tuple(tuple(v) for v in value) if ok else value
    elif tp == dict[str, tuple[str, ...]]:
        ok = isinstance(value, dict) and all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values()
        )
        value = {str(k): tuple(v) for k, v in value.items()} if ok else value
    else:  # tuple[str, ...]; a TOML date (2027-01-01 without quotes) counts as its ISO string
        if isinstance(value, list):
            value = [v.isoformat() if isinstance(v, date) else v for v in value]
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        value = tuple(value) if ok else value
    if not ok:
        raise ConfigError(f"{key}: expected {_type_name(tp)}, got {_describe(value)}")
    return value


def _build(cls: type, data: dict[str, Any], prefix: str) -> Any:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in fields(cls) if f.name != "source"]
    for key in data:
        if key not in names:
            where = f"[{prefix.rstrip('.')}]" if prefix else "the top level"
            raise ConfigError(f"unknown key {prefix}{key} (known keys in {where}: {', '.join(names)})")
    kwargs: dict[str, Any] = {}
    for name in names:
        if name not in data:
            continue
        tp = hints[name]
        if is_dataclass(tp):
            if not isinstance(data[name], dict):
                raise ConfigError(f"{name}: expected a table [{name}], got {_describe(data[name])}")
            kwargs[name] = _build(tp, data[name], f"{name}.")  # type: ignore[arg-type]
        else:
            if isinstance(tp, types.UnionType):  # Path | None
                tp = next(t for t in typing.get_args(tp) if t is not type(None))
            kwargs[name] = _coerce(data[name], tp, f"{prefix}{name}")
    return cls(**kwargs)


def _check(s: Settings) -> None:
    """Values that have the right type but cannot work."""

    def fail(key: str, expected: str, got: Any) -> None:
        raise ConfigError(f"{key}: expected {expected}, got {_describe(got)}")

    a = s.arxiv
    if not a.categories:
        fail("arxiv.categories", 'at least one arXiv category such as "cs.CL"', list(a.categories))
    for cat in a.categories:
        if not _CATEGORY.match(cat):
            fail("arxiv.categories", 'arXiv categories such as "cs.CL" or "eess.AS"', cat)
    allowed = ("new", "cross", "replace", "replace-cross")
    if not a.announce_types or any(t not in allowed for t in a.announce_types):
        fail("arxiv.announce_types", f"a non-empty list drawn from {list(allowed)}", list(a.announce_types))
    for key, url in (
        ("arxiv.rss_url", a.rss_url),
        ("arxiv.api_url", a.api_url),
        ("slack.base_url", s.slack.base_url),
        ("github.base_url", s.github.base_url),
    ):
        if not re.match(r"^https?://[^\s/]+", url):
            fail(key, "an http(s) URL", url)
    for key, number in (
        ("arxiv.timeout", a.timeout),
        ("slack.timeout", s.slack.timeout),
        ("github.timeout", s.github.timeout),
    ):
        if number <= 0:
            fail(key, "a number of seconds > 0", number)
    for key, count in (
        ("arxiv.retries", a.retries),
        ("slack.retries", s.slack.retries),
        ("github.retries", s.github.retries),
        ("backfill.max_days", s.backfill.max_days),
    ):
        if count < 0:
            fail(key, "an integer >= 0", count)
    if a.backoff < 0 or a.api_delay < 0:
        fail(
            "arxiv.backoff" if a.backoff < 0 else "arxiv.api_delay",
            "seconds >= 0",
            a.backoff if a.backoff < 0 else a.api_delay,
        )
    if not 1 <= a.api_page_size <= 2000:
        fail("arxiv.api_page_size", "an integer from 1 to 2000", a.api_page_size)
    for day in a.holidays:
        try:
            date.fromisoformat(day)
        except ValueError:
            fail("arxiv.holidays", 'dates as "YYYY-MM-DD" strings', day)
    if not a.user_agent.strip():
        fail("arxiv.user_agent", "a User-Agent naming the bot and a contact", a.user_agent)
    if s.list.position not in ("top", "bottom"):
        fail("list.position", '"top" or "bottom"', s.list.position)
    if s.list.entry_template:
        try:
            check_template(s.list.entry_template)
        except ListFormatError as exc:
            raise ConfigError(f"list.entry_template: {exc.message}") from None
    if not 0.0 < s.classifier.target_precision < 1.0:
        fail("classifier.target_precision", "a number between 0 and 1", s.classifier.target_precision)
    sl = s.slack
    if sl.mode not in ("off", "bot", "webhook"):
        fail("slack.mode", '"bot", "webhook" or "off"', sl.mode)
    if sl.mode == "bot" and not sl.channel:
        raise ConfigError('slack.channel: required when slack.mode = "bot" (a channel ID such as "C0123456789")')
    for key, name in (
        ("slack.token_env", sl.token_env),
        ("slack.webhook_env", sl.webhook_env),
        ("github.token_env", s.github.token_env),
    ):
        if not _ENV_NAME.match(name):
            fail(key, "the name of an environment variable (the secret itself never goes here)", name)
    gh = s.github
    if gh.repo and not _REPO.match(gh.repo):
        fail("github.repo", '"owner/name"', gh.repo)
    if gh.repo and not gh.branch.strip():
        fail("github.branch", "a branch name for the bot's pull request", gh.branch)
    if gh.repo and not s.list.path.strip():
        fail("list.path", "the list's path in the repository", s.list.path)
    if s.venues.every_days < 1:
        fail("venues.every_days", "a number of days >= 1", s.venues.every_days)
    if s.venues.max_per_check < 1:
        fail("venues.max_per_check", "a number of venues >= 1", s.venues.max_per_check)
    if s.schedule.misfire_grace_time < 1:
        fail("schedule.misfire_grace_time", "seconds >= 1", s.schedule.misfire_grace_time)
    pr = s.profile
    lists = [("profile.gate", pr.gate), ("profile.require", pr.require), ("profile.exclude", pr.exclude)]
    lists += [("profile.facets", f) for f in pr.facets] + [(f"profile.cues.{h!r}", c) for h, c in pr.cues.items()]
    for key, values in lists:
        for raw in values:
            try:
                Term.parse(raw)
            except TermError as exc:
                raise ConfigError(f"{key}: {exc}") from None
    if any(not f for f in pr.facets):
        fail("profile.facets", "lists of terms, none empty", [list(f) for f in pr.facets])
    for cat in pr.categories:
        if not _CATEGORY.match(cat):
            fail("profile.categories", 'arXiv categories such as "eess.AS"', cat)


def _resolve_paths(s: Settings, base: Path) -> Settings:
    def absolute(p: Path) -> Path:
        return p if p.is_absolute() else base / p

    return replace(
        s,
        list=replace(s.list, file=absolute(s.list.file)),
        classifier=replace(s.classifier, model_dir=absolute(s.classifier.model_dir)),
        state=replace(s.state, path=absolute(s.state.path)),
    )


def parse_settings(text: str, *, source: Path | None = None) -> Settings:
    """Settings from TOML text; relative paths are resolved against the file's directory."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}") from None
    settings: Settings = _build(Settings, data, "")
    _check(settings)
    base = source.parent if source is not None else Path.cwd()
    return replace(_resolve_paths(settings, base.resolve()), source=source)


def load_settings(path: Path) -> Settings:
    """Read and validate a config file; every problem is a ConfigError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    try:
        return parse_settings(text, source=path)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc.message}") from None
