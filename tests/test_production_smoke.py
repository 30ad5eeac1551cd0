"""The portal as production runs it: gunicorn, PostgreSQL, migrations by `flask db upgrade`, HTTPS rules."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_ADMIN_URL, POSTGRES_MISSING, _drop_postgres_schema, _fresh_postgres_schema

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EMAIL = "smoke.iro@example.org"
PASSWORD = "a long smoke-test password"
CREATE_STAFF = f"""
from wsgi import app
from portal.extensions import db
from portal.staff.models import Authority, StaffUser
from portal.staff.services import hash_password
with app.app_context():
    db.session.add(Authority(name="Smoke Test Council", contact_phone="0100 000 0000", duty_inbox_email="duty@example.org"))
    db.session.add(StaffUser(email={EMAIL!r}, name="Smoke Iro", role="iro", active=True, session_version=1,
                             phone="0100 000 0001", password_hash=hash_password({PASSWORD!r})))
    db.session.commit()
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _base_env(tmp_path) -> dict[str, str]:
    """The parts of the environment that are not the portal's own settings."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PORTAL_", "FLASK_", "DATABASE_", "SECRET_", "REDIS_", "BASE_URL", "PROXY_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PORTAL_INSTANCE_PATH"] = str(tmp_path / "instance")
    (tmp_path / "instance").mkdir(exist_ok=True)
    return env


def _run(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = _base_env(tmp_path) | {"PORTAL_ENV": "production"}
    result = _run([sys.executable, "-c", "from portal import create_app; create_app()"], env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


class _Browser:
    """Just enough of a browser over plain HTTP: the session cookie is Secure, so send it by hand,
    with the headers a TLS-terminating proxy adds."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, method="POST" if body else "GET")
        request.add_header("X-Forwarded-Proto", "https")
        request.add_header("X-Forwarded-For", "203.0.113.7")
        host = urllib.parse.urlsplit(self.base_url).netloc
        request.add_header("X-Forwarded-Host", host)
        # A same-origin form post, as the browser would send it (CSRF checks the referrer under HTTPS).
        request.add_header("Referer", f"https://{host}{path}")
        request.add_header("Origin", f"https://{host}")
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=20)
        except urllib.error.HTTPError as error:  # 3xx and 4xx arrive here with _NoRedirect
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response, response.read().decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _wait_until_up(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}: {process.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start listening within 30 seconds")


@pytest.fixture
def postgres_schema():
    if POSTGRES_MISSING:
        pytest.skip(POSTGRES_MISSING)
    schema = _fresh_postgres_schema()
    yield schema
    _drop_postgres_schema(schema)


def test_gunicorn_on_postgresql_serves_a_signed_in_iro(tmp_path, postgres_schema):
    env = _base_env(tmp_path) | {
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "LINK_HASH_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"{POSTGRES_ADMIN_URL}{'&' if '?' in POSTGRES_ADMIN_URL else '?'}"
                        f"options=-csearch_path%3D{postgres_schema}",
        "PROXY_FIX_HOPS": "1",
        "FLASK_APP": "wsgi:app",
    }
    port = _free_port()
    env["BASE_URL"] = f"https://127.0.0.1:{port}"

    upgrade = _run([str(BIN / "flask"), "db", "upgrade"], env)
    assert upgrade.returncode == 0, upgrade.stderr
    staff = _run([sys.executable, "-c", CREATE_STAFF], env)
    assert staff.returncode == 0, staff.stderr

    process = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                               cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(port, process)
        browser = _Browser(base)

        response, page = browser.request("/sign-in")
        assert response.status == 200, page[:500]
        assert "max-age" in response.headers.get("Strict-Transport-Security", "")
        assert "Sign in" in page
        # The sign-in page makes no session (its post must come from the page itself).
        assert not [h for h in response.headers.get_all("Set-Cookie") or [] if h.startswith("portal_session=")]

        response, page = browser.request("/sign-in", {"email": EMAIL, "password": PASSWORD})
        assert response.status in (302, 303), f"sign-in answered {response.status}: {page[:1000]}"
        session_cookie = [h for h in response.headers.get_all("Set-Cookie") or [] if h.startswith("portal_session=")]
        assert session_cookie and "Secure" in session_cookie[0] and "HttpOnly" in session_cookie[0]
        assert response.headers["Location"].endswith("/children")

        response, page = browser.request("/children")
        assert response.status == 200, page[:500]
        assert "My children" in page
        assert "Smoke Test Council" in page

        # Without the proxy's HTTPS header, production sends people to HTTPS.
        plain = urllib.request.Request(base + "/sign-in")
        try:
            answer = urllib.request.build_opener(_NoRedirect).open(plain, timeout=20)
        except urllib.error.HTTPError as error:
            answer = error
        with answer:
            assert answer.status in (301, 302, 308)
            assert answer.headers["Location"].startswith("https://")
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()
