"""A private link's place in the server-side session: which link was started, for what, and the idle lock.

Any purpose and audience: after 'Start' the session remembers the link's id, purpose and audience and
when it was last used; the URL no longer carries the token. Each purpose says (through the registry)
how long its pages may sit unused and which page its lock shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from flask import current_app, g, render_template, session
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.links.models import PrivateLink
from portal.links.registry import DEFAULT_IDLE_MINUTES, get_purpose, lock_template
from portal.links.services import is_usable, mark_used
from portal.timeutil import utcnow

SESSION_KEY = "link_session"
# 'Last used' is written back to the session at most this often: the idle lock counts in minutes, and a
# save that changes nothing else in the session then writes no session at all.
TOUCH_SECONDS = 15


def _load(state: dict) -> PrivateLink | None:
    """The session's link, with what its purpose's pages read (its review at least) in the same query."""
    link_id = state.get("link_id")
    if not isinstance(link_id, int) or isinstance(link_id, bool):
        return None
    purpose = get_purpose(state.get("purpose")) if isinstance(state.get("purpose"), str) else None
    options = purpose.load_with() if purpose is not None and purpose.load_with else (joinedload(PrivateLink.review),)
    return db.session.get(PrivateLink, link_id, options=list(options))


def _regenerate_session_id() -> None:
    """A fresh session id at Start, so nobody can plant one beforehand."""
    regenerate = getattr(current_app.session_interface, "regenerate", None)
    if regenerate is not None:
        regenerate(session)


def start_link_session(link: PrivateLink) -> None:
    """'Start' pressed: the session id is fresh, the link is used, and the session remembers the link.

    Call it before the request writes anything else: a new session id is stored at once.
    """
    _regenerate_session_id()
    mark_used(link)
    session[SESSION_KEY] = {"link_id": link.id, "purpose": link.purpose, "audience": link.audience,
                            "last_seen": utcnow().timestamp()}
    g.link = link
    # A child's pages speak the child's language; a parent or professional chooses their own.
    if link.audience == "child" and link.review is not None:
        language = link.review.child.preferred_language
        if language in LANGUAGES and "locale" not in session:
            session["locale"] = language


def end_link_session() -> None:
    session.pop(SESSION_KEY, None)
    g.link = None


def idle_minutes(link: PrivateLink | None = None) -> float:
    """How long a link's pages may sit unused before they lock, as its purpose says.

    Without a link, the link of this request's session. CHILD_IDLE_MINUTES overrides it for a
    child's links (the tests use it).
    """
    if link is None:
        link = current_link(touch=False)
    override = current_app.config.get("CHILD_IDLE_MINUTES")
    if override and (link is None or link.audience == "child"):
        return override
    purpose = get_purpose(link.purpose) if link is not None else None
    return purpose.idle_minutes(link) if purpose else DEFAULT_IDLE_MINUTES


def current_link(*, touch: bool = True) -> PrivateLink | None:
    """This browser's live link, or None: no session, the link stopped working, or it sat idle too long."""
    if "link" in g:
        return g.link
    state = session.get(SESSION_KEY)
    link = None
    if isinstance(state, dict):
        link = _load(state)
        now = utcnow().timestamp()
        if (link is None or not is_usable(link) or link.purpose != state.get("purpose")
                or now - state.get("last_seen", 0) > idle_minutes(link) * 60):
            end_link_session()
            g.link_session_locked = state.get("purpose") or True
            link = None
        elif touch and now - state.get("last_seen", 0) >= TOUCH_SECONDS:
            session[SESSION_KEY] = {**state, "last_seen": now}
    g.link = link
    return link


def lock_page(purpose: str | None = None, **context):
    """The purpose's lock page (401): open the link again and press Start."""
    locked = g.get("link_session_locked")
    name = purpose or (locked if isinstance(locked, str) else None)
    return render_template(lock_template(name), timed_out=bool(locked), **context), 401


def link_required(purpose: str | Iterable[str] | Callable | None = None, *, audience: str | None = None):
    """Pages behind 'Start': the view gets the live link first; without one, the purpose's lock page.

    `purpose` (one name or several) and `audience` say which links may use the page; any when None.
    Usable bare (`@link_required`) or called (`@link_required("feedback")`).
    """
    if callable(purpose):
        return link_required()(purpose)
    purposes = (purpose,) if isinstance(purpose, str) else tuple(purpose or ())

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            link = current_link()
            if link is None or (purposes and link.purpose not in purposes) \
                    or (audience is not None and link.audience != audience):
                return lock_page(purposes[0] if len(purposes) == 1 else None)
            return view(link, *args, **kwargs)
        return wrapped
    return decorator


# The child's pages (booklet, My IRO, messages) take any of the child's links.
child_link_required = link_required(audience="child")


def current_child_link(*, touch: bool = True) -> PrivateLink | None:
    """The live link when it is a child's, else None."""
    link = current_link(touch=touch)
    return link if link is not None and link.audience == "child" else None
