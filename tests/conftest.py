"""Shared fixtures: an app per test on SQLite and on PostgreSQL, built by the real migrations."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from portal import create_app
from portal.extensions import db

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_reason() -> str | None:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as error:  # noqa: BLE001 - any failure means "not here"
        return f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({error.__class__.__name__}); start it or set TEST_POSTGRES_URL"


POSTGRES_MISSING = _postgres_reason()


def _fresh_postgres_schema() -> str:
    """A schema of its own for one test, so tests never see each other's rows."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return schema


def _drop_postgres_schema(schema: str) -> None:
    engine = create_engine(POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production (its own `g` and database session).

    The test's own context stays open for building records; its objects are expired after every
    request so that the test reads what the request wrote.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As a browser posting a form from the portal's own page: forms for people without a session
        # (a link's Start, sign-in) accept posts from this site only (portal.security.sessionless_form).
        self.environ_base.setdefault("HTTP_ORIGIN", "http://localhost")

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


def make_test_app(database: str, tmp_path, **overrides):
    """An app on a fresh, migrated database of the given kind."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SESSION_FILE_DIR": str(tmp_path / "sessions"),
        "BASE_URL": "http://localhost",
        "RATELIMIT_STORAGE_URI": "memory://",
        "HUEY_IMMEDIATE": True,
        "PASSWORD_HASHER": "fast-for-tests",
        "HUEY_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
    }
    schema = None
    if database == "postgresql":
        schema = _fresh_postgres_schema()
        url = POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://")
        config["SQLALCHEMY_DATABASE_URI"] = url
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={schema}"}}
    else:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = FreshContextClient
    with app.app_context():
        upgrade()
    app.test_schema = schema
    return app


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request) -> str:
    if request.param == "postgresql" and POSTGRES_MISSING:
        pytest.skip(POSTGRES_MISSING)
    return request.param


@pytest.fixture
def app_overrides() -> dict:
    """Tests override this to change settings for their app."""
    return {}


@pytest.fixture
def app(database, tmp_path, app_overrides):
    app = make_test_app(database, tmp_path, **app_overrides)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if app.test_schema:
        _drop_postgres_schema(app.test_schema)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
