"""Moving children from one IRO to another: one child, or every child of an IRO who is leaving.

The rule: a manager gives children to an active IRO. The child's IRO changes, and so does the IRO of
each review still planned (the next meeting is chaired by the new IRO); a review already held or
cancelled keeps the IRO who had it, because that is what happened. Every area then moves what of its
own is still open and addressed to the old IRO (`hooks.children_reassigned`): an unsent notice, for
example. Private links belong to a review, so a child's link leads to the new IRO with no change.

The portal serves one authority (its staff and children are all the authority's), so "the same
authority" is every account here. One audit event per child. Nothing is written until every check has
passed, and the caller commits once: all the children move, or none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from portal.audit import record_event
from portal.extensions import db
from portal.reviews import hooks
from portal.reviews.models import Child, Review
from portal.reviews.services import ReviewsError
from portal.staff.models import StaffUser

REASON_MAX = 500


class ReassignError(ReviewsError):
    """A move the rules refuse; `code` says which rule, for a form to say it in words.

    'no_children', 'unknown_children', 'not_an_iro', 'same_iro', 'no_reason', 'long_reason', 'not_a_manager'.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Reassigned:
    """What a move did: the children (in the order asked), who had them, and the planned reviews moved."""

    children: list[Child]
    to_iro: StaffUser
    from_iro_ids: list[int]
    reviews_moved: int = 0
    by_child: dict[int, int] = field(default_factory=dict)  # child id -> the IRO who had them


def _ids(child_ids: Iterable) -> list[int]:
    ids: list[int] = []
    for value in child_ids or ():
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ReassignError("unknown_children", "A chosen child is not a child of this service") from None
        if number not in ids:
            ids.append(number)
    return ids


def check_target(to_iro: StaffUser | None) -> StaffUser:
    """The IRO children can be given to: an active Independent Reviewing Officer."""
    if to_iro is None or to_iro.role != "iro" or not to_iro.active:
        raise ReassignError("not_an_iro", "Choose an active Independent Reviewing Officer")
    return to_iro


def check_reassignment(child_ids: Iterable, to_iro: StaffUser | None, by_user, reason: str, *,
                       lock: bool = False) -> tuple[list[Child], StaffUser, str]:
    """The children (in the order asked), the IRO and the reason tidied, if the move is allowed; else
    ReassignError. Writes nothing (the check page shows what `reassign_children` would do)."""
    if by_user is None or getattr(by_user, "role", None) != "manager":
        raise ReassignError("not_a_manager", "Only a manager moves children between IROs")
    ids = _ids(child_ids)
    if not ids:
        raise ReassignError("no_children", "Choose at least one child to move")
    to_iro = check_target(to_iro)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ReassignError("no_reason", "Say why the children are moving")
    if len(reason) > REASON_MAX:
        raise ReassignError("long_reason", f"Use {REASON_MAX} characters or fewer")
    query = db.select(Child).where(Child.id.in_(ids)).order_by(Child.id)
    # Lock the children's rows (PostgreSQL): two managers moving the same child wait for each other.
    found = {child.id: child for child in db.session.scalars(query.with_for_update() if lock else query)}
    if len(found) != len(ids):
        raise ReassignError("unknown_children", "A chosen child is not a child of this service")
    children = [found[child_id] for child_id in ids]
    if any(child.iro_id == to_iro.id for child in children):
        raise ReassignError("same_iro", "A chosen child already has this IRO: choose another IRO")
    return children, to_iro, reason


def reassign_children(child_ids: Iterable, to_iro: StaffUser | None, by_user, reason: str) -> Reassigned:
    """Give these children to `to_iro`, for `reason`; the caller commits (or rolls back on an error).

    Refuses (ReassignError) an empty choice, a child who does not exist, a target who is not an active
    IRO, a child who is already `to_iro`'s, a missing or over-long reason, and anyone but a manager.
    """
    children, to_iro, reason = check_reassignment(child_ids, to_iro, by_user, reason, lock=True)
    ids = [child.id for child in children]
    by_child = {child.id: child.iro_id for child in children}
    from_iro_ids = sorted(set(by_child.values()))
    planned = list(db.session.scalars(db.select(Review).where(Review.child_id.in_(ids), Review.status == "planned")
                                      .with_for_update()))
    moved_per_child: dict[int, int] = {}
    for review in planned:
        review.iro = to_iro
        moved_per_child[review.child_id] = moved_per_child.get(review.child_id, 0) + 1
    for child in children:
        child.iro = to_iro
        record_event("child_reassigned", "child", child.id,
                     detail=f"from={by_child[child.id]} to={to_iro.id} planned_reviews="
                            f"{moved_per_child.get(child.id, 0)} reason={reason}")
    db.session.flush()
    hooks.children_reassigned(ids, from_iro_ids, to_iro)
    return Reassigned(children=children, to_iro=to_iro, from_iro_ids=from_iro_ids, reviews_moved=len(planned),
                      by_child=by_child)


def caseload_sizes() -> dict[int, int]:
    """How many children each IRO has now, in one query (for choosing whom to give children to)."""
    rows = db.session.execute(db.select(Child.iro_id, db.func.count(Child.id)).group_by(Child.iro_id))
    return {iro_id: count for iro_id, count in rows}


def children_of(iro_id: int) -> list[tuple[Child, object]]:
    """An IRO's children by name, each with the time of their next planned review (or None), in one query."""
    next_review = (db.select(Review.child_id, db.func.min(Review.meeting_at).label("meeting_at"))
                   .where(Review.status == "planned").group_by(Review.child_id).subquery())
    rows = db.session.execute(db.select(Child, next_review.c.meeting_at)
                              .outerjoin(next_review, next_review.c.child_id == Child.id)
                              .where(Child.iro_id == iro_id).order_by(Child.preferred_name, Child.id))
    return [(child, meeting_at) for child, meeting_at in rows]


def iros_and_caseloads() -> list[tuple[StaffUser, int]]:
    """Every IRO who is active or still has children (one who left may), with their number of children."""
    sizes = caseload_sizes()
    iros = db.session.scalars(db.select(StaffUser).where(StaffUser.role == "iro").order_by(StaffUser.name))
    return [(iro, sizes.get(iro.id, 0)) for iro in iros if iro.active or sizes.get(iro.id)]
