"""Sign in and out, set a password, and the administrator's pages."""

from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from portal import jobs
from portal.audit import record_event
from portal.extensions import db
from portal.links.models import PrivateLink
from portal.links.registry import register_purpose
from portal.links.views import not_found_page
from portal.security import ADMINS, load_or_404, role_required, sessionless_form
from portal.settings import authority_settings
from portal.staff import limits, services
from portal.staff.auth import home_url, stamp_activity
from portal.staff.forms import (
    AccountForm,
    PhotoForm,
    SetPasswordForm,
    SetPasswordThroughLinkForm,
    SettingsForm,
    SignInForm,
    TeamForm,
    TotpForm,
)
from portal.staff.models import StaffUser, Team

bp = Blueprint("staff", __name__)
bp.record_once(lambda state: jobs.register_periodic(limits.CLEANUP_JOB, limits.clean_old_failures, minute="23"))


def _begin_session(user: StaffUser) -> None:
    # A fresh session id on sign-in, so a planted cookie is worth nothing.
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    login_user(user, remember=False)
    stamp_activity()
    # session.clear() keeps the id; a new one means a session id planted before sign-in is worthless.
    regenerate = getattr(current_app.session_interface, "regenerate", None)
    if regenerate is not None:
        regenerate(session)
    record_event("signed_in", "staff_user", user.id, actor_kind="staff")


def _paused(attempt: limits.Attempt):
    """The plain-words page for a paused sign-in: the same whether or not the account exists."""
    seconds = attempt.retry_after_seconds()
    html = render_template("staff/sign_in_paused.html", time=format_time(attempt.locked_until, "HH:mm"),
                           minutes=max(1, math.ceil(seconds / 60)))
    return html, 429, {"Retry-After": str(seconds)}


def _after_password(user: StaffUser, attempt: limits.Attempt):
    """The password worked: ask for the code when the person has turned codes on, else sign them in."""
    if user.totp_secret:
        session["pending_totp_user"] = user.id
    else:
        _begin_session(user)
    db.session.commit()
    # Given back after the commit, and counted before the account was read: a request never holds two
    # database connections at once, so a pool of threads can never end up waiting on itself.
    attempt.succeeded()
    if user.totp_secret:
        return redirect(url_for("staff.sign_in_code"), 303)
    return redirect(home_url(user), 303)


@bp.route("/sign-in", methods=["GET", "POST"])
@sessionless_form
def sign_in():
    """Only failures count, per email typed and per address (portal.staff.limits)."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        attempt = limits.begin(limits.password_rules(form.email.data, request.remote_addr))
        if attempt.locked_until:
            return _paused(attempt)
        user = services.check_credentials(form.email.data, form.password.data)
        if user is None:
            failed = True
        else:
            return _after_password(user, attempt)
    return render_template("staff/sign_in.html", form=form, failed=failed), (200 if not failed else 401)


@bp.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code():
    """Failed codes count per account and per address, as failed passwords do (counted before the account
    is read and given back after the commit, as in `_after_password`)."""
    user_id = session.get("pending_totp_user")
    form = TotpForm()
    attempt = limits.begin(limits.code_rules(user_id, request.remote_addr)) if (
        user_id and form.validate_on_submit()) else None
    if attempt is not None and attempt.locked_until:
        return _paused(attempt)
    user = db.session.get(StaffUser, user_id) if user_id else None
    if user is None or not user.active:
        return redirect(url_for("staff.sign_in"))
    if attempt is not None:
        if services.check_totp(user, form.code.data):
            _begin_session(user)
            db.session.commit()
            attempt.succeeded()
            return redirect(home_url(user), 303)
        form.code.errors.append(_("That code did not work. Check the app and try the newest code."))
    return render_template("staff/sign_in_code.html", form=form)


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        user = db.session.get(StaffUser, current_user.id)
        services.end_all_sessions(user)
        record_event("signed_out", "staff_user", user.id, actor_kind="staff")
        db.session.commit()
        logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("staff.sign_in"), 303)


def set_password_page(link: PrivateLink):
    """Reached from a set-password link (the links area calls it): GET shows the form, POST uses the link
    up. A used, replaced or too old link looks like any link that does not work."""
    user = db.session.get(StaffUser, link.staff_user_id)
    if user is None or not user.active or not services.set_password_link_works(link):
        return not_found_page()
    form = SetPasswordThroughLinkForm()
    if form.validate_on_submit():
        if not services.set_password_through_link(link, user, form.password.data):
            db.session.rollback()
            return not_found_page()
        db.session.commit()
        flash(_("Your password is set. Sign in with it now."), "success")
        return redirect(url_for("staff.sign_in"), 303)
    return render_template("staff/set_password.html", form=form, user=user)


# A set-password link opens its form directly: no Start and no link session.
register_purpose(bp, "set-password", landing=set_password_page)


@bp.route("/account/password", methods=["GET", "POST"])
@role_required("iro", "manager", "admin")
def change_password():
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = db.session.get(StaffUser, current_user.id)
        services.set_password(user, form.password.data)
        db.session.commit()
        # Every other session is now dead; keep this one going with the new version.
        _begin_session(user)
        db.session.commit()
        flash(_("Your password has been changed. You have been signed out everywhere else."), "success")
        return redirect(home_url(user), 303)
    return render_template("staff/set_password.html", form=form, user=current_user, changing=True)


@bp.get("/admin")
@role_required("admin")
def admin_home():
    users = db.session.scalars(db.select(StaffUser).order_by(StaffUser.name)).all()
    teams = db.session.scalars(db.select(Team).order_by(Team.name)).all()
    return render_template("staff/admin_home.html", users=users, teams=teams)


@bp.route("/admin/accounts/new", methods=["GET", "POST"])
@role_required(*ADMINS)
def new_account():
    form = AccountForm()
    form.offer_teams(services.all_teams())
    if form.validate_on_submit():
        try:
            user, url = services.create_account(**form.account_data())
        except services.EmailTaken:
            form.email.errors.append(_("There is already an account with this email address"))
        else:
            db.session.commit()
            return render_template("staff/account_created.html", user=user, url=url,
                                   hours=authority_settings().set_password_link_hours)
    return render_template("staff/account_form.html", form=form)


@bp.post("/admin/accounts/<int:user_id>/active")
@role_required(*ADMINS)
def toggle_active(user_id: int):
    user = load_or_404(StaffUser, user_id)
    try:
        services.set_active(user, not user.active, by=current_user)
    except services.OwnAccount:
        flash(_("You cannot switch off your own account."), "info")
    else:
        db.session.commit()
    return redirect(url_for("staff.admin_home"), 303)


@bp.post("/admin/accounts/<int:user_id>/password-link")
@role_required(*ADMINS)
def reissue_password_link(user_id: int):
    user = load_or_404(StaffUser, user_id)
    url = services.reissue_set_password_link(user)
    db.session.commit()
    return render_template("staff/account_created.html", user=user, url=url,
                           hours=authority_settings().set_password_link_hours)


@bp.route("/admin/teams", methods=["GET", "POST"])
@role_required(*ADMINS)
def teams():
    form = TeamForm()
    if form.validate_on_submit():
        try:
            services.add_team(form.name.data)
        except services.TeamExists:
            form.name.errors.append(_("There is already a team with this name"))
        else:
            db.session.commit()
            return redirect(url_for("staff.teams"), 303)
    return render_template("staff/teams.html", form=form, teams=services.all_teams())


@bp.route("/admin/settings", methods=["GET", "POST"])
@role_required(*ADMINS)
def settings():
    authority = authority_settings()
    form = SettingsForm(obj=authority)
    if form.validate_on_submit():
        services.save_settings(authority, **form.settings_data())
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("staff.settings"), 303)
    return render_template("staff/settings.html", form=form)


@bp.app_context_processor
def role_names_context():
    return {"role_names": {"iro": _("Independent Reviewing Officer"), "manager": _("Manager"),
                           "admin": _("Administrator")}}


CODE_DID_NOT_WORK = _l("That code did not work. Check the app and try the newest code.")


@bp.route("/account/two-step", methods=["GET", "POST"])
@role_required("iro", "manager", "admin")
def two_step():
    """Turn on (or off) a code from an authenticator app at sign-in."""
    user = db.session.get(StaffUser, current_user.id)
    form = TotpForm()
    secret = user.totp_secret or session.get("pending_totp_secret") or services.new_totp_secret()
    if not user.totp_secret:
        session["pending_totp_secret"] = secret
    if form.validate_on_submit():
        if services.switch_two_step(user, secret, form.code.data):
            session.pop("pending_totp_secret", None)
            db.session.commit()
            flash(_("Sign-in codes are turned on. You will need your app each time you sign in.") if user.totp_secret
                  else _("Sign-in codes are turned off."), "success")
            return redirect(url_for("staff.two_step"), 303)
        form.code.errors.append(str(CODE_DID_NOT_WORK))
    if user.totp_secret:
        return render_template("staff/two_step.html", form=form, enabled=True)
    return render_template("staff/two_step.html", form=form, enabled=False, secret=secret,
                           qr=services.qr_svg(services.totp_uri(user, secret)))


@bp.route("/account", methods=["GET", "POST"])
@role_required("iro", "manager", "admin")
def account():
    """The person's own account: password, sign-in codes, and the photo children see."""
    form = PhotoForm()
    if form.validate_on_submit():
        user = db.session.get(StaffUser, current_user.id)
        if form.remove.data:
            services.remove_photo(user)
            db.session.commit()
            flash(_("Your photo is removed."), "success")
            return redirect(url_for("staff.account"), 303)
        upload = form.photo.data
        problem = services.set_photo(user, upload.read(services.MAX_PHOTO_BYTES + 1) if upload else b"")
        if problem is None:
            db.session.commit()
            flash(_("Your photo is saved. Children see it on their My IRO page."), "success")
            return redirect(url_for("staff.account"), 303)
        form.photo.errors.append(problem)
    return render_template("staff/account.html", form=form)


@bp.get("/account/photo")
@role_required("iro", "manager", "admin")
def own_photo():
    if not current_user.photo:
        abort(404)
    return current_user.photo, 200, {"Content-Type": current_user.photo_type}
