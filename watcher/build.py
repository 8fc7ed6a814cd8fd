"""The one place where clients and adapters are built from settings and the environment.

Everything else receives what it needs. Secrets are read here, from the environment variables
the config names, and handed to the client libraries; they are never stored elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .arxiv_api import ArxivApi
from .arxiv_calendar import HOLIDAYS
from .config import Settings
from .download import Downloader, HttpPolicy
from .dryrun import Preview, PreviewNotifier, PreviewPublisher
from .enrich import cache_path
from .errors import ConfigError, UsageError
from .github_pr import GitHubPublisher, GitHubRepo
from .model_store import ModelStore
from .pipeline import Run, VenueCheck
from .ports import FeedSource, ListSource, ReviewSource, Target, VenueTarget
from .proposal import ListRules
from .slack_notify import SlackNotifier, UnsentRequestRetryHandler, WebhookNotifier
from .sources import ApiWindow, ArxivMetadata, FileList, RssFeeds, SavedFeeds, resolved_titles
from .state import State
from .tokens import Secret, read_secret

Log = Callable[[str], None]


def _quiet(line: str) -> None:
    pass


def downloader(settings: Settings) -> Downloader:
    a = settings.arxiv
    return Downloader(HttpPolicy(user_agent=a.user_agent, timeout=a.timeout, retries=a.retries, backoff=a.backoff))


def arxiv_api(settings: Settings, dl: Downloader | None = None) -> ArxivApi:
    a = settings.arxiv
    return ArxivApi(dl or downloader(settings), a.api_url, delay=a.api_delay, page_size=a.api_page_size)


@contextmanager
def open_state(settings: Settings, *, dry_run: bool) -> Iterator[State]:
    state = State.open(settings.state.path, readonly=dry_run)
    try:
        yield state
    finally:
        state.close()


def _require(secret: Secret | None, key: str, env: str, why: str) -> Secret:
    if secret is None:
        raise ConfigError(f"{key}: environment variable {env} is not set ({why})")
    return secret


def slack_client(settings: Settings, token: Secret) -> Any:
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

    s = settings.slack
    # Connection errors are retried only when the request never reached Slack: after a reset or
    # a timeout the post may have landed, and SlackNotifier looks in the channel instead.
    handlers = [
        UnsentRequestRetryHandler.build(s.retries),
        RateLimitErrorRetryHandler(max_retry_count=s.retries),
        ServerErrorRetryHandler(max_retry_count=s.retries),
    ]
    return WebClient(
        token=token.reveal(), base_url=s.base_url.rstrip("/") + "/", timeout=int(s.timeout), retry_handlers=handlers
    )


def webhook_client(settings: Settings, url: Secret) -> Any:
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
    from slack_sdk.webhook import WebhookClient

    s = settings.slack
    handlers = [
        RateLimitErrorRetryHandler(max_retry_count=s.retries),
        ServerErrorRetryHandler(max_retry_count=s.retries),
    ]
    return WebhookClient(url.reveal(), timeout=int(s.timeout), retry_handlers=handlers)


def github_client(settings: Settings, token: Secret | None) -> Any:
    from github import Auth, Github, GithubRetry

    g = settings.github
    retry = GithubRetry(total=g.retries, backoff_factor=1.0) if g.retries else None
    auth = Auth.Token(token.reveal()) if token else None
    return Github(
        auth=auth,
        base_url=g.base_url.rstrip("/"),
        timeout=int(g.timeout),
        retry=retry,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def list_rules(settings: Settings) -> ListRules:
    lst = settings.list
    return ListRules(position=lst.position, template=lst.entry_template, exclude=lst.exclude_headings)


def github_repo(
    settings: Settings, *, environ: Mapping[str, str] | None = None, need_token: bool, log: Log = _quiet
) -> GitHubRepo:
    """The list's repository (github.repo), for the run and for `watcher enrich`. A missing
    token is a config error where the command writes (`need_token`); a reading command goes
    on without one, and says so: GitHub allows 60 unauthenticated requests an hour."""
    g = settings.github
    token = read_secret(g.token_env, environ)
    if token is None:
        if need_token:
            _require(None, "github.token_env", g.token_env, "github.repo is set")
        log(f"warning: ${g.token_env} is not set: reading {g.repo} without a token (60 requests an hour)")
    return GitHubRepo(
        github_client(settings, token), g.repo, path=settings.list.path, base_branch=g.base_branch, branch=g.branch
    )


def slack_target(
    settings: Settings, *, dry_run: bool, preview: Preview, log: Log, environ: Mapping[str, str] | None = None
) -> Target | None:
    """The Slack digest (bot token or webhook), or its preview on a dry run."""
    s = settings.slack
    if dry_run:
        if s.mode == "off":
            return PreviewNotifier(
                preview,
                where='Slack is off (slack.mode = "off"); this is the digest a configured bot would post',
                post_empty=s.post_empty,
            )
        where = f"would post to channel {s.channel}" if s.mode == "bot" else "would post to the incoming webhook"
        token = read_secret(s.token_env, environ) if s.mode == "bot" else None
        history = SlackNotifier(slack_client(settings, token), s.channel, log=log).posted_ids if token else None
        return PreviewNotifier(preview, where=where, post_empty=s.post_empty, posted=history)
    if s.mode == "off":
        return None
    if s.mode == "bot":
        token = _require(
            read_secret(s.token_env, environ), "slack.token_env", s.token_env, 'slack.mode = "bot" needs a bot token'
        )
        pause = min(s.timeout, 10.0)  # a timed-out post may land late: look again after a pause
        return SlackNotifier(
            slack_client(settings, token),
            s.channel,
            post_empty=s.post_empty,
            log=log,
            recheck_waits=(0.0, pause, 2 * pause),
        )
    url = _require(
        read_secret(s.webhook_env, environ),
        "slack.webhook_env",
        s.webhook_env,
        'slack.mode = "webhook" needs the webhook URL',
    )
    return WebhookNotifier(webhook_client(settings, url), post_empty=s.post_empty)


def _pull_request(
    settings: Settings,
    *,
    dry_run: bool,
    list_path: Path | None,
    preview: Preview,
    log: Log,
    environ: Mapping[str, str] | None,
) -> tuple[ListSource, ReviewSource | None, Target | None, VenueTarget | None]:
    """Where the list comes from, who reads the reviews, the pull-request target, and where venue
    updates go (the same pull request; None without one to propose them in)."""
    if settings.github_enabled:
        if list_path is not None and not dry_run:
            raise UsageError(
                "--list cannot be combined with GitHub delivery (github.repo is set): "
                "the pull request edits the repository's list"
            )
        g = settings.github
        if dry_run and list_path is not None:  # a local preview: GitHub is not asked anything
            local = FileList(list_path, key="--list")
            preview_only = PreviewPublisher(
                preview,
                path=str(list_path),
                title=g.pr_title,
                note=f"previewed against --list {list_path}: the repository {g.repo} and its open pull request "
                "were not read",
                rules=list_rules(settings),
                current=lambda: (local.read().text, None, None),
            )
            return local, preview_only, preview_only, preview_only
        repo = github_repo(settings, environ=environ, need_token=not dry_run, log=log)
        real = GitHubPublisher(
            repo,
            title=g.pr_title,
            labels=g.labels,
            rules=list_rules(settings),
            log=log,
            resolved=lambda: resolved_titles(cache_path(settings.state.path)),
        )
        if not dry_run:
            return repo, real, real, real
        shown = PreviewPublisher(
            preview,
            path=f"{settings.github.repo}:{settings.list.path}",
            title=settings.github.pr_title,
            rules=list_rules(settings),
            current=real.current,
            reconcile=real.reconcile,
            venue_review=real.venue_review,
            venues_of=real.open_venues,
        )
        return repo, shown, shown, shown
    path = list_path or settings.list.file
    local = FileList(path, key="--list" if list_path else "list.file")
    if not dry_run:
        return local, None, None, None
    shown = PreviewPublisher(
        preview,
        path=path.name if list_path is None else str(path),
        title=settings.github.pr_title,
        note="no pull request is opened: github.repo is empty; this is the change a pull request would make",
        rules=list_rules(settings),
        current=lambda: (local.read().text, None, None),
    )
    return local, shown, shown, shown


def run_adapters(
    settings: Settings,
    *,
    state: State,
    dry_run: bool,
    feeds: Sequence[str] | None,
    list_path: Path | None,
    limit: int | None,
    preview: Preview,
    log: Log,
    environ: Mapping[str, str] | None = None,
    window: tuple[date, date] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Run:
    """Everything one `watcher run` (or, with `window`, `watcher backfill`) needs.

    Delivery targets, in order: the pull request (so the digest can link it), then Slack. A new
    target is one adapter implementing ports.Target, its settings, and one line here."""
    dl = downloader(settings)
    api = arxiv_api(settings, dl)

    def backfill(first: date, last: date) -> ApiWindow:
        return ApiWindow(api, settings.arxiv.categories, first, last, progress=progress, log=log)

    url = settings.rss_feed_url()
    feed_source: FeedSource
    if window is not None:
        feed_source = backfill(*window)
    elif feeds:
        feed_source = SavedFeeds(dl, feeds, log=log)
    else:
        feed_source = RssFeeds(dl, url, etag=None if dry_run else state.fact(f"etag:{url}"), log=log)
    list_source, reviews, pull_request, venue_target = _pull_request(
        settings, dry_run=dry_run, list_path=list_path, preview=preview, log=log, environ=environ
    )
    venues = None
    if settings.venues.enabled and venue_target is not None and window is None:
        venues = VenueCheck(
            target=venue_target,
            metadata=ArxivMetadata(api, log=log),
            every=timedelta(days=settings.venues.every_days),
            most=settings.venues.max_per_check,
            resolved=lambda: resolved_titles(cache_path(settings.state.path)),
        )
    targets = [
        pull_request,
        slack_target(settings, dry_run=dry_run, preview=preview, log=log, environ=environ),
    ]
    return Run(
        list_source=list_source,
        feeds=feed_source,
        models=ModelStore(settings, dry_run=dry_run, log=log),
        state=state,
        reviews=reviews,
        targets=[t for t in targets if t is not None],
        announce_types=settings.arxiv.announce_types,
        headings=settings.list.headings,
        exclude_headings=settings.list.exclude_headings,
        dry_run=dry_run,
        limit=limit,
        backfill=backfill if window is None else None,
        auto_backfill=settings.backfill.auto,
        max_backfill_days=settings.backfill.max_days,
        holidays=HOLIDAYS | {date.fromisoformat(d) for d in settings.arxiv.holidays},
        venues=venues,
        log=log,
    )


def describe(settings: Settings, environ: Mapping[str, str] | None = None) -> list[str]:
    """What check-config prints: where everything comes from, never a secret's value."""

    def env_status(name: str) -> str:
        return f"${name} is set" if read_secret(name, environ) else f"${name} is NOT set"

    s = settings
    lines = [
        f"config: {s.source} is valid",
        f"arXiv feed: {s.rss_feed_url()} (announce types: {', '.join(s.arxiv.announce_types)})",
        f"arXiv API: {s.arxiv.api_url}",
    ]
    if s.github_enabled:
        lines.append(f"list: {s.github.repo}:{s.list.path} on {s.github.base_branch or 'the default branch'}")
        lines.append(
            f"GitHub: pull requests from branch {s.github.branch} via {s.github.base_url}, "
            f"token from {env_status(s.github.token_env)}"
        )
    else:
        lines.append(f"list: {s.list.file} (local file; no pull requests: github.repo is empty)")
    if s.slack.mode == "bot":
        lines.append(
            f"Slack: channel {s.slack.channel} via {s.slack.base_url}, token from {env_status(s.slack.token_env)}"
        )
    elif s.slack.mode == "webhook":
        lines.append(f"Slack: incoming webhook, URL from {env_status(s.slack.webhook_env)}")
    else:
        lines.append("Slack: off")
    lines.append(
        f"model: {s.classifier.model_dir} (target precision {s.classifier.target_precision:g}, "
        f"retrain {'on' if s.classifier.retrain else 'off'})"
    )
    lines.append(f"state: {s.state.path}")
    lines.append(f"schedule: {s.schedule.cron} ({s.schedule.timezone})")
    return lines


def missing_secrets(settings: Settings, environ: Mapping[str, str] | None = None) -> list[str]:
    """Config keys whose environment variable a real run needs but is unset."""
    missing = []
    if settings.slack.mode == "bot" and not read_secret(settings.slack.token_env, environ):
        missing.append(f"slack.token_env (${settings.slack.token_env})")
    if settings.slack.mode == "webhook" and not read_secret(settings.slack.webhook_env, environ):
        missing.append(f"slack.webhook_env (${settings.slack.webhook_env})")
    if settings.github_enabled and not read_secret(settings.github.token_env, environ):
        missing.append(f"github.token_env (${settings.github.token_env})")
    return missing
