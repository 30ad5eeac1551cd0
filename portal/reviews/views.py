"""The IRO workspace: children, reviews, plans."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from portal.audit import record_event
from portal.extensions import db
from portal.reviews import workspace
from portal.reviews.forms import ChildForm, OutcomeForm, PlanReviewForm, parse_time
from portal.reviews.models import CHAIRING, PN_CODES, Child, Review
from portal.reviews.services import BankHolidayDataExhausted, age_on, bank_holiday_data_range, latest_invitation_date
from portal.security import load_or_404, role_required
from portal.settings import authority_settings
from portal.staff.models import StaffUser, Team
from portal.timeutil import LONDON, as_utc, today

bp = Blueprint("reviews", __name__)

LONG_DATE = "d MMMM y"


def _bank_holiday_error(error: BankHolidayDataExhausted) -> str:
    """BankHolidayDataExhausted in plain words, for a form error."""
    last = bank_holiday_data_range()[1]
    return _("The portal cannot count working days after %(last)s yet, because its bank holiday list ends "
             "there. Choose a date on or before %(last)s, or ask your administrator to update the portal.",
             last=format_date(last, LONG_DATE))


@bp.get("/children")
@role_required("iro", "manager")
def my_children():
    settings = authority_settings()
    user = db.session.get(StaffUser, current_user.id)
    rows = workspace.child_rows(workspace.children_for(user), working_days=settings.invitation_working_days)
    return render_template("reviews/my_children.html", rows=rows, today=today(),
                           working_days=settings.invitation_working_days)


@bp.route("/children/new", methods=["GET", "POST"])
@role_required("iro", "manager")
def add_child():
    form = ChildForm()
    if current_user.role == "manager":
        iros = db.session.scalars(db.select(StaffUser).filter_by(role="iro", active=True)
                                  .order_by(StaffUser.name)).all()
        form.iro_id.choices = [SelectChoice(0, _("Choose an IRO"))] + [SelectChoice(iro.id, iro.name) for iro in iros]
    else:
        del form.iro_id
    if form.validate_on_submit():
        if current_user.role == "manager":
            iro = db.session.get(StaffUser, form.iro_id.data)
            if iro is None or iro.role != "iro" or not iro.active:
                form.iro_id.errors.append(_("Choose their Independent Reviewing Officer"))
                return render_template("reviews/add_child.html", form=form)
            iro_id = iro.id
        else:
            iro_id = current_user.id
        child = Child(preferred_name=form.preferred_name.data.strip(),
                      first_name=(form.first_name.data or "").strip() or None,
                      date_of_birth=form.date_of_birth.data, came_into_care=form.came_into_care.data,
                      pronouns=(form.pronouns.data or "").strip(), preferred_language=form.preferred_language.data,
                      words_to_use=(form.words_to_use.data or "").strip(),
                      case_reference=(form.case_reference.data or "").strip() or None, iro_id=iro_id)
        db.session.add(child)
        db.session.flush()
        record_event("child_added", "child", child.id)
        db.session.commit()
        flash(_("%(name)s has been added.", name=child.preferred_name), "success")
        return redirect(url_for("reviews.child_page", child_id=child.id), 303)
    return render_template("reviews/add_child.html", form=form)


@bp.get("/children/<int:child_id>")
@role_required("iro", "manager")
def child_page(child_id: int):
    child = load_or_404(Child, child_id)
    reviews = sorted(child.reviews, key=lambda r: as_utc(r.meeting_at), reverse=True)
    settings = authority_settings()
    row = workspace.child_row(child, working_days=settings.invitation_working_days)
    return render_template("reviews/child.html", child=child, reviews=reviews, row=row, today=today())


@bp.route("/children/<int:child_id>/reviews/new", methods=["GET", "POST"])
@role_required("iro", "manager")
def plan_review(child_id: int):
    child = load_or_404(Child, child_id)
    number = workspace.next_review_number(child)
    due = workspace.due_date(child)
    form = PlanReviewForm()
    if request.method == "GET" and due is not None:
        form.meeting_date.data = max(due, today())
    already_planned = workspace.planned_reviews(child)
    late_warning = None
    if form.validate_on_submit():
        meeting_at = workspace.london_meeting(form.meeting_date.data, parse_time(form.meeting_time.data))
        settings = authority_settings()
        try:
            invite_by = latest_invitation_date(form.meeting_date.data, settings.invitation_working_days)
        except BankHolidayDataExhausted as error:
            form.meeting_date.errors.append(_bank_holiday_error(error))
        else:
            review = Review(child_id=child.id, iro_id=child.iro_id, meeting_at=meeting_at,
                            place=(form.place.data or "").strip(), number=number, status="planned")
            db.session.add(review)
            db.session.flush()
            record_event("review_planned", "review", review.id, detail=number)
            db.session.commit()
            if invite_by < today():
                flash(_("Review saved. The invitation should already have gone out by %(date)s: send it today.",
                        date=format_date(invite_by, LONG_DATE)), "info")
            else:
                flash(_("Review saved. Send %(name)s's invitation by %(date)s.", name=child.preferred_name,
                        date=format_date(invite_by, LONG_DATE)), "success")
            if due is not None and form.meeting_date.data > due:
                flash(_("This date is after the review is due (%(due)s).", due=format_date(due, LONG_DATE)), "info")
            return redirect(url_for("reviews.child_page", child_id=child.id), 303)
    if form.meeting_date.data is not None and due is not None and form.meeting_date.data > due:
        late_warning = _("This date is after the review is due (%(due)s). You can still save it.",
                         due=format_date(due, LONG_DATE))
    return render_template("reviews/plan_review.html", form=form, child=child, number=number, due=due,
                           due_rule=workspace.DUE_RULE_TEXT[number], late_warning=late_warning,
                           already_planned=already_planned)


def _suggested_code(review: Review) -> str | None:
    """The participation code the booklet suggests, or PN0 for a child under 4 at the meeting."""
    try:
        from portal.booklet.status import suggested_participation_code
    except ImportError:
        suggested_participation_code = None
    if suggested_participation_code is not None:
        return suggested_participation_code(review)
    if age_on(review.child.date_of_birth, workspace.meeting_date(review)) < 4:
        return "PN0"
    return None


@bp.route("/reviews/<int:review_id>/outcome", methods=["GET", "POST"])
@role_required("iro", "manager")
def record_outcome(review_id: int):
    review = load_or_404(Review, review_id)
    child = review.child
    form = OutcomeForm()
    form.participation_code.choices = [
        SelectChoice(code, _("%(code)s: %(meaning)s", code=code, meaning=workspace.PN_DESCRIPTIONS[code]))
        for code in PN_CODES]
    form.chairing.choices = [SelectChoice(value, workspace.CHAIRING_LABELS[value]) for value in CHAIRING]
    if request.method == "GET":
        meeting = as_utc(review.held_at or review.meeting_at).astimezone(LONDON)
        if review.status in ("held", "cancelled"):
            form.outcome.data = review.status
        form.held_date.data = meeting.date()
        form.held_time.data = meeting.strftime("%H:%M")
        form.participation_code.data = review.participation_code or _suggested_code(review)
        form.chairing.data = review.chairing
        form.cancelled_reason.data = review.cancelled_reason
    if form.validate_on_submit():
        if form.outcome.data == "held":
            review.status = "held"
            review.held_at = workspace.london_meeting(form.held_date.data, parse_time(form.held_time.data))
            review.participation_code = form.participation_code.data or None
            review.chairing = form.chairing.data or None
            review.cancelled_reason = ""
            record_event("review_held", "review", review.id, detail=review.participation_code or "")
            flash(_("The review has been recorded as held."), "success")
        else:
            review.status = "cancelled"
            review.held_at = None
            review.cancelled_reason = form.cancelled_reason.data.strip()
            record_event("review_cancelled", "review", review.id)
            flash(_("The review has been recorded as cancelled."), "success")
        db.session.commit()
        return redirect(url_for("reviews.child_page", child_id=child.id), 303)
    return render_template("reviews/outcome.html", form=form, review=review, child=child)


@bp.get("/service")
@role_required("manager")
def service_list():
    settings = authority_settings()
    teams = db.session.scalars(db.select(Team).order_by(Team.name)).all()
    team_id = request.args.get("team", type=int)
    if team_id is not None and db.session.get(Team, team_id) is None:
        abort(404)
    groups = workspace.service_groups(working_days=settings.invitation_working_days, team_id=team_id)
    totals = {"planned": sum(g.planned for g in groups), "late": sum(g.late for g in groups),
              "overdue": sum(g.overdue for g in groups)}
    return render_template("reviews/service_list.html", groups=groups, teams=teams, team_id=team_id,
                           totals=totals, today=today())


@bp.context_processor
def workspace_labels():
    return {"number_labels": workspace.NUMBER_LABELS, "status_labels": workspace.STATUS_LABELS,
            "chairing_labels": workspace.CHAIRING_LABELS, "pn_descriptions": workspace.PN_DESCRIPTIONS}


@bp.app_template_filter("london_time")
def london_time(value) -> str:
    """HH:MM in England for a stored instant."""
    return as_utc(value).astimezone(LONDON).strftime("%H:%M") if value else ""


@bp.app_template_filter("london_day")
def london_day(value):
    """The England calendar date of a stored instant."""
    return as_utc(value).astimezone(LONDON).date() if value else None

