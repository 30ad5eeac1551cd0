"""Audit trail: one function writes every event, and says who acted without giving away the anonymous."""

from __future__ import annotations

from flask import has_request_context
from flask_login import current_user

from portal.audit.models import AuditEvent
from portal.extensions import db

# Links whose holders answer anonymously (feedback after the review): their events keep no link, no
# record id and nothing else that leads back to a person.
ANONYMOUS_PURPOSES = frozenset({"feedback"})


def actor_of_link(link) -> tuple[str, int | None, bool]:
    """(actor kind, link id to keep, anonymous?) for an event done through a private link."""
    audience = getattr(link, "audience", None) or "child"
    if getattr(link, "purpose", None) in ANONYMOUS_PURPOSES:
        return audience, None, True
    return audience, link.id, False


def record_event(action: str, record_type: str, record_id: int | None, *, detail: str = "",
                 link=None, link_id: int | None = None, actor_kind: str | None = None) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits).

    `link` is the private link the person acted through: the actor kind is its audience (child,
    parent, professional); an anonymous link's event records neither the link nor the record.
    `link_id` alone means a child's link.
    """
    staff_id = None
    if link is not None:
        kind, link_id, anonymous = actor_of_link(link)
        actor_kind = actor_kind or kind
        if anonymous:
            record_id, detail = None, ""
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
