"""A signed-in person's form whose security token only ran out is not lost: it is taken as posted.

The token proves the form came from this portal to this session (a page on another site cannot have
it); only its hour is over. While the person is still signed in (the idle sign-out protects an
unattended desk), the words they typed — an acknowledgement note, a new child's details — are saved,
instead of a "page timed out" error that throws them away. Anything else about the token (missing,
forged, another session's) is refused as before.
"""

from __future__ import annotations

import hmac

from flask import current_app, g, request, session
from flask_login import current_user
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

SALT = "wtf-csrf-token"


def _posted_token() -> str | None:
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return request.form.get(field) or request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")


def expired_but_genuine() -> bool:
    """The token is this session's own and correctly signed, and only too old."""
    token = _posted_token()
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if not token or field not in session:
        return False
    secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    serializer = URLSafeTimedSerializer(secret, salt=SALT)
    try:
        serializer.loads(token, max_age=current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600))
        return False  # not expired: the failure was something else
    except SignatureExpired:
        pass
    except BadData:
        return False
    try:
        raw = serializer.loads(token)
    except BadData:
        return False
    return hmac.compare_digest(session[field], raw)


def keep_staff_post(error):
    """CSRF keeper: run a signed-in person's timed-out (but genuine) post as posted."""
    if request.method != "POST" or not current_user.is_authenticated or request.endpoint is None:
        return None
    if request.blueprint in {"booklet", "messages", "links", "my_iro", "voice"} or not expired_but_genuine():
        return None
    # As Flask-WTF marks a request whose token it checked: the forms on the page then accept it.
    g.csrf_valid = True
    view = current_app.view_functions[request.endpoint]
    return current_app.ensure_sync(view)(**(request.view_args or {}))
