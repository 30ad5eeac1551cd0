"""The My Review portal: a Flask application for an IRO service."""

from __future__ import annotations

from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import PROJECT_ROOT, Config
from portal.extensions import (
    babel,
    compress,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
    server_session,
    talisman,
    wtforms_helpers,
)
from portal.logs import RedactTokens
from portal.logs import install as redact_logs
from portal.requests import PortalRequest


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the portal: configure, then bind extensions, blueprints, error pages and commands."""
    app = Flask(__name__, template_folder=None, static_folder=str(PROJECT_ROOT / "static"),
                static_url_path="/static",
                instance_path=str(Config().INSTANCE_PATH))
    configure(app, overrides)
    register_templates(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_request_hooks(app)
    register_logging(app)
    return app


def configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    # Every form field, query argument and JSON string is cleaned of control characters once, here.
    app.request_class = PortalRequest
    app.config.update(Config().as_flask())
    app.config.update(overrides or {})
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)


def register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(PROJECT_ROOT / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension("jinja2.ext.i18n")


def register_extensions(app: Flask) -> None:
    from portal import i18n, models, sessions  # noqa: F401 - models registers every table
    from portal.headers import csp_settings

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    sessions.configure_sessions(app, server_session)
    talisman.init_app(app, **csp_settings(app))
    compress.init_app(app)
    wtforms_helpers.init_app(app)
    i18n.register_template_helpers(app)


def register_blueprints(app: Flask) -> None:
    from portal.assets import bp as assets_bp
    from portal.booklet.landing import bp as booklet_landing_bp
    from portal.booklet.my_iro import bp as my_iro_bp
    from portal.booklet.staff_views import bp as booklet_staff_bp
    from portal.booklet.views import bp as booklet_bp
    from portal.booklet.voice import bp as voice_bp
    from portal.caseload.reassign_views import bp as caseload_reassign_bp
    from portal.caseload.views import bp as caseload_bp
    from portal.consultation.views import bp as consultation_bp
    from portal.feedback.manage_views import bp as feedback_manage_bp
    from portal.feedback.staff_views import bp as feedback_staff_bp
    from portal.feedback.views import bp as feedback_bp
    from portal.insights.views import bp as insights_bp
    from portal.letters.manage_views import bp as letters_manage_bp
    from portal.letters.reading import bp as letter_reading_bp
    from portal.letters.record_views import bp as letter_records_bp
    from portal.letters.views import bp as letters_bp
    from portal.links.views import bp as links_bp
    from portal.outbox.views import bp as outbox_bp
    from portal.pictures import bp as pictures_bp
    from portal.reviews.views import bp as reviews_bp
    from portal.safeguarding.staff_views import bp as safeguarding_staff_bp
    from portal.safeguarding.views import bp as messages_bp
    from portal.site.views import bp as site_bp
    from portal.speech.views import bp as speech_bp
    from portal.staff.views import bp as staff_bp

    for blueprint in (assets_bp, site_bp, staff_bp, reviews_bp, links_bp, booklet_bp, booklet_landing_bp,
                      booklet_staff_bp, voice_bp, my_iro_bp, messages_bp, safeguarding_staff_bp, outbox_bp,
                      letters_bp, letter_reading_bp, letter_records_bp, letters_manage_bp, feedback_bp, feedback_staff_bp,
                      feedback_manage_bp, consultation_bp, insights_bp, pictures_bp,
                      speech_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(caseload_bp)  # the caseload table, Today list and the manager's view
    app.register_blueprint(caseload_reassign_bp)  # managers move children between IROs


def register_errorhandlers(app: Flask) -> None:
    from portal.errors import keep_words_after_csrf_error, register
    from portal.staff.csrf import keep_staff_post

    register(app)
    keep_words_after_csrf_error(app, keep_staff_post)


def register_commands(app: Flask) -> None:
    from portal.cli import register

    register(app)


def register_logging(app: Flask) -> None:
    # Private links' tokens and codes never reach a log line.
    redact_logs()
    app.logger.addFilter(RedactTokens())


def register_request_hooks(app: Flask) -> None:
    from portal.headers import register as register_headers
    from portal.staff.auth import register as register_auth

    register_headers(app)
    register_auth(app)
