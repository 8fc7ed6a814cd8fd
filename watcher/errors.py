"""The error hierarchy and the exit code each error means. No I/O.

Every error the CLI reports is a `WatcherError`: its message is one line meant for a human
(it names the file, the config key or the HTTP status), and its `exit_code` tells CI the truth.
Anything else that escapes is a bug and gets a traceback.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1  # the run started and a stage failed
EXIT_USAGE = 2  # bad command line, bad config, bad input file named by the user


class WatcherError(Exception):
    """A failure with a one-line explanation for the user."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str) -> None:
        # One line, always: a multi-line message would break log parsers and the job summary.
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return str(self.args[0])


class UsageError(WatcherError):
    """The command line or an input named on it is wrong."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """config.toml is missing, malformed, or names a value that cannot work."""


class FetchError(WatcherError):
    """An HTTP fetch failed after its retries (names the URL and the status)."""


class FeedError(WatcherError):
    """A feed or API answer that is not what arXiv sends on a normal day."""


class ListFormatError(WatcherError):
    """The Markdown list cannot be edited as asked (for example an unknown heading)."""


class StateError(WatcherError):
    """The state database cannot be opened or migrated."""


class ModelError(WatcherError):
    """The model artifact is missing, corrupt, stale or foreign."""


class DeliveryError(WatcherError):
    """Slack or GitHub refused a delivery (names the step and the status)."""
