"""Words a child knows: the first time a child's page names their IRO, it says who that is.

Templates of every page a child reaches through a link call these (registered as template globals by
the links blueprint):

    {{ iro_named(iro.name) }}    "Priya (your IRO, the person who runs your meeting)", then "Priya"
    {{ iro_word() }}             "your IRO (the person who runs your meeting)", then "your IRO"
    {{ iro_word(start=True) }}   the same, starting a sentence ("Your IRO …")

Whether the explanation was given is kept for the one request (in its WSGI environ: flask.g lives as
long as an app context, which may outlast a request), in the order the page is rendered, so the first mention explains and later ones stay short. Names go through `bdi`.
"""

from __future__ import annotations

from flask import has_request_context, request
from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal.i18n import bdi

# The explanation every form below carries; tests look for it on every child page.
EXPLANATION = "the person who runs your meeting"
_FLAG = "portal.iro_explained"


def _first_mention() -> bool:
    """True once per request: the first caller explains."""
    if not has_request_context():
        return True
    if request.environ.get(_FLAG):
        return False
    request.environ[_FLAG] = True
    return True


def iro_named(name: str | None) -> Markup:
    """The IRO's name, explained the first time the page names them; reads well inside a sentence."""
    if not name:
        return iro_word(start=True)
    if _first_mention():
        # Translated first, escaped, then the name (already isolated and escaped) put in.
        return Markup(escape(_("%(name)s (your IRO, the person who runs your meeting)"))) % {"name": bdi(name)}
    return bdi(name)


def iro_word(start: bool = False) -> str:
    """'your IRO', explained the first time the page names them; `start` for the start of a sentence."""
    if _first_mention():
        return (_("Your IRO (the person who runs your meeting)") if start
                else _("your IRO (the person who runs your meeting)"))
    return _("Your IRO") if start else _("your IRO")


TEMPLATE_GLOBALS = {"iro_named": iro_named, "iro_word": iro_word}
