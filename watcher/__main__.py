"""`python -m watcher` is the `watcher` command."""

from .cli import entry_point

entry_point()
