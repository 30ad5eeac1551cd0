"""A careless deployment is refused at start, in words that say what to set."""

from __future__ import annotations

import secrets

import pytest

from portal.config import Config, ConfigError


@pytest.mark.parametrize("spelling", ["Production", "PRODUCTION", "prod", " production", "production ", "live"])
def test_an_unknown_portal_env_is_refused(spelling):
    with pytest.raises(ConfigError, match="PORTAL_ENV"):
        Config({"PORTAL_ENV": spelling, "SECRET_KEY": secrets.token_hex(32)}).as_flask()


@pytest.mark.parametrize("secret", ["a" * 64, "changeme" * 8, "0123456789" * 4, "password1234567890password12"])
def test_a_long_but_guessable_secret_key_is_refused_in_production(secret):
    with pytest.raises(ConfigError, match="not random enough"):
        Config({"PORTAL_ENV": "production", "SECRET_KEY": secret}).as_flask()


@pytest.mark.parametrize("make", [lambda: secrets.token_hex(32), lambda: secrets.token_urlsafe(32)])
def test_a_generated_secret_key_is_accepted(make):
    config = Config({"PORTAL_ENV": "production", "SECRET_KEY": make(), "LINK_HASH_KEY": make()}).as_flask()
    assert config["PRODUCTION"] is True


def test_production_needs_a_link_key_of_its_own():
    secret = secrets.token_hex(32)
    with pytest.raises(ConfigError, match="LINK_HASH_KEY is not set"):
        Config({"PORTAL_ENV": "production", "SECRET_KEY": secret}).as_flask()
    with pytest.raises(ConfigError, match="must differ"):
        Config({"PORTAL_ENV": "production", "SECRET_KEY": secret, "LINK_HASH_KEY": secret}).as_flask()
    with pytest.raises(ConfigError, match="LINK_HASH_KEY is too short"):
        Config({"PORTAL_ENV": "production", "SECRET_KEY": secret, "LINK_HASH_KEY": "x" * 40}).as_flask()


def test_development_is_the_default_and_says_so():
    assert Config({}).as_flask()["PORTAL_ENV"] == "development"
