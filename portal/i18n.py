"""Languages: which one a person sees, and the helpers templates use."""

from __future__ import annotations

from urllib.parse import urlsplit

from babel import Locale
from flask import Flask, has_request_context, request, session
from flask_babel import get_locale
from markupsafe import Markup

# English is the source; each language here has a full translation under translations/.
LANGUAGES = {"en": "English", "cy": "Cymraeg"}


def select_locale() -> str:
    """The person's chosen language, else their browser's, else English (also outside a request)."""
    if not has_request_context():
        return "en"
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def text_direction(code: str) -> str:
    """'rtl' for right-to-left scripts such as Arabic and Urdu."""
    return "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr"


def safe_return_path(target: str | None) -> str:
    """Only a path on this site, never another host (no open redirects)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def bdi(value) -> Markup:
    """A person's text (a name, an email, their words) isolated from the text around it, so that
    right-to-left letters or a stray direction control never reorder the rest of the line."""
    return Markup("<bdi>{}</bdi>").format("" if value is None else value)


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(bdi, "bdi")
    @app.context_processor
    def language_context():
        code = str(get_locale() or "en")
        return {
            "html_lang": code,
            "html_dir": text_direction(code),
            "languages": LANGUAGES,
            "current_language": code,
        }
