"""The bodies of the `watcher` commands: each takes the parsed arguments and returns an exit code.

cli.py parses the command line and calls these; these load the settings, build what they need
through build.py, run it, and print the outcome. Errors are raised as WatcherError (one line,
with its exit code), never printed here.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

from . import build, listedit, listfile, onboarding
from .backtest import Backtest, days_of
from .backtest import run as run_backtest
from .config import Settings, load_settings, parse_settings
from .dryrun import Preview
from .enrich import EnrichCache, Resolved, cache_path, enrich, suggest_categories
from .errors import EXIT_FAILED, EXIT_OK, ConfigError, ListFormatError, ModelError, UsageError, WatcherError
from .evaluation import evaluate
from .feeds import read_feed
from .fitting import Example, fit
from .model_store import learned_profile, listed_index, load_encoder, load_model, recipe_from, save_model
from .paper import Paper
from .paperfile import paper_row, read_papers, write_jsonl
from .pipeline import run_day
from .profile import Profile
from .report import RunReport
from .scoring import Scored
from .summary import job_summary
from .titles import title_key
from .training_data import examples_from_files, feedback_fingerprint, list_examples, list_fingerprint
from .workflow import installed_ref, render_workflow

log = logging.getLogger("watcher")
Log = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def config_path(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    if env := os.environ.get("WATCHER_CONFIG"):
        return Path(env)
    if Path("config.toml").exists():
        return Path("config.toml")
    raise ConfigError("no config file: pass --config PATH, set WATCHER_CONFIG, or run where config.toml is")


def settings_of(args: argparse.Namespace) -> Settings:
    return load_settings(config_path(args.config))


class Progress:
    """A one-line progress bar on a terminal: `[#####.....] 400/1234 papers`."""

    def __init__(self, stream: TextIO, unit: str = "papers") -> None:
        self.stream = stream
        self.unit = unit

    def __call__(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {self.unit}")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\n")


def _progress(unit: str = "papers") -> Progress | None:
    return Progress(sys.stderr, unit) if sys.stderr.isatty() else None


# -- the daily job ------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    preview = Preview()
    with build.open_state(settings, dry_run=args.dry_run) as state:
        adapters = build.run_adapters(
            settings,
            state=state,
            dry_run=args.dry_run,
            feeds=args.feed,
            list_path=Path(args.list) if args.list else None,
            limit=args.limit,
            preview=preview,
            log=log.info,
        )
        report = run_day(adapters)
    _print_report(report, preview if args.dry_run else None, as_json=args.json)
    write_job_summary(report)
    return EXIT_OK if report.ok else EXIT_FAILED


def backfill(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    until = args.until or date.today()
    if until < args.since:
        raise UsageError(f"--until {until} is before --since {args.since}")
    preview = Preview()
    progress = _progress()
    with build.open_state(settings, dry_run=args.dry_run) as state:
        adapters = build.run_adapters(
            settings,
            state=state,
            dry_run=args.dry_run,
            feeds=None,
            list_path=None,
            limit=None,
            preview=preview,
            log=log.info,
            window=(args.since, until),
            progress=progress,
        )
        report = run_day(adapters, command="backfill")
    if progress is not None:
        progress.done()
    _print_report(report, preview if args.dry_run else None, as_json=args.json)
    write_job_summary(report)
    return EXIT_OK if report.ok else EXIT_FAILED


def serve(args: argparse.Namespace) -> int:
    from .daemon import serve as serve_daily

    settings = settings_of(args)
    source = settings.source

    def job() -> None:
        # Each run re-reads the config, so an edited config takes effect at the next run.
        fresh = load_settings(source) if source else settings
        with build.open_state(fresh, dry_run=False) as state:
            adapters = build.run_adapters(
                fresh,
                state=state,
                dry_run=False,
                feeds=None,
                list_path=None,
                limit=None,
                preview=Preview(),
                log=log.info,
            )
            report = run_day(adapters)
        log.warning(report.summary_line())
        for failure in report.failures:
            log.error("%s: %s", failure.step, failure.message)

    missing = build.missing_secrets(settings)
    if missing:
        raise ConfigError("environment variables not set: " + ", ".join(missing))
    return serve_daily(settings.schedule, job)


def _print_report(report: RunReport, preview: Preview | None, *, as_json: bool) -> None:
    if as_json:
        data = report.to_json()
        if preview is not None:
            data["preview"] = preview.to_json()
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if preview is not None and report.ok:
        print(preview.render_text())
    for note in report.notes:
        print(note)
    print(report.summary_line())
    for failure in report.failures:
        print(f"watcher: error: {failure.step}: {failure.message}", file=sys.stderr)


def write_job_summary(report: RunReport, environ: Mapping[str, str] | None = None) -> None:
    """Append the report to $GITHUB_STEP_SUMMARY when running in GitHub Actions."""
    target = (os.environ if environ is None else environ).get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as f:
            f.write(job_summary(report))
    except OSError as exc:
        print(f"watcher: warning: cannot write the job summary ({exc.strerror or exc})")


def check_config(args: argparse.Namespace) -> int:
    from .daemon import cron_trigger

    settings = settings_of(args)
    for line in build.describe(settings):
        print(line)
    cron_trigger(settings.schedule)  # a bad cron line or time zone is a config error too
    for line in _list_summary(settings):
        print(line)
    missing = build.missing_secrets(settings)
    if missing:
        raise ConfigError("a real run needs environment variables that are not set: " + ", ".join(missing))
    return EXIT_OK


def _list_summary(settings: Settings) -> list[str]:
    """What check-config says about the list: read it as a run would (a local list that cannot
    be read is a config error; a repository that cannot be reached now is only reported)."""
    if not settings.github_enabled:
        try:
            return describe_list(read_list_file(settings.list.file, settings))
        except OSError as exc:
            raise ConfigError(f"list.file: cannot read the list {settings.list.file} ({exc.strerror or exc})") from None
    try:
        text = build.github_repo(settings, need_token=False, log=log.info).read().text
    except WatcherError as exc:
        return [f"list: cannot read it now ({exc.message})"]
    try:
        return describe_list(listfile.parse(text).excluding(settings.list.exclude_headings))
    except ListFormatError as exc:
        raise ConfigError(f"list.exclude_headings: {exc.message}") from None


# -- the model ----------------------------------------------------------------------------------


def train(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    out = Path(args.out) if args.out else settings.classifier.model_dir
    list_path = Path(args.list) if args.list else settings.list.file
    card = train_model(
        settings,
        list_path=list_path,
        metadata=[Path(p) for p in args.metadata],
        background=[Path(p) for p in args.background],
        feedback=[Path(p) for p in args.feedback],
        out=out,
        log=_stderr,
    )
    print(describe_card(card, out))
    return EXIT_OK


def train_model(
    settings: Settings,
    *,
    list_path: Path,
    metadata: list[Path],
    background: list[Path],
    feedback: list[Path],
    out: Path,
    log: Log = _stderr,
    describe: bool = True,
) -> dict[str, Any]:
    """Train on the list and paper files, write the model directory; returns its card.
    `describe`: log what was read from the list first (init has shown it already)."""
    try:
        doc = read_list_file(list_path, settings)
    except OSError as exc:
        raise UsageError(f"--list {list_path}: cannot read ({exc.strerror or exc})") from None
    for line in describe_list(doc) if describe else ():
        log(line)
    recipe = recipe_from(settings)
    examples = examples_from_files(
        doc, metadata=metadata, background=background, feedback=feedback, headings=settings.list.headings
    )
    log(f"training on {len(examples)} papers from {shown(list_path)} ({sum(e.label for e in examples)} positive)")
    overrides = settings.profile.as_mapping()

    def profile(rows: Sequence[Example]) -> Profile:  # learned anew in each fold: honest figures
        return learned_profile(rows, doc.headings).overridden_by(overrides)

    try:
        fitted = fit(
            examples,
            profile=profile,
            encoder=load_encoder(recipe),
            recipe=recipe,
            target_precision=settings.classifier.target_precision,
            headings=doc.headings,
            list_ids=[i for e in doc.target_entries for i in sorted(e.arxiv_ids)],
            log=log,
        )
    except ValueError as exc:
        raise UsageError(f"cannot train: {exc}") from None
    for line in fitted.model.profile.describe():
        log(line)
    for warning in fitted.checks.warnings:
        log(f"watcher: warning: {warning}")
    if not fitted.checks.passed:
        raise ModelError(f"training check failed, no model written: {fitted.checks.errors[0]}")
    reviewed = [
        (e.paper.arxiv_id, "accepted" if e.label else "rejected", e.heading)
        for e in examples
        if e.kind in ("accepted", "rejected")
    ]
    sources = {
        "list": str(list_path),
        "metadata": [str(p) for p in metadata],
        "background": [str(p) for p in background],
        "feedback": [str(p) for p in feedback],
    }
    return save_model(
        out,
        fitted,
        examples,
        list_fp=list_fingerprint(doc, settings.list.headings),
        feedback_fp=feedback_fingerprint(reviewed),
        target_precision=settings.classifier.target_precision,
        extra={"trained_from": sources},
    )


def read_list_file(path: Path, settings: Settings) -> listfile.ListDocument:
    """The list at `path`, with the sections the config excludes no longer targets."""
    try:
        return listfile.parse(path.read_text(encoding="utf-8")).excluding(settings.list.exclude_headings)
    except ListFormatError as exc:
        raise ConfigError(f"list.exclude_headings: {exc.message}") from None


def describe_list(doc: listfile.ListDocument) -> list[str]:
    """What the list holds, as read: paper entries per heading, and what was not read as a paper."""
    targets = doc.targets
    entries = doc.target_entries
    papers = len({next(iter(sorted(e.arxiv_ids)), "") or title_key(e.title) for e in entries})
    distinct = f" ({papers} distinct papers: some are under several headings)" if papers < len(entries) else ""
    lines = [f"list: {len(entries)} paper entries under {len(targets)} headings{distinct}"]
    lines += [f"  {s.name}: {len(s.entries)}" for s in targets]
    lines += [f"  {line}" for line in listfile.skip_report(doc)]
    return lines


def shown(path: Path) -> str:
    """A path as a user reads it: relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def describe_card(card: dict[str, Any], out: Path) -> str:
    c = card["training_counts"]
    cv = card.get("cross_validation", {})
    how = (
        "out-of-fold on reviewed papers"
        if cv.get("calibration") == "reviewed"
        else "estimated from held-out list entries vs background"
    )
    lines = [
        f"model {card['model_id']} written to {shown(out)}",
        f"  trained on {c['list']} list entries, {c['accepted']} accepted and {c['rejected']} rejected "
        f"papers, {c['background']} background papers ({cv.get('train_seconds', 0):.0f} s)",
        f"  proposes papers with relevance >= {card['threshold']['relevance']:.3f} "
        f"(target precision {card['target_precision']:g}; {how}: precision "
        f"{cv.get('cv_precision', float('nan')):.2f}, recall "
        f"{cv.get('cv_recall', cv.get('cv_list_recall', float('nan'))):.2f})",
    ]
    if "check_estimated_proposals_per_day" in cv:
        growth = cv.get("check_list_growth_per_day")
        lines.append(
            f"  about {cv['check_estimated_proposals_per_day']:.1f} proposals a day (of about "
            f"{cv.get('check_papers_per_day', 0):.0f} papers)"
            + (f"; the list grew by about {growth:.2f} entries a day over its last year" if growth is not None else "")
        )
    return "\n".join(lines)


def score(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    model = load_model(Path(args.model) if args.model else settings.classifier.model_dir)
    scored = model.score([r.paper for r in read_papers(Path(args.input))])
    n = write_jsonl(
        Path(args.output),
        (
            {
                "arxiv_id": s.paper.arxiv_id,
                "relevance": round(s.relevance, 6),
                "selected": s.selected,
                "heading": s.heading,
                "runner_up": s.runner_up,
                "heading_scores": dict(s.heading_scores),
                "reasons": s.to_json()["reasons"],
            }
            for s in scored
        ),
    )
    print(f"scored {n} papers -> {args.output}")
    return EXIT_OK


def evaluate_model(model_dir: Path, input_path: Path) -> dict[str, Any]:
    """Metrics of the model on a labelled paper file (replacements and listed papers left out)."""
    model = load_model(model_dir)
    rows = [r for r in read_papers(input_path) if r.label is not None]
    if not rows:
        raise UsageError(f'{input_path}: no labelled papers (field "label")')
    listed = listed_index(model)
    rows = [r for r in rows if not r.replacement and not listed.match(r.paper.arxiv_id, r.paper.title)]
    return evaluate(rows, model.score([r.paper for r in rows]), model.threshold)


def eval_(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    metrics = evaluate_model(Path(args.model) if args.model else settings.classifier.model_dir, Path(args.input))
    print(json.dumps(metrics, indent=2) if args.json else format_metrics(metrics))
    return EXIT_OK


def format_metrics(m: dict[str, Any]) -> str:
    lines = []
    for name, block in (
        ("headline (uncertain dropped)", m["headline"]),
        ("uncertain counted as relevant", m["uncertain_as_relevant"]),
    ):
        lines.append(f"{name}: {block['papers']} papers, {block['relevant']} relevant")
        lines.append(f"  average precision        {block['average_precision']:.3f}")
        lines.append(f"  recall at precision 0.8  {block['recall_at_precision_0.8']:.3f}")
        lines.append(
            f"  at the model's threshold precision {block['precision_at_threshold']:.3f}, "
            f"recall {block['recall_at_threshold']:.3f} ({block['proposed']} proposed)"
        )
        if block.get("heading_top1") is not None:
            lines.append(
                f"  heading accuracy         top-1 {block['heading_top1']:.3f}, top-2 {block['heading_top2']:.3f}"
            )
    return "\n".join(lines)


# -- backtest -----------------------------------------------------------------------------------


def _list_text(path: Path | None, rev: str | None, settings: Settings, what: str) -> tuple[str, str]:
    """A list's text and where it came from: a file, or the list file at a git revision."""
    if rev is not None:
        file = path or settings.list.file
        try:
            top = subprocess.run(
                ["git", "-C", str(file.parent), "rev-parse", "--show-toplevel"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            rel = file.resolve().relative_to(Path(top).resolve())
            shown = subprocess.run(
                ["git", "-C", top, "show", f"{rev}:{rel.as_posix()}"], capture_output=True, check=True
            ).stdout
        except (OSError, subprocess.CalledProcessError, ValueError) as exc:
            detail = (
                exc.stderr.decode(errors="replace").strip()
                if isinstance(exc, subprocess.CalledProcessError) and isinstance(exc.stderr, bytes)
                else str(exc)
            )
            raise UsageError(
                f"{what}: cannot read {file} at {rev} with git ({' '.join(detail.split())[:200]})"
            ) from None
        return shown.decode("utf-8"), f"{file} at {rev}"
    file = path or settings.list.file
    try:
        return file.read_text(encoding="utf-8"), str(file)
    except OSError as exc:
        raise UsageError(f"{what}: cannot read {file} ({exc.strerror or exc})") from None


def past_papers(settings: Settings, paper_files: Sequence[str], feeds: Sequence[str]) -> list[Paper]:
    """The papers of past days in paper files and saved feeds (a feed's papers get its day),
    without replacements, as a run would take them."""
    papers: list[Paper] = []
    for where in paper_files:
        papers += [r.paper for r in read_papers(Path(where)) if not r.replacement]
    if feeds:
        dl = build.downloader(settings)
        for where in feeds:
            batch = read_feed(dl, where)
            papers += [
                p if p.announced else replace(p, announced=batch.announced)
                for p in batch.papers
                if p.announce_type in settings.arxiv.announce_types or not p.announce_type
            ]
    return papers


def backtest(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    old_text, old_where = _list_text(Path(args.list) if args.list else None, args.at, settings, "--list/--at")
    later_text, later_where = _list_text(Path(args.later) if args.later else None, args.later_at, settings, "--later")
    papers = past_papers(settings, args.papers, args.feed)
    _stderr(f"backtest: {old_where} against {later_where}")
    result, notes = backtest_list(
        settings, old_text, later_text, papers, metadata=[Path(p) for p in args.metadata], folds=args.folds
    )
    if args.json:
        print(json.dumps({**result.to_json(), "training_check_errors": notes}, indent=2, ensure_ascii=False))
        return EXIT_OK
    for line in result.describe():
        print(line)
    for note in notes:
        print(f"  {note}")
    return EXIT_OK


def backtest_list(
    settings: Settings,
    old_text: str,
    later_text: str,
    papers: Sequence[Paper],
    *,
    metadata: Sequence[Path] = (),
    folds: int = 5,
    encoder_loader: Callable[[Any], Any] = load_encoder,
) -> tuple[Backtest, list[str]]:
    """Backtest the list `old_text` against `later_text` over the days of `papers`; also the
    training-check errors the fold models met (a model watcher train would refuse)."""
    exclude = settings.list.exclude_headings
    old, later = listfile.parse(old_text).excluding(exclude), listfile.parse(later_text).excluding(exclude)
    days = days_of(papers)
    if not days:
        raise UsageError(
            "backtest: no announcement days to replay (give --papers files with a published day, or --feed)"
        )
    known: dict[str, Paper] = {}
    for path in metadata:
        for row in read_papers(path):
            known[row.paper.arxiv_id or f"title:{title_key(row.paper.title)}"] = row.paper
    cache = cache_path(settings.state.path)
    if cache.exists():
        known.update({p.arxiv_id: p for p in EnrichCache(cache).papers()})
    recipe = recipe_from(settings)
    overrides = settings.profile.as_mapping()
    fits: list[str] = []  # per model trained: its first training-check error, "" when it passed

    def fit_once(examples: Sequence[Example]) -> Callable[[Sequence[Paper]], list[Scored]]:
        fitted = fit(
            examples,
            profile=lambda rows: learned_profile(rows, old.headings).overridden_by(overrides),
            encoder=encoder_loader(recipe),
            recipe=recipe,
            target_precision=settings.classifier.target_precision,
            headings=old.headings,
            list_ids=[i for e in old.target_entries for i in sorted(e.arxiv_ids)],
        )
        fits.append(fitted.checks.errors[0] if fitted.checks.errors else "")
        return fitted.model.score

    positives = list_examples(old, known, settings.list.headings)
    result = run_backtest(old, later, days, list_examples=positives, fit=fit_once, folds=folds)
    failed = [e for e in fits if e]
    notes = (
        [
            f"{len(failed)} of the {len(fits)} models failed a training check (watcher train would refuse "
            f"them): {failed[0]}"
        ]
        if failed
        else []
    )
    return result, notes


# -- enrichment ---------------------------------------------------------------------------------


def enrich_list(
    settings: Settings,
    *,
    list_path: Path | None,
    out: Path | None,
    log: Log = _stderr,
    progress: Callable[[int, int], None] | None = None,
) -> list[Resolved]:
    """Resolve the list's entries on the arXiv API (cached beside the state database)."""
    if list_path is None and settings.github_enabled:
        text = build.github_repo(settings, need_token=False, log=log).read().text
    else:
        path = list_path or settings.list.file
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{path}: cannot read the list ({exc.strerror or exc})") from None
    doc = listfile.parse(text)
    cache = EnrichCache(cache_path(settings.state.path))
    results = enrich(doc.entries, build.arxiv_api(settings), cache, log=log, progress=progress)
    if out is not None:
        write_jsonl(out, (r.to_json() for r in results))
    return results


def describe_enrichment(results: Sequence[Resolved], watched: Sequence[str]) -> list[str]:
    """What `watcher enrich` (and `watcher init`) report: how entries were found, which were not,
    and the arXiv categories the list's papers come from."""
    found = [r for r in results if r.paper is not None]
    by = Counter(r.how for r in found)
    lines = [
        f"resolved {len(found)} of {len(results)} list entries ({by['id']} by their arXiv link, {by['title']} by title)"
    ]
    lines += [f"  not found on arXiv: [{r.section}] {r.title}" for r in results if r.paper is None]
    cats, share = suggest_categories([r.paper for r in found if r.paper is not None])
    if cats:
        note = "" if set(cats) <= set(watched) else f"; arxiv.categories watches {', '.join(watched)}"
        lines.append(
            f"categories worth watching: {', '.join(cats)} (they carry {share:.0%} of the list's papers{note})"
        )
    return lines


def enrich_(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    progress = _progress("entries")
    results = enrich_list(
        settings,
        list_path=Path(args.list) if args.list else None,
        out=Path(args.out) if args.out else None,
        progress=progress,
    )
    if progress is not None:
        progress.done()
    for line in describe_enrichment(results, settings.arxiv.categories):
        print(line)
    return EXIT_OK


# -- watcher init -------------------------------------------------------------------------------

_SKIP_DIRS = {".git", ".github", "node_modules", ".venv", "venv", "site-packages", "_site", "vendor"}


def _git(root: Path, *args: str) -> str | None:
    """stdout of a git command in `root`, or None when git or the repository is not there."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def find_list(root: Path, given: str | None) -> tuple[str, list[onboarding.Candidate]]:
    """The list's path in the repository (`--list`, else onboarding.choose_list over its Markdown
    files) and the other files that hold paper entries."""
    if given:
        path = (root / given).resolve()
        if not path.is_file():
            raise UsageError(f"--list {given}: no such file in {root}")
        try:
            return path.relative_to(root).as_posix(), []
        except ValueError:
            raise UsageError(f"--list {given}: not inside the repository {root}") from None
    candidates = []
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root)
        if any(part in _SKIP_DIRS or part.startswith(".") for part in rel.parts[:-1]) or len(rel.parts) > 4:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        candidates.append(onboarding.Candidate(rel.as_posix(), onboarding.count_entries(text)))
    chosen, others = onboarding.choose_list(candidates)
    if chosen is None:
        raise UsageError(
            f"{root}: no Markdown file with at least {onboarding.MIN_ENTRIES} paper entries (links to arXiv or "
            "paper titles under headings); name the list with --list FILE"
        )
    return chosen.path, others


def describe_sections(doc: listfile.ListDocument, template: str = "") -> list[str]:
    """Each target section, its paper entries, and the lines a new paper would get there."""
    lines = []
    for s in doc.targets:
        lines.append(f"  {s.name}: {len(s.entries)} paper entr{'y' if len(s.entries) == 1 else 'ies'}, a new one reads")
        example = listedit.style_example(doc, s.name, template or None)
        lines += [f"      {line}" for line in example.splitlines()]
    return lines


def _background(
    settings: Settings, args: argparse.Namespace, days: int, log: Log, progress: Progress | None
) -> list[Paper]:
    """Papers of the watched categories to learn the background from: --papers/--feed files, else
    the last `days` days of submissions on the arXiv API."""
    papers = past_papers(settings, args.papers, args.feed)
    if papers:
        return papers
    from .sources import ApiWindow

    last = args.until or date.today()
    first = last - timedelta(days=days - 1)
    window = ApiWindow(build.arxiv_api(settings), settings.arxiv.categories, first, last, progress=progress, log=log)
    return [p for batch in window.fetch() for p in batch.papers]


def init_(args: argparse.Namespace) -> int:
    root = Path(args.dir).resolve()
    if not root.is_dir():
        raise UsageError(f"--dir {args.dir}: no such directory")
    force = args.force
    config_rel = PurePosixPath(args.config or ".watcher/config.toml")
    if config_rel.is_absolute() or ".." in config_rel.parts:
        raise UsageError(f"--config {config_rel}: must be a path inside the repository")
    config_file = root / config_rel
    out = sys.stdout

    # 1. the list, as read
    list_rel, others = find_list(root, args.list)
    list_path = root / list_rel
    text = list_path.read_text(encoding="utf-8")
    doc = listfile.parse(text)
    also = (
        f"; other files with paper entries: {', '.join(f'{c.path} ({c.entries})' for c in others[:3])}"
        if others
        else ""
    )
    print(f"list: {list_rel}{also}", file=out)
    for line in describe_list(doc):
        print(line, file=out)
    print("entry style, per section:", file=out)
    for line in describe_sections(doc):
        print(line, file=out)

    repo = args.repo or onboarding.repo_from_remote(_git(root, "remote", "get-url", "origin") or "") or ""
    print(
        f"repository: {repo or 'unknown (no github.com remote named origin): set github.repo in the config'}", file=out
    )

    # 2. the settings: the config kept as it is, or the one this run writes
    keep_config = config_file.exists() and not force
    choices = onboarding.ConfigChoices(
        list_path=list_rel,
        list_file=onboarding.relative_to(PurePosixPath(list_rel), config_rel.parent),
        repo=repo,
        categories=(),
        category_share=0.0,
        resolved=0,
        position=onboarding.infer_position(doc),
        embeddings=args.embeddings,
        api_url=args.arxiv_api or "",
        written_on=date.today(),
    )
    try:
        settings = (
            load_settings(config_file)
            if keep_config
            else parse_settings(onboarding.render_config(choices), source=config_file)
        )
    except ConfigError as exc:
        raise ConfigError(f"{config_file}: {exc.message} (fix it, or rewrite it with --force)") from None
    if keep_config and args.arxiv_api:
        settings = replace(settings, arxiv=replace(settings.arxiv, api_url=args.arxiv_api))

    # 3. the entries on arXiv, and the categories to watch
    known: list[Paper] = []
    for where in args.metadata:
        known += [r.paper for r in read_papers(Path(where))]
    if args.no_enrich:
        print(f"arXiv lookups skipped (--no-enrich); {len(known)} papers from --metadata", file=out)
    else:
        progress = _progress("entries")
        results = enrich_list(settings, list_path=list_path, out=None, log=_stderr, progress=progress)
        if progress is not None:
            progress.done()
        for line in describe_enrichment(results, settings.arxiv.categories):
            print(line, file=out)
        known += [r.paper for r in results if r.paper is not None]
    cats, share = suggest_categories(known)
    if not keep_config and cats:
        choices = replace(choices, categories=tuple(cats), category_share=share, resolved=len(known))
        settings = parse_settings(onboarding.render_config(choices), source=config_file)

    # 4. the model
    model_dir = settings.classifier.model_dir
    state_dir = settings.state.path.parent
    trained = False
    if (model_dir / "card.json").exists() and not (force or args.retrain):
        print(f"model: kept the one in {model_dir} (--retrain rebuilds it)", file=out)
        try:
            print(describe_card(json.loads((model_dir / "card.json").read_text(encoding="utf-8")), model_dir), file=out)
        except (OSError, ValueError, KeyError) as exc:
            print(f"watcher: warning: {model_dir / 'card.json'} cannot be read ({exc}): rebuild it with --retrain")
    else:
        progress = _progress("background papers")
        background = _background(settings, args, args.days, _stderr, progress)
        if progress is not None:
            progress.done()
        if not background:
            raise UsageError(
                "no background papers to learn from: arXiv returned none for the window (give --papers or --feed)"
            )
        state_dir.mkdir(parents=True, exist_ok=True)
        metadata_file, background_file = state_dir / "init-metadata.jsonl", state_dir / "init-background.jsonl"
        write_jsonl(metadata_file, (paper_row(p) for p in known))
        write_jsonl(background_file, (paper_row(p) for p in background))
        print(
            f"learning from the list and {len(background)} background papers of {', '.join(settings.arxiv.categories)}",
            file=out,
        )
        card = train_model(
            settings,
            list_path=list_path,
            metadata=[metadata_file],
            background=[background_file],
            feedback=[],
            out=model_dir,
            log=_stderr,
            describe=False,
        )
        trained = True
        print(describe_card(card, model_dir), file=out)
        for line in _init_backtest(root, list_rel, text, settings, background, metadata_file):
            print(line, file=out)

    # 5. the files
    wrote: list[str] = []

    def write(rel: PurePosixPath, content: str) -> None:
        path = root / rel
        if path.exists() and not force:
            same = path.read_text(encoding="utf-8") == content
            print(f"kept {rel}" + ("" if same else " (exists; --force rewrites it)"), file=out)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        wrote.append(str(rel))

    if not keep_config:
        write(config_rel, onboarding.render_config(choices))
    else:
        print(f"kept {config_rel}", file=out)
    write(config_rel.parent / ".gitignore", onboarding.GITIGNORE)
    workflow_rel = PurePosixPath(".github/workflows/watcher.yml")
    ref = args.action_ref or installed_ref()
    if ref is None:
        print(
            "watcher: warning: cannot tell which watcher commit to pin the action to (watcher was not installed "
            f"from git): {workflow_rel} not written; pass --action-ref SHA",
            file=out,
        )
    else:
        try:
            workflow = render_workflow(action=args.action, ref=ref, config_path=config_rel.as_posix())
        except ValueError as exc:
            raise UsageError(f"--action/--action-ref: {exc}") from None
        write(workflow_rel, workflow)
    for rel in wrote:
        print(f"wrote {rel}", file=out)
    if trained:
        print(f"wrote {model_dir.relative_to(root) if model_dir.is_relative_to(root) else model_dir}/", file=out)
    print("next steps:", file=out)
    for line in onboarding.next_steps(
        repo=repo, config=config_rel.as_posix(), workflow=workflow_rel.as_posix(), list_file=list_rel
    ):
        print(line, file=out)
    return EXIT_OK


def _init_backtest(
    root: Path, list_rel: str, text: str, settings: Settings, background: Sequence[Paper], metadata: Path
) -> list[str]:
    """The backtest `watcher init` prints: the list as it was before the background days (from
    git, when the history has it) against the list now, over those days."""
    days = sorted(days_of(background))
    if not days:
        return ["backtest: the background papers carry no day, nothing to replay"]
    rev = _git(root, "log", "-1", f"--before={days[0]}T00:00:00Z", "--format=%H", "--", list_rel)
    old_text = text
    if rev:
        old = _git(root, "show", f"{rev}:{list_rel}")
        old_text = old + "\n" if old is not None else text
    result, notes = backtest_list(settings, old_text, text, background, metadata=[metadata], folds=3)
    lines = result.describe()
    if not rev:
        lines.append("  (no git history of the list before these days: papers added since cannot be counted)")
    lines += [f"  {n}" for n in notes]
    return lines


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": run,
    "backfill": backfill,
    "serve": serve,
    "train": train,
    "score": score,
    "eval": eval_,
    "enrich": enrich_,
    "check-config": check_config,
    "backtest": backtest,
    "init": init_,
}
