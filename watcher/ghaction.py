"""What action.yml needs from a config (the state directory to cache): `python -m watcher.ghaction`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import load_settings
from .errors import EXIT_OK, ConfigError, WatcherError


@dataclass(frozen=True)
class ActionFacts:
    state_dir: str  # relative to the workspace when inside it: the cache path must not change between runs
    state_db: str
    embeddings: bool  # install the embedding weights

    def outputs(self) -> str:
        return f"state-dir={self.state_dir}\nstate-db={self.state_db}\nembeddings={str(self.embeddings).lower()}\n"


def action_facts(config: Path, workspace: Path, *, embeddings: str = "auto") -> ActionFacts:
    """Where the state of `config` lives, as the action must cache it, and whether to install the
    embedding weights (`embeddings`: the action's input, auto/true/false); a ConfigError if it cannot work.

    The state directory is the one holding `state.path` (the database, retrained models and the
    enrichment cache live there), exactly as watcher resolves it: relative to the config file.
    """
    settings = load_settings(config)
    db = settings.state.path.resolve()
    state_dir = db.parent
    workspace = workspace.resolve()
    if workspace.is_relative_to(state_dir) or config.resolve().is_relative_to(state_dir):
        raise ConfigError(
            f"{config}: state.path = {db} is not in a directory of its own: the action caches the "
            f"whole directory of the state database, so give it one (the default is state/watcher.sqlite3)"
        )
    wanted = settings.classifier.embeddings
    if wanted and embeddings == "false":
        raise ConfigError(
            f"{config}: classifier.embeddings = true, but the action was told not to install the "
            f"embedding weights (embeddings: false): set one of them the other way"
        )
    install = embeddings == "true" or wanted

    def shown(p: Path) -> str:
        text = str(p.relative_to(workspace)) if p.is_relative_to(workspace) else str(p)
        if "\n" in text or "\r" in text:
            raise ConfigError(f"{config}: state.path must not contain a line break")
        return text

    return ActionFacts(state_dir=shown(state_dir), state_db=shown(db), embeddings=install)


def main(argv: Sequence[str] | None = None) -> int:
    """Print `key=value` lines for $GITHUB_OUTPUT; or one error line, exit 2 (a config error)."""
    parser = argparse.ArgumentParser(prog="python -m watcher.ghaction", description=__doc__)
    parser.add_argument("--config", required=True, help="the config file, as given to the action")
    parser.add_argument("--embeddings", choices=("auto", "true", "false"), default="auto", help="the action's input")
    args = parser.parse_args(argv)
    workspace = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd())
    try:
        facts = action_facts(Path(args.config), workspace, embeddings=args.embeddings)
    except WatcherError as exc:
        print(f"watcher: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    sys.stdout.write(facts.outputs())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
