"""Private links' tokens and short codes never reach a log, from the app, Werkzeug or gunicorn."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from gunicorn.config import Config as GunicornConfig

from portal.logs import REDACTED, RedactingGunicornLogger, redact

TOKEN = "Zx8_kLq2-3vN9aTm0RbYwE4cPd7sHf1G"


def test_redact_replaces_tokens_codes_and_code_queries():
    assert redact(f'"GET /l/{TOKEN} HTTP/1.1" 200') == f'"GET /l/{REDACTED} HTTP/1.1" 200'
    assert redact("POST /s/ABCD2345EF HTTP/1.1") == f"POST /s/{REDACTED} HTTP/1.1"
    assert redact("GET /s?code=ABCD-2345-EF&x=1") == f"GET /s?code={REDACTED}&x=1"
    assert redact("GET /booklet/worries") == "GET /booklet/worries"


def test_werkzeug_request_lines_are_redacted(app, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s %s', "127.0.0.1", "now",
                                       f"GET /l/{TOKEN} HTTP/1.1", "200", "-")
    assert TOKEN not in caplog.text and f"/l/{REDACTED}" in caplog.text


def test_the_apps_own_log_is_redacted(app, caplog):
    caplog.set_level(logging.INFO)
    app.logger.warning("Unhandled error on %s", f"/l/{TOKEN}")
    assert TOKEN not in caplog.text


def test_gunicorn_access_lines_are_redacted():
    logger = RedactingGunicornLogger(GunicornConfig())
    request = SimpleNamespace(method="GET", uri=f"/l/{TOKEN}?a=1", path=f"/l/{TOKEN}", query="a=1",
                              version=(1, 1), headers=[])
    response = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
    environ = {"REMOTE_ADDR": "127.0.0.1", "RAW_URI": f"/l/{TOKEN}?a=1", "REQUEST_METHOD": "GET",
               "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": f"/l/{TOKEN}", "QUERY_STRING": "a=1"}
    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=1000))
    assert TOKEN not in atoms["r"] and TOKEN not in atoms["U"]
    assert REDACTED in atoms["r"]
