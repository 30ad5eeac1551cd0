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
    assert str(user.id).encode() in store.get(key)
    token = factories.csrf_token(client, "/children")
    client.post("/sign-out", data={"csrf_token": token})
    stored = store.get(key)
    assert stored is None or str(user.id).encode() not in stored
    assert client.get("/children").status_code in (302, 401)


def test_sign_in_limits_are_counted_in_redis(redis_app):
    store = redis.Redis.from_url(REDIS_URL)
    user = factories.staff("iro")
    from portal.extensions import db

    db.session.commit()
    client = redis_app.test_client()
    statuses = [factories.sign_in(client, user, password="wrong password!").status_code for _ in range(11)]
    assert statuses[-1] == 429
    assert any(b"LIMITS" in key or b"limit" in key.lower() for key in store.keys("*"))
