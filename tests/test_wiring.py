"""The factory wires what it says: extensions bound, blueprints registered, config applied."""

import pytest

from portal import create_app
from portal.config import Config, ConfigError


def test_extensions_and_blueprints_are_bound(app):
    assert {"sqlalchemy", "migrate", "csrf", "babel", "limiter"} <= set(app.extensions)
    assert app.login_manager is not None
    assert {"site", "staff", "reviews", "links", "booklet", "outbox", "assets"} <= set(app.blueprints)
    assert app.config["WTF_CSRF_ENABLED"] is not False


def test_production_without_secret_key_refuses_to_start():
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        Config({"PORTAL_ENV": "production"}).as_flask()


def test_production_with_short_secret_key_refuses_to_start():
    with pytest.raises(ConfigError, match="too short"):
        Config({"PORTAL_ENV": "production", "SECRET_KEY": "short"}).as_flask()


def test_database_url_defaults_to_sqlite_under_instance():
    assert Config({}).as_flask()["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert Config({}).as_flask()["SQLALCHEMY_DATABASE_URI"].endswith("instance/portal.sqlite3")


def test_postgres_urls_use_psycopg3():
    url = Config({"DATABASE_URL": "postgres://u@h/db"}).as_flask()["SQLALCHEMY_DATABASE_URI"]
    assert url == "postgresql+psycopg://u@h/db"


def test_headers_on_a_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "nonce-" in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "unsafe-inline" not in csp
    assert "<script>" not in response.get_data(as_text=True)
