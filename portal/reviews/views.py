"""The IRO workspace: children, reviews, plans. Thin: load, check, call a service, render."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.reviews import hooks, participation, services, workspace
from portal.reviews.forms import ChildForm, OutcomeForm, PlanReviewForm
from portal.reviews.models import Child, Review
from portal.reviews.services import BankHolidayDataExhausted, bank_holiday_data_range
from portal.reviews.workspace import LONG_DATE
from portal.security import CASEWORK, MANAGER, load_or_404, role_required
from portal.settings import authority_settings
from portal.staff.models import StaffUser, Team
from portal.timeutil import LONDON, as_utc, today

bp = Blueprint("reviews", __name__)

# Other areas add to the review pages through these (see portal.reviews.hooks).
bp.add_app_template_global(hooks.review_panels, "review_panels")
bp.add_app_template_global(hooks.review_statuses, "review_statuses")
bp.add_app_template_global(hooks.held_review_links, "held_review_links")
bp.add_app_template_global(hooks.child_statuses, "child_statuses")
bp.add_app_template_global(workspace.lateness, "review_lateness")


def _bank_holiday_error() -> str:
    """BankHolidayDataExhausted in plain words, for a form error."""
    last = bank_holiday_data_range()[1]
    return _("The portal cannot count working days after %(last)s yet, because its bank holiday list ends "
             "there. Choose a date on or before %(last)s, or ask your administrator to update the portal.",
             last=format_date(last, LONG_DATE))


@bp.get("/children")
@role_required(*CASEWORK)
def my_children():
    settings = authority_settings()
    user = db.session.get(StaffUser, current_user.id)
    rows = workspace.child_rows(workspace.children_for(user), working_days=settings.invitation_working_days)
    return render_template("reviews/my_children.html", rows=rows, today=today(),
                           working_days=settings.invitation_working_days,
                           child_status_rows=hooks.child_statuses([row.child.id for row in rows]))


@bp.route("/children/new", methods=["GET", "POST"])
@role_required(*CASEWORK)
def add_child():
    form = ChildForm()
    choosing = current_user.role == MANAGER  # a manager chooses the IRO; an IRO's children are their own
    form.offer_iros(services.active_iros() if choosing else None)
    if form.validate_on_submit():
        iro = db.session.get(StaffUser, form.iro_id.data if choosing else current_user.id)
        try:
            child = services.add_child(iro=iro, **form.child_data())
        except services.NotAnIro:
            form.iro_id.errors.append(_("Choose their Independent Reviewing Officer"))
        else:
            db.session.commit()
            flash(_("%(name)s has been added.", name=child.preferred_name), "success")
            return redirect(url_for("reviews.child_page", child_id=child.id), 303)
    return render_template("reviews/add_child.html", form=form)


@bp.get("/children/<int:child_id>")
@role_required(*CASEWORK)
def child_page(child_id: int):
    child = load_or_404(Child, child_id)
    reviews = sorted(child.reviews, key=lambda r: as_utc(r.meeting_at), reverse=True)
    settings = authority_settings()
    row = workspace.child_row(child, working_days=settings.invitation_working_days)
    return render_template("reviews/child.html", child=child, reviews=reviews, row=row, today=today())


@bp.route("/children/<int:child_id>/reviews/new", methods=["GET", "POST"])
@role_required(*CASEWORK)
def plan_review(child_id: int):
    child = load_or_404(Child, child_id)
    form = PlanReviewForm()
    if request.method == "GET":
        form.suggest(workspace.due_date(child))
    if form.validate_on_submit():
        try:
            review = services.plan_review(child, form.meeting_at(), form.place.data)
        except BankHolidayDataExhausted:
            form.meeting_date.errors.append(_bank_holiday_error())
        else:
            db.session.commit()
            _flash_planned(review)
            return redirect(url_for("reviews.child_page", child_id=child.id), 303)
    return _render_plan(form, child)


def _flash_planned(review: Review) -> None:
    """When the invitation must go, and whether the day is after the review was due."""
    invite_by = workspace.invite_by(review, authority_settings().invitation_working_days)
    if invite_by is not None and invite_by < today():
        flash(_("Review saved. The invitation should already have gone out by %(date)s: send it today.",
                date=format_date(invite_by, LONG_DATE)), "info")
    elif invite_by is not None:
        flash(_("Review saved. Send %(name)s's invitation by %(date)s.", name=review.child.preferred_name,
                date=format_date(invite_by, LONG_DATE)), "success")
    late = workspace.lateness(review)
    if late is not None:
        flash(_("This date is after the review is due (%(due)s).", due=format_date(late.due, LONG_DATE)), "info")


def _render_plan(form: PlanReviewForm, child: Child):
    number = workspace.next_review_number(child)
    due = workspace.due_date(child)
    late = workspace.planning_lateness(child, form.meeting_date.data) if form.meeting_date.data else None
    late_warning = _("This date is after the review is due (%(due)s). You can still save it.",
                     due=format_date(late.due, LONG_DATE)) if late else None
    return render_template("reviews/plan_review.html", form=form, child=child, number=number, due=due,
                           due_rule=workspace.DUE_RULE_TEXT[number], late_warning=late_warning,
                           already_planned=workspace.planned_reviews(child))


@bp.route("/reviews/<int:review_id>/outcome", methods=["GET", "POST"])
@role_required(*CASEWORK)
def record_outcome(review_id: int):
    review = load_or_404(Review, review_id)
    form = OutcomeForm()
    if request.method == "GET":
        form.fill_from(review, suggested=participation.suggested_code(review))
    if form.validate_on_submit():
        if form.outcome.data == "held":
            services.record_held(review, form.held_at(), form.participation_code.data or None,
                                 form.chairing.data or None)
            flash(_("The review has been recorded as held."), "success")
        else:
            services.record_cancelled(review, form.cancelled_reason.data)
            flash(_("The review has been recorded as cancelled."), "success")
        db.session.commit()
        return redirect(url_for("reviews.child_page", child_id=review.child_id), 303)
    return render_template("reviews/outcome.html", form=form, review=review, child=review.child)


@bp.get("/service")
@role_required(MANAGER)
def service_list():
    settings = authority_settings()
    teams = db.session.scalars(db.select(Team).order_by(Team.name)).all()
    team_id = request.args.get("team", type=int)
    if team_id is not None and db.session.get(Team, team_id) is None:
        abort(404)
    groups = workspace.service_groups(working_days=settings.invitation_working_days, team_id=team_id)
    totals = {name: sum(getattr(group, name) for group in groups)
              for name in ("planned", "late", "overdue", "planned_late")}
    child_ids = [row.child.id for group in groups for iro_group in group.iros for row in iro_group.rows]
    return render_template("reviews/service_list.html", groups=groups, teams=teams, team_id=team_id,
                           totals=totals, today=today(), child_status_rows=hooks.child_statuses(child_ids))


@bp.context_processor
def workspace_labels():
    return {"number_labels": workspace.NUMBER_LABELS, "status_labels": workspace.STATUS_LABELS,
            "chairing_labels": participation.CHAIRING_LABELS, "pn_labels": participation.PN_LABELS}


@bp.app_template_filter("london_time")
def london_time(value) -> str:
    """HH:MM in England for a stored instant."""
    return as_utc(value).astimezone(LONDON).strftime("%H:%M") if value else ""


@bp.app_template_filter("london_day")
def london_day(value):
    """The England calendar date of a stored instant."""
    return as_utc(value).astimezone(LONDON).date() if value else None
