"""Without Redis, sessions live in a database table: none for anonymous pages, cleaned by a job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from portal import jobs
from portal.extensions import db
from portal.sessions import CLEANUP_JOB, DatabaseSessionInterface, web_session
from tests import factories as f


def _rows() -> int:
    with db.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(web_session)).scalar()


def test_the_database_keeps_sessions_when_there_is_no_redis(app, client):
    assert isinstance(app.session_interface, DatabaseSessionInterface)
    user = f.staff("iro")
    db.session.commit()
    assert f.sign_in(client, user).status_code == 303
    assert _rows() == 1
    assert client.get("/children").status_code == 200
    client.post("/sign-out", data={"csrf_token": f.csrf_token(client, "/children/new")})
    assert client.get("/children").status_code in (302, 401)


def test_anonymous_pages_without_a_form_store_no_session_and_set_no_cookie(app, client):
    f.authority()
    db.session.commit()
    for path in ("/", "/privacy", "/accessibility", "/cookies", "/no-such-page", "/l/not-a-token"):
        response = client.get(path)
        assert "Set-Cookie" not in response.headers, path
    assert _rows() == 0


def test_an_email_scanner_opening_every_link_and_form_page_leaves_no_session(app, client):
    """Pages with a form for people without a session (a link's Start, sign-in, the short code) store
    nothing either; Start still works afterwards, from the portal's own page only."""
    from portal.booklet.services import issue_booklet_link

    iro = f.staff("iro")
    reviews = [f.review(f.child(iro, age=age)) for age in (6, 10, 15)]
    links = [issue_booklet_link(review) for review in reviews]
    db.session.commit()
    scanner = app.test_client()
    scanner.environ_base.pop("HTTP_ORIGIN")
    for url, short in links:
        for address in (url, short, "/sign-in", "/s", "/s?code=ABCD-2345-EF"):
            path = address.removeprefix("http://localhost")
            response = scanner.get(path)
            assert response.status_code in (200, 404) and "Set-Cookie" not in response.headers, path
            # A scanner that also "clicks" the button (no Origin: not from the page) starts nothing.
            if path.startswith("/l/"):
                assert scanner.post(path).status_code == 400
    assert _rows() == 0
    path = links[0][0].removeprefix("http://localhost")
    assert client.post(path, headers={"Origin": "https://elsewhere.example"}).status_code == 400
    assert _rows() == 0
    started = client.post(path)
    assert started.status_code == 303 and _rows() == 1


def test_expired_sessions_are_ignored_and_cleaned_by_the_job(app, client):
    now = datetime.now(UTC)
    live = [{"id": f"portal-session:live{n}", "data": b"\x80", "expires_at": now + timedelta(hours=1)}
            for n in range(50)]
    old = [{"id": f"portal-session:old{n}", "data": b"\x80", "expires_at": now - timedelta(minutes=1)}
           for n in range(20_000)]
    with db.engine.begin() as connection:
        connection.execute(web_session.insert(), live + old)
    assert jobs.run_now(CLEANUP_JOB) == 20_000
    assert _rows() == 50
    assert CLEANUP_JOB in jobs.registered()


def test_a_session_whose_row_expired_is_a_new_empty_one(app, client):
    user = f.staff("iro")
    db.session.commit()
    f.sign_in(client, user)
    with db.engine.begin() as connection:
        connection.execute(web_session.update().values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert client.get("/children").status_code in (302, 401)


def test_reading_settings_never_writes(app, client):
    from portal.settings import Authority, authority_settings

    assert db.session.scalar(db.select(db.func.count(Authority.id))) == 0
    settings = authority_settings()
    assert settings.booklet_idle_minutes == 10 and settings.invitation_working_days == 10
    db.session.commit()
    assert client.get("/").status_code == 200
    assert db.session.scalar(db.select(db.func.count(Authority.id))) == 0
