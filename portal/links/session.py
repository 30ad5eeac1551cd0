"""The child's place in the server-side session: which link they started, and the idle lock."""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, render_template, session

from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.links.models import PrivateLink
from portal.links.services import is_usable
from portal.settings import authority_settings
from portal.timeutil import utcnow

SESSION_KEY = "child_link_id"
LAST_SEEN_KEY = "child_last_seen"


def start_child_session(link: PrivateLink) -> None:
    """After 'Start': remember the link server-side; the URL no longer carries the token."""
    session[SESSION_KEY] = link.id
    session[LAST_SEEN_KEY] = utcnow().timestamp()
    language = link.review.child.preferred_language if link.review else None
    if language in LANGUAGES and "locale" not in session:
        session["locale"] = language


def end_child_session() -> None:
    session.pop(SESSION_KEY, None)
    session.pop(LAST_SEEN_KEY, None)


def idle_minutes() -> float:
    """How long a child's page may sit unused before it locks (CHILD_IDLE_MINUTES overrides, for tests)."""
    return current_app.config.get("CHILD_IDLE_MINUTES") or authority_settings().booklet_idle_minutes


def current_child_link(*, touch: bool = True) -> PrivateLink | None:
    """The child's live link, or None when there is none, it stopped working, or the booklet sat idle too long."""
    if "child_link" in g:
        return g.child_link
    link_id = session.get(SESSION_KEY)
    link = db.session.get(PrivateLink, link_id) if link_id else None
    last_seen = session.get(LAST_SEEN_KEY, 0)
    now = utcnow().timestamp()
    if link is None or not is_usable(link) or now - last_seen > idle_minutes() * 60:
        if link_id:
            end_child_session()
            g.child_session_locked = True
        link = None
    elif touch:
        session[LAST_SEEN_KEY] = now
    g.child_link = link
    return link


def child_link_required(view):
    """Pages behind 'Start': without a live link they say, kindly, to open the link again."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        link = current_child_link()
        if link is None:
            return render_template("links/locked.html",
                                   timed_out=g.get("child_session_locked", False)), 401
        return view(link, *args, **kwargs)
    return wrapped
