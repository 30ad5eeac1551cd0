"""The one table of DfE participation (PN) codes and chairing, and the PN code to start from.

The PN codes are the Department for Education's SSDA903 codes for how a child took part in their
review; here they are in plain words. Every page and form that shows or asks for them uses this
table: the outcome form, the child's page and the booklet's "How the child took part".
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from portal.reviews import hooks
from portal.reviews.dates import age_on
from portal.reviews.models import CHAIRING, PN_CODES, Review
from portal.timeutil import london_date

# Under this age on the meeting day the code is always PN0.
PN0_UNDER_AGE = 4

PN_MEANINGS = {
    "PN0": _l("Under 4 at the time of the review"),
    "PN1": _l("Attends and speaks for themselves"),
    "PN2": _l("Attends and an advocate speaks for them"),
    "PN3": _l("Attends and conveys their views symbolically (without words)"),
    "PN4": _l("Attends but does not contribute"),
    "PN5": _l("Does not attend but briefs an advocate to speak for them"),
    "PN6": _l("Does not attend but conveys their views another way (for example, a booklet)"),
    "PN7": _l("Does not attend and their views are not conveyed"),
}

# "PN6: Does not attend but …": the code and its meaning, as every page shows them.
PN_LABELS = {code: _l("%(code)s: %(meaning)s", code=code, meaning=PN_MEANINGS[code]) for code in PN_CODES}

CHAIRING_LABELS = {
    "none": _l("The IRO chaired it"),
    "chaired": _l("The child chaired it"),
    "co-chaired": _l("The child co-chaired it"),
}


def pn_choices() -> list[SelectChoice]:
    """Radio choices for a PN code, PN0 to PN7."""
    return [SelectChoice(code, PN_LABELS[code]) for code in PN_CODES]


def chairing_choices() -> list[SelectChoice]:
    return [SelectChoice(value, CHAIRING_LABELS[value]) for value in CHAIRING]


def suggested_code(review: Review) -> str | None:
    """Where the outcome form starts: what another area suggests (the booklet), else PN0 for a child under 4."""
    code = hooks.suggested_participation_code(review)
    if code:
        return code
    if age_on(review.child.date_of_birth, london_date(review.meeting_at)) < PN0_UNDER_AGE:
        return "PN0"
    return None
