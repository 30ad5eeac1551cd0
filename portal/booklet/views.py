"""The child's booklet pages: contents, one section per page, sharing, checking, sending, their answers."""

from __future__ import annotations

import re
from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _

from portal.audit import record_event
from portal.booklet import answers as rules
from portal.booklet import houses
from portal.booklet import status as parts
from portal.booklet.forms import SendForm, VersionForm, WithdrawForm
from portal.booklet.landing import CONFLICTS_SESSION_KEY, render_review_happened
from portal.booklet.questions import (
    CURRENT_SET,
    QUESTION_SETS,
    VERSION_NAMES,
    Question,
    Section,
    near_limit_count_texts,
    question_set,
    young_count_texts,
)
from portal.booklet.services import booklet_for_review, review_is_over, versions_child_may_choose
from portal.errors import keep_words_after_csrf_error
from portal.extensions import db
from portal.links.models import PrivateLink
from portal.links.session import child_link_required, current_child_link, idle_minutes
from portal.questionnaires.answers import answer_in_words
from portal.questionnaires.navigation import position
from portal.timeutil import london_date, utcnow

bp = Blueprint("booklet", __name__)
bp.record_once(lambda state: keep_words_after_csrf_error(state.app, keep_text_after_csrf_error))

VERSION_ORDER = ("4-7", "4-11", "12-17")
SECTION_PATH = re.compile(r"^/booklet/([a-z_]+)$")
SECTION_KEYS = frozenset(s.key for qs in QUESTION_SETS.values() for s in qs.sections)


@bp.app_context_processor
def booklet_template_helpers():
    def booklet_my_iro_url():
        """The 'My IRO' page, once the engineer writing it has registered it."""
        return url_for("my_iro.page") if "my_iro.page" in current_app.view_functions else None

    return {"booklet_my_iro_url": booklet_my_iro_url}


# --- Helpers ----------------------------------------------------------------------------------

def _booklet(link: PrivateLink):
    booklet = booklet_for_review(link.review) if link.review else None
    if booklet is None:
        abort(404)
    return booklet


def _render(template: str, link: PrivateLink, booklet, status: int = 200, **context):
    """Every booklet page knows the child's link (for 'help now'), the booklet and the idle time."""
    page = render_template(template, link=link, booklet=booklet, review=link.review, iro=link.review.iro,
                           idle_minutes=idle_minutes(), version_name=VERSION_NAMES[booklet.version],
                           **context)
    return page, status


def _review_over_page(link: PrivateLink):
    return render_review_happened(link.review, link=link)


def booklet_open(view):
    """Questions can be answered until the review is held or cancelled."""
    @wraps(view)
    def wrapped(link, *args, **kwargs):
        if review_is_over(link.review):
            return _review_over_page(link)
        return view(link, *args, **kwargs)
    return wrapped


def _keep_draft(section_key: str) -> bool:
    """Keep a locked-out section's words server-side until the child presses Start again."""
    draft = rules.make_draft(section_key, request.form)
    if draft is None:
        return False
    session[rules.DRAFT_SESSION_KEY] = draft
    return True


def keep_draft_when_locked(view):
    """A section posted after the lock: keep the words, show the lock (never the answers)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method == "POST" and current_child_link() is None:
            kept = _keep_draft(kwargs.get("section_key", ""))
            return render_template("links/locked.html", timed_out=True, draft_kept=kept), 401
        return view(*args, **kwargs)
    return wrapped


def describe(question: Question | None, state: str, value: str | None) -> str:
    """A state and value in the words the child sees."""
    return answer_in_words(question, state, value)


def _field(answer) -> dict:
    state, value = rules.stored_value(answer)
    return {"state": state, "value": value or "", "version": answer.version if answer else 0,
            "loaded": rules.answer_fingerprint(answer), "error": None, "conflict": None}


def _fields(section: Section, answers: dict, posted: dict | None = None, result=None,
            keep_all_posted: bool = False) -> dict:
    """What each question shows: the saved answer, or what was posted when it could not be saved."""
    fields = {}
    for question in section.questions:
        field = _field(answers.get(question.key))
        entry = (posted or {}).get(question.key)
        if entry is not None and not entry.keep_theirs:
            shown = {"state": entry.state, "value": entry.value or ""}
            if keep_all_posted:
                field.update(shown, version=entry.expected_version or 0, loaded=entry.loaded or field["loaded"])
            elif result is not None and question.key in result.too_long:
                field.update(shown, version=entry.expected_version or 0, loaded=entry.loaded or field["loaded"],
                             error=result.too_long[question.key].message)
            elif result is not None and question.key in result.conflicts:
                conflict = result.conflicts[question.key]
                # The page now carries the newer version: saving again is the child's choice.
                field.update(shown, conflict={
                    "mine": describe(question, conflict.mine_state, conflict.mine_value),
                    "theirs": describe(question, *rules.stored_value(conflict.theirs)),
                })
        fields[question.key] = field
    return fields


def _path(booklet, current: str | None, answers: dict | None = None) -> list[parts.Step]:
    """The progress path: every part, then Send, filled in as the child goes."""
    answers = rules.answers_by_key(booklet) if answers is None else answers
    return parts.progress_path(question_set(booklet.question_set), answers, rules.parts_seen(booklet),
                               current=current, sent=booklet.returned_at is not None)


def is_short_booklet(booklet) -> bool:
    """The short, picture-led booklets (4-11 from set 4-11/2): parts with pictures, words for younger readers."""
    return any(section.picture for section in question_set(booklet.question_set).sections)


def _section_page(link, booklet, section: Section, fields: dict, status: int = 200, message: str | None = None):
    qs = question_set(booklet.question_set)
    errors = [{"text": f["error"], "href": f"#q-{key}"} for key, f in fields.items() if f["error"]]
    conflicts = [key for key, f in fields.items() if f["conflict"]]
    number, count = position(qs, section.key)
    return _render(houses.template(qs.id, "section"), link, booklet, status, section=section, fields=fields,
                   errors=errors, conflicts=conflicts, message=message, booklet_ref=rules.booklet_ref(booklet),
                   position=number, section_count=count, is_last=number == count, alternatives=qs.offered,
                   path=_path(booklet, section.key), short=is_short_booklet(booklet),
                   count_texts=young_count_texts if is_short_booklet(booklet) else near_limit_count_texts,
                   **houses.context(qs, lambda: rules.answers_by_key(booklet)))


def _draft_conflicts(booklet, section: Section, answers: dict) -> dict:
    """Conflicts left by a draft saved after Start, shown once on their section."""
    kept = session.get(CONFLICTS_SESSION_KEY)
    if not kept or kept.get("booklet_id") != booklet.id or kept.get("section") != section.key:
        return {}
    session.pop(CONFLICTS_SESSION_KEY, None)
    result, posted = rules.SectionResult(), {}
    for key, (state, value) in kept.get("mine", {}).items():
        question = section_question(section, key)
        theirs = answers.get(key)
        if question is None or rules.stored_value(theirs) == (state, value):
            continue
        posted[key] = rules.Posted(state=state, value=value)
        result.conflicts[key] = rules.Conflict(key, state, value, theirs)
    return _fields(section, answers, posted, result) if result.conflicts else {}


def section_question(section: Section, key: str) -> Question | None:
    return section.question(key)


# --- Pages ------------------------------------------------------------------------------------

@bp.get("/booklet")
@child_link_required
@booklet_open
def contents(link: PrivateLink):
    booklet = _booklet(link)
    qs = question_set(booklet.question_set)
    answers, seen = rules.answers_by_key(booklet), rules.parts_seen(booklet)
    sections = parts.part_statuses(qs, answers, seen)
    next_up = parts.next_part(qs, answers, seen)
    others = [v for v in versions_child_may_choose(booklet) if v != booklet.version]
    here = VERSION_ORDER.index(booklet.version)
    older = any(VERSION_ORDER.index(v) > here for v in others)
    younger = any(VERSION_ORDER.index(v) < here for v in others)
    shared = any(row.social_worker or row.carer for row in rules.sharing_by_section(booklet).values())
    return _render(houses.template(qs.id, "contents"), link, booklet, sections=sections, next_up=next_up,
                   started=bool(answers or seen), older=older, younger=younger, shared=shared,
                   path=_path(booklet, next_up.key if next_up else parts.SEND_STEP, answers),
                   short=is_short_booklet(booklet), **houses.context(qs, lambda: answers))


@bp.get("/booklet/sharing")
@child_link_required
@booklet_open
def sharing(link: PrivateLink):
    booklet = _booklet(link)
    return _render("booklet/sharing.html", link, booklet, sections=rules.answered_sections(booklet),
                   sharing=rules.sharing_by_section(booklet))


@bp.post("/booklet/sharing")
@keep_draft_when_locked
@child_link_required
@booklet_open
def save_sharing(link: PrivateLink):
    booklet = _booklet(link)
    choices = {s.key: set(request.form.getlist(f"share__{s.key}")) for s in rules.answered_sections(booklet)}
    rules.set_sharing(booklet, choices)
    record_event("sharing_changed", "booklet", booklet.id, link_id=link.id)
    db.session.commit()
    if request.form.get("action") == "list":
        return redirect(url_for("booklet.contents"), 303)
    return redirect(url_for("booklet.check"), 303)


@bp.get("/booklet/check")
@child_link_required
@booklet_open
def check(link: PrivateLink):
    booklet = _booklet(link)
    qs = question_set(booklet.question_set)
    answers = rules.answers_by_key(booklet)
    rows = []
    for section in qs.sections:
        items = []
        for question in section.questions:
            answer = answers.get(question.key)
            state, value = rules.stored_value(answer)
            items.append((question, describe(question, state, value) if answer else _("Not answered")))
        rows.append((section, items))
    return _render(houses.template(qs.id, "check"), link, booklet, rows=rows,
                   sharing=rules.sharing_by_section(booklet), form=SendForm(),
                   path=_path(booklet, parts.SEND_STEP, answers), **houses.context(qs, lambda: answers))


@bp.post("/booklet/send")
@child_link_required
@booklet_open
def send(link: PrivateLink):
    booklet = _booklet(link)
    if SendForm().validate_on_submit():
        if booklet.returned_at is None:
            booklet.returned_at = utcnow()
        record_event("booklet_returned", "booklet", booklet.id, link_id=link.id)
        db.session.commit()
    return redirect(url_for("booklet.sent"), 303)


@bp.get("/booklet/sent")
@child_link_required
@booklet_open
def sent(link: PrivateLink):
    booklet = _booklet(link)
    if booklet.returned_at is None:
        return redirect(url_for("booklet.check"), 303)
    sharing = rules.sharing_by_section(booklet)
    titles = {s.key: s.title for s in question_set(booklet.question_set).sections}
    social_worker = [titles.get(k, k) for k, row in sharing.items() if row.social_worker]
    carer = [titles.get(k, k) for k, row in sharing.items() if row.carer]
    return _render("booklet/sent.html", link, booklet, social_worker=social_worker, carer=carer,
                   meeting_date=format_date(london_date(link.review.meeting_at), "EEEE d MMMM"),
                   name=rules.name_to_thank(booklet), path=_path(booklet, None))


@bp.post("/booklet/answer")
def autosave():
    """Save one answer as the child types (JavaScript); the form post does the same without it."""
    link = current_child_link()
    if link is None:
        return jsonify(status="locked", message=_("This page is locked. Open your link again to carry on.")), 401
    booklet = _booklet(link)
    if review_is_over(link.review):
        return jsonify(status="closed", message=_("Your review has happened, so the booklet is closed.")), 409
    posted = rules.read_autosave(booklet, request.get_json(silent=True))
    if posted is None:
        return jsonify(status="invalid"), 400
    try:
        outcome = rules.save_answer(booklet, *posted)
    except ValueError:
        return jsonify(status="invalid"), 400
    if not isinstance(outcome, rules.Saved):
        return _autosave_refusal(outcome)
    urgent = outcome.answer is not None and outcome.answer.urgent
    if urgent:
        show_help_now()
    # Read before the commit: afterwards the answer would be loaded again only to say what was saved.
    fingerprint = rules.answer_fingerprint(outcome.answer)
    db.session.commit()
    return jsonify(status="saved", version=outcome.version, fingerprint=fingerprint, help_now=urgent)


def _autosave_refusal(outcome):
    """Too long, or changed on another device: nothing was saved, and the page says why."""
    if isinstance(outcome, rules.TooLong):
        return jsonify(status="too_long", message=outcome.message), 422
    theirs_state, theirs_value = rules.stored_value(outcome.theirs)
    return jsonify(status="conflict", theirs={"state": theirs_state, "value": theirs_value,
                                              "version": outcome.theirs_version},
                   message=_("This answer was changed on another device. Reload the page to choose "
                             "which answer to keep.")), 409


@bp.get("/booklet/mine")
@child_link_required
def mine(link: PrivateLink):
    # After the meeting the answers are no longer shown: the child's link leads to the letter instead.
    if link.review is not None and review_is_over(link.review):
        return _review_over_page(link)
    booklet = _booklet(link)
    qs = question_set(booklet.question_set)
    items = []
    for answer in rules.ordered_answers(booklet):
        question = rules.question_for(answer)
        section = qs.section_of(answer.question_key)
        items.append((answer, question.prompt if question else answer.question_key, rules.answer_in_words(answer),
                      section.key if section else None))
    return _render("booklet/mine.html", link, booklet, items=items, can_change=not review_is_over(link.review),
                   can_withdraw=rules.can_withdraw(link.review))


@bp.get("/booklet/mine.txt")
@child_link_required
def download(link: PrivateLink):
    if link.review is not None and review_is_over(link.review):
        return _review_over_page(link)
    booklet = _booklet(link)
    response = make_response(rules.answers_as_text(booklet))
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="my-review-answers.txt"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    record_event("booklet_downloaded", "booklet", booklet.id, link_id=link.id)
    db.session.commit()
    return response


@bp.route("/booklet/withdraw", methods=["GET", "POST"])
@child_link_required
def withdraw(link: PrivateLink):
    booklet = _booklet(link)
    allowed = rules.can_withdraw(link.review)
    form = WithdrawForm()
    if allowed and form.validate_on_submit():
        rules.withdraw(booklet, link_id=link.id)
        db.session.commit()
        return redirect(url_for("booklet.withdrawn"), 303)
    return _render("booklet/withdraw.html", link, booklet, form=form, allowed=allowed)


@bp.get("/booklet/withdrawn")
@child_link_required
def withdrawn(link: PrivateLink):
    return _render("booklet/withdrawn.html", link, _booklet(link))


@bp.route("/booklet/version", methods=["GET", "POST"])
@child_link_required
@booklet_open
def choose_version(link: PrivateLink):
    booklet = _booklet(link)
    allowed = versions_child_may_choose(booklet)
    form = VersionForm()
    form.version.choices = [(v, VERSION_NAMES[v]) for v in allowed]
    if request.method == "GET":
        form.version.data = booklet.version
    if form.validate_on_submit():
        if form.version.data != booklet.version:
            rules.switch_version(booklet, form.version.data, chosen_by="child")
            record_event("booklet_version_changed", "booklet", booklet.id, detail=form.version.data,
                         link_id=link.id)
            db.session.commit()
            flash(_("You are now using the booklet: %(name)s.", name=VERSION_NAMES[booklet.version]), "success")
        return redirect(url_for("booklet.contents"), 303)
    losing = {v: len(rules.answers_lost_by_switch(booklet, CURRENT_SET[v])) for v in allowed if v != booklet.version}
    return _render("booklet/version.html", link, booklet, form=form, losing=losing,
                   version_names=VERSION_NAMES)


HELP_NOW_KEY = "booklet_help_open"


def show_help_now() -> None:
    """After a worrying answer the next page opens 'who to call now' and says who will be told."""
    session[HELP_NOW_KEY] = True
    flash(_("Thank you for telling us. Your IRO will be told today so they can help you. "
            "If you are in danger now, call 999. You can also call Childline on 0800 1111."), "urgent")


@bp.app_context_processor
def help_now_state():
    if request.blueprint not in {"booklet", "my_iro"}:
        return {}
    return {"help_open": session.pop(HELP_NOW_KEY, False)}


@bp.route("/booklet/<section_key>", methods=["GET", "POST"])
@keep_draft_when_locked
@child_link_required
@booklet_open
def section(link: PrivateLink, section_key: str):
    booklet = _booklet(link)
    qs = question_set(booklet.question_set)
    section = qs.section(section_key)
    if section is None:
        abort(404)
    answers = rules.answers_by_key(booklet)
    if request.method == "GET":
        fields = _draft_conflicts(booklet, section, answers) or _fields(section, answers)
        return _section_page(link, booklet, section, fields)
    result, posted = rules.save_part(booklet, section, request.form, link_id=link.id)
    if result.urgent:
        show_help_now()
    db.session.commit()
    if not result.ok:
        answers = rules.answers_by_key(booklet)
        return _section_page(link, booklet, section, _fields(section, answers, posted, result))
    if request.form.get("action") == "list":
        flash(_("Your answers are saved."), "success")
        return redirect(url_for("booklet.contents"), 303)
    following = rules.next_section(qs, section.key)
    return redirect(url_for("booklet.section", section_key=following.key) if following
                    else url_for("booklet.sharing"), 303)


def keep_text_after_csrf_error(error):
    """Re-render a booklet page with the child's words when its form timed out (None elsewhere)."""
    match = SECTION_PATH.match(request.path)
    if request.method != "POST" or match is None:
        return None
    section_key = match.group(1)
    if section_key not in SECTION_KEYS:
        return None
    link = current_child_link()
    if link is None:
        # The session itself is gone: keep the words for the next Start, show nothing on screen.
        kept = _keep_draft(section_key)
        return render_template("links/locked.html", timed_out=True, draft_kept=kept), 401
    booklet = booklet_for_review(link.review) if link.review else None
    section = question_set(booklet.question_set).section(section_key) if booklet else None
    if section is None or review_is_over(link.review):
        return None
    posted = {}
    for question in section.questions:
        entry = rules.read_posted(question, request.form)
        if entry is not None:
            posted[question.key] = entry
    fields = _fields(section, rules.answers_by_key(booklet), posted, keep_all_posted=True)
    return _section_page(link, booklet, section, fields, status=400,
                         message=_("This page was open a long time, so we did not save it yet. "
                                   "Your words are still here: press Save again."))
