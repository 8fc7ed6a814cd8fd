"""`watcher serve`: the daily run on a local schedule (APScheduler 3, BlockingScheduler).

The job runs the same pipeline as `watcher run`. A failed run is logged and the daemon keeps
going; SIGTERM or SIGINT lets a running job finish, then the daemon exits 0. A run missed while
the machine slept is still made once (coalesce, generous misfire_grace_time), never twice at
the same time (max_instances=1).
"""

from __future__ import annotations

import logging
import re
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from .config import ScheduleSettings
from .errors import ConfigError

log = logging.getLogger("watcher")

_DOW_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _dow_to_names(field: str) -> str:
    """Cron day-of-week numbers (0 or 7 = Sunday) as names, which APScheduler reads the cron way.

    APScheduler 3 numbers weekdays from Monday = 0, so `1-5` would run Tuesday to Saturday.
    Numeric items (`3`, `1-5`, `0-7`, `*/2`, `1-5/2`) become explicit lists of names; names and
    a bare `*` pass through."""
    names: list[str] = []
    for item in field.split(","):
        base, _, step_text = item.partition("/")
        if base == "*" and not step_text:
            names.append("*")
            continue
        if base == "*":
            low, high = 0, 6
        elif re.fullmatch(r"\d+", base):
            low = high = int(base)
            if step_text:
                high = 6 if low < 7 else 7
        elif m := re.fullmatch(r"(\d+)-(\d+)", base):
            low, high = int(m[1]), int(m[2])
        else:
            names.append(item)  # names ("mon-fri") mean the same to APScheduler as to cron
            continue
        if high > 7 or low > high:
            raise ConfigError(f"schedule.cron: day of week {item!r} is not a range within 0-7 (or mon-sun)")
        if (step_text and not step_text.isdigit()) or step_text == "0":
            raise ConfigError(f"schedule.cron: day of week {item!r} has an invalid step")
        for day in range(low, high + 1, int(step_text or 1)):
            names.append(_DOW_NAMES[day])
    return ",".join(dict.fromkeys(names))


def cron_trigger(schedule: ScheduleSettings) -> CronTrigger:
    """A CronTrigger for a standard five-field cron line (an optional sixth, leading field gives
    seconds), weekdays meaning what cron means."""
    fields = schedule.cron.split()
    if len(fields) not in (5, 6):
        raise ConfigError(f"schedule.cron: expected five fields (minute hour day month weekday), got {schedule.cron!r}")
    second = fields.pop(0) if len(fields) == 6 else "0"
    minute, hour, day, month, dow = fields
    try:
        return CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_dow_to_names(dow),
            timezone=schedule.timezone,
        )
    except (ValueError, LookupError) as exc:
        raise ConfigError(f"schedule: {exc} (cron {schedule.cron!r}, timezone {schedule.timezone!r})") from None


def build_scheduler(schedule: ScheduleSettings, job: Callable[[], Any]) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=schedule.timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": schedule.misfire_grace_time},
    )
    trigger = cron_trigger(schedule)
    scheduler.add_job(job, trigger, id="daily-run", name="watcher run", replace_existing=True)

    def after(event: JobExecutionEvent) -> None:
        # Runs in the job's thread: no scheduler locks here (the main thread may hold them).
        if event.code == EVENT_JOB_MISSED:
            log.warning("run missed at %s (beyond schedule.misfire_grace_time)", event.scheduled_run_time)
        elif event.exception is not None:
            log.error("run failed: %s: %s", type(event.exception).__name__, event.exception)
        upcoming = trigger.get_next_fire_time(None, datetime.now(UTC))
        if upcoming is not None and scheduler.running:
            log.warning("next run at %s", upcoming.isoformat())

    scheduler.add_listener(after, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return scheduler


def serve(schedule: ScheduleSettings, job: Callable[[], Any]) -> int:
    """Block until SIGTERM/SIGINT; a job running at that moment finishes first. Returns 0."""
    scheduler = build_scheduler(schedule, job)

    def stop(signum: int, frame: FrameType | None) -> None:
        # A signal handler runs in the main thread wherever it happens to be, possibly inside the
        # scheduler holding its locks: the blocking shutdown runs in its own (non-daemon) thread,
        # which waits for a running job; the interpreter waits for that thread before exiting.
        if not scheduler.running:
            return
        log.warning("%s received: finishing the current run, then stopping", signal.Signals(signum).name)
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, name="watcher-stop").start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    first = cron_trigger(schedule).get_next_fire_time(None, datetime.now(UTC))
    log.warning(
        "watcher serve: schedule %r (%s); next run at %s",
        schedule.cron,
        schedule.timezone,
        first.isoformat() if first else "never",
    )
    try:
        scheduler.start()  # blocks until shutdown
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
