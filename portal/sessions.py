"""Server-side sessions: Redis when REDIS_URL is set, otherwise a table in the portal's own database.

Files under instance/ slowed every request to about 1.3 s once a few thousand sessions had piled up,
and their pruning signed out idle children and staff. A table (made by a migration, indexed on
expiry) stays as fast at 100,000 sessions as at ten, works with any number of workers, and is
cleaned of expired rows by a job. Session reads and writes use their own short transactions, never
the request's, so saving a session can never commit a view's half-finished work.
An empty session (an anonymous page without a form) is never stored and sets no cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import redis
import sqlalchemy as sa
from flask import Flask, current_app, request, session
from flask_session.base import ServerSideSession, ServerSideSessionInterface
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal import jobs
from portal.extensions import db
from portal.timeutil import UTCDateTime

KEY_PREFIX = "portal-session:"
FILE_PATHS = ("/static/", "/assets/", "/pictures/")
CLEANUP_JOB = "clean_expired_sessions"

web_session = sa.Table(
    "web_session", db.metadata,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False, index=True),
)


class DatabaseSessionInterface(ServerSideSessionInterface):
    """Flask-Session's server-side sessions, kept in the `web_session` table."""

    session_class = ServerSideSession
    ttl = False

    def __init__(self, app: Flask):
        super().__init__(app, key_prefix=KEY_PREFIX, permanent=app.config.get("SESSION_PERMANENT", True),
                         cleanup_n_requests=None)

    def _register_cleanup_app_command(self) -> None:
        # Cleaning is a job (see register_cleanup), not a command someone must remember to run.
        pass

    def should_set_storage(self, app: Flask, session: ServerSideSession) -> bool:
        # Files (styles, scripts, pictures) change no session: a page's dozen pictures write nothing.
        if request.path.startswith(FILE_PATHS):
            return False
        return super().should_set_storage(app, session)

    def _retrieve_session_data(self, store_id: str) -> dict | None:
        with db.engine.connect() as connection:
            row = connection.execute(sa.select(web_session.c.data, web_session.c.expires_at)
                                     .where(web_session.c.id == store_id)).first()
        if row is None or row.expires_at <= datetime.now(UTC):
            return None
        return self.serializer.decode(row.data)

    def _delete_session(self, store_id: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(sa.delete(web_session).where(web_session.c.id == store_id))

    def _upsert_session(self, session_lifetime, session: ServerSideSession, store_id: str) -> None:
        # The request is answered: work it did not commit is rolled back at teardown anyway. Doing it
        # now releases SQLite's write lock, which would otherwise block this separate write.
        orm = db.session()
        if orm.in_transaction() and (orm.new or orm.dirty or orm.deleted
                                     or orm.get_bind().dialect.name == "sqlite"):
            orm.rollback()
        values = {"id": store_id, "data": self.serializer.encode(session),
                  "expires_at": datetime.now(UTC) + session_lifetime}
        insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(web_session).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[web_session.c.id],
            set_={"data": statement.excluded.data, "expires_at": statement.excluded.expires_at})
        with db.engine.begin() as connection:
            connection.execute(statement)

    def _delete_expired_sessions(self) -> None:
        delete_expired_sessions()


def delete_expired_sessions(now: datetime | None = None) -> int:
    """Remove sessions past their expiry; return how many (the job runs it hourly)."""
    with db.engine.begin() as connection:
        result = connection.execute(sa.delete(web_session).where(web_session.c.expires_at <= (now or datetime.now(UTC))))
    return result.rowcount or 0


KEY_MARK = "_key"


def _key_mark(app: Flask) -> str:
    """A short mark of SECRET_KEY (never the key): a session made under another key is ended.
    Worked out once per key, not on every request."""
    cached = app.extensions.get("portal_session_key_mark")
    if cached is None or cached[0] != app.secret_key:
        mark = hmac.new(app.secret_key.encode("utf-8"), b"session-key-mark", hashlib.sha256).hexdigest()[:16]
        cached = app.extensions["portal_session_key_mark"] = (app.secret_key, mark)
    return cached[1]


def _end_sessions_of_an_old_key() -> None:
    """When SECRET_KEY is rotated every session made before ends cleanly (links keep working)."""
    if session and session.get(KEY_MARK) not in (None, _key_mark(current_app)):
        session.clear()


def _mark_sessions_with_the_key(response):
    if session and session.get(KEY_MARK) != _key_mark(current_app):
        session[KEY_MARK] = _key_mark(current_app)
    return response


def configure_sessions(app: Flask, server_session) -> None:
    """Sessions in Redis when REDIS_URL is set (or the back end a setting names), else in the database."""
    app.config.setdefault("SESSION_PERMANENT", True)
    if not app.config.get("SESSION_TYPE") and app.config.get("REDIS_URL"):
        app.config["SESSION_TYPE"] = "redis"
        app.config["SESSION_REDIS"] = redis.Redis.from_url(app.config["REDIS_URL"])
        app.config["SESSION_KEY_PREFIX"] = KEY_PREFIX
    if app.config.get("SESSION_TYPE"):
        server_session.init_app(app)
    else:
        app.session_interface = DatabaseSessionInterface(app)
    jobs.register_periodic(CLEANUP_JOB, delete_expired_sessions, minute="17")
    app.before_request(_end_sessions_of_an_old_key)
    app.after_request(_mark_sessions_with_the_key)
