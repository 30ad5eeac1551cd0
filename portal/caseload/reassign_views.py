"""Moving children between IROs (managers only): choose whose children (`?from=<iro>`, or one child with
`?child=<id>`), tick them, choose the IRO and say why; a check page; then confirm. The rule is
`portal.reviews.reassign`; thin views: load, check, call the service, render."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from portal.caseload.reassign_forms import ERRORS, ConfirmReassignForm, ReassignForm, show_error
from portal.extensions import db
from portal.reviews import reassign
from portal.reviews.models import Child
from portal.reviews.services import active_iros
from portal.security import MANAGER, load_or_404, role_required
from portal.staff.models import StaffUser

bp = Blueprint("caseload_reassign", __name__)


@dataclass
class Source:
    """Whose children the page offers: an IRO's (`from`) or one child's (`child`)."""

    iro: StaffUser
    rows: list  # (child, next planned meeting or None)
    args: dict  # the query values that name this source again
    one_child: Child | None = None


def _source(args) -> Source | None:
    if args.get("child", type=int):
        child = load_or_404(Child, args.get("child", type=int))
        rows = [row for row in reassign.children_of(child.iro_id) if row[0].id == child.id]
        return Source(iro=child.iro, rows=rows, args={"child": child.id}, one_child=child)
    if args.get("from", type=int):
        iro = db.session.get(StaffUser, args.get("from", type=int))
        if iro is None or iro.role != "iro":
            abort(404)
        return Source(iro=iro, rows=reassign.children_of(iro.id), args={"from": iro.id})
    return None


def _after_move(to_iro: StaffUser) -> str:
    """The manager's caseload view of the IRO the children went to (the children list, before it exists)."""
    if "caseload.service" in current_app.view_functions:
        return url_for("caseload.service", iro=to_iro.id)
    return url_for("reviews.service_list") if "reviews.service_list" in current_app.view_functions else "/"


@bp.route("/caseload/reassign", methods=["GET", "POST"])
@role_required(MANAGER)
def choose():
    source = _source(request.args)
    if source is None:
        return render_template("caseload/reassign_start.html", iros=reassign.iros_and_caseloads())
    form = ReassignForm()
    form.offer([child for child, _meeting in source.rows], active_iros(), reassign.caseload_sizes())
    if request.method == "GET":
        form.children.data = [child.id for child, _m in source.rows] if source.one_child or request.args.get(
            "all") else []
    if form.validate_on_submit():
        try:
            children, to_iro, reason = reassign.check_reassignment(
                form.children.data, db.session.get(StaffUser, form.to_iro.data), current_user, form.reason.data)
        except reassign.ReassignError as refused:
            show_error(form, refused.code)
        else:
            return _check_page(source, children, to_iro, reason)
    return render_template("caseload/reassign.html", form=form, source=source)


def _check_page(source: Source, children: list[Child], to_iro: StaffUser, reason: str):
    confirm = ConfirmReassignForm(formdata=None, children=",".join(str(child.id) for child in children),
                                  to_iro=to_iro.id, reason=reason, source="&".join(f"{k}={v}" for k, v in
                                                                                  source.args.items()))
    from_iros = {child.iro_id: child.iro for child in children}
    return render_template("caseload/reassign_check.html", form=confirm, source=source, children=children,
                           to_iro=to_iro, from_iros=list(from_iros.values()), reason=reason)


@bp.post("/caseload/reassign/confirm")
@role_required(MANAGER)
def confirm():
    form = ConfirmReassignForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        moved = reassign.reassign_children(form.child_ids(), db.session.get(StaffUser, _int(form.to_iro.data)),
                                           current_user, form.reason.data)
    except reassign.ReassignError as refused:
        db.session.rollback()
        flash(str(_refusal(refused.code)), "error")
        return redirect(url_for("caseload_reassign.choose") + _query(form.source.data), 303)
    db.session.commit()
    flash(ngettext("%(num)d child moved to %(name)s.", "%(num)d children moved to %(name)s.",
                   len(moved.children), name=moved.to_iro.name), "success")
    return redirect(_after_move(moved.to_iro), 303)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _refusal(code: str):
    return ERRORS.get(code, ERRORS["no_children"])[1]


def _query(source: str | None) -> str:
    """'?from=3' or '?child=9' again, from the check page's hidden value (anything else is dropped)."""
    key, _sep, value = (source or "").partition("=")
    return f"?{key}={int(value)}" if key in {"from", "child"} and value.isdigit() else ""
