"""The one place that loads a record and checks the signed-in person may see it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar
from urllib.parse import urlsplit

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy import Select

from portal.extensions import csrf, db

T = TypeVar("T")
F = TypeVar("F", bound=Callable)

# Named role groups: who may use a page, said once.
IRO, MANAGER, ADMIN = "iro", "manager", "admin"
CASEWORK = (IRO, MANAGER)  # people who work with children's records
ADMINS = (ADMIN,)
ALL_STAFF = (IRO, MANAGER, ADMIN)
# Link holders: who a private link was sent to.
LINK_AUDIENCES = ("child", "parent", "professional", "staff")


def role_required(*roles: str):
    """Signed in, and in one of these roles (403 otherwise)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


# The records access is decided on, registered by the areas that own them (so this module, which every
# area uses, imports none of them): the review and child models, and the records only administrators keep.
_models: dict[str, type] = {}
_admin_records: list[type] = []


def register_review_records(*, review: type, child: type) -> None:
    _models["review"], _models["child"] = review, child


def register_admin_records(*models: type) -> None:
    _admin_records.extend(model for model in models if model not in _admin_records)


def _model(name: str) -> type:
    try:
        return _models[name]
    except KeyError:
        raise RuntimeError("portal.reviews.models registers the review and child models; import it first") from None


# How to find the review a record belongs to, for records with no `review_id` of their own;
# each area registers its own (the booklet's voice notes reach it through their booklet).
_REVIEW_PATHS: dict[type, Callable[[object], int | None]] = {}


def register_review_path(model: type, path: Callable[[object], int | None]) -> None:
    _REVIEW_PATHS[model] = path


def review_id_of(record) -> int | None:
    for model, path in _REVIEW_PATHS.items():
        if isinstance(record, model):
            return path(record)
    return getattr(record, "review_id", None)


def can_see(user, record) -> bool:
    """Whether a staff member may see this record.

    Managers see every child of the authority (they answer for the whole service); an IRO sees the
    children they are the IRO for; administrators keep accounts and settings, never children's records.
    """
    if user is None or not user.is_authenticated:
        return False
    if isinstance(record, tuple(_admin_records)):
        return user.role == ADMIN
    if isinstance(record, (_model("child"), _model("review"))):
        if user.role == MANAGER:
            return True
        if user.role != IRO:
            return False
        # An IRO sees their children, with every review of theirs (also those another IRO held before the
        # child moved to them: portal.reviews.reassign), and the reviews they chaired themselves.
        child = record if isinstance(record, _model("child")) else record.child
        return record.iro_id == user.id or (child is not None and child.iro_id == user.id)
    review_id = review_id_of(record)
    if review_id is None:
        return False
    review = db.session.get(_model("review"), review_id)
    return review is not None and can_see(user, review)


def link_may_see(link, record) -> bool:
    """Whether a private link's holder may see this record: only what belongs to the link's own review."""
    if link is None or link.review_id is None:
        return False
    if isinstance(record, _model("review")):
        return record.id == link.review_id
    return review_id_of(record) == link.review_id


def load_or_404(model: type[T], record_id: int) -> T:
    """The record if it exists and the caller may see it; 404 for both otherwise."""
    record = db.session.get(model, record_id)
    if record is None or not can_see(current_user, record):
        abort(404)
    return record


def visible_children(query: Select | None = None, user=None) -> Select:
    """A select of the children the person (the signed-in one by default) may see."""
    user = user if user is not None else current_user
    child = _model("child")
    query = query if query is not None else db.select(child)
    if user.role == MANAGER:
        return query
    if user.role == IRO:
        return query.where(child.iro_id == user.id)
    return query.where(db.false())


def visible_reviews(query: Select | None = None, user=None) -> Select:
    """A select of the reviews the person may see: the one rule for lists, concerns, the outbox and figures.

    Pass a select that already names `Review` (joined or selected) to narrow it.
    """
    user = user if user is not None else current_user
    review = _model("review")
    query = query if query is not None else db.select(review)
    if not getattr(user, "is_authenticated", False):
        return query.where(db.false())
    if user.role == MANAGER:
        return query
    if user.role == IRO:
        # Their children's reviews (history included, after a move) and the reviews they chaired.
        child = _model("child")
        return query.where(db.or_(review.iro_id == user.id,
                                  review.child_id.in_(db.select(child.id).where(child.iro_id == user.id))))
    return query.where(db.false())


def visible_review_ids(user=None) -> Select:
    """The ids of the reviews the person may see, for `column.in_(...)`."""
    return visible_reviews(db.select(_model("review").id), user)


# --- Forms for people without a session -------------------------------------------------------------

def from_this_portal() -> bool:
    """Whether a post came from one of this portal's own pages: the Origin header (every current browser
    sends it with a form post) or, without one, the Referer, names this site and scheme."""
    source = request.headers.get("Origin")
    if not source or source == "null":
        source = request.headers.get("Referer")
    if not source:
        return False
    parts = urlsplit(source)
    return parts.scheme == request.scheme and parts.netloc.lower() == request.host.lower()


def sessionless_form(view: F) -> F:
    """A form for someone who has no session yet: a private link's Start, signing in, a set-password link.

    Its page keeps no security token in a session, so showing it makes no session (an email scanner that
    opens every link leaves nothing behind). The secret is the link itself, or the password; what stops
    another site posting it is that the post must come from this portal's own page.
    """
    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method == "POST" and not from_this_portal():
            raise CSRFError(_l("This form was sent from another site."))
        return view(*args, **kwargs)

    csrf.exempt(wrapped)
    return wrapped  # type: ignore[return-value]
