"""The authority's settings: one row, owned here, read once per request and never written on read."""

from __future__ import annotations

from flask import current_app, g, has_request_context
from sqlalchemy import Integer, String
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column

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
    staff_idle_minutes: Mapped[int] = mapped_column(Integer, default=30)
    booklet_idle_minutes: Mapped[int] = mapped_column(Integer, default=10)
    urgent_escalation_working_hours: Mapped[int] = mapped_column(Integer, default=4)
    # How long a set-password link works; a newer link or setting the password stops it sooner.
    set_password_link_hours: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    advocacy_phone: Mapped[str] = mapped_column(String(40), default="")
    complaints_url: Mapped[str] = mapped_column(String(300), default="")


def _defaults() -> dict:
    """Every setting's default, for an installation whose administrator has not saved any yet."""
    return {column.key: column.default.arg for column in Authority.__table__.columns
            if column.default is not None and not callable(column.default.arg)}


def authority_settings() -> Authority:
    """The authority's settings, read once per request.

    Before an administrator (or `flask demo`) has saved them, the defaults, in an unsaved row: reading
    never writes. `save_settings` (portal.staff.services) keeps a changed one.
    """
    if has_request_context() and g.get("authority") is not None:
        return g.authority
    try:
        authority = db.session.scalar(db.select(Authority).limit(1))
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
