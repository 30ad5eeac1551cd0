"""Error pages in plain words."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from portal.extensions import db

ERROR_TEXT = {
    400: (_l("Something was wrong with that request"),
          _l("The page could not understand what was sent. Go back and try again.")),
    403: (_l("You cannot see this page"),
          _l("Your account does not allow this. If you think it should, ask your manager.")),
    404: (_l("Page not found"),
          _l("If you typed the web address, check it is correct. If you used a link, it may have expired.")),
    405: (_l("That did not work"),
          _l("This page cannot be used in that way. Go back and use the buttons on the page.")),
    413: (_l("That was too big to send"),
          _l("What you sent was larger than the portal accepts (3 MB). Make it smaller and try again; "
             "a voice note can be up to 2 minutes.")),
    429: (_l("Too many tries"),
          _l("There have been too many tries in a short time. Wait a few minutes, then try again.")),
    503: (_l("The portal is busy for a moment"),
          _l("Nothing you did caused this. Wait a minute, then try again. What you already saved is safe.")),
    500: (_l("Sorry, something went wrong"),
          _l("Nothing you did caused this. Try again later. What you already saved is safe.")),
}


NOT_SAVED_YET = _l("Not saved yet. Your words are still here: keep this page open and try again in a minute.")
NOT_KEPT_RECORDING = _l("The portal could not keep your recording just now. Nothing you did caused this. "
                        "Wait a few minutes, then record it again.")


def _wants_json() -> bool:
    """A page's script (the autosave, the recorder) asked for JSON; a plain form post gets a page."""
    return request.is_json or \
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"


# Fields a page sends that carry no words of the person: kept hidden, not shown back.
HIDDEN_FIELDS = ("csrf_token", "submission", "booklet_ref", "action")


def _kept_fields() -> list[tuple[str, str, bool]]:
    """(name, value, shown?) for every posted field, so the same post can be sent again as it was."""
    kept = []
    for name, value in request.form.items(multi=True):
        hidden = name.endswith(HIDDEN_FIELDS) or name.endswith(("__version", "__loaded", "__choose")) \
            or len(value) < 2
        kept.append((name, value, not hidden))
    return kept


def render_error(status: int, heading=None, body=None):
    """Render the plain-words page for a status code."""
    default_heading, default_body = ERROR_TEXT.get(status, ERROR_TEXT[500])
    return render_template("errors/error.html", heading=heading or default_heading,
                           body=body or default_body, status=status), status


CSRF_KEEPERS = "portal_csrf_keepers"


def keep_words_after_csrf_error(app: Flask, keeper) -> None:
    """Register a function that answers a timed-out form post without losing what was typed."""
    app.extensions.setdefault(CSRF_KEEPERS, []).append(keeper)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # Areas whose forms hold a person's words register a keeper that re-shows (or keeps) them.
        for keeper in app.extensions.get(CSRF_KEEPERS, []):
            kept = keeper(error)
            if kept is not None:
                return kept
        return render_error(400, _l("This page timed out"),
                            _l("For your security, forms stop working after a while. Go back, "
                               "reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code not in ERROR_TEXT or request.path.startswith("/assets/"):
            return error
        return render_error(error.code)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        """The database is locked, full or restarting: a person's words are shown back to send again."""
        app.logger.warning("Database unavailable on %s: %s", request.path, error.__class__.__name__)
        try:
            db.session.rollback()
        except (OperationalError, InterfaceError):
            db.session.remove()
        if request.method == "POST" and _wants_json():
            # The autosave and the recorder: they keep the words (or the recording) and say why.
            message = NOT_KEPT_RECORDING if request.files else NOT_SAVED_YET
            return jsonify(status="not_saved", ok=False, message=str(message)), 503
        if request.method == "POST" and request.files:
            # A recording cannot be put back on a page: say plainly that it was not kept.
            return render_error(503, _l("Your recording was not kept"), NOT_KEPT_RECORDING)
        if request.method == "POST" and request.form:
            return render_template("errors/not_saved.html", fields=_kept_fields(), action=request.path), 503
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        db.session.rollback()
        return render_error(500)
