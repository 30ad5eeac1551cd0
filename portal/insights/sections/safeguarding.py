"""Urgent concerns: how many were raised in the period (for the reviews of the chosen team or IRO), how many
were acknowledged, how long acknowledging took (the median and the 90th percentile, in hours and minutes),
how many were escalated because nobody acknowledged them in time, and how many are still open.

Counted in SQL: one query for the counts, and one GROUP BY of the times to acknowledge in whole seconds (its rows
are distinct durations with how many concerns took them). The percentiles are taken in Python over those
aggregated rows, the same way on SQLite and PostgreSQL, interpolating between neighbours as PostgreSQL's
percentile_cont does. Acknowledged and still open are as things stand now, for the concerns raised in the
period. These are the service's own counts (no suppression).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, cast, func

from portal.extensions import db
from portal.insights.filters import Filters, narrow
from portal.insights.sections.base import Result, Section, Table
from portal.insights.stats import percentile
from portal.reviews.models import Review
from portal.safeguarding.models import UrgentConcern


@dataclass
class Concerns:
    raised: int = 0
    acknowledged: int = 0
    escalated: int = 0
    open: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None


def _seconds(later, earlier):
    """SQL: whole seconds from one stored instant to another."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.round(func.extract("epoch", later - earlier)), Integer)
    return cast(func.round((func.julianday(later) - func.julianday(earlier)) * 86400), Integer)


def figures(filters: Filters) -> Concerns:
    """The concerns raised in the period. Two queries."""
    in_period = (UrgentConcern.created_at >= filters.starts_at, UrgentConcern.created_at < filters.ends_at)
    counts = (db.select(func.count(UrgentConcern.id), func.count(UrgentConcern.acknowledged_at),
                        func.count(UrgentConcern.escalated_at))
              .join(Review, Review.id == UrgentConcern.review_id).where(*in_period))
    raised, acknowledged, escalated = db.session.execute(narrow(counts, filters, Review.iro_id)).one()
    found = Concerns(raised, acknowledged, escalated, raised - acknowledged)
    seconds = _seconds(UrgentConcern.acknowledged_at, UrgentConcern.created_at).label("seconds")
    durations = (db.select(seconds, func.count(UrgentConcern.id))
                 .join(Review, Review.id == UrgentConcern.review_id)
                 .where(*in_period, UrgentConcern.acknowledged_at.isnot(None)).group_by(seconds))
    pairs = [(value, count) for value, count in db.session.execute(narrow(durations, filters, Review.iro_id))]
    found.median_seconds = percentile(pairs, 0.5)
    found.p90_seconds = percentile(pairs, 0.9)
    return found


# --- The dashboard's section ---------------------------------------------------------------------

HEADER = (_l("Concerns raised"), _l("Acknowledged"), _l("Still open"), _l("Escalated"),
          _l("Median time to acknowledge (minutes)"), _l("90th percentile time to acknowledge (minutes)"))


def minutes(seconds: float | None):
    return "" if seconds is None else round(seconds / 60)


def duration_text(seconds: float | None) -> str:
    """'2 h 05 min', '45 min', or a dash when nothing was acknowledged."""
    if seconds is None:
        return "–"
    hours, rest = divmod(round(seconds / 60), 60)
    if hours:
        return _("%(hours)d h %(minutes)02d min", hours=hours, minutes=rest)
    return _("%(minutes)d min", minutes=rest)


def compute(filters: Filters) -> Result:
    found = figures(filters)
    row = (found.raised, found.acknowledged, found.open, found.escalated, minutes(found.median_seconds),
           minutes(found.p90_seconds))
    # Acknowledged and still open add up to those raised; the times are worked out from the concerns.
    table = Table(_l("Urgent concerns raised in the period"), tuple(str(cell) for cell in HEADER), [row],
                  partitions=(((1, 2), 0),), derived=(4, 5))
    share = found.escalated / found.raised if found.raised else None
    return Result({"found": found, "duration": duration_text,
                   "escalated_share": "–" if share is None else format_percent(share, "#,##0%")},
                  {"concerns": table})


SECTION = Section("safeguarding", _l("Urgent concerns"), "insights/_safeguarding.html", compute)
