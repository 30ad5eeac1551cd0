"""The authority's settings: one row, owned here, read once per request and never written on read.

A process trusts the row it last read for a few seconds (SETTINGS_SECONDS): a change made in this process
is seen at once, one made by another worker within those seconds. It saves a query on every page and save.
"""

from __future__ import annotations

from threading import Lock
from time import monotonic

from flask import current_app, g, has_request_context
from sqlalchemy import Boolean, Integer, String, event, false
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Mapped, Session, make_transient_to_detached, mapped_column
from sqlalchemy.orm.util import identity_key

from portal.extensions import db


class Authority(db.Model):
    """The one local authority this installation serves, and its statutory settings."""

    __tablename__ = "authority"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    duty_inbox_email: Mapped[str] = mapped_column(String(254), default="")
    invitation_working_days: Mapped[int] = mapped_column(Integer, default=10)
    record_working_days: Mapped[int] = mapped_column(Integer, default=20)
    suppression_threshold: Mapped[int] = mapped_column(Integer, default=10)
    # The collated views hide small numbers of opinions always; the service's own counts (reviews, PN codes,
    # timeliness, urgent concerns) only when this is on (the DfE publishes councils' counts as they are).
    suppress_service_counts: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    staff_idle_minutes: Mapped[int] = mapped_column(Integer, default=30)
    booklet_idle_minutes: Mapped[int] = mapped_column(Integer, default=10)
    urgent_escalation_working_hours: Mapped[int] = mapped_column(Integer, default=4)
    # How long a set-password link works; a newer link or setting the password stops it sooner.
    set_password_link_hours: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    # Feedback after the review: one reminder this many working days after the invitation (never after a
    # return, never twice); contact details are deleted when that window closes.
    feedback_reminder_working_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    # A form handed to a parent on the IRO's device is abandoned after this many minutes unused.
    handover_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    advocacy_phone: Mapped[str] = mapped_column(String(40), default="")
    complaints_url: Mapped[str] = mapped_column(String(300), default="")


def _defaults() -> dict:
    """Every setting's default, for an installation whose administrator has not saved any yet."""
    return {column.key: column.default.arg for column in Authority.__table__.columns
            if column.default is not None and not callable(column.default.arg)}


SETTINGS_SECONDS = 5.0
# Per database (tests give each test its own): (when read, a detached copy of the saved row).
_recent: dict[tuple, tuple[float, Authority]] = {}
_recent_lock = Lock()


def _database_key() -> tuple:
    options = current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("connect_args", {}).get("options")
    return str(db.session.get_bind().url), options


def _remember(key: tuple, authority: Authority) -> None:
    values = {column.key: getattr(authority, column.key) for column in Authority.__table__.columns}
    copy = Authority(**values)
    make_transient_to_detached(copy)
    with _recent_lock:
        _recent[key] = (monotonic(), copy)


def _recently_read(key: tuple) -> Authority | None:
    """The row this process read in the last few seconds, attached to this request's session (no query)."""
    known = _recent.get(key)
    if known is None or monotonic() - known[0] >= SETTINGS_SECONDS:
        return None
    # Already in this session (perhaps with changes not yet flushed): that one, untouched.
    present = db.session.identity_map.get(identity_key(Authority, known[1].id))
    return present if present is not None else db.session.merge(known[1], load=False)


@event.listens_for(Session, "after_flush")
def _forget_on_change(session, _context) -> None:
    """The settings changed in this process: read them again next time."""
    if any(isinstance(item, Authority) for item in (*session.new, *session.dirty, *session.deleted)):
        with _recent_lock:
            _recent.clear()


def authority_settings() -> Authority:
    """The authority's settings, read once per request (and trusted for a few seconds per process).

    Before an administrator (or `flask demo`) has saved them, the defaults, in an unsaved row: reading
    never writes. `save_settings` (portal.staff.services) keeps a changed one.
    """
    if has_request_context() and g.get("authority") is not None:
        return g.authority
    try:
        key = _database_key()
        authority = _recently_read(key)
        if authority is None:
            authority = db.session.scalar(db.select(Authority).limit(1))
            if authority is not None:
                _remember(key, authority)
    except (OperationalError, InterfaceError):
        # The database is down or restarting: pages that say who to call still render, from the defaults.
        db.session.rollback()
        return Authority(name=current_app.config["AUTHORITY_NAME"], **_defaults())
    if authority is None:
        authority = Authority(name=current_app.config["AUTHORITY_NAME"], **_defaults())
    if has_request_context():
        g.authority = authority
    return authority


def saved_authority() -> Authority | None:
    """The saved row, or None before anyone saved settings (for pages that say 'not set up yet')."""
    authority = authority_settings()
    return authority if authority.id is not None else None
