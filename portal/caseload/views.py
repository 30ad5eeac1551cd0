"""The caseload pages: an IRO's own children as one table with a Today list (`/caseload`), and the manager's
view of a team or the service with counts per IRO (`/caseload/service`). Filters come as GET values, so a
view can be bookmarked; nothing here needs JavaScript. Thin: load, check, call a service, render."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from portal.booklet.status import status_label, status_tag_class
from portal.caseload import services
from portal.caseload.forms import CaseloadQuery
from portal.extensions import db
from portal.security import CASEWORK, MANAGER, role_required
from portal.settings import authority_settings
from portal.staff.models import StaffUser, Team
from portal.timeutil import today

bp = Blueprint("caseload", __name__)


@bp.context_processor
def caseload_labels() -> dict:
    return {"show_choices": services.SHOW_CHOICES, "age_choices": [(key, band[0]) for key, band in services.AGE_BANDS.items()],
            "sort_labels": services.SORT_LABELS, "booklet_label": status_label, "booklet_tag": status_tag_class}


def _rows(child_ids):
    settings = authority_settings()
    return services.build_rows(child_ids, on=today(), working_days=settings.invitation_working_days,
                               record_days=settings.record_working_days)


def _shown(rows, query: CaseloadQuery, iro_id: int | None = None):
    return services.sort_rows(services.filter_rows(rows, show=query.show, age=query.age, q=query.q, iro_id=iro_id),
                              query.sort, query.dir)


@bp.get("/caseload")
@role_required(*CASEWORK)
def mine():
    if current_user.role == MANAGER:
        return redirect(url_for("caseload.service", **request.args), 303)
    query = CaseloadQuery.from_args(request.args)
    rows = _rows(services.own_child_ids(current_user))
    items, total_items = services.today_items(rows)
    return render_template("caseload/mine.html", query=query, rows=_shown(rows, query), total=len(rows),
                           today_items=items, today_total=total_items, on=today())


@bp.get("/caseload/service")
@role_required(MANAGER)
def service():
    query = CaseloadQuery.from_args(request.args)
    teams = db.session.scalars(db.select(Team).order_by(Team.name)).all()
    team_id = query.team if any(team.id == query.team for team in teams) else None
    rows = _rows(services.service_child_ids(current_user, team_id=team_id))
    counts = services.iro_counts(rows, team_id)
    iro_id = query.iro if any(entry.iro_id == query.iro for entry in counts) else None
    query = replace(query, team=team_id, iro=iro_id)
    shown = _shown(rows, query, iro_id)
    return render_template("caseload/service.html", query=query, teams=teams, counts=counts, total=len(rows),
                           page=services.page_of(shown, query.page), shown=len(shown), on=today(),
                           iro=db.session.get(StaffUser, iro_id) if iro_id else None)
