"""Feedback for the IRO and the manager: collated answers, comments, themes, quotes, form versions.

An IRO sees feedback on their own reviews, collated; a manager sees the service (by period, team and
IRO), corrects comments, keeps the themes lexicon and rewords the forms. Administrators keep accounts,
not children's records, so they see none of it. The rules are in portal.feedback.figures.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.audit import record_event
from portal.exports import csv_download
from portal.extensions import db
from portal.feedback import figures
from portal.feedback.manage_forms import NEW_QUESTION, CommentForm, QuestionForm, ThemeForm
from portal.feedback.models import GROUPS, FeedbackAnswer, FeedbackTheme
from portal.security import CASEWORK, IRO, MANAGER, role_required
from portal.staff.models import StaffUser, Team

bp = Blueprint("feedback_manage", __name__)
# Comments on one page of the list.
PER_PAGE = 40


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _scope() -> figures.Scope:
    """The scope asked for in the address: ?year=2025 (its reporting year) or ?from=…&to=…, ?team=, ?iro=."""
    first_day, last_day = _day("from"), _day("to")
    year = request.args.get("year", type=int)
    if year and not (first_day or last_day):
        first_day, last_day = date(year, 4, 1), date(year + 1, 3, 31)
    return figures.scope_for(current_user, first_day=first_day, last_day=last_day,
                             team_id=request.args.get("team", type=int) or None,
                             iro_id=request.args.get("iro", type=int) or None)


def _filters() -> dict:
    if current_user.role != MANAGER:
        return {"years": figures.recent_years()}
    return {"years": figures.recent_years(),
            "teams": db.session.scalars(db.select(Team).order_by(Team.name)).all(),
            "iros": db.session.scalars(db.select(StaffUser).filter_by(role=IRO).order_by(StaffUser.name)).all()}


@bp.get("/feedback")
@role_required(*CASEWORK)
def collated():
    scope = _scope()
    return render_template("feedback/manage/collated.html", collated=figures.collate(scope), scope=scope,
                           group_labels=figures.GROUP_LABELS, is_manager=current_user.role == MANAGER,
                           args=request.args, **_filters())


@bp.get("/feedback/export.csv")
@role_required(MANAGER)
def export():
    scope = _scope()
    rows = figures.export_rows(figures.collate(scope))
    record_event("feedback_exported", "feedback", None,
                 detail=f"{scope.first_day}..{scope.last_day} team={scope.team_id} iro={scope.iro_id}")
    db.session.commit()
    return csv_download(f"feedback-{scope.first_day}-{scope.last_day}.csv",
                        [str(cell) for cell in figures.EXPORT_HEADER], rows)


@bp.get("/feedback/comments")
@role_required(MANAGER)
def comments():
    scope = _scope()
    group = request.args.get("group") if request.args.get("group") in GROUPS else None
    found = figures.comments(scope, group)
    page = max(request.args.get("page", 1, type=int), 1)
    return render_template("feedback/manage/comments.html", comments=found[(page - 1) * PER_PAGE:page * PER_PAGE],
                           total=len(found), page=page, pages=max(1, -(-len(found) // PER_PAGE)), scope=scope,
                           group=group, group_labels=figures.GROUP_LABELS, years=figures.recent_years(),
                           args={key: value for key, value in request.args.items() if key != "page"})


def _comment_or_404(answer_id: int) -> FeedbackAnswer:
    answer = db.session.get(FeedbackAnswer, answer_id)
    if answer is None or answer.value_text is None or answer.value_choice is not None:
        abort(404)
    return answer


@bp.route("/feedback/comments/<int:answer_id>", methods=["GET", "POST"])
@role_required(MANAGER)
def comment(answer_id: int):
    answer = _comment_or_404(answer_id)
    form = CommentForm()
    form.offer_themes(db.session.scalars(db.select(FeedbackTheme).order_by(FeedbackTheme.label)))
    if request.method == "GET":
        form.sentiment.data = figures.sentiment_key(answer.sentiment)
        form.themes.data, form.fit_to_quote.data, form.quote.data = figures.theme_keys(answer), answer.fit_to_quote, answer.quote
    if form.validate_on_submit():
        changed = [name for name, did in (
            ("sentiment", figures.correct_sentiment(answer, form.sentiment.data)),
            ("themes", figures.correct_themes(answer, form.themes.data or [])))
            if did]
        figures.set_quote(answer, form.fit_to_quote.data, form.quote.data)
        record_event("feedback_comment_corrected", "feedback_answer", answer.id,
                     detail=",".join([*changed, "quote" if answer.fit_to_quote else "not_quoted"]))
        db.session.commit()
        flash(_("Your changes to the comment have been saved."), "success")
        return redirect(url_for(".comments"), 303)
    return render_template("feedback/manage/comment.html", form=form,
                           comment=figures.comment_of(answer, figures.all_prompts(), figures.theme_labels()))


@bp.route("/feedback/themes", methods=["GET", "POST"])
@role_required(MANAGER)
def themes():
    form = ThemeForm()
    if form.validate_on_submit():
        theme = figures.save_theme(None, label=form.label.data, phrases=form.phrases.data, active=form.active.data)
        record_event("feedback_theme_added", "feedback_theme", theme.id, detail=theme.key)
        db.session.commit()
        flash(_("The theme has been added."), "success")
        return redirect(url_for(".themes"), 303)
    found = db.session.scalars(db.select(FeedbackTheme).order_by(FeedbackTheme.active.desc(), FeedbackTheme.label))
    return render_template("feedback/manage/themes.html", form=form, themes=found.all())


@bp.route("/feedback/themes/<int:theme_id>", methods=["GET", "POST"])
@role_required(MANAGER)
def theme(theme_id: int):
    found = db.session.get(FeedbackTheme, theme_id) or abort(404)
    form = ThemeForm(obj=found)
    if form.validate_on_submit():
        figures.save_theme(found, label=form.label.data, phrases=form.phrases.data, active=form.active.data)
        record_event("feedback_theme_changed", "feedback_theme", found.id,
                     detail=f"{found.key} active={found.active}")
        db.session.commit()
        flash(_("The theme has been saved."), "success")
        return redirect(url_for(".themes"), 303)
    return render_template("feedback/manage/theme.html", form=form, theme=found)


@bp.get("/feedback/forms")
@role_required(MANAGER)
def forms():
    return render_template("feedback/manage/forms.html", groups=GROUPS, group_labels=figures.GROUP_LABELS,
                           versions={group: figures.versions_of(group) for group in GROUPS},
                           current={group: figures.form_questions(group) for group in GROUPS},
                           counts=figures.responses_per_version(), words=figures.words)


@bp.route("/feedback/forms/<group>", methods=["GET", "POST"])
@role_required(MANAGER)
def change_form(group: str):
    if group not in GROUPS:
        abort(404)
    current = figures.form_questions(group)
    form = QuestionForm(**figures.question_texts(current, request.args.get("question", NEW_QUESTION)))
    form.offer_questions([(q["key"], figures.words(q["prompt"])) for q in current])
    if form.validate_on_submit():
        try:
            version = figures.change_form(group, None if form.adding else form.question.data, form.texts(),
                                          current_user.id)
        except ValueError as error:
            form.prompt_en.errors = [*form.prompt_en.errors, str(error)]
        else:
            record_event("feedback_form_changed", "feedback_form_version", version.id,
                         detail=f"{group} v{version.number} {'added' if form.adding else form.question.data}")
            db.session.commit()
            flash(_("Version %(number)s of the form has been saved. Forms sent from now on use it.",
                    number=version.number), "success")
            return redirect(url_for(".forms", _anchor=group), 303)
    return render_template("feedback/manage/change_form.html", form=form, group=group, current=current,
                           group_label=figures.GROUP_LABELS[group], words=figures.words)
