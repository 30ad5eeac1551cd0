"""Security and caching headers for every response."""

from __future__ import annotations

from flask import Flask, request


def csp_settings(app: Flask) -> dict:
    """Talisman options: a nonce CSP with no inline script, HTTPS rules in production."""
    production = app.config["PRODUCTION"]
    return {
        "content_security_policy": {
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "img-src": ["'self'", "data:"],
            "media-src": ["'self'", "blob:"],
            "font-src": "'self'",
            "connect-src": "'self'",
            "object-src": "'none'",
            "base-uri": "'self'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
        },
        "content_security_policy_nonce_in": ["script-src"],
        "force_https": app.config["FORCE_HTTPS"],
        "strict_transport_security": production,
        "session_cookie_secure": production,
        "referrer_policy": "same-origin",
        "frame_options": "DENY",
        "permissions_policy": {"microphone": "(self)", "camera": "()", "geolocation": "()"},
    }


def register(app: Flask) -> None:
    @app.after_request
    def buffer_static_files(response):
        # Flask-Compress streams file responses without closing the file: read our small static
        # files into memory first, so they are compressed whole and the file is closed at once.
        if (response.direct_passthrough and request.path.startswith(("/static/", "/assets/", "/pictures/"))
                and response.mimetype in app.config["COMPRESS_MIMETYPES"]):
            response.direct_passthrough = False
            response.make_sequence()
        return response

    @app.after_request
    def no_store_personal_pages(response):
        # Pages may hold a child's words or a staff list: never keep them in any cache.
        if not request.path.startswith(("/assets/", "/static/", "/pictures/", "/speech/")):
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response
