"""watcher: keeps a curated list of research papers up to date from the daily arXiv announcements."""

__version__ = "0.2.0"
