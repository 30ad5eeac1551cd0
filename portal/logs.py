"""No private link's token or short code is ever written to a log.

`/l/<token>` and `/s/<code>` (and `?code=`) become `/l/[redacted]` wherever the portal, Werkzeug or
gunicorn log a request. `install()` is called by create_app; gunicorn uses `RedactingGunicornLogger`
through gunicorn.conf.py.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "[redacted]"
_PATTERNS = (
    (re.compile(r"(/[ls]/)[^\s/?#\"']+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"([?&]code=)[^\s&#\"']*", re.IGNORECASE), rf"\g<1>{REDACTED}"),
)
LOGGERS = ("", "werkzeug", "gunicorn.access", "gunicorn.error", "flask.app", "portal")


def redact(text: str) -> str:
    """The text with every private link's secret part replaced."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(value):
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Rewrites a record's message and arguments before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _redact_value(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact_value(value) for value in record.args)
        return True


_filter = RedactTokens()


def install() -> None:
    """Put the filter on the loggers that write requests, and on their handlers (which see propagated records)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _filter not in logger.filters:
            logger.addFilter(_filter)
        for handler in logger.handlers:
            if _filter not in handler.filters:
                handler.addFilter(_filter)


class RedactingGunicornLogger(GunicornLogger):
    """gunicorn's logger, with the request line, path and query of each access line redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms

    def setup(self, cfg):
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            logger.addFilter(_filter)
            for handler in logger.handlers:
                handler.addFilter(_filter)
