"""GOV.UK Frontend's files, installed from npm at a pinned version, served by the app."""

from __future__ import annotations

from flask import Blueprint, abort, send_from_directory

from portal.config import PROJECT_ROOT

GOVUK_DIST = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
ALLOWED = {"govuk-frontend.min.css", "govuk-frontend.min.js"}

bp = Blueprint("assets", __name__)


@bp.get("/assets/<path:filename>")
def govuk_asset(filename: str):
    """GOV.UK Frontend's CSS and JavaScript, served from the pinned npm package."""
    # No crown images and no GDS Transport font: the portal is the authority's, not GOV.UK's.
    if filename in ALLOWED:
        return send_from_directory(GOVUK_DIST, filename, max_age=86400)
    abort(404)
