"""The IRO's side of the letter: writing (drafts saved as the IRO types), the plain-words check, issuing,
corrections with a reason, the history with the differences."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.audit import record_event
from portal.extensions import db
from portal.letters import plain_words, services
from portal.letters.forms import (
    TELL_CHOICES,
    ActionRow,
    CorrectForm,
    LetterForm,
    parse_day,
    read_actions,
    reconcile_who_came,
    rows_of,
    who_came_lines,
    with_blank_rows,
)
from portal.letters.models import ISSUED, TEXT_FIELDS, Letter, LetterVersion
from portal.letters.notify import tell_child
from portal.letters.text import blocks, lines_of
from portal.reviews.hooks import invited_people, told_us_lines
from portal.reviews.models import Review
from portal.reviews.workspace import held_date
from portal.security import IRO, MANAGER, load_or_404, role_required
from portal.staff.models import StaffUser

bp = Blueprint("letters", __name__)
bp.add_app_template_filter(blocks, "letter_blocks")
bp.add_app_template_filter(lines_of, "letter_lines")

# The parts a person writes in, in the page's order; "actions" sits between worries and the next review.
TEXT_PARTS = TEXT_FIELDS
CHECKED_PARTS = ("greeting", "who_came", "what_you_told_us", "going_well", "worries", "next_review_text",
                 "contact_text")


# --- Helpers --------------------------------------------------------------------------------------

def _review(review_id: int) -> Review:
    return load_or_404(Review, review_id)


def _language(review: Review) -> str:
    language = review.child.preferred_language or "en"
    return language if language in plain_words.LANGUAGES else "en"


def _told_us(review: Review) -> list[tuple[str, str]]:
    """What the child shared, as (title, text); a part they chose to tell the IRO themselves says so."""
    with force_locale(_language(review)):
        return [(title, _("you said you would rather tell me yourself") if marked else text)
                for title, text, marked in told_us_lines(review)]


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class _Checker:
    """plain_words.check for this review's child (age on the review day, their words, their language),
    reading the glossary once."""

    def __init__(self, review: Review):
        self.language = _language(review)
        self.age = _age_on(review.child.date_of_birth, held_date(review))
        self.child_words = review.child.words_to_use or ""
        self.entries = plain_words.active_glossary(self.language)

    def __call__(self, text: str) -> plain_words.Advice:
        return plain_words.check(text or "", age=self.age, child_words=[self.child_words] if self.child_words
                                 else [], language=self.language, entries=self.entries)


def _options(jargon: plain_words.Jargon) -> list[str]:
    """The words to offer instead, the child's own first."""
    offered = [*jargon.child_words, *(part.strip() for part in (jargon.suggestion or "").split(","))]
    return [word for word in dict.fromkeys(offered) if word]


def _advice_json(advice: plain_words.Advice) -> dict:
    return {
        "jargon": [{"term": j.term, "found": j.found, "start": j.start, "end": j.end, "suggestion": j.suggestion,
                    "child_words": list(j.child_words), "options": _options(j), "note": j.note}
                   for j in advice.jargon],
        "long_sentences": [{"start": s.start, "end": s.end, "words": s.words} for s in advice.long_sentences],
        "words": advice.words,
        "reading_ease": None if advice.reading_ease is None else round(advice.reading_ease),
        "grade": None if advice.grade is None else round(advice.grade, 1),
        "target": advice.target,
        "met": advice.target_met,
        "notes": [str(note) for note in advice.notes],
        "clear": advice.clear,
    }


def _latest_version(review: Review) -> LetterVersion | None:
    return db.session.scalar(db.select(LetterVersion).join(Letter).where(Letter.review_id == review.id)
                             .order_by(LetterVersion.number.desc()).limit(1))


def _render(review: Review, version: LetterVersion, form: LetterForm, rows: list[ActionRow], *,
            advice: dict | None = None, theirs: LetterVersion | None = None, errors: list[str] | None = None,
            code: int = 200):
    issued = services.history(review)
    invited = invited_people(review)
    present = set(who_came_lines(form.who_came.data))
    form.came.choices = invited
    form.came.data = [name for name in invited if name in present]
    return render_template(
        "letters/write.html", review=review, version=version, form=form, rows=rows, advice=advice,
        theirs=theirs, theirs_rows=rows_of(theirs) if theirs is not None else [], errors=errors or [],
        labels=services.FIELD_LABELS, parts=TEXT_PARTS, has_history=bool(issued), tell_choices=TELL_CHOICES,
        correct_form=CorrectForm(formdata=None), due=services.due_date(review)), code


def _not_held(review: Review, code: int = 200):
    return render_template("letters/write.html", review=review, not_held=True), code


# --- Writing --------------------------------------------------------------------------------------

@bp.route("/reviews/<int:review_id>/letter", methods=["GET", "POST"])
@role_required(IRO, MANAGER)
def write(review_id: int):
    review = _review(review_id)
    if review.status != "held":
        return _not_held(review, 200 if request.method == "GET" else 409)
    if request.method == "GET":
        latest = services.latest_issued(review)
        if latest is not None and services.current_draft(review) is None:
            # Issued, and no correction started: opening the page changes nothing.
            return render_template("letters/write.html", review=review, issued_only=latest,
                                   correct_form=CorrectForm(formdata=None))
        version = services.draft(review, current_user, told_us=_told_us(review))
        db.session.commit()
        form = LetterForm(formdata=None)
        form.fill_from(version)
        return _render(review, version, form, with_blank_rows(rows_of(version)))
    return _post(review)


def _post(review: Review):
    form = LetterForm()
    button = request.form.get("do", "save")
    rows = read_actions(request.form)
    errors: list[str] = []
    if not form.validate_on_submit():
        # A form whose security token was forged, or a part far too long: nothing saved, every word kept.
        version = services.draft(review, current_user)
        db.session.commit()
        errors = [_("The letter was not saved: try again.")] if form.csrf_token.errors else \
            [_("Each part of the letter can be up to %(num)d characters", num=services.MAX_FIELD_CHARS)]
        return _render(review, version, form, rows, errors=errors, code=400)
    version = services.draft(review, current_user)
    posted_number = request.form.get("version_number", "")
    counter = form.counter()
    if counter is None or posted_number != str(version.number):
        # Issued meanwhile (this is now a correction) or a page from elsewhere: treat as someone else's save.
        counter = -1
    form.who_came.data = reconcile_who_came(form.who_came.data, invited_people(review), form.came.data or [],
                                            request.form.getlist("came_shown"))
    result = services.save_draft(version, counter, **form.parts())
    if isinstance(result, services.Conflict):
        db.session.commit()
        theirs = result.theirs
        form.version_counter.data = str(theirs.version_counter)
        return _render(review, theirs, form, rows, theirs=theirs, code=409, errors=[
            _("Someone saved this letter in another tab or on another device since you opened it. Their words "
              "are below yours. Your words are still in the form: nothing is saved until you save again.")])
    version = result.version
    form.version_counter.data = str(result.counter)
    bad_rows = [row for row in rows if row.error]
    if bad_rows:
        db.session.commit()
        return _render(review, version, form, rows, code=400,
                       errors=[_("The letter's words were saved, but not what will happen next: check the dates.")])
    try:
        services.set_actions(version, [services.ActionLine(row.what, row.who, row.day) for row in rows])
    except services.LetterError as error:
        db.session.commit()
        return _render(review, version, form, rows, errors=[str(error)], code=400)
    db.session.commit()

    if button == "add_row":
        return _render(review, version, form, [*rows, ActionRow()])
    if button == "check":
        check = _Checker(review)
        advice = {name: check(getattr(version, name)) for name in CHECKED_PARTS}
        db.session.commit()
        return _render(review, version, form, with_blank_rows(rows), advice=advice)
    if button == "issue":
        return _issue(review, version, form, rows)
    flash(_("Draft saved."), "success")
    return redirect(url_for("letters.write", review_id=review.id), 303)


def _issue(review: Review, version: LetterVersion, form: LetterForm, rows: list[ActionRow]):
    channel = form.tell_channel.data if form.tell_channel.data in ("email", "sms") else None
    address = (form.tell_address.data or "").strip()
    try:
        issued = services.issue(version, current_user, form.reason.data)
        if channel:
            tell_child(review, channel, address)
    except services.ReasonNeeded as error:
        db.session.rollback()
        form.reason.errors = [str(error)]
        return _render(review, _latest_version(review), form, with_blank_rows(rows), errors=[str(error)], code=400)
    except services.LetterError as error:
        db.session.rollback()
        field = form.tell_address if channel else None
        if field is not None:
            field.errors = [str(error)]
        return _render(review, _latest_version(review), form, with_blank_rows(rows), errors=[str(error)], code=400)
    db.session.commit()
    if issued.number == 1:
        flash(_("The letter is issued. The child can read it through their link."), "success")
    else:
        flash(_("Version %(number)d is issued. The child now reads this version.", number=issued.number), "success")
    return redirect(url_for("letters.history", review_id=review.id), 303)


# --- Saving and checking as the IRO types (JavaScript) ----------------------------------------------

def _json_actions(items) -> list[services.ActionLine] | None:
    """Autosaved action rows; None if any is malformed or has a date that is not one."""
    if not isinstance(items, list):
        return None
    lines = []
    for item in items:
        if not isinstance(item, dict):
            return None
        what, who, when = (item.get(key, "") for key in ("what", "who", "by_when"))
        if not all(isinstance(value, str) for value in (what, who, when)):
            return None
        day = parse_day(when) if when.strip() else None
        if when.strip() and day is None:
            return None
        lines.append(services.ActionLine(what, who, day))
    return lines


def _read_autosave(review: Review, data) -> tuple | tuple[object, int]:
    """(draft, counter, fields, actions) from an autosave's JSON, or (a JSON refusal, its status)."""
    if not isinstance(data, dict) or not isinstance(data.get("fields", {}), dict):
        return jsonify(status="error", message=_("That could not be saved.")), 400
    counter, fields = data.get("counter"), data.get("fields", {})
    if not isinstance(counter, int) or any(name not in TEXT_FIELDS or not isinstance(value, str)
                                           for name, value in fields.items()):
        return jsonify(status="error", message=_("That could not be saved.")), 400
    if review.status != "held":
        return jsonify(status="error", message=_("The letter is written after the review has been held")), 409
    version = services.current_draft(review)
    latest = version or _latest_version(review)
    if version is None or ("number" in data and data["number"] != version.number):
        return jsonify(status="conflict", counter=latest.version_counter if latest else 0,
                       message=_("This letter has been issued: to change it, start a correction")), 409
    if any(len(value) > services.MAX_FIELD_CHARS for value in fields.values()):
        return jsonify(status="too_long", message=_("Each part of the letter can be up to %(num)d characters",
                                                     num=services.MAX_FIELD_CHARS)), 422
    actions = _json_actions(data["actions"]) if "actions" in data else None
    return version, counter, fields, actions


@bp.post("/reviews/<int:review_id>/letter/autosave")
@role_required(IRO, MANAGER)
def autosave(review_id: int):
    read = _read_autosave(_review(review_id), request.get_json(silent=True))
    if len(read) == 2:
        return read
    version, counter, fields, actions = read
    try:
        result = services.save_draft(version, counter, **fields)
    except services.VersionIssued as error:
        return jsonify(status="conflict", counter=version.version_counter, message=str(error)), 409
    if isinstance(result, services.Conflict):
        db.session.commit()
        return jsonify(status="conflict", counter=result.counter,
                       message=_("Someone saved this letter in another tab or on another device. Reload the page "
                                 "to see their words; yours were not saved.")), 409
    actions_saved = False
    if actions is not None:
        try:
            services.set_actions(result.version, actions)
            actions_saved = True
        except services.LetterError:
            actions_saved = False
    db.session.commit()
    return jsonify(status="saved", counter=result.counter, actions_saved=actions_saved)


@bp.post("/reviews/<int:review_id>/letter/check")
@role_required(IRO, MANAGER)
def check(review_id: int):
    review = _review(review_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or data.get("field") not in CHECKED_PARTS or not isinstance(data.get("text"), str):
        return jsonify(status="error"), 400
    if len(data["text"]) > services.MAX_FIELD_CHARS:
        return jsonify(status="too_long"), 422
    advice = _Checker(review)(data["text"])
    db.session.commit()  # the built-in glossary may have been added on first need
    return jsonify(field=data["field"], **_advice_json(advice))


# --- Corrections, history, versions -----------------------------------------------------------------

@bp.post("/reviews/<int:review_id>/letter/correct")
@role_required(IRO, MANAGER)
def correct(review_id: int):
    review = _review(review_id)
    form = CorrectForm()
    if not form.validate_on_submit():
        abort(400)
    if review.status != "held":
        return _not_held(review, 409)
    if services.latest_issued(review) is None:
        flash(_("The letter has not been issued yet: carry on with the draft."), "success")
    else:
        version = services.draft(review, current_user)
        db.session.commit()
        flash(_("Correction started as version %(number)d. Say why you are correcting it before you issue it.",
                number=version.number), "success")
    db.session.commit()
    return redirect(url_for("letters.write", review_id=review.id), 303)


@bp.get("/reviews/<int:review_id>/letter/history")
@role_required(IRO, MANAGER)
def history(review_id: int):
    review = _review(review_id)
    versions = services.history(review)  # newest first
    changes = {newer.id: services.differences(older, newer) for newer, older in zip(versions, versions[1:], strict=False)}
    ids = {v.issued_by_id for v in versions if v.issued_by_id}
    issuers = {user.id: user.name for user in db.session.scalars(db.select(StaffUser).where(StaffUser.id.in_(ids)))}
    record_event("letter_read_by_staff", "review", review.id, detail="history")
    db.session.commit()
    return render_template("letters/history.html", review=review, versions=versions, changes=changes, issuers=issuers,
                           correct_form=CorrectForm(formdata=None), draft=services.current_draft(review))


@bp.get("/reviews/<int:review_id>/letter/v/<int:number>")
@role_required(IRO, MANAGER)
def version(review_id: int, number: int):
    review = _review(review_id)
    shown = db.session.scalar(db.select(LetterVersion).join(Letter).where(
        Letter.review_id == review.id, LetterVersion.number == number, LetterVersion.status == ISSUED))
    if shown is None:
        abort(404)
    record_event("letter_read_by_staff", "review", review.id, detail=f"v{number}")
    db.session.commit()
    return render_template("letters/version.html", review=review, version=shown, iro=review.iro,
                           latest=services.latest_issued(review))
