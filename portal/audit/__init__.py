"""Audit trail: one function writes every event."""

from __future__ import annotations

from flask import has_request_context
from flask_login import current_user

from portal.audit.models import AuditEvent
from portal.extensions import db


def record_event(action: str, record_type: str, record_id: int | None, *, detail: str = "",
                 link_id: int | None = None, actor_kind: str | None = None) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    staff_id = None
    if actor_kind is None:
        if link_id is not None:
            actor_kind = "child"
        elif has_request_context() and current_user and current_user.is_authenticated:
            actor_kind = "staff"
        else:
            actor_kind = "system"
    if actor_kind == "staff" and has_request_context() and current_user.is_authenticated:
        staff_id = current_user.id
    event = AuditEvent(actor_kind=actor_kind, staff_user_id=staff_id, link_id=link_id,
                       action=action, record_type=record_type, record_id=record_id, detail=detail)
    db.session.add(event)
    return event
