"""The start page, language choice, and the accessibility, privacy and cookies pages."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_login import current_user

from portal.extensions import db
from portal.i18n import LANGUAGES, safe_return_path
from portal.settings import saved_authority
from portal.staff.auth import home_url

bp = Blueprint("site", __name__)


@bp.app_context_processor
def authority_context():
    authority = saved_authority()
    return {
        "authority_name": authority.name if authority else current_app.config["AUTHORITY_NAME"],
        "service_phone": authority.contact_phone if authority else "",
    }


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    return render_template("site/home.html")


@bp.get("/language/<code>")
def set_language(code: str):
    """Remember the chosen language for this browser session."""
    if code in LANGUAGES:
        session["locale"] = code
    return redirect(safe_return_path(request.args.get("next")), 303)


@bp.get("/accessibility")
def accessibility():
    return render_template("site/accessibility.html")


@bp.get("/privacy")
def privacy():
    return render_template("site/privacy.html")


@bp.get("/cookies")
def cookies():
    return render_template("site/cookies.html")


@bp.get("/healthz")
def health():
    """For the load balancer: the app answers and the database is reachable."""
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
