"""Settings from the environment, with safe defaults for local use."""

from __future__ import annotations

import math
import os
import zlib
from collections import Counter
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting that production needs is missing or unsafe."""


ENVIRONMENTS = ("development", "production")
# A random key of 32 hex characters or more passes; "aaaa…", "changeme" repeated or a word with digits does not.
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 96


def secret_bits(secret: str) -> float:
    """A cautious estimate of a key's randomness: the Shannon entropy of its characters times its length
    once repeats are squeezed out (what zlib cannot compress away)."""
    if not secret:
        return 0.0
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    incompressible = min(len(secret), max(0, len(zlib.compress(secret.encode("utf-8"), 9)) - 8))
    return per_char * incompressible


def check_environment(name: str) -> str:
    """PORTAL_ENV exactly as written: any other spelling would silently run without production's guards."""
    if name not in ENVIRONMENTS:
        raise ConfigError(f"PORTAL_ENV={name!r} is not known: use one of {', '.join(ENVIRONMENTS)} "
                          "(lower case, exactly).")
    return name


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    """Read once per app from the environment; tests pass overrides to create_app."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.ENV_NAME = check_environment(env.get("PORTAL_ENV", "development"))
        self.INSTANCE_PATH = Path(env.get("PORTAL_INSTANCE_PATH", PROJECT_ROOT / "instance"))
        self.SQLALCHEMY_DATABASE_URI = _normalise_database_url(
            env.get("DATABASE_URL") or f"sqlite:///{self.INSTANCE_PATH / 'portal.sqlite3'}"
        )
        self.REDIS_URL = env.get("REDIS_URL") or None
        self.SECRET_KEY = env.get("SECRET_KEY") or None
        self.LINK_HASH_KEY = env.get("LINK_HASH_KEY") or None
        self.LINK_HASH_OLD_KEYS = tuple(k.strip() for k in env.get("LINK_HASH_OLD_KEYS", "").split(",") if k.strip())
        self.BASE_URL = env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.PROXY_FIX_HOPS = int(env.get("PROXY_FIX_HOPS", "0"))
        self.NOTIFY_API_KEY = env.get("NOTIFY_API_KEY") or None
        self.MAX_CONTENT_LENGTH = int(env.get("MAX_CONTENT_LENGTH", str(3 * 1024 * 1024)))
        self.AUTHORITY_NAME = env.get("AUTHORITY_NAME", "Example Council")
        self.HUEY_IMMEDIATE = env.get("HUEY_IMMEDIATE", "").lower() in {"1", "true"}

    def as_flask(self) -> dict:
        """The mapping handed to app.config."""
        production = self.ENV_NAME == "production"
        secret = self.SECRET_KEY
        if secret is None:
            if production:
                raise ConfigError(
                    "SECRET_KEY is not set. In production the portal needs a long random "
                    "SECRET_KEY in its environment, for example: "
                    "export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
                )
            # Local use only: a fixed, public key, so that sessions survive a restart.
            secret = "development-only-not-secret"
        elif production and (len(secret) < MIN_SECRET_LENGTH or secret_bits(secret) < MIN_SECRET_BITS):
            raise ConfigError("SECRET_KEY is too short or not random enough for production: use at least "
                              "32 random characters, for example: "
                              "export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')")
        link_key = self.LINK_HASH_KEY
        if link_key is None:
            if production:
                raise ConfigError(
                    "LINK_HASH_KEY is not set. In production private links are hashed with a key of their own, "
                    "kept apart from the database and from SECRET_KEY, for example: "
                    "export LINK_HASH_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')")
            link_key = "development-only-link-key"
        elif production and (len(link_key) < MIN_SECRET_LENGTH or secret_bits(link_key) < MIN_SECRET_BITS):
            raise ConfigError("LINK_HASH_KEY is too short or not random enough for production: use at least "
                              "32 random characters.")
        if production and link_key == secret:
            raise ConfigError("LINK_HASH_KEY must differ from SECRET_KEY, so either can be changed alone.")
        return {
            "PORTAL_ENV": self.ENV_NAME,
            "LINK_HASH_KEY": link_key,
            "LINK_HASH_OLD_KEYS": self.LINK_HASH_OLD_KEYS,
            "PRODUCTION": production,
            "SECRET_KEY": secret,
            "SQLALCHEMY_DATABASE_URI": self.SQLALCHEMY_DATABASE_URI,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "REDIS_URL": self.REDIS_URL,
            "BASE_URL": self.BASE_URL,
            "PROXY_FIX_HOPS": self.PROXY_FIX_HOPS,
            "NOTIFY_API_KEY": self.NOTIFY_API_KEY,
            "MAX_CONTENT_LENGTH": self.MAX_CONTENT_LENGTH,
            "AUTHORITY_NAME": self.AUTHORITY_NAME,
            "HUEY_IMMEDIATE": self.HUEY_IMMEDIATE,
            "HUEY_SQLITE_PATH": str(self.INSTANCE_PATH / "jobs.sqlite3"),
            "SESSION_COOKIE_SECURE": production,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_NAME": "portal_session",
            # Server-side sessions outlive idle time-outs; the idle rules live in the app.
            "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
            # A session is written only when it changes (the idle clocks change it at most every 15 s),
            # not on every request: most saves then write no session.
            "SESSION_REFRESH_EACH_REQUEST": False,
            "WTF_CSRF_TIME_LIMIT": 3600,
            "WTF_CSRF_SSL_STRICT": production,
            "RATELIMIT_STORAGE_URI": self.REDIS_URL or "memory://",
            # Always stated: Flask-Limiter keeps the last app's choice on its shared object otherwise.
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_HEADERS_ENABLED": True,
            "BABEL_DEFAULT_LOCALE": "en",
            "BABEL_DEFAULT_TIMEZONE": "Europe/London",
            "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
            "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript",
                                   "application/json", "text/plain", "image/svg+xml"],
            "COMPRESS_ALGORITHM": ["br", "gzip"],
            "COMPRESS_MIN_SIZE": 500,
            "FORCE_HTTPS": production,
        }


def _normalise_database_url(url: str) -> str:
    # Heroku-style URLs name the old driver; the portal ships psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url
