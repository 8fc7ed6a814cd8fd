"""The command line: `watcher <command>`. Parses arguments and hands them to commands.py.

`main(argv) -> exit code`: 0 success (including "arXiv announced nothing"), 1 a run that
failed, 2 usage or configuration errors. A WatcherError is printed as one line on stderr
without a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import date
from typing import NoReturn

from . import __version__
from .commands import COMMANDS
from .errors import UsageError, WatcherError
from .workflow import DEFAULT_ACTION

log = logging.getLogger("watcher")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit code 2), not usage text plus a line."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help="config file (default: $WATCHER_CONFIG, else ./config.toml)")


def _add_paper_files(p: argparse.ArgumentParser, papers: str) -> None:
    """--papers, --feed and --metadata: what backtest and init read instead of arXiv."""
    p.add_argument("--papers", metavar="JSONL", action="append", default=[], help=f"{papers}; repeatable")
    p.add_argument("--feed", metavar="PATH", action="append", default=[], help="a saved arXiv feed; repeatable")
    p.add_argument(
        "--metadata", metavar="JSONL", action="append", default=[], help="list entries resolved to arXiv; repeatable"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="watcher",
        description="Keeps a curated list of research papers up to date from the daily arXiv announcements.",
    )
    parser.add_argument("--version", action="version", version=f"watcher {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each stage to stderr")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    p = sub.add_parser(
        "run",
        help="fetch today's announcements, score them, deliver proposals",
        description="Fetch today's arXiv announcements, propose the papers that belong "
        "on the list, post the Slack digest and update the pull request.",
    )
    _add_config(p)
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="show the Slack digest and the list diff instead of sending; record nothing",
    )
    p.add_argument(
        "--feed",
        action="append",
        metavar="PATH_OR_URL",
        help="read this saved feed (file or URL) instead of arXiv; repeatable",
    )
    p.add_argument("--list", metavar="PATH", help="use this local list file instead of the configured one")
    p.add_argument(
        "--limit",
        type=_positive_int,
        metavar="N",
        help="deliver at most N proposals this run; the rest wait for the next run",
    )
    p.add_argument("--json", action="store_true", help="print the run report as JSON on stdout")

    p = sub.add_parser(
        "backfill",
        help="propose papers from days the bot missed (arXiv API)",
        description="Fetch the watched categories from the arXiv API for papers submitted "
        "between --since and --until (UTC days), then score and deliver them "
        "through the same pipeline as `run`: nothing already seen is proposed again.",
    )
    _add_config(p)
    p.add_argument("--since", required=True, type=_date, metavar="DATE", help="first day (YYYY-MM-DD)")
    p.add_argument("--until", type=_date, metavar="DATE", help="last day (default: today)")
    p.add_argument("--dry-run", action="store_true", help="show what would be sent; record nothing")
    p.add_argument("--json", action="store_true", help="print the run report as JSON on stdout")

    p = sub.add_parser(
        "serve",
        help="run daily on the configured schedule until stopped",
        description="Run `watcher run` on schedule.cron in schedule.timezone. SIGTERM or "
        "Ctrl-C lets a running job finish, then exits 0.",
    )
    _add_config(p)

    p = sub.add_parser(
        "train",
        help="train the classifier from the list and paper files",
        description="Train the relevance and heading classifier. Positives: the list's "
        "entries (abstracts from --metadata where known) and accepted feedback; "
        "negatives: --background papers and rejected feedback.",
    )
    _add_config(p)
    p.add_argument("--list", metavar="PATH", help="the list (default: list.file from the config)")
    p.add_argument(
        "--metadata",
        metavar="JSONL",
        action="append",
        default=[],
        help="list entries resolved to arXiv (title, arxiv_id, abstract, categories), e.g. from "
        "`watcher enrich`; repeatable",
    )
    p.add_argument(
        "--background",
        metavar="JSONL",
        action="append",
        default=[],
        help="papers from the watched categories (labels ignored); repeatable",
    )
    p.add_argument(
        "--feedback",
        metavar="JSONL",
        action="append",
        default=[],
        help="reviewed papers: label relevant (+ section) = accepted, irrelevant = rejected; repeatable",
    )
    p.add_argument("--out", metavar="DIR", help="where to write the model (default: classifier.model_dir)")

    p = sub.add_parser(
        "score",
        help="score a paper file with a trained model",
        description="Write, per paper: arxiv_id, relevance, selected, heading, runner_up, heading_scores, reasons.",
    )
    _add_config(p)
    p.add_argument("--model", metavar="DIR", help="model directory (default: classifier.model_dir)")
    p.add_argument("--input", metavar="JSONL", required=True, help="papers to score")
    p.add_argument("--output", metavar="JSONL", required=True, help="where to write the scores")

    p = sub.add_parser(
        "eval",
        help="measure a model on labelled papers",
        description="Average precision, recall at precision 0.8, precision and recall at the "
        "model's threshold, heading accuracy (top-1, top-2). Replacements and "
        "papers already on the model's list are left out; uncertain papers are "
        "dropped, and reported again counted as relevant.",
    )
    _add_config(p)
    p.add_argument("--model", metavar="DIR", help="model directory (default: classifier.model_dir)")
    p.add_argument("--input", metavar="JSONL", required=True, help="papers with label (and section)")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")

    p = sub.add_parser(
        "enrich",
        help="resolve list titles to arXiv ids and abstracts",
        description="Look up every list entry on the arXiv API (by its arXiv link, else by "
        "title), at most one request every arxiv.api_delay seconds; answers are "
        "cached next to the state database, so each entry is looked up once.",
    )
    _add_config(p)
    p.add_argument("--list", metavar="PATH", help="the list (default: the configured list)")
    p.add_argument("--out", metavar="JSONL", help="write the resolved entries (usable as train --metadata)")

    p = sub.add_parser(
        "check-config",
        help="validate the config file and show where secrets come from",
        description="Load and validate the config; report each environment variable a "
        "real run would read, without showing any value. Exit 2 if the config "
        "is invalid or a secret a real run needs is not set.",
    )
    _add_config(p)

    p = sub.add_parser(
        "backtest",
        help="what the bot would have proposed on past days, trained on the list as it was",
        description="Train on the list as it was (--list FILE, or --at REV: the list file at a git revision), "
        "replay past announcement days (--papers files with a published day, or saved --feed files) in "
        "folds so no day is scored by a model that saw it, and compare with the list as it is now "
        "(--later FILE or --later-at REV; default: the configured list): the papers the maintainer "
        "added later that it would have proposed, where it ranked the ones it missed, proposals per "
        "day, and whether it chose their heading.",
    )
    _add_config(p)
    p.add_argument("--list", metavar="PATH", help="the list as it was (default: list.file)")
    p.add_argument("--at", metavar="REV", help="take the list file at this git revision")
    p.add_argument("--later", metavar="PATH", help="the list as it is now (default: list.file)")
    p.add_argument("--later-at", metavar="REV", help="take the later list at this git revision")
    _add_paper_files(p, "papers of past days")
    p.add_argument("--folds", type=_positive_int, default=5, metavar="N", help="models to train (default 5)")
    p.add_argument("--json", action="store_true", help="print every figure as JSON")

    p = sub.add_parser(
        "init",
        help="set watcher up in a clone of a list's repository",
        description="Find the list (README.md, or the Markdown file with the most paper entries), show "
        "what was read and the style new entries get, resolve the entries on the arXiv API (cached), "
        "learn the model from the list against recent papers of its categories and backtest it, then "
        "write the config, the model directory and .github/workflows/watcher.yml. An existing file "
        "is never overwritten without --force; running it again changes nothing.",
    )
    p.add_argument("--dir", default=".", metavar="DIR", help="the list repository's checkout (default: here)")
    p.add_argument("--list", metavar="PATH", help="the list file, relative to --dir (default: found)")
    p.add_argument("--repo", metavar="OWNER/NAME", help="the GitHub repository (default: the origin remote)")
    p.add_argument(
        "--config",
        metavar="PATH",
        help="where to write the config, relative to --dir (default: .watcher/config.toml; the model goes "
        "beside it in model/)",
    )
    p.add_argument("--force", action="store_true", help="rewrite existing files and retrain the model")
    p.add_argument("--retrain", action="store_true", help="retrain the model; keep the config and the workflow")
    p.add_argument(
        "--days",
        type=_positive_int,
        default=5,
        metavar="N",
        help="days of arXiv submissions to learn the background from (default 5)",
    )
    p.add_argument("--until", type=_date, metavar="DATE", help="last day of that window (default: today)")
    _add_paper_files(p, "background papers instead of the arXiv API")
    p.add_argument("--no-enrich", action="store_true", help="do not look the entries up on arXiv")
    p.add_argument("--embeddings", action="store_true", help="add the MiniLM embedding score (weights installed)")
    p.add_argument(
        "--arxiv-api", metavar="URL", help="the arXiv API endpoint (default: arXiv's; written to the config)"
    )
    p.add_argument(
        "--action", default=DEFAULT_ACTION, metavar="OWNER/NAME", help=f"the watcher action (default {DEFAULT_ACTION})"
    )
    p.add_argument("--action-ref", metavar="SHA", help="the commit to pin the action to (default: the installed one)")
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2025-05-21, got {text!r}") from None


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        daemon = args.command == "serve"  # the daemon logs every run, with timestamps
        _setup_logging(args.verbose or daemon, timestamps=daemon)
        command = COMMANDS[args.command]
        return command(args)
    except WatcherError as exc:
        print(f"watcher: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("watcher: interrupted", file=sys.stderr)
        return 130


def _setup_logging(verbose: bool, *, timestamps: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    fmt = "%(asctime)s watcher: %(message)s" if timestamps else "watcher: %(message)s"
    handler.setFormatter(logging.Formatter(fmt))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO if verbose else logging.WARNING)
    log.propagate = False


def entry_point() -> None:  # console script
    sys.exit(main())
