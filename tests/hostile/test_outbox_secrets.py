"""No secret link is shown in the development outbox to anyone but the person it was sent to."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.staff.services import create_account
from tests import factories as f


def test_a_manager_cannot_read_someone_elses_set_password_link(app, client):
    manager = f.staff("manager")
    f.authority()
    _admin, url = create_account(email="new.admin@example.org", name="New Admin", role="admin", team_id=None)
    db.session.commit()
    f.sign_in(client, manager)
    page = client.get("/outbox").get_data(as_text=True)
    assert url not in page
    assert re.search(r"/l/[A-Za-z0-9_-]{20,}", page) is None


def test_the_recipient_sees_their_own_link(app, client):
    f.authority()
    user, url = create_account(email="new.iro@example.org", name="New Iro", role="iro", team_id=None)
    from portal.staff.services import set_password

    set_password(user, f.PASSWORD)
    db.session.commit()
    f.sign_in(client, user)
    assert url in client.get("/outbox").get_data(as_text=True)


def test_another_iro_never_sees_a_childs_invitation_link(app, client):
    from portal.booklet.invitations import send_invitation

    owner, other = f.staff("iro"), f.staff("iro")
    review = f.review(f.child(owner))
    send_invitation(review, "email", "child@example.org")
    db.session.commit()
    f.sign_in(client, other)
    page = client.get("/outbox").get_data(as_text=True)
    assert "child@example.org" not in page and "/l/" not in page


def test_a_manager_sees_a_childs_address_only_masked(app, client):
    from portal.booklet.invitations import send_invitation

    iro, manager = f.staff("iro"), f.staff("manager")
    review = f.review(f.child(iro))
    send_invitation(review, "email", "child.private@example.org")
    db.session.commit()
    f.sign_in(client, manager)
    page = client.get("/outbox").get_data(as_text=True)
    assert "child.private@example.org" not in page
    assert "c\u2022\u2022\u2022@example.org" in page
