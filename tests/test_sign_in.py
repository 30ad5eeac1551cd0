"""Staff sign-in: one message for every wrong answer, rate limits, sessions that really end, TOTP, links."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import pytest

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.settings import authority_settings
from portal.staff import services
from portal.staff.models import StaffUser, Team
from portal.timeutil import utcnow
from tests import factories as f

COOKIE = "portal_session"
NOT_RIGHT = "The email address or password is not right"
NEW_PASSWORD = "a brand new long passphrase"


def page(response) -> str:
    return response.get_data(as_text=True)


def words(response) -> str:
    """The page's text with people's names as read (each is isolated in <bdi>)."""
    return page(response).replace("<bdi>", "").replace("</bdi>", "")


def try_sign_in(client, email: str, password: str):
    return client.post("/sign-in", data={"csrf_token": f.csrf_token(client, "/sign-in"), "email": email,
                                         "password": password})


def is_signed_in(client) -> bool:
    response = client.get("/children")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/sign-in", response.status_code
    return False


def error_summary(html: str) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</div></div>', html, re.S)
    return match.group(0) if match else ""


def cookie_value(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def test_wrong_password_and_unknown_email_look_the_same(app):
    user = f.staff("iro", email="known@example.org")
    db.session.commit()
    client = app.test_client()
    wrong_password = try_sign_in(client, "known@example.org", "not the password at all")
    unknown_email = try_sign_in(client, "nobody@example.org", f.PASSWORD)
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert NOT_RIGHT in page(wrong_password)
    assert error_summary(page(wrong_password)) == error_summary(page(unknown_email)) != ""
    assert not is_signed_in(client)
    assert try_sign_in(client, user.email.upper(), f.PASSWORD).status_code == 303  # email case does not matter
    assert is_signed_in(client)


def test_after_ten_wrong_passwords_the_account_waits_and_is_told_until_when(app):
    f.staff("iro", email="known@example.org")
    db.session.commit()
    client = app.test_client()
    token = f.csrf_token(client, "/sign-in")
    statuses = [client.post("/sign-in", data={"csrf_token": token, "email": "known@example.org",
                                              "password": f"wrong {n}"}).status_code for n in range(10)]
    assert statuses == [401] * 10
    eleventh = client.post("/sign-in", data={"csrf_token": token, "email": "known@example.org", "password": f.PASSWORD})
    assert eleventh.status_code == 429
    assert "Too many tries" in page(eleventh) and "You can try again after" in page(eleventh)
    assert 14 * 60 <= int(eleventh.headers["Retry-After"]) <= 15 * 60
    assert not is_signed_in(client)  # even the right password waits


def test_successful_sign_ins_are_not_counted(app):
    user = f.staff("iro")
    db.session.commit()
    for _ in range(12):
        client = app.test_client()
        assert f.sign_in(client, user).status_code == 303
        assert is_signed_in(client)


def test_sign_out_kills_a_copied_session_cookie_and_every_other_session(app):
    user = f.staff("iro")
    db.session.commit()
    first = app.test_client()
    f.sign_in(first, user)
    copy = app.test_client()
    copy.set_cookie(COOKIE, cookie_value(first))
    elsewhere = app.test_client()
    f.sign_in(elsewhere, user)
    assert is_signed_in(copy) and is_signed_in(elsewhere)
    version = db.session.get(StaffUser, user.id).session_version

    response = first.post("/sign-out", data={"csrf_token": f.csrf_token(first, "/account/password")})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(StaffUser, user.id).session_version == version + 1
    assert not is_signed_in(first)
    assert not is_signed_in(copy)
    assert not is_signed_in(elsewhere)


def test_signing_in_gives_a_new_session_id(app):
    user = f.staff("iro")
    db.session.commit()
    client = app.test_client()
    f.session_csrf_token(client)  # a session someone planted before sign-in
    planted = cookie_value(client)
    assert planted
    f.sign_in(client, user)
    assert cookie_value(client) != planted
    attacker = app.test_client()
    attacker.set_cookie(COOKIE, planted)
    assert not is_signed_in(attacker)


def test_changing_the_password_ends_other_sessions(app):
    user = f.staff("iro")
    db.session.commit()
    here, there = app.test_client(), app.test_client()
    f.sign_in(here, user)
    f.sign_in(there, user)
    response = here.post("/account/password", data={"csrf_token": f.csrf_token(here, "/account/password"),
                                                     "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert is_signed_in(here)
    assert not is_signed_in(there)
    assert try_sign_in(app.test_client(), user.email, f.PASSWORD).status_code == 401
    assert try_sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 303


def test_idle_staff_are_signed_out(app, monkeypatch):
    authority = f.authority()
    authority.staff_idle_minutes = 30
    user = f.staff("iro")
    db.session.commit()
    client = app.test_client()
    f.sign_in(client, user)
    start = utcnow()

    monkeypatch.setattr("portal.staff.auth.utcnow", lambda: start + timedelta(minutes=29))
    assert is_signed_in(client)  # and this use restarts the idle clock
    monkeypatch.setattr("portal.staff.auth.utcnow", lambda: start + timedelta(minutes=29 + 29))
    assert is_signed_in(client)
    monkeypatch.setattr("portal.staff.auth.utcnow", lambda: start + timedelta(minutes=29 + 29 + 31))
    response = client.get("/children")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/sign-in"
    assert "had not used the portal for 30 minutes" in page(client.get("/sign-in"))
    assert not is_signed_in(client)


def test_a_set_password_link_works_once(app):
    f.authority()
    user, url = services.create_account(email="new.iro@example.org", name="New Person", role="iro", team_id=None)
    db.session.commit()
    path = urlsplit(url).path
    assert path.startswith("/l/")
    client = app.test_client()

    # Looking at the page (as a mail scanner would) does not use the link up.
    for _ in range(2):
        form = client.get(path)
        assert form.status_code == 200
        assert "Set your password" in page(form) and "new.iro@example.org" in page(form)

    token = f.csrf_token(client, path)
    mismatch = client.post(path, data={"csrf_token": token, "password": NEW_PASSWORD, "confirm": "something else"})
    assert mismatch.status_code == 200 and "The two passwords do not match" in page(mismatch)
    short = client.post(path, data={"csrf_token": token, "password": "short", "confirm": "short"})
    assert "at least 12 characters" in page(short)

    done = client.post(path, data={"csrf_token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and urlsplit(done.headers["Location"]).path == "/sign-in"
    assert client.get(path).status_code == 404
    assert "This link does not work" in page(client.get(path))  # as any unknown link
    assert client.post(path, data={"csrf_token": token, "password": "another long passphrase",
                                   "confirm": "another long passphrase"}).status_code == 404
    assert try_sign_in(app.test_client(), "new.iro@example.org", NEW_PASSWORD).status_code == 303
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="password_set", record_id=user.id))


def test_a_switched_off_account_cannot_sign_in(app):
    user = f.staff("iro")
    user.active = False
    db.session.commit()
    response = try_sign_in(app.test_client(), user.email, f.PASSWORD)
    assert response.status_code == 401 and NOT_RIGHT in page(response)


def test_switching_an_account_off_ends_its_session(app):
    admin, user = f.staff("admin"), f.staff("iro")
    db.session.commit()
    iro_client, admin_client = app.test_client(), app.test_client()
    f.sign_in(iro_client, user)
    f.sign_in(admin_client, admin)
    assert is_signed_in(iro_client)
    response = admin_client.post(f"/admin/accounts/{user.id}/active",
                                 data={"csrf_token": f.csrf_token(admin_client, "/admin")})
    assert response.status_code == 303
    assert not is_signed_in(iro_client)


def test_an_administrator_lands_on_administration(app):
    admin = f.staff("admin")
    db.session.commit()
    response = f.sign_in(app.test_client(), admin)
    assert urlsplit(response.headers["Location"]).path == "/admin"


def test_totp_users_must_enter_a_code(app):
    secret = pyotp.random_base32()
    user = f.staff("iro", totp_secret=secret)
    db.session.commit()
    client = app.test_client()
    response = try_sign_in(client, user.email, f.PASSWORD)
    assert response.status_code == 303 and urlsplit(response.headers["Location"]).path == "/sign-in/code"
    assert not is_signed_in(client)  # the password alone is not enough

    totp = pyotp.TOTP(secret)
    wrong = next(code for code in (f"{n:06d}" for n in range(1000)) if not totp.verify(code, valid_window=1))
    token = f.csrf_token(client, "/sign-in/code")
    refused = client.post("/sign-in/code", data={"csrf_token": token, "code": wrong})
    assert refused.status_code == 200 and "That code did not work" in page(refused)
    assert not is_signed_in(client)

    accepted = client.post("/sign-in/code", data={"csrf_token": token, "code": totp.now()})
    assert accepted.status_code == 303
    assert is_signed_in(client)


def test_the_code_page_is_useless_without_a_password(app):
    client = app.test_client()
    response = client.get("/sign-in/code")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/sign-in"


def test_there_is_no_remember_me(app):
    user = f.staff("iro")
    db.session.commit()
    client = app.test_client()
    form = page(client.get("/sign-in"))
    assert "remember" not in form.lower()
    response = f.sign_in(client, user)
    assert all("remember" not in header.lower() for header in response.headers.getlist("Set-Cookie"))
    assert client.get_cookie("remember_token") is None


def test_the_sign_in_page_makes_no_session_and_takes_posts_only_from_itself(app):
    user = f.staff("iro")
    db.session.commit()
    client = app.test_client()
    assert client.get("/sign-in").status_code == 200
    assert cookie_value(client) is None  # an anonymous page stores nothing
    for headers in ({"Origin": "https://elsewhere.example"}, {"Origin": "null"}, {"Origin": "https://localhost"},
                    {"Origin": "", "Referer": "https://elsewhere.example/sign-in"}):
        response = client.post("/sign-in", data={"email": user.email, "password": f.PASSWORD}, headers=headers)
        assert response.status_code == 400, headers
        assert "This page timed out" in page(response)
        assert not is_signed_in(client)
    bare = app.test_client()
    bare.environ_base.pop("HTTP_ORIGIN")
    refused = bare.post("/sign-in", data={"email": user.email, "password": f.PASSWORD})
    assert refused.status_code == 400 and not is_signed_in(bare)
    # Without an Origin header, a Referer from the portal's own page will do.
    by_referer = bare.post("/sign-in", data={"email": user.email, "password": f.PASSWORD},
                           headers={"Referer": "http://localhost/sign-in"})
    assert by_referer.status_code == 303 and is_signed_in(bare)


def test_a_user_turns_on_sign_in_codes_with_their_app(app):
    user = f.staff("manager")
    db.session.commit()
    client = app.test_client()
    f.sign_in(client, user)
    setup = page(client.get("/account/two-step"))
    assert "<svg" in setup and "Key:" in setup
    secret = re.search(r'<code class="portal-link-code">([A-Z2-7]+)</code>', setup).group(1)
    token = f.csrf_token(client, "/account/two-step")
    refused = client.post("/account/two-step", data={"csrf_token": token, "code": "000000"
                                                    if not pyotp.TOTP(secret).verify("000000") else "111111"})
    assert "That code did not work" in page(refused)
    assert db.session.get(type(user), user.id).totp_secret is None
    client.post("/account/two-step", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert db.session.get(type(user), user.id).totp_secret == secret
    # From now on the password alone is not enough.
    other = app.test_client()
    response = try_sign_in(other, user.email, f.PASSWORD)
    assert urlsplit(response.headers["Location"]).path == "/sign-in/code"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_iro_adds_a_photo_that_children_see_and_a_fake_one_is_refused(app):
    user = f.staff("iro")
    db.session.commit()
    client = app.test_client()
    f.sign_in(client, user)
    token = f.csrf_token(client, "/account")
    import io

    fake = client.post("/account", data={"csrf_token": token, "photo": (io.BytesIO(b"<svg onload=x>"), "me.png"),
                                         "submit": "Save photo"}, content_type="multipart/form-data")
    assert fake.status_code == 200 and "must be a JPEG, PNG or WebP" in page(fake)
    assert db.session.get(type(user), user.id).photo is None
    saved = client.post("/account", data={"csrf_token": token, "photo": (io.BytesIO(PNG), "me.png"),
                                          "submit": "Save photo"}, content_type="multipart/form-data")
    assert saved.status_code == 303
    stored = db.session.get(type(user), user.id)
    assert stored.photo == PNG and stored.photo_type == "image/png"
    assert client.get("/account/photo").headers["Content-Type"] == "image/png"
    client.post("/account", data={"csrf_token": token, "remove": "Remove photo"})
    assert db.session.get(type(user), user.id).photo is None


# --- The administrator's pages: each form posted, each write through staff.services -----------------


def _admin_client(app):
    admin = f.staff("admin")
    db.session.commit()
    client = app.test_client()
    f.sign_in(client, admin)
    return admin, client


def _post(client, path, data):
    return client.post(path, data={"csrf_token": f.csrf_token(client, path), **data})


def _actions(record_type: str, record_id: int | None = None) -> list[tuple[str, str]]:
    query = db.select(AuditEvent).filter_by(record_type=record_type).order_by(AuditEvent.id)
    if record_id is not None:
        query = query.filter_by(record_id=record_id)
    return [(e.action, e.detail) for e in db.session.scalars(query)]


def test_an_administrator_creates_an_account_once_per_email(app):
    team = f.team("North team")
    _admin, client = _admin_client(app)
    form = {"name": "Priya Shah", "email": "Priya.Shah@example.org", "phone": "0100 000 9999", "role": "iro",
            "team_id": str(team.id)}
    created = _post(client, "/admin/accounts/new", form)
    assert created.status_code == 200 and "Set-password link for Priya Shah" in words(created)
    user = db.session.scalar(db.select(StaffUser).filter_by(email="priya.shah@example.org"))
    assert (user.name, user.role, user.team_id, user.password_hash) == ("Priya Shah", "iro", team.id, None)
    assert _actions("staff_user", user.id) == [("account_created", "iro")]
    assert re.search(r'<code class="portal-link-code">http://localhost/\S+</code>', page(created))

    again = _post(client, "/admin/accounts/new", {**form, "email": "priya.shah@EXAMPLE.org"})
    assert "There is already an account with this email address" in error_summary(page(again))
    assert db.session.scalar(db.select(db.func.count(StaffUser.id)).filter_by(name="Priya Shah")) == 1


def test_an_administrator_switches_an_account_off_and_on_but_never_their_own(app):
    admin, client = _admin_client(app)
    user = f.staff("iro")
    db.session.commit()
    assert _post(client, f"/admin/accounts/{user.id}/active", {}).status_code == 303
    assert db.session.get(StaffUser, user.id).active is False
    assert _post(client, f"/admin/accounts/{user.id}/active", {}).status_code == 303
    assert db.session.get(StaffUser, user.id).active is True
    assert [action for action, _ in _actions("staff_user", user.id)] == ["account_deactivated", "account_activated"]

    own = _post(client, f"/admin/accounts/{admin.id}/active", {})
    assert own.status_code == 303
    assert db.session.get(StaffUser, admin.id).active is True
    assert "You cannot switch off your own account." in page(client.get("/admin"))
    assert client.get("/admin").status_code == 200  # still signed in


def test_an_administrator_issues_a_new_set_password_link(app):
    _admin, client = _admin_client(app)
    user = f.staff("iro", name="Tom Evans")
    db.session.commit()
    response = _post(client, f"/admin/accounts/{user.id}/password-link", {})
    assert response.status_code == 200 and "Set-password link for Tom Evans" in words(response)
    url = re.search(r'<code class="portal-link-code">(\S+)</code>', page(response)).group(1)
    assert urlsplit(url).path.startswith("/")
    assert _actions("staff_user", user.id) == [("password_link_issued", "")]


def test_an_administrator_adds_a_team_once_per_name(app):
    _admin, client = _admin_client(app)
    response = _post(client, "/admin/teams", {"name": "  South team "})
    assert response.status_code == 303
    team = db.session.scalar(db.select(Team).filter_by(name="South team"))
    assert _actions("team") == [("team_added", "South team")] == _actions("team", team.id)
    assert "South team" in page(client.get("/admin/teams"))
    again = _post(client, "/admin/teams", {"name": "South team"})
    assert again.status_code == 200 and "There is already a team with this name" in error_summary(page(again))
    assert "Enter the team" in error_summary(page(_post(client, "/admin/teams", {"name": ""})))
    assert db.session.scalar(db.select(db.func.count(Team.id))) == 1


SETTINGS = {"name": "Testshire County Council", "contact_phone": "0100 000 0000", "contact_email": "",
            "duty_inbox_email": "duty@example.org", "invitation_working_days": "10", "record_working_days": "20",
            "suppression_threshold": "10", "staff_idle_minutes": "30", "booklet_idle_minutes": "10",
            "urgent_escalation_working_hours": "4", "set_password_link_hours": "24",
            "feedback_reminder_working_days": "5", "handover_minutes": "15"}


def test_an_administrator_saves_the_authoritys_settings(app):
    f.authority()
    _admin, client = _admin_client(app)
    form = page(client.get("/admin/settings"))
    assert 'value="Testshire County Council"' in form
    changed = {**SETTINGS, "invitation_working_days": "12", "duty_inbox_email": "duty.team@example.org"}
    response = _post(client, "/admin/settings", changed)
    assert response.status_code == 303
    authority = authority_settings()
    db.session.refresh(authority)
    assert (authority.invitation_working_days, authority.duty_inbox_email) == (12, "duty.team@example.org")
    assert _actions("authority", authority.id) == [("settings_changed", "duty_inbox_email,invitation_working_days")]

    refused = _post(client, "/admin/settings", {**SETTINGS, "invitation_working_days": "0"})
    assert refused.status_code == 200 and "Enter a number from 1 to 60" in error_summary(page(refused))
    db.session.refresh(authority)
    assert authority.invitation_working_days == 12

    assert 'name="set_password_link_hours"' in form and authority.set_password_link_hours == 24
    assert _post(client, "/admin/settings", {**changed, "set_password_link_hours": "4"}).status_code == 303
    db.session.refresh(authority)
    assert authority.set_password_link_hours == 4
    too_long = _post(client, "/admin/settings", {**changed, "set_password_link_hours": "500"})
    assert "Enter a number from 1 to 168" in error_summary(page(too_long))


def test_the_admin_services_refuse_what_the_rules_do_not_allow(app):
    admin = f.staff("admin")
    f.staff("iro", email="taken@example.org")
    with pytest.raises(services.EmailTaken):
        services.create_account(email=" TAKEN@example.org", name="X", role="iro", team_id=None)
    with pytest.raises(services.AdminError):
        services.create_account(email="new@example.org", name="X", role="superuser", team_id=None)
    with pytest.raises(services.OwnAccount):
        services.set_active(admin, False, by=admin)
    assert admin.active is True
    with pytest.raises(services.AdminError):
        services.add_team("   ")
    with pytest.raises(TypeError):
        services.save_settings(f.authority(), id=99)
    before = admin.session_version
    services.set_active(admin, False)
    assert (admin.active, admin.session_version) == (False, before + 1)
