"""What the server benchmarks share: a throwaway PostgreSQL schema, the portal's environment, migrations,
seeded children with booklet links, and gunicorn started, watched and stopped (loopback only).

Everything here has a timeout; nothing is left behind (the schema is dropped, gunicorn stopped).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
# Headers a TLS-terminating proxy in front of gunicorn adds (PROXY_FIX_HOPS=1 trusts one such proxy).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def stop_on_sigterm() -> None:
    """`timeout` and Ctrl-C end the run through `finally` blocks, so gunicorn stops and the schema goes."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def postgres_missing() -> str | None:
    import psycopg

    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except Exception as error:  # noqa: BLE001 - any failure means "not here"
        return f"PostgreSQL is not reachable at {POSTGRES_URL} ({error.__class__.__name__}: {error})"


def redis_missing() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
        return None
    except Exception as error:  # noqa: BLE001
        return f"Redis is not reachable at {REDIS_URL} ({error.__class__.__name__}: {error})"


def flush_redis() -> None:
    """The benchmark's own Redis database (14): sessions, rate-limit counters and queued jobs of the run."""
    import redis

    redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()


def sql(schema: str, statement: str, params: tuple | dict | None = None, fetch: bool = False):
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5,
                         options=f"-csearch_path={schema}") as connection:
        cursor = connection.execute(statement, params)
        return cursor.fetchall() if fetch else None


@contextmanager
def postgres_schema(prefix: str):
    """A fresh schema for one run, dropped afterwards whatever happens."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as connection:
            connection.execute("SET lock_timeout = '20s'")
            connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def database_url(schema: str) -> str:
    """As tests/test_production_smoke.py passes it: the schema through libpq's `options`."""
    return f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}options=-csearch_path%3D{schema}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def portal_env(schema: str, port: int, instance: Path, production: bool = True) -> dict[str, str]:
    """The portal's environment as production runs it: PostgreSQL, Redis, one trusted proxy (TLS ends there)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PORTAL_", "FLASK_", "DATABASE_", "SECRET_", "REDIS_", "BASE_URL", "PROXY_",
                                  "LINK_HASH", "HUEY_"))}
    instance.mkdir(parents=True, exist_ok=True)
    env.update({
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "PORTAL_INSTANCE_PATH": str(instance),
        "PORTAL_ENV": "production" if production else "development",
        "SECRET_KEY": secrets.token_hex(32),
        "LINK_HASH_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url(schema),
        "REDIS_URL": REDIS_URL,
        "PROXY_FIX_HOPS": "1" if production else "0",
        "BASE_URL": f"https://127.0.0.1:{port}" if production else f"http://127.0.0.1:{port}",
        "FLASK_APP": "wsgi:app",
    })
    return env


def run(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])} failed ({result.returncode}): {result.stderr[-2000:]}")
    return result


def migrate(env: dict[str, str]) -> float:
    """`flask db upgrade` on the fresh schema, as before each release; returns the seconds it took."""
    started = time.monotonic()
    run([str(BIN / "flask"), "db", "upgrade"], env, timeout=180)
    return time.monotonic() - started


def seed(env: dict[str, str], children: int, first_age: int = 8) -> list[dict]:
    """Children with planned reviews and a booklet link each (benchmarks/seed.py, in the portal's env)."""
    result = run([sys.executable, "-m", "benchmarks.seed", str(children), str(first_age)], env, timeout=180)
    return json.loads(result.stdout.strip().splitlines()[-1])


class Gunicorn:
    """gunicorn from the project folder (so gunicorn.conf.py applies), on 127.0.0.1 only."""

    def __init__(self, app: str, env: dict[str, str], port: int, log: Path, workers: int = 2) -> None:
        self.app, self.env, self.port, self.log, self.workers_wanted = app, env, port, log, workers
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str = "/healthz", headers: dict | None = None, timeout: float = 60) -> float:
        """Start and wait until every worker has booted and the app answers; returns the seconds it took."""
        started = time.monotonic()
        self._log = open(self.log, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(self.workers_wanted), "-b", f"127.0.0.1:{self.port}", self.app],
            cwd=PROJECT_ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.log_tail()}")
            if self._answers(ready_path, headers) and len(self.worker_pids()) >= self.workers_wanted:
                # Each worker loads the app on its own: ask a few times so both have answered once.
                for _ in range(4):
                    self._answers(ready_path, headers)
                return time.monotonic() - started
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer {ready_path} within {timeout} s: {self.log_tail()}")

    def _answers(self, path: str, headers: dict | None) -> bool:
        request = urllib.request.Request(self.base_url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def worker_pids(self) -> list[int]:
        """The master's children: its workers (gunicorn forks a new one when one dies)."""
        import psutil

        if self.process is None:
            return []
        try:
            return sorted(child.pid for child in psutil.Process(self.process.pid).children())
        except psutil.NoSuchProcess:
            return []

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()
        self.process = None


def open_url(url: str, *, data: bytes | None = None, headers: dict | None = None, timeout: float = 20):
    """One plain request, redirects not followed: (status, headers, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, data=data, headers=headers or {}, method="GET" if data is None else "POST")
    try:
        response = urllib.request.build_opener(NoRedirect).open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, response.headers, response.read().decode("utf-8", "replace")


def cookies_from(headers) -> dict[str, str]:
    found = {}
    for header in headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def start_child_session(base_url: str, link_path: str) -> dict:
    """Open a booklet link and press Start as a browser behind the TLS proxy would: the session cookie."""
    from urllib.parse import urlencode, urlsplit

    host = urlsplit(base_url).netloc
    headers = dict(PROXY_HEADERS)
    status, answer_headers, page = open_url(base_url + link_path, headers=headers)
    if status != 200:
        raise RuntimeError(f"the landing page answered {status}")
    cookies = cookies_from(answer_headers)
    if 'method="post"' not in page:
        raise RuntimeError("no Start form on the landing page")
    headers.update({"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                    "Referer": f"https://{host}{link_path}", "Origin": f"https://{host}",
                    "Content-Type": "application/x-www-form-urlencoded"})
    # No token: the landing page keeps no session; the post is accepted from the portal's own page (Origin).
    status, answer_headers, _ = open_url(base_url + link_path, data=urlencode({}).encode(), headers=headers)
    if status not in (302, 303):
        raise RuntimeError(f"pressing Start answered {status}")
    cookies.update(cookies_from(answer_headers))
    return cookies
