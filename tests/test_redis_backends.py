"""With REDIS_URL set, sessions and sign-in limits live in Redis (shared by every worker)."""

from __future__ import annotations

import pytest
import redis

from tests import factories
from tests.conftest import make_test_app

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_reason() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        return None
    except redis.RedisError as error:
        return f"Redis is not reachable at {REDIS_URL} ({error.__class__.__name__}); start redis-server"


pytestmark = pytest.mark.skipif(_redis_reason() is not None, reason=_redis_reason() or "")


@pytest.fixture
def redis_app(tmp_path):
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    app = make_test_app("sqlite", tmp_path, REDIS_URL=REDIS_URL, RATELIMIT_STORAGE_URI=REDIS_URL)
    with app.app_context():
        yield app
    client.flushdb()
    client.close()


def test_a_signed_in_session_is_kept_in_redis_and_ended_there(redis_app):
    store = redis.Redis.from_url(REDIS_URL)
    user = factories.staff("iro")
    from portal.extensions import db

    db.session.commit()
    client = redis_app.test_client()
    before = set(store.keys("portal-session:*"))
    response = factories.sign_in(client, user)
    assert response.status_code == 303
    cookie = client.get_cookie(redis_app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    key = f"portal-session:{cookie.value}".encode()
    # The session lives in Redis under the cookie's id, and holds the signed-in person there.
    assert key in set(store.keys("portal-session:*")) - before
    assert b"_user_id" in store.get(key)
    token = factories.csrf_token(client, "/children")
    client.post("/sign-out", data={"csrf_token": token})
    stored = store.get(key)
    assert stored is None or b"_user_id" not in stored
    assert client.get("/children").status_code in (302, 401)


def test_sign_in_limits_are_counted_in_redis(redis_app, tmp_path):
    """Failures (only) are counted in Redis, where every worker sees them, and expire with their window."""
    from portal.extensions import db
    from portal.staff import limits
    from portal.staff.models import SignInFailure

    store = redis.Redis.from_url(REDIS_URL)
    user, colleague = factories.staff("iro"), factories.staff("iro")
    db.session.commit()
    assert factories.sign_in(redis_app.test_client(), colleague).status_code == 303
    assert [int(store.get(key)) for key in store.keys(limits.REDIS_PREFIX + "*")] == [0, 0]  # a success counts nothing

    client = redis_app.test_client()
    statuses = [factories.sign_in(client, user, password="wrong password!").status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    counts = sorted((key.decode().removeprefix(limits.REDIS_PREFIX).split(":")[0], int(store.get(key)))
                    for key in store.keys(limits.REDIS_PREFIX + "*"))
    assert counts == [("account", 0), ("account", 10), ("address", 10)]  # the colleague's, this account's, the office's
    for key in store.keys(limits.REDIS_PREFIX + "*"):
        assert 0 < store.pttl(key) <= limits.WINDOW.total_seconds() * 1000
    assert db.session.scalar(db.select(db.func.count()).select_from(SignInFailure)) == 0  # not in the database
    # Another worker (a second app on the same Redis, its own database) refuses this account too.
    email = user.email
    other = make_test_app("sqlite", tmp_path / "other-worker", REDIS_URL=REDIS_URL, RATELIMIT_STORAGE_URI=REDIS_URL)
    with other.app_context():
        client = other.test_client()
        response = client.post("/sign-in", data={"csrf_token": factories.csrf_token(client, "/sign-in"),
                                                 "email": email, "password": factories.PASSWORD})
        assert response.status_code == 429
        db.engine.dispose()
