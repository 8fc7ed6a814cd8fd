"""watcher: keeps a curated list of speech/audio LLM papers up to date from daily arXiv announcements."""

__version__ = "0.1.0"
