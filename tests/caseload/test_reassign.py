"""Moving children between IROs: the rule (portal.reviews.reassign), what follows the child, and the pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.reviews import hooks
from portal.reviews.models import Child, Review
from portal.reviews.reassign import ReassignError, check_reassignment, reassign_children
from portal.safeguarding.models import ChildMessage, UrgentConcern
from portal.safeguarding.services import notice_recipients, open_concerns_query, read_messages
from portal.security import can_see, visible_review_ids
from portal.timeutil import utcnow
from tests import factories as f


def page(response) -> str:
    return response.get_data(as_text=True)


def signed_in(app, user):
    client = app.test_client()
    response = f.sign_in(client, user)
    assert response.status_code == 303, page(response)
    return client


def leaving_iro_with_children(count: int = 3):
    """An IRO who is leaving, `count` children with a planned review each, another IRO and a manager."""
    team = f.team()
    old = f.staff("iro", team=team, name="Olive Leaving")
    new = f.staff("iro", team=team, name="Nadia Staying")
    manager = f.staff("manager", team=team)
    children = [f.child(old, preferred_name=name) for name in ("Ava", "Ben", "Cal", "Dee", "Eli")[:count]]
    planned = [f.review(child, days_ahead=20 + n) for n, child in enumerate(children)]
    return old, new, manager, children, planned


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)))


# --- The rule -----------------------------------------------------------------------------------------


def test_children_move_with_their_planned_reviews_and_each_move_is_audited(app):
    old, new, manager, children, planned = leaving_iro_with_children(3)
    held = f.review(children[0], days_ahead=-100, status="held", held_at=utcnow() - timedelta(days=100))
    cancelled = f.review(children[1], days_ahead=-50, status="cancelled", cancelled_reason="Ill")

    moved = reassign_children([c.id for c in children], new, manager, "  Olive is   leaving ")
    db.session.commit()

    assert moved.from_iro_ids == [old.id] and moved.reviews_moved == 3
    db.session.expire_all()
    assert {db.session.get(Child, c.id).iro_id for c in children} == {new.id}
    assert {db.session.get(Review, r.id).iro_id for r in planned} == {new.id}
    # What already happened stays with the IRO who had it.
    assert db.session.get(Review, held.id).iro_id == old.id
    assert db.session.get(Review, cancelled.id).iro_id == old.id
    events = audit("child_reassigned")
    assert [e.record_id for e in events] == [c.id for c in children]
    assert all(e.record_type == "child" for e in events)
    assert events[0].detail == f"from={old.id} to={new.id} planned_reviews=1 reason=Olive is leaving"


def test_open_concerns_unread_messages_and_unsent_notices_follow_the_child(app):
    old, new, manager, children, planned = leaving_iro_with_children(2)
    ava, ben = children
    # An open concern and an unread message on Ava's planned review, and on a review already held.
    held = f.review(ava, days_ahead=-60, status="held", held_at=utcnow() - timedelta(days=60))
    open_on_planned = f.concern(planned[0])
    open_on_held = f.concern(held, text="he hit me again")
    answered = f.concern(held, text="he hit me before")
    answered.acknowledged_at, answered.acknowledged_by_id, answered.acknowledgement_note = utcnow(), old.id, "Seen"
    message = f.message(held, "Can we talk about school?")
    waiting = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.recipient == old.email)).all()
    assert {m.template for m in waiting} == {"urgent_notice", "child_message_notice"}
    # A notice already sent is history and stays as it was.
    waiting[0].status, waiting[0].sent_at = "sent", utcnow()
    sent_id = waiting[0].id
    db.session.flush()

    reassign_children([ava.id, ben.id], new, manager, "Caseload sharing")
    db.session.flush()

    # Unsent notices to the old IRO now go to the new one; the sent one is unchanged.
    assert db.session.get(OutboxMessage, sent_id).recipient == old.email
    assert {m.recipient for m in waiting if m.id != sent_id} == {new.email}
    assert len(audit("notice_readdressed")) == len(waiting) - 1
    # The new IRO sees every open concern of the child's, the held review's too; the old IRO no longer sees
    # the planned review's (they keep what they chaired).
    new_open = set(db.session.scalars(open_concerns_query(new).with_only_columns(UrgentConcern.id)))
    assert new_open == {open_on_planned.id, open_on_held.id}
    old_open = set(db.session.scalars(open_concerns_query(old).with_only_columns(UrgentConcern.id)))
    assert open_on_planned.id not in old_open
    assert can_see(new, held) and can_see(new, ava) and not can_see(old, ava)
    assert held.id in set(db.session.scalars(visible_review_ids(new)))
    # Anything new the child writes is for the new IRO; reading the message marks it read for them.
    assert notice_recipients(held, urgent=False) == [new.email]
    assert new.email in notice_recipients(held, urgent=True)
    read_messages(held, new)
    assert db.session.get(ChildMessage, message.id).read_at is not None
    assert answered.acknowledged_by_id == old.id


def test_the_childs_link_still_opens_and_names_the_new_iro(app):
    old, new, manager, children, planned = leaving_iro_with_children(1)
    held = f.review(children[0], days_ahead=-60, status="held", held_at=utcnow() - timedelta(days=60))
    # The link for the next review, and the one the child still holds from the review already held.
    _link, token = f.link(planned[0])
    _old_link, old_token = f.link(held)
    db.session.commit()
    reassign_children([children[0].id], new, manager, "Olive is leaving")
    db.session.commit()

    for the_token in (token, old_token):
        child = app.test_client()
        assert child.get(f"/l/{the_token}").status_code == 200
        assert child.post(f"/l/{the_token}").status_code in (200, 302, 303)
        my_iro = child.get("/my-iro")
        assert my_iro.status_code == 200
        assert "Nadia Staying" in page(my_iro) and "Olive Leaving" not in page(my_iro)
        assert "Nadia Staying" in page(child.get("/my-iro/message"))


@pytest.mark.parametrize(("case", "code"), [
    ("none", "no_children"), ("unknown", "unknown_children"), ("same", "same_iro"), ("inactive", "not_an_iro"),
    ("manager_target", "not_an_iro"), ("no_reason", "no_reason"), ("long_reason", "long_reason"),
    ("by_iro", "not_a_manager"),
])
def test_refusals_change_nothing(app, case, code):
    old, new, manager, children, planned = leaving_iro_with_children(2)
    ids, target, by, reason = [c.id for c in children], new, manager, "Olive is leaving"
    if case == "none":
        ids = []
    elif case == "unknown":
        ids = [*ids, 999_999]
    elif case == "same":
        ids = [*ids, f.child(new).id]
    elif case == "inactive":
        new.active = False
    elif case == "manager_target":
        target = manager
    elif case == "no_reason":
        reason = "   "
    elif case == "long_reason":
        reason = "x" * 501
    elif case == "by_iro":
        by = old
    db.session.commit()

    with pytest.raises(ReassignError) as refused:
        reassign_children(ids, target, by, reason)
    assert refused.value.code == code
    db.session.rollback()
    assert {db.session.get(Child, c.id).iro_id for c in children} == {old.id}
    assert {db.session.get(Review, r.id).iro_id for r in planned} == {old.id}
    assert audit("child_reassigned") == []


def test_a_listener_that_fails_undoes_the_whole_move(app):
    old, new, manager, children, planned = leaving_iro_with_children(3)
    db.session.commit()

    def broken(child_ids, from_iro_ids, to_iro):
        raise RuntimeError("an area could not move its records")

    hooks.register_children_reassigned("test_broken", broken)
    try:
        with pytest.raises(RuntimeError):
            reassign_children([c.id for c in children], new, manager, "Olive is leaving")
        db.session.rollback()
    finally:
        hooks._reassigned.pop("test_broken", None)
    assert {db.session.get(Child, c.id).iro_id for c in children} == {old.id}
    assert {db.session.get(Review, r.id).iro_id for r in planned} == {old.id}
    assert audit("child_reassigned") == []


def test_check_writes_nothing(app):
    old, new, manager, children, _planned = leaving_iro_with_children(2)
    chosen, target, reason = check_reassignment([str(c.id) for c in children], new, manager, " Leaving ")
    assert [c.id for c in chosen] == [c.id for c in children] and target is new and reason == "Leaving"
    assert all(c.iro_id == old.id for c in children) and audit("child_reassigned") == []


# --- The pages ----------------------------------------------------------------------------------------


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)


def test_a_manager_moves_three_children_through_the_pages(app):
    old, new, manager, children, planned = leaving_iro_with_children(4)
    f.concern(planned[0])
    db.session.commit()
    client = signed_in(app, manager)

    start = page(client.get("/caseload/reassign"))
    assert "Olive Leaving" in start and f"/caseload/reassign?from={old.id}" in start
    form = page(client.get(f"/caseload/reassign?from={old.id}"))
    assert all(c.preferred_name in form for c in children)
    assert "Nadia Staying (0 children)" in form and "Olive Leaving (4 children)" in form
    assert 'checked' not in form.split('name="children"')[1].split(">")[0]
    every = page(client.get(f"/caseload/reassign?from={old.id}&all=1"))
    assert every.count("checked") >= 4

    chosen = [c.id for c in children[:3]]
    check = client.post(f"/caseload/reassign?from={old.id}", data={
        "csrf_token": csrf_of(form), "children": chosen, "to_iro": new.id, "reason": "Olive is leaving"})
    check_page = page(check)
    assert check.status_code == 200
    assert "Move 3 children from" in check_page and "Nadia Staying" in check_page
    assert db.session.get(Child, chosen[0]).iro_id == old.id  # nothing moved yet

    done = client.post("/caseload/reassign/confirm", data={
        "csrf_token": csrf_of(check_page), "children": hidden(check_page, "children"),
        "to_iro": hidden(check_page, "to_iro"), "reason": hidden(check_page, "reason"),
        "source": hidden(check_page, "source")})
    assert done.status_code == 303
    db.session.expire_all()
    assert [db.session.get(Child, i).iro_id for i in chosen] == [new.id] * 3
    assert db.session.get(Child, children[3].id).iro_id == old.id
    landed = page(client.get(done.headers["Location"]))
    assert "3 children moved to Nadia Staying." in landed


@pytest.mark.parametrize(("data", "message"), [
    ({"reason": "Leaving"}, "Choose at least one child to move"),
    ({"children": "CHILD", "reason": "Leaving", "to_iro": "0"}, "Choose the IRO to move the children to"),
    ({"children": "CHILD", "reason": "Leaving", "to_iro": "OLD"}, "already has this IRO"),
    ({"children": "CHILD", "reason": "Leaving", "to_iro": "GONE"}, "Choose an IRO who is still working"),
    ({"children": "CHILD", "to_iro": "NEW"}, "Say why the children are moving"),
    ({"children": "CHILD", "to_iro": "NEW", "reason": "x" * 501}, "Use 500 characters or fewer"),
])
def test_the_form_says_what_is_wrong(app, data, message):
    old, new, manager, children, _planned = leaving_iro_with_children(1)
    gone = f.staff("iro", name="Gina Gone")
    gone.active = False
    db.session.commit()
    client = signed_in(app, manager)
    path = f"/caseload/reassign?child={children[0].id}"
    form = page(client.get(path))
    assert re.search(rf'value="{children[0].id}"\s+checked', form)
    values = {"CHILD": children[0].id, "OLD": old.id, "NEW": new.id, "GONE": gone.id}
    posted = {key: values.get(value, value) for key, value in data.items()}
    response = client.post(path, data={"csrf_token": csrf_of(form), **posted})
    assert response.status_code == 200
    html = page(response)
    assert "There is a problem" in html and message in html
    assert db.session.get(Child, children[0].id).iro_id == old.id


def test_a_stale_confirm_is_refused_in_words_and_moves_nothing(app):
    old, new, manager, children, _planned = leaving_iro_with_children(1)
    db.session.commit()
    client = signed_in(app, manager)
    form = page(client.get(f"/caseload/reassign?child={children[0].id}"))
    check_page = page(client.post(f"/caseload/reassign?child={children[0].id}", data={
        "csrf_token": csrf_of(form), "children": children[0].id, "to_iro": new.id, "reason": "Leaving"}))
    new.active = False  # the chosen IRO leaves before the manager confirms
    db.session.commit()
    done = client.post("/caseload/reassign/confirm", data={
        "csrf_token": csrf_of(check_page), "children": str(children[0].id), "to_iro": str(new.id),
        "reason": "Leaving", "source": f"child={children[0].id}"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"?child={children[0].id}")
    assert "Choose an IRO who is still working" in page(client.get(done.headers["Location"]))
    assert db.session.get(Child, children[0].id).iro_id == old.id
    # Without the security token nothing is moved either.
    refused = client.post("/caseload/reassign/confirm", data={
        "children": str(children[0].id), "to_iro": str(new.id), "reason": "Leaving"})
    assert refused.status_code == 400
    assert db.session.get(Child, children[0].id).iro_id == old.id
    assert audit("child_reassigned") == []


def test_only_managers_move_children(app):
    old, new, manager, children, _planned = leaving_iro_with_children(1)
    admin = f.staff("admin")
    db.session.commit()
    for who in (old, admin):
        client = signed_in(app, who)
        assert client.get("/caseload/reassign").status_code == 403
        assert client.get(f"/caseload/reassign?from={old.id}").status_code == 403
        token = f.session_csrf_token(client)
        assert client.post(f"/caseload/reassign?from={old.id}", data={
            "csrf_token": token, "children": children[0].id, "to_iro": new.id, "reason": "x"}).status_code == 403
        assert client.post("/caseload/reassign/confirm", data={
            "csrf_token": token, "children": str(children[0].id), "to_iro": str(new.id),
            "reason": "x"}).status_code == 403
    assert app.test_client().get("/caseload/reassign").status_code in (302, 303)
    # The child's page offers the move to managers only.
    assert "Move to another IRO" in page(signed_in(app, manager).get(f"/children/{children[0].id}"))
    assert "Move to another IRO" not in page(signed_in(app, old).get(f"/children/{children[0].id}"))
    manager_client = signed_in(app, manager)
    assert manager_client.get("/caseload/reassign?from=999999").status_code == 404
    assert manager_client.get("/caseload/reassign?child=999999").status_code == 404
