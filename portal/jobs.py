"""Background jobs on Huey: send the outbox every minute, escalate urgent concerns every five.

The consumer runs `huey_consumer portal.jobs.huey -w 1`. `huey` is built on first use from the
environment (SqliteHuey at HUEY_SQLITE_PATH; RedisHuey when REDIS_URL is set; immediate, in memory,
when HUEY_IMMEDIATE is set), or from the running app's config when one is active.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab

_lock = threading.Lock()
_huey: Huey | None = None
_tasks: dict = {}
_worker_app: Flask | None = None


def _settings() -> dict:
    if has_app_context():
        return current_app.config
    from portal.config import Config

    return Config().as_flask()


def build_huey(settings: dict) -> Huey:
    """The queue the settings ask for, with the portal's tasks registered on it."""
    if settings.get("HUEY_IMMEDIATE"):
        instance = Huey("portal", immediate=True)
    elif settings.get("REDIS_URL"):
        instance = RedisHuey("portal", url=settings["REDIS_URL"])
    else:
        instance = SqliteHuey("portal", filename=settings["HUEY_SQLITE_PATH"])
    _register(instance)
    return instance


def _register(instance: Huey) -> None:
    _tasks["send_outbox"] = instance.task()(run_send_outbox)
    instance.periodic_task(crontab(minute="*"), name="send_outbox_every_minute")(run_send_outbox)
    instance.periodic_task(crontab(minute="*/5"), name="escalate_concerns")(run_escalate_concerns)


def get_huey() -> Huey:
    global _huey
    with _lock:
        if _huey is None:
            _huey = build_huey(_settings())
        return _huey


def __getattr__(name: str):
    # `portal.jobs.huey` for huey_consumer, built lazily so importing this module is free.
    if name == "huey":
        return get_huey()
    raise AttributeError(name)


def _in_app(work):
    """Run work in the current app, or in one app built once per worker process."""
    global _worker_app
    if has_app_context():
        return work()
    if _worker_app is None:
        from portal import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        try:
            return work()
        finally:
            from portal.extensions import db

            db.session.remove()


def run_send_outbox() -> int:
    """Send what is due; return how many were tried."""
    from portal.outbox.sender import send_pending

    return _in_app(send_pending)


def run_escalate_concerns() -> int:
    """Escalate urgent concerns nobody acknowledged in time."""
    def work():
        from portal.extensions import db
        from portal.safeguarding.services import escalate_overdue_concerns

        count = escalate_overdue_concerns()
        db.session.commit()
        return count

    return _in_app(work)


def enqueue_send():
    """Queue one outbox run now (runs at once in immediate mode)."""
    get_huey()
    return _tasks["send_outbox"]()
