"""The one place that loads a record and checks the signed-in person may see it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select

from portal.extensions import db

T = TypeVar("T")


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
    """Whether a staff member may see this record: IROs their own children's, managers all."""
    from portal.reviews.models import Child, Review
    from portal.staff.models import StaffUser, Team

    if user is None or not user.is_authenticated:
        return False
    if isinstance(record, (StaffUser, Team)):
        return user.role == "admin"
    if isinstance(record, Child):
        return user.role == "manager" or (user.role == "iro" and record.iro_id == user.id)
    if isinstance(record, Review):
        return can_see(user, record.child)
    review_id = review_id_of(record)
    if review_id is None:
        return False
    return can_see(user, db.session.get(Review, review_id))


def load_or_404(model: type[T], record_id: int) -> T:
    """The record if it exists and the caller may see it; 404 for both otherwise."""
    record = db.session.get(model, record_id)
    if record is None or not can_see(current_user, record):
        abort(404)
    return record


def visible_children(query: Select | None = None) -> Select:
    """A select of the children the caller may see."""
    from portal.reviews.models import Child

    query = query if query is not None else db.select(Child)
    if current_user.role == "manager":
        return query
    if current_user.role == "iro":
        return query.where(Child.iro_id == current_user.id)
    return query.where(db.false())
