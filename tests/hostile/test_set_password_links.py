"""Set-password links work once, for the administrator's setting (24 hours), and only the newest one:
an old link from a mailbox can never reset a password or sign its owner out."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.links.models import PrivateLink
from portal.settings import authority_settings
from portal.staff import services
from portal.staff.models import StaffUser
from portal.timeutil import utcnow
from tests import factories as f

NEW_PASSWORD = "a brand new long passphrase"
OTHER_PASSWORD = "somebody else's long passphrase"


def page(response) -> str:
    return response.get_data(as_text=True)


def link_path(url: str) -> str:
    path = urlsplit(url).path
    assert path.startswith("/l/")
    return path


def set_password(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"csrf_token": f.csrf_token(client, path), "password": password,
                                   "confirm": password})


def sign_in_works(app, email: str, password: str) -> bool:
    client = app.test_client()
    response = client.post("/sign-in", data={"csrf_token": f.csrf_token(client, "/sign-in"), "email": email,
                                             "password": password})
    return response.status_code == 303


def is_signed_in(client) -> bool:
    return client.get("/admin").status_code == 200


def reissue(admin_client, user: StaffUser) -> str:
    """A new link through the administrator's page; returns its address."""
    return reissue_page(admin_client, user)[0]


def reissue_page(admin_client, user: StaffUser) -> tuple[str, str]:
    path = f"/admin/accounts/{user.id}/password-link"
    response = admin_client.post(path, data={"csrf_token": f.csrf_token(admin_client, "/admin")})
    assert response.status_code == 200
    html = page(response).replace("<bdi>", "").replace("</bdi>", "")
    return re.search(r'<code class="portal-link-code">(\S+)</code>', html).group(1), html


def signed_in_admin(app):
    admin = f.staff("admin")
    db.session.commit()
    client = app.test_client()
    assert f.sign_in(client, admin).status_code == 303
    return admin, client


def test_an_older_link_stops_working_when_a_newer_one_is_issued(app):
    _admin, admin_client = signed_in_admin(app)
    user, first = services.create_account(email="new.iro@example.org", name="New Person", role="iro", team_id=None)
    db.session.commit()
    second = reissue(admin_client, user)
    third = reissue(admin_client, user)
    client = app.test_client()
    for old in (first, second):
        assert client.get(link_path(old)).status_code == 404
        assert "This link does not work" in page(client.get(link_path(old)))
    assert client.get(link_path(third)).status_code == 200
    assert set_password(client, link_path(third)).status_code == 303
    assert sign_in_works(app, "new.iro@example.org", NEW_PASSWORD)
    # Every link of that person is now revoked, and only theirs.
    live = db.session.scalars(db.select(PrivateLink).filter_by(staff_user_id=user.id, revoked_at=None)).all()
    assert live == []


def test_a_newer_link_for_one_person_leaves_another_persons_link_working(app):
    f.authority()
    one, one_url = services.create_account(email="one@example.org", name="One Person", role="iro", team_id=None)
    _two, two_url = services.create_account(email="two@example.org", name="Two Person", role="iro", team_id=None)
    db.session.commit()
    services.reissue_set_password_link(one)
    db.session.commit()
    client = app.test_client()
    assert client.get(link_path(one_url)).status_code == 404
    assert client.get(link_path(two_url)).status_code == 200


def test_a_used_link_stops_working_even_for_a_second_post_already_under_way(app):
    f.authority()
    user, url = services.create_account(email="new.iro@example.org", name="New Person", role="iro", team_id=None)
    db.session.commit()
    client = app.test_client()
    path = link_path(url)
    token = f.csrf_token(client, path)
    assert set_password(client, path).status_code == 303
    again = client.post(path, data={"csrf_token": token, "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD})
    assert again.status_code == 404
    assert sign_in_works(app, user.email, NEW_PASSWORD) and not sign_in_works(app, user.email, OTHER_PASSWORD)

    # Two posts at once: both loaded the link before either used it. The claim is one statement, so
    # only one of them sets a password.
    link = _fresh_link(user)
    assert services.set_password_through_link(link, user, OTHER_PASSWORD) is True
    db.session.commit()
    assert services.set_password_through_link(link, user, "a third long passphrase") is False
    db.session.rollback()
    assert sign_in_works(app, user.email, OTHER_PASSWORD)
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))
                             .filter_by(action="password_set", record_id=user.id)) == 2


def _fresh_link(user) -> PrivateLink:
    services.issue_set_password_link(user)
    db.session.commit()
    return db.session.scalars(db.select(PrivateLink).filter_by(staff_user_id=user.id, revoked_at=None)).one()


def test_a_link_lasts_the_setting_24_hours_by_default(app, monkeypatch):
    f.authority()
    assert authority_settings().set_password_link_hours == 24
    user, url = services.create_account(email="new.iro@example.org", name="New Person", role="iro", team_id=None)
    db.session.commit()
    link = db.session.scalars(db.select(PrivateLink).filter_by(staff_user_id=user.id)).one()
    assert abs((link.expires_at - link.created_at) - timedelta(hours=24)) < timedelta(seconds=5)
    start = utcnow()
    client = app.test_client()
    for module in ("portal.links.services", "portal.staff.services"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: start + timedelta(hours=23))
    assert client.get(link_path(url)).status_code == 200
    for module in ("portal.links.services", "portal.staff.services"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: start + timedelta(hours=24, minutes=1))
    assert client.get(link_path(url)).status_code == 404
    response = client.post(link_path(url), data={"csrf_token": f.csrf_token(client, "/sign-in"),
                                                 "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 404
    assert db.session.get(StaffUser, user.id).password_hash is None


def test_a_link_older_than_a_shortened_setting_is_not_usable(app, monkeypatch):
    _admin, admin_client = signed_in_admin(app)
    user = f.staff("iro", name="Tom Evans")
    db.session.commit()
    url = reissue(admin_client, user)
    created = admin_client.post("/admin/accounts/new", data={
        "csrf_token": f.csrf_token(admin_client, "/admin/accounts/new"), "name": "Priya Shah",
        "email": "priya@example.org", "role": "iro", "team_id": "0", "phone": ""})
    assert "It works once, for 24 hours." in page(created).replace("<bdi>", "").replace("</bdi>", "")

    authority = authority_settings()
    services.save_settings(authority, set_password_link_hours=2)
    db.session.commit()
    client = app.test_client()
    assert client.get(link_path(url)).status_code == 200  # 2 hours have not passed
    later = utcnow() + timedelta(hours=3)
    monkeypatch.setattr("portal.staff.services.utcnow", lambda: later)
    # The link's own expiry (24 hours when it was made) has not come, but it is older than the setting now.
    assert client.get(link_path(url)).status_code == 404
    monkeypatch.undo()
    _fresh, html = reissue_page(admin_client, user)
    assert "It works once, for 2 hours." in html
    link = db.session.scalars(db.select(PrivateLink).filter_by(staff_user_id=user.id, revoked_at=None)).one()
    assert abs((link.expires_at - link.created_at) - timedelta(hours=2)) < timedelta(seconds=5)


def test_an_old_link_cannot_reset_an_administrators_password_or_sign_them_out(app):
    f.authority()
    owner, first = services.create_account(email="owner@example.org", name="Ada Admin", role="admin", team_id=None)
    second = services.reissue_set_password_link(owner)
    db.session.commit()
    client = app.test_client()
    # The owner sets their password through the newest link and signs in.
    assert set_password(client, link_path(second)).status_code == 303
    owner_client = app.test_client()
    assert owner_client.post("/sign-in", data={"csrf_token": f.csrf_token(owner_client, "/sign-in"),
                                               "email": "owner@example.org", "password": NEW_PASSWORD}).status_code == 303
    assert is_signed_in(owner_client)
    version = db.session.get(StaffUser, owner.id).session_version

    # Someone finds the first email: neither link sets a password any more.
    attacker = app.test_client()
    for url in (first, second):
        assert attacker.get(link_path(url)).status_code == 404
        token = f.csrf_token(attacker, "/sign-in")
        attempt = attacker.post(link_path(url), data={"csrf_token": token, "password": OTHER_PASSWORD,
                                                      "confirm": OTHER_PASSWORD})
        assert attempt.status_code == 404
    assert is_signed_in(owner_client)
    assert db.session.get(StaffUser, owner.id).session_version == version
    assert sign_in_works(app, "owner@example.org", NEW_PASSWORD)
    assert not sign_in_works(app, "owner@example.org", OTHER_PASSWORD)


def test_changing_the_password_revokes_links_still_out_there(app):
    f.authority()
    user = f.staff("manager")
    url = services.issue_set_password_link(user)
    db.session.commit()
    client = app.test_client()
    assert f.sign_in(client, user).status_code == 303
    response = client.post("/account/password", data={"csrf_token": f.csrf_token(client, "/account/password"),
                                                      "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert app.test_client().get(link_path(url)).status_code == 404
    assert client.get("/children").status_code == 200  # still signed in here
