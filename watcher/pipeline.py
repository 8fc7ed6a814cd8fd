"""One run of the bot, stage by stage, over ports that are passed in. No client is built here.

read list -> read review outcomes -> fetch arXiv (and backfill missed days) -> filter -> score
-> record -> deliver to each target in turn -> venue updates (read what became of earlier
venue proposals; once a week, propose venues for listed papers arXiv says are published).

Exactly once: a paper is recorded as "proposed" before any delivery, and each target marks it
delivered under its own name only after that target confirmed it. A delivery that failed leaves
the paper pending for that target, and the next run delivers it. Papers found in the bot's pull
requests or in a target's history count as handled even when the local state was lost.

Each stage is a function run inside `_stage`, which times it and labels its failure with its
name: a failure before delivery stops the run (nothing half-recorded is delivered), a failure
of one target does not keep the others from theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from . import glance, listfile, venue_updates
from .arxiv_calendar import HOLIDAYS, missing_days, submission_window
from .errors import ConfigError, ListFormatError, UsageError, WatcherError
from .feeds import announced_day, merge_papers
from .listfile import ListDocument
from .paper import Paper
from .ports import (
    Decision,
    Delivery,
    Dispatch,
    FeedBatch,
    FeedSource,
    ListSource,
    MetadataSource,
    ModelProvider,
    Reconciliation,
    ReviewSource,
    Target,
    VenueOutcome,
    VenueTarget,
    VenueUpdate,
)
from .report import RunReport
from .scoring import Neighbour, Scored, Scorer
from .state import State
from .titles import TitleIndex


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class VenueCheck:
    """The venue updates' ports: where venues are proposed and read back (the pull request), and
    the metadata of listed papers (the arXiv API)."""

    target: VenueTarget
    metadata: MetadataSource
    every: timedelta = timedelta(days=7)  # venues.every_days
    most: int | None = None  # venues.max_per_check
    # title key -> arXiv id for entries without a link (`watcher enrich`'s exact-title hits); read
    # inside the stage, so a broken cache fails the venue check, not the run
    resolved: Callable[[], Mapping[str, str]] = dict


VENUES_CHECKED = "venues:checked"  # the fact: when the last venue check completed (ISO, UTC)


@dataclass
class Run:
    """The ports one run is composed of (built by `build.run_adapters`, or by a test)."""

    list_source: ListSource
    feeds: FeedSource
    models: ModelProvider
    state: State
    reviews: ReviewSource | None = None  # the bot's pull requests: what was proposed and decided
    targets: Sequence[Target] = ()  # delivered in this order (the pull request before the digest)
    announce_types: tuple[str, ...] = ("new", "cross")
    headings: tuple[str, ...] = ()  # headings the bot may file under; () = every heading
    exclude_headings: tuple[str, ...] = ()  # headings it neither files under nor learns from
    dry_run: bool = False
    limit: int | None = None
    # Missed announcement days: `backfill(first, last)` gives a source for papers submitted on
    # those days (the arXiv API); with auto_backfill off the gap is only reported, loudly.
    backfill: Callable[[date, date], FeedSource] | None = None
    auto_backfill: bool = True
    max_backfill_days: int = 10
    holidays: frozenset[date] = HOLIDAYS  # days arXiv announces nothing (weekends aside)
    venues: VenueCheck | None = None  # None: no venue updates (off, or no pull request to propose them in)
    clock: Callable[[], datetime] = _utc_now  # for the venue check's cadence
    log: Callable[[str], None] = lambda line: None


class _Stopped(Exception):
    """A stage before delivery failed; its failure is in the report."""


@dataclass
class _Outcome:
    failed: bool = False


@contextmanager
def _stage(report: RunReport, name: str, *, fatal: bool = True) -> Iterator[_Outcome]:
    """Time the block under `name`; a WatcherError in it becomes a failure labelled `name`
    (and stops the run when `fatal`). A UsageError is the caller's mistake: exit code 2."""
    outcome = _Outcome()
    with report.timed(name):
        try:
            yield outcome
        except UsageError:
            raise
        except WatcherError as exc:
            report.fail(name, exc)
            outcome.failed = True
            if fatal:
                raise _Stopped from None


@dataclass
class _Day:
    """What the stages before delivery established."""

    doc: ListDocument | None = None  # the list as read
    recon: Reconciliation = field(default_factory=Reconciliation)
    rejected: frozenset[str] = frozenset()
    held: dict[str, frozenset[str]] = field(default_factory=dict)  # per target: ids it already shows


def run_day(run: Run, command: str = "run") -> RunReport:
    """Run every stage; a failure before delivery stops the run, a delivery failure does not."""
    report = RunReport(command=command, dry_run=run.dry_run)
    day = _Day()
    run_id = None if run.dry_run else run.state.start_run(command)
    crashed = None
    try:
        try:
            _prepare(run, report, day)
        except _Stopped:
            return report
        _deliver(run, report, day, run_id)
        _venues(run, report, day)
    except WatcherError as exc:  # a usage or configuration error, raised through the stages
        report.fail("configuration", exc)
        raise
    except Exception as exc:  # a bug: the run is recorded as failed, the traceback goes to the caller
        crashed = f"crashed: {type(exc).__name__}"
        raise
    finally:
        if run_id is not None:
            run.state.finish_run(
                run_id,
                outcome="ok" if report.ok and crashed is None else "failed",
                counts=dict(report.counts),
                announced=report.announced,
                error="; ".join(f"{f.step}: {f.message}" for f in report.failures) or crashed,
            )
    return report


def _prepare(run: Run, report: RunReport, day: _Day) -> None:
    with _stage(report, "read list"):
        doc, index = _read_list(run, report)
        day.doc = doc
    with _stage(report, "read review outcomes", fatal=False):
        day.recon = run.reviews.reconcile() if run.reviews is not None else Reconciliation()
        # Go on without on failure: the targets' own histories still prevent repeats, and the
        # pull request checks its branch before adding anything.
    with _stage(report, "record review outcomes"):
        day.rejected = _record_reviews(run, report, day.recon)
    with _stage(report, "read target histories"):
        day.held = {t.name: t.holds() for t in run.targets}
    with _stage(report, "fetch arXiv"):
        batches = run.feeds.fetch()
        _note_feed(report, batches)
    with _stage(report, "backfill missed days", fatal=False) as backfill:
        batches = batches + _backfill_gap(run, report)  # today's papers still go out; the gap is retried
    with _stage(report, "filter"):
        handled = day.rejected.union(*day.held.values())
        fresh = _filter(run, report, batches, index, day.recon, handled)
    with _stage(report, "load model"):
        scorer = run.models.scorer(doc, run.state)
        report.model = scorer.model_id
    with _stage(report, "score"):
        scored = _score(run, report, scorer, fresh)
    with _stage(report, "record"):
        if not run.dry_run:
            _record(run, report, scorer, scored, batches, gap_closed=not backfill.failed)


def _read_list(run: Run, report: RunReport) -> tuple[ListDocument, TitleIndex]:
    snapshot = run.list_source.read()
    doc = listfile.parse(snapshot.text)
    try:
        doc = doc.excluding(run.exclude_headings)
    except ListFormatError as exc:
        raise ConfigError(f"list.exclude_headings: {exc.message} in the list {snapshot.where}") from None
    for heading in run.headings:
        if not doc.has_heading(heading):
            known = ", ".join(repr(h) for h in doc.headings) or "none"
            raise ConfigError(
                f"list.headings: {heading!r} is not a heading of the list {snapshot.where} (headings: {known})"
            )
    index = TitleIndex(doc.listed())  # entries, and papers linked anywhere else on the list
    report.counts["list_entries"] = len(doc.entries)
    return doc, index


def _record_reviews(run: Run, report: RunReport, recon: Reconciliation) -> frozenset[str]:
    """Store the verdicts the review source found; return every paper reviewers rejected."""
    if recon.feedback and not run.dry_run:
        with run.state.transaction() as db:
            report.counts["feedback_recorded"] = run.state.record_feedback(db, recon.feedback)
    stored = {f.arxiv_id for f in run.state.feedback() if f.outcome == "rejected"}
    return frozenset(stored | {f.arxiv_id for f in recon.feedback if f.outcome == "rejected"})


def _note_feed(report: RunReport, batches: Sequence[FeedBatch]) -> None:
    report.announced = announced_day(batches)
    if batches and all(b.not_modified for b in batches):
        report.notes.append("the arXiv feed has not changed since the last run (HTTP 304)")
    elif not any(b.papers for b in batches):
        when = report.announced.isoformat() if report.announced else "this day"
        report.notes.append(f"arXiv announced nothing on {when}")


def _backfill_gap(run: Run, report: RunReport) -> list[FeedBatch]:
    """Papers of announcement days missed since the last run (none when nothing was missed)."""
    last = run.state.fact("last_announced")
    if report.announced is None or last is None:
        return []
    missed = missing_days(date.fromisoformat(last), report.announced, run.holidays)
    if not missed:
        return []
    names = ", ".join(d.isoformat() for d in missed)
    report.counts["missed_days"] = len(missed)
    if run.backfill is None or not run.auto_backfill:
        report.notes.append(
            f"MISSED {len(missed)} announcement day(s) since the last run ({names}): "
            f"run `watcher backfill --since {missed[0].isoformat()}`"
        )
        return []
    days = missed[-run.max_backfill_days :] if run.max_backfill_days else []
    if len(days) < len(missed):
        since = missed[0].isoformat()
        report.notes.append(
            f"MISSED {len(missed) - len(days)} announcement day(s) beyond backfill.max_days "
            f"({since} onwards): run `watcher backfill --since {since}`"
        )
    if not days:
        return []
    first, last_day = submission_window(days)
    batches = run.backfill(first, last_day).fetch()
    report.counts["backfilled"] = sum(len(b.papers) for b in batches)
    report.notes.append(
        f"backfilled {len(days)} missed announcement day(s) from the arXiv API "
        f"({', '.join(d.isoformat() for d in days)})"
    )
    return batches


def _filter(
    run: Run,
    report: RunReport,
    batches: Sequence[FeedBatch],
    index: TitleIndex,
    recon: Reconciliation,
    handled: frozenset[str],
) -> list[Paper]:
    """The configured announce types, one paper per id, none already listed or handled."""
    papers = merge_papers(batches)
    report.counts["fetched"] = sum(len(b.papers) for b in batches)
    report.counts["unique"] = len(papers)
    kept = []
    for paper in papers:
        report.counts[f"type:{paper.announce_type or 'unknown'}"] += 1
        if paper.announce_type and paper.announce_type not in run.announce_types:
            report.counts["skipped_type"] += 1
        else:
            kept.append(paper)
    for key in [k for k in report.counts if k.startswith("type:")]:
        if key[5:] not in run.announce_types and key != "type:unknown":
            del report.counts[key]
    report.counts["kept"] = len(kept)

    known = run.state.known(p.arxiv_id for p in kept)
    fresh = []
    for paper in kept:
        if index.match(paper.arxiv_id, paper.title, paper.doi):
            report.counts["already_listed"] += 1
        elif paper.arxiv_id in known or paper.arxiv_id in handled or paper.arxiv_id in recon.proposed:
            report.counts["already_seen"] += 1  # seen, rejected, in a target's history, or in a bot PR
        else:
            fresh.append(paper)
    return fresh


def _score(run: Run, report: RunReport, scorer: Scorer, fresh: Sequence[Paper]) -> list[Scored]:
    scored = scorer.score(fresh) if fresh else []
    report.counts["scored"] = len(scored)
    scored = [_restrict(s, run.headings) for s in scored] if run.headings else scored
    report.proposals = sorted((s for s in scored if s.selected), key=_best_first)
    report.counts["proposed"] = len(report.proposals)
    return scored


def _record(
    run: Run,
    report: RunReport,
    scorer: Scorer,
    scored: Sequence[Scored],
    batches: Sequence[FeedBatch],
    *,
    gap_closed: bool,
) -> None:
    """Every decision, the feed's ETag and the day, and the targets first used now: one transaction."""
    with run.state.transaction() as db:
        for target in run.targets:  # a target first used today receives today's papers onwards
            run.state.register_target(db, target.name)
        run.state.record(db, [_decision(s, scorer.model_id) for s in scored])
        for batch in batches:
            if batch.etag and gap_closed:  # else a same-day re-run must see the day again
                run.state.set_fact(db, f"etag:{batch.source}", batch.etag)
        last = run.state.fact("last_announced")
        if report.announced and gap_closed and (last is None or report.announced.isoformat() > last):
            run.state.set_fact(db, "last_announced", report.announced.isoformat())


def _best_first(s: Scored) -> tuple[float, ...]:
    """The standing orders proposals where the probability is 1.00 for most of them."""
    return tuple(-x for x in glance.Score(s.standing, s.lead, s.relevance).rank)


def _restrict(s: Scored, headings: Sequence[str]) -> Scored:
    """Keep only the configured headings (when the config narrows them)."""
    allowed = {listfile.heading_key(h) for h in headings}
    scores = {h: p for h, p in s.heading_scores.items() if listfile.heading_key(h) in allowed}
    if not scores:
        return s
    ranked = sorted(scores, key=lambda h: -scores[h])
    runner = ranked[1] if len(ranked) > 1 else ranked[0]
    return replace(s, heading=ranked[0], runner_up=runner, heading_scores=scores)


def _decision(s: Scored, model: str) -> Decision:
    return Decision(
        paper=s.paper,
        decision="proposed" if s.selected else "below_threshold",
        relevance=s.relevance,
        heading=s.heading,
        runner_up=s.runner_up,
        heading_scores=dict(s.heading_scores),
        reasons={
            "nearest": [[n.title, n.heading, n.similarity] for n in s.nearest],
            "terms": list(s.terms),
            "standing": s.standing,
            "lead": s.lead,
        },
        model=model,
    )


def scored_from(d: Decision) -> Scored:
    """A stored proposal back as a Scored, for delivery on a later run."""
    reasons = d.reasons or {}
    return Scored(
        paper=d.paper,
        relevance=d.relevance or 0.0,
        selected=d.decision == "proposed",
        heading=d.heading or "",
        runner_up=d.runner_up or "",
        heading_scores=d.heading_scores or {},
        nearest=tuple(Neighbour(t, h, s) for t, h, s in reasons.get("nearest", [])),
        terms=tuple(reasons.get("terms", [])),
        standing=reasons.get("standing"),  # absent from decisions recorded before it was kept
        lead=float(reasons.get("lead") or 0.0),
    )


# -- delivery -----------------------------------------------------------------------------------


def _pending(run: Run, report: RunReport, target: Target, rejected: frozenset[str]) -> list[Scored]:
    """What `target` still has to receive: earlier proposals it missed (unless a reviewer has
    rejected them meanwhile), then today's, best first."""
    today = {s.paper.arxiv_id for s in report.proposals}
    stored = [scored_from(d) for d in run.state.pending(target.name) if d.paper.arxiv_id not in rejected]
    earlier = [s for s in stored if s.paper.arxiv_id not in today]
    if run.dry_run:  # nothing was recorded: today's proposals are not in the state yet
        todays = list(report.proposals)
    else:
        todays = sorted((s for s in stored if s.paper.arxiv_id in today), key=_best_first)
    report.counts["carried_over"] = max(report.counts["carried_over"], len(earlier))
    items = earlier + todays
    return items[: run.limit] if run.limit is not None else items


def _deliver(run: Run, report: RunReport, day: _Day, run_id: int | None) -> None:
    report.pr_url = day.recon.open_pr_url
    for target in run.targets:
        with _stage(report, f"deliver to {target.label}", fatal=False):
            _deliver_to(run, report, day, run_id, target)


def _deliver_to(run: Run, report: RunReport, day: _Day, run_id: int | None, target: Target) -> None:
    report.target(target.name, target.label)
    items = _pending(run, report, target, day.rejected)
    held = day.held.get(target.name, frozenset())
    already = [s.paper.arxiv_id for s in items if s.paper.arxiv_id in held]
    if already:  # delivered by a run that died before it could record it
        _mark(run, report, target, Delivery(ref="found in the target's history", delivered=frozenset(already)), run_id)
        items = [s for s in items if s.paper.arxiv_id not in held]
    # "No new papers" is said once per announcement day, like any digest, and not at all when the
    # feed did not change (HTTP 304: no day to speak of).
    empty_key = f"empty_digest:{target.name}:{report.announced.isoformat() if report.announced else ''}"
    if not items and not (target.says_empty and report.announced and not run.state.fact(empty_key)):
        return
    dispatch = Dispatch(day=report.announced, review_url=report.pr_url, notes=tuple(report.notes))
    done = target.deliver(items, dispatch)
    if done is None:
        return
    report.pr_url = done.url or report.pr_url
    _mark(run, report, target, done, run_id)
    if not items and not run.dry_run:
        with run.state.transaction() as db:
            run.state.set_fact(db, empty_key, done.ref)


def _mark(run: Run, report: RunReport, target: Target, done: Delivery, run_id: int | None) -> None:
    """Record a (possibly partial) delivery: only what the target confirmed counts."""
    entry = report.target(target.name, target.label)
    entry.delivered = sorted(set(entry.delivered) | done.delivered)
    entry.ref = done.ref if done.delivered else entry.ref
    entry.url = done.url or entry.url
    report.counts[f"delivered:{target.name}"] = len(entry.delivered)
    if done.error:
        report.fail(f"deliver to {target.label}", done.error)
    if run.dry_run or not done.delivered:
        return
    with run.state.transaction() as db:
        run.state.mark_delivered(db, done.delivered, target=target.name, ref=done.ref, run_id=run_id)


# -- venue updates ------------------------------------------------------------------------------


def _venues(run: Run, report: RunReport, day: _Day) -> None:
    """After the new papers: record what became of earlier venue proposals (every run), then,
    when the last completed check is `every` old, propose venues. A failure here is the run's
    failure, but the new papers have gone out by now; the check is not marked done, so the next
    run tries again."""
    check = run.venues
    if check is None or day.doc is None:
        return
    outcomes: tuple[VenueOutcome, ...] = ()
    with _stage(report, "read venue outcomes", fatal=False) as read:
        outcomes = check.target.venue_review()
        if outcomes and not run.dry_run:
            with run.state.transaction() as db:
                report.counts["venue_outcomes_recorded"] = run.state.record_venue_outcomes(db, outcomes)
    if read.failed:
        return  # without the pull requests' word, a venue line a maintainer deleted could come back
    now = run.clock()
    if (last := _checked_at(run.state.fact(VENUES_CHECKED))) is not None and now < last + check.every:
        return
    with _stage(report, "venue updates", fatal=False):
        _propose_venues(run, report, day.doc, check, outcomes, now)


def _checked_at(fact: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(fact) if fact else None
    except ValueError:  # not a time this code wrote: check now, and write one
        return None


def _known_venues(run: Run, outcomes: Sequence[VenueOutcome]) -> dict[tuple[str, str], str]:
    """Every venue proposed before and its status: the state's, and what the pull requests show
    (a dry run records nothing, and a lost state is rebuilt from them)."""
    known = run.state.venues()
    for o in outcomes:
        if known.get((o.arxiv_id, o.venue), venue_updates.PROPOSED) == venue_updates.PROPOSED:
            known[(o.arxiv_id, o.venue)] = o.outcome
    return known


def _propose_venues(
    run: Run, report: RunReport, doc: ListDocument, check: VenueCheck, outcomes: Sequence[VenueOutcome], now: datetime
) -> None:
    listed = venue_updates.listed_papers(doc, check.resolved())
    report.counts["venues_checked"] = len(listed)
    applied: tuple[VenueUpdate, ...] = ()
    ref = ""
    if not venue_updates.records_venues(doc):
        report.notes.append(
            "venue updates: the list writes no venues (no venue lines, tags or venue column), so none are proposed"
        )
    elif not listed:
        report.notes.append(
            f"venue updates: none of the list's {len(doc.entries)} entries has an arXiv id "
            "(a link, or an exact title found by `watcher enrich`)"
        )
    else:
        papers = check.metadata.papers([p.arxiv_id for p in listed])
        plan = venue_updates.plan(doc, listed, papers, _known_venues(run, outcomes), now.date(), most=check.most)
        for reason, n in plan.skipped.items():
            report.counts[f"venues_{reason}"] = n
        done = check.target.propose_venues(plan.updates)
        applied, ref = done.applied, done.ref
        report.venue_updates = list(applied)
        report.counts["venues_proposed"] = len(applied)
        report.pr_url = done.url or report.pr_url
        if plan.skipped["later"]:
            report.notes.append(
                f"venue updates: {plan.skipped['later']} more left for the next check (venues.max_per_check = "
                f"{check.most})"
            )
        if len(applied) < len(plan.updates):
            report.notes.append(
                f"venue updates: {len(plan.updates) - len(applied)} left for the next check "
                "(their entries changed on the bot's branch)"
            )
    if run.dry_run:
        return
    with run.state.transaction() as db:
        run.state.record_venue_proposals(db, applied, int(ref) if ref.isdigit() else None)
        run.state.set_fact(db, VENUES_CHECKED, now.isoformat(timespec="seconds"))
