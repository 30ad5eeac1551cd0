"""Background jobs on Huey, knowing no area: each area registers its own tasks and periodic jobs.

An area calls `register_task(name, fn)` or `register_periodic(name, schedule, fn)` when its blueprint is
registered (the outbox: send every minute; safeguarding: escalate every five). The queue is built on
first use from the running app's config (SqliteHuey at HUEY_SQLITE_PATH; RedisHuey when REDIS_URL is
set; immediate, in memory, when HUEY_IMMEDIATE is set). The consumer runs
`huey_consumer portal.worker.huey -w 1`: `portal/worker.py` builds the app, so every area has
registered its jobs, and runs each task inside it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab

from portal.extensions import db

_lock = threading.Lock()
_huey: Huey | None = None
_huey_app: Flask | None = None


@dataclass(frozen=True)
class Job:
    name: str
    function: Callable[[], object]
    # crontab keyword arguments ({"minute": "*/5"}) for periodic jobs; None for a task run on demand.
    schedule: dict | None = None


_jobs: dict[str, Job] = {}
_queued: dict[str, Callable] = {}


def register_task(name: str, function: Callable[[], object]) -> None:
    """A task any code may queue by name with `enqueue(name)`."""
    _jobs[name] = Job(name, function)


def register_periodic(name: str, function: Callable[[], object], **schedule) -> None:
    """A job the consumer runs on a crontab schedule (for example minute="*/5")."""
    _jobs[name] = Job(name, function, schedule)


def registered() -> dict[str, Job]:
    return dict(_jobs)


def build_huey(settings: dict) -> Huey:
    """The queue the settings ask for, with every registered job on it."""
    if settings.get("HUEY_IMMEDIATE"):
        instance = Huey("portal", immediate=True)
    elif settings.get("REDIS_URL"):
        instance = RedisHuey("portal", url=settings["REDIS_URL"])
    else:
        instance = SqliteHuey("portal", filename=settings["HUEY_SQLITE_PATH"])
    _queued.clear()
    for job in _jobs.values():
        runner = _in_app(job.function)
        runner.__name__ = job.name
        if job.schedule is None:
            _queued[job.name] = instance.task(name=job.name)(runner)
        else:
            instance.periodic_task(crontab(**job.schedule), name=job.name)(runner)
            # A periodic job can be queued now too (for example the outbox after a commit).
            _queued[job.name] = instance.task(name=f"{job.name}_now")(runner)
    return instance


def bind_app(app: Flask) -> None:
    """The app a worker process runs its jobs in (set by portal.worker)."""
    global _huey_app
    _huey_app = app


def get_huey() -> Huey:
    global _huey
    with _lock:
        if _huey is None:
            _huey = build_huey(current_app.config if has_app_context() else _huey_app.config)
        return _huey


def reset() -> None:
    """Forget the built queue (after the jobs or the settings change, as in tests)."""
    global _huey
    with _lock:
        _huey = None


def _in_app(function: Callable[[], object]) -> Callable[[], object]:
    """Run a job in the current app, or in the worker's app, with a fresh database session."""
    def run():
        if has_app_context():
            return function()
        if _huey_app is None:
            raise RuntimeError("No app for this job: run the consumer with `huey_consumer portal.worker.huey`")
        with _huey_app.app_context():
            try:
                return function()
            finally:
                db.session.remove()
    return run


def enqueue(name: str):
    """Queue a registered job now (it runs at once in immediate mode)."""
    get_huey()
    return _queued[name]()


def run_now(name: str):
    """Run a registered job here, in the current app (for tests and the command line)."""
    return _jobs[name].function()
