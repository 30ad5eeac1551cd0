"""Server-side sessions: Redis when REDIS_URL is set, files under instance/ otherwise."""

from __future__ import annotations

from flask import Flask


def configure_sessions(app: Flask) -> None:
    """Choose the Flask-Session back end from the settings."""
    app.config.setdefault("SESSION_PERMANENT", True)
    if app.config.get("SESSION_TYPE"):
        return
    if app.config.get("REDIS_URL"):
        import redis

        app.config["SESSION_TYPE"] = "redis"
        app.config["SESSION_REDIS"] = redis.Redis.from_url(app.config["REDIS_URL"])
        app.config["SESSION_KEY_PREFIX"] = "portal-session:"
    else:
        from cachelib.file import FileSystemCache

        app.config["SESSION_TYPE"] = "cachelib"
        app.config["SESSION_CACHELIB"] = FileSystemCache(app.config["SESSION_FILE_DIR"], threshold=5000)
