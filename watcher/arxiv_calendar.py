"""arXiv's announcement calendar: which days have a feed with papers. No I/O.

rss.arxiv.org is rebuilt at midnight US Eastern and carries the announcement of the evening
before: feeds dated Monday to Friday have papers, Saturday and Sunday feeds are empty, and so
are the feeds of arXiv holidays (deferred mailings, published at info.arxiv.org/help/availability).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

# Feed days without announcements ("deferred mailings"), from info.arxiv.org/help/availability.
HOLIDAYS: frozenset[date] = frozenset(
    date.fromisoformat(d)
    for d in (
        "2026-01-01",
        "2026-01-19",
        "2026-06-19",
        "2026-07-03",
        "2026-09-07",
        "2026-11-26",
        "2026-12-25",
        "2026-12-29",
        "2026-12-31",
    )
)


def is_announcement_day(day: date, holidays: Iterable[date] = HOLIDAYS) -> bool:
    return day.weekday() < 5 and day not in set(holidays)


def missing_days(last: date | None, today: date, holidays: Iterable[date] = HOLIDAYS) -> list[date]:
    """Announcement days strictly between the last day processed and today."""
    if last is None or today <= last:
        return []
    hol = set(holidays)
    days = []
    day = last + timedelta(days=1)
    while day < today:
        if is_announcement_day(day, hol):
            days.append(day)
        day += timedelta(days=1)
    return days


def submission_window(days: list[date]) -> tuple[date, date]:
    """A generous submittedDate window (UTC days, inclusive) covering the papers announced on
    `days`: a feed day carries submissions from up to four calendar days before (Thursday 14:00
    ET to Friday 14:00 ET appear on Monday's feed); papers seen already are dropped later."""
    return min(days) - timedelta(days=4), max(days)
