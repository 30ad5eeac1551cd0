"""Flask-Login wiring: session versions and the idle time-out."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from sqlalchemy.exc import InterfaceError, OperationalError

from portal.extensions import db, login_manager
from portal.settings import authority_settings
from portal.staff.models import StaffUser
from portal.timeutil import utcnow

login_manager.login_view = "staff.sign_in"
login_manager.login_message = _l("Sign in to see this page.")
login_manager.login_message_category = "info"
# Flashed messages are stored in the session, which holds plain strings only.
login_manager.localize_callback = str
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_key: str) -> StaffUser | None:
    """A user whose session version still matches: older sessions are dead."""
    try:
        user_id, version = (int(part) for part in user_key.split(":"))
    except ValueError:
        return None
    try:
        user = db.session.get(StaffUser, user_id)
    except (OperationalError, InterfaceError):
        # The database is down: nobody is signed in until it is back (the page says to try again).
        db.session.rollback()
        return None
    if user is None or not user.active or user.session_version != version:
        return None
    return user


TOUCH_SECONDS = 15


def register(app: Flask) -> None:
    @app.before_request
    def staff_idle_timeout():
        if request.path.startswith(("/assets/", "/static/")) or not current_user.is_authenticated:
            return None
        idle_minutes = authority_settings().staff_idle_minutes
        now = utcnow().timestamp()
        last_seen = session.get("staff_last_seen")
        if last_seen is not None and now - last_seen > idle_minutes * 60:
            logout_user()
            session.clear()
            flash(_("You were signed out because you had not used the portal for %(minutes)d minutes.",
                    minutes=idle_minutes), "info")
            return redirect(url_for("staff.sign_in"))
        if last_seen is None or now - last_seen >= TOUCH_SECONDS:
            # At most this often: a request that changes nothing else then writes no session.
            session["staff_last_seen"] = now
        return None


def stamp_activity() -> None:
    session["staff_last_seen"] = datetime.now(UTC).timestamp()


def home_url(user: StaffUser) -> str:
    """Where a signed-in person starts: administrators see no children."""
    return url_for("staff.admin_home") if user.role == "admin" else url_for("reviews.my_children")
