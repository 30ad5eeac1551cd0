"""The authority's settings: one row, read once per request."""

from __future__ import annotations

from flask import current_app, g, has_request_context

from portal.extensions import db
from portal.staff.models import Authority


def authority_settings() -> Authority:
    """The authority row (made by `flask demo` or the first administrator), read once per request."""
    if has_request_context() and g.get("authority") is not None:
        return g.authority
    authority = db.session.scalar(db.select(Authority).limit(1))
    if authority is None:
        authority = Authority(name=current_app.config["AUTHORITY_NAME"])
        db.session.add(authority)
        db.session.flush()
    if has_request_context():
        g.authority = authority
    return authority
