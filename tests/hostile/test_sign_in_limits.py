"""Sign-in limits count failures only, per account and per address, in the database every worker shares.

A whole office behind one address signs in; ten wrong passwords pause one account (and only that
account) for 15 minutes; a hundred from one address pause that address; codes are limited per
account; the pause page is the same whether or not the account exists; two apps on one database
(two gunicorn workers) share the counts."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from portal import jobs
from portal.extensions import db
from portal.staff import limits
from portal.staff.models import SignInFailure
from portal.timeutil import utcnow
from tests import factories as f
from tests.conftest import _drop_postgres_schema, make_test_app

OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.7"


def page(response) -> str:
    return response.get_data(as_text=True)


def attempt(client, email: str, password: str, address: str = OFFICE):
    """One sign-in through the real form, from `address`."""
    token = f.csrf_token(client, "/sign-in")
    return client.post("/sign-in", data={"csrf_token": token, "email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def fail(client, email: str, times: int, address: str = OFFICE) -> list[int]:
    return [attempt(client, email, f"wrong password {n}", address).status_code for n in range(times)]


def main_content(html: str) -> str:
    """What the person reads, without the per-request parts (nonces, tokens, times)."""
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    return re.sub(r"\d", "#", main)


def stored_rows() -> list[SignInFailure]:
    db.session.expire_all()
    return db.session.scalars(db.select(SignInFailure)).all()


def test_eleven_colleagues_behind_one_office_address_all_sign_in(app):
    colleagues = [f.staff("iro") for _ in range(12)]
    db.session.commit()
    for person in colleagues:
        client = app.test_client()
        assert attempt(client, person.email, f.PASSWORD).status_code == 303
        assert client.get("/children").status_code == 200
    assert all(row.count == 0 for row in stored_rows())  # nothing counted against the office


def test_ten_failures_pause_that_account_and_only_that_account(app):
    target, colleague = f.staff("iro"), f.staff("manager")
    db.session.commit()
    client = app.test_client()
    assert fail(client, target.email, 10) == [401] * 10
    paused = attempt(client, target.email, f.PASSWORD)
    assert paused.status_code == 429
    assert "Too many tries" in page(paused) and "You can try again after" in page(paused)
    assert client.get("/children").status_code == 302  # even the right password waits
    # From another address too: the pause is the account's.
    assert attempt(app.test_client(), target.email, f.PASSWORD, ELSEWHERE).status_code == 429
    # A colleague at the same address signs in.
    other = app.test_client()
    assert attempt(other, colleague.email, f.PASSWORD).status_code == 303
    assert other.get("/children").status_code == 200


def test_the_pause_lifts_after_15_minutes(app, monkeypatch):
    target = f.staff("iro")
    db.session.commit()
    client = app.test_client()
    fail(client, target.email, 10)
    start = utcnow()
    monkeypatch.setattr("portal.staff.limits.utcnow", lambda: start + timedelta(minutes=14))
    assert attempt(client, target.email, f.PASSWORD).status_code == 429
    monkeypatch.setattr("portal.staff.limits.utcnow", lambda: start + timedelta(minutes=15, seconds=5))
    assert attempt(client, target.email, f.PASSWORD).status_code == 303


def test_the_pause_page_is_the_same_whether_or_not_the_account_exists(app):
    known = f.staff("iro", email="known@example.org")
    db.session.commit()
    known_client, unknown_client = app.test_client(), app.test_client()
    assert fail(known_client, known.email, 10) == fail(unknown_client, "nobody@example.org", 10) == [401] * 10
    known_page = attempt(known_client, known.email, f.PASSWORD)
    unknown_page = attempt(unknown_client, "nobody@example.org", f.PASSWORD)
    assert known_page.status_code == unknown_page.status_code == 429
    assert main_content(page(known_page)) == main_content(page(unknown_page))
    assert set(known_page.headers.keys()) == set(unknown_page.headers.keys())
    # Neither an email address nor an IP address is stored, only keyed hashes.
    for row in stored_rows():
        assert "example.org" not in row.key and OFFICE not in row.key and "nobody" not in row.key


def test_a_successful_sign_in_resets_nothing(app):
    target = f.staff("iro")
    db.session.commit()
    client = app.test_client()
    assert fail(client, target.email, 9) == [401] * 9
    assert attempt(app.test_client(), target.email, f.PASSWORD).status_code == 303
    assert fail(client, target.email, 1) == [401]
    assert attempt(app.test_client(), target.email, f.PASSWORD).status_code == 429


def test_a_hundred_failures_from_one_address_pause_that_address(app):
    colleague = f.staff("iro")
    db.session.commit()
    client = app.test_client()
    # One person trying many accounts, a few times each: no single account reaches its limit.
    statuses = [status for n in range(25) for status in fail(client, f"guess{n}@example.org", 4)]
    assert statuses == [401] * 100
    assert attempt(app.test_client(), colleague.email, f.PASSWORD).status_code == 429
    # The account is not paused: from another address it signs in.
    assert attempt(app.test_client(), colleague.email, f.PASSWORD, ELSEWHERE).status_code == 303


def test_an_ipv6_network_counts_as_one_address():
    assert limits.network("2001:db8:1:2:aaaa::1") == limits.network("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert limits.network("2001:db8:1:3::1") != limits.network("2001:db8:1:2::1")
    assert limits.network("::ffff:203.0.113.10") == limits.network(OFFICE) == OFFICE
    assert limits.network(None) == "unknown"


def test_sign_in_codes_are_limited_per_account(app):
    secret = pyotp.random_base32()
    user, colleague = f.staff("iro", totp_secret=secret), f.staff("iro")
    db.session.commit()
    client = app.test_client()
    assert attempt(client, user.email, f.PASSWORD).status_code == 303
    totp = pyotp.TOTP(secret)
    wrong = next(code for code in (f"{n:06d}" for n in range(1000)) if not totp.verify(code, valid_window=1))
    token = f.csrf_token(client, "/sign-in/code")
    statuses = [client.post("/sign-in/code", data={"csrf_token": token, "code": wrong},
                            environ_base={"REMOTE_ADDR": OFFICE}).status_code for _ in range(10)]
    assert statuses == [200] * 10
    paused = client.post("/sign-in/code", data={"csrf_token": token, "code": totp.now()},
                         environ_base={"REMOTE_ADDR": OFFICE})
    assert paused.status_code == 429 and "You can try again after" in page(paused)
    assert client.get("/children").status_code == 302
    # A fresh password step does not give fresh code tries.
    again = app.test_client()
    assert attempt(again, user.email, f.PASSWORD, ELSEWHERE).status_code == 303
    assert again.post("/sign-in/code", data={"csrf_token": f.csrf_token(again, "/sign-in/code"), "code": totp.now()},
                      environ_base={"REMOTE_ADDR": ELSEWHERE}).status_code == 429
    # A colleague at the same address is not affected.
    assert attempt(app.test_client(), colleague.email, f.PASSWORD).status_code == 303


def test_attempts_at_once_never_get_more_than_the_limit_of_password_checks(app):
    """Each attempt takes its place in one atomic statement before the password is checked."""
    email = f.staff("iro").email
    db.session.commit()
    clients = [app.test_client() for _ in range(14)]
    tokens = [f.csrf_token(client, "/sign-in") for client in clients]
    statuses: list[int] = []
    barrier = threading.Barrier(len(clients))

    def post(client, token, n):
        with app.app_context():  # each thread as its own worker thread would be
            barrier.wait()
            response = client.post("/sign-in", data={"csrf_token": token, "email": email,
                                                     "password": f"wrong {n}"}, environ_base={"REMOTE_ADDR": OFFICE})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=(client, token, n))
               for n, (client, token) in enumerate(zip(clients, tokens, strict=True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [401] * 10 + [429] * 4
    assert attempt(app.test_client(), email, f.PASSWORD).status_code == 429


def test_old_counts_are_cleaned_by_a_job(app, monkeypatch):
    f.staff("iro")
    db.session.commit()
    fail(app.test_client(), "someone@example.org", 3)
    assert len(stored_rows()) == 2  # the email typed, and the address
    assert limits.CLEANUP_JOB in jobs.registered()
    assert jobs.run_now(limits.CLEANUP_JOB) == 0
    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr("portal.staff.limits.utcnow", lambda: later)
    assert jobs.run_now(limits.CLEANUP_JOB) == 2
    assert stored_rows() == []


@pytest.fixture
def two_workers(database, tmp_path):
    """Two apps on one database, as two gunicorn workers without Redis."""
    first = make_test_app(database, tmp_path)
    overrides = {}
    if first.test_schema:
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={first.test_schema}"}}
    second = make_test_app(database, tmp_path, **overrides)
    yield first, second
    for each in (first, second):
        with each.app_context():
            db.engine.dispose()
    for schema in {first.test_schema, second.test_schema} - {None}:
        _drop_postgres_schema(schema)


def test_two_workers_on_one_database_share_the_counts(two_workers):
    first, second = two_workers
    with first.app_context():
        user = f.staff("iro")
        email = user.email
        db.session.commit()
    with second.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInFailure)) == 0
    # Five failures on each worker: ten in all, so both now refuse.
    for app in (first, second) * 5:
        with app.app_context():
            assert fail(app.test_client(), email, 1) == [401]
    for app in (first, second):
        with app.app_context():
            assert attempt(app.test_client(), email, f.PASSWORD).status_code == 429
            assert [row.count for row in stored_rows()] == [10, 10]  # the account, and the address
