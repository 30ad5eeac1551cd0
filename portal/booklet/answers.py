"""The child's answers: saving without losing anything, conflicts between devices, drafts,
withdrawing and downloading.

Reading a form, fingerprints, navigation and answers in words are the shared questionnaire
machinery (portal.questionnaires); the booklet's pages reach them through this module (the
`x as x` imports).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import format_number
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.audit import record_event
from portal.booklet.models import Booklet, BookletAnswer, PartSeen, SectionSharing, VoiceNote
from portal.booklet.questions import ALTERNATIVES, CURRENT_SET, question_set
from portal.extensions import db
from portal.questionnaires import answers as shared
from portal.questionnaires.answers import Posted, fingerprint, stored_value
from portal.questionnaires.navigation import first_unfinished as first_unfinished
from portal.questionnaires.navigation import next_section as next_section
from portal.questionnaires.navigation import section_status as section_status
from portal.questionnaires.schema import ALTERNATIVES as ALL_ALTERNATIVES
from portal.questionnaires.schema import ANSWERED, SKIP, TELL_IRO, Question, Section
from portal.reviews.models import Review
from portal.safeguarding import services as safeguarding
from portal.timeutil import as_utc, utcnow

OFFERED = tuple(ALL_ALTERNATIVES[state] for state in ALTERNATIVES)
STATES = (ANSWERED, *ALTERNATIVES)
# Radio values that stand for 'Skip' and 'Tell my IRO myself' beside a choice question's options.
SKIP_VALUE = SKIP.value
TELL_IRO_VALUE = TELL_IRO.value
DRAFT_SESSION_KEY = "pending_booklet_draft"
DRAFT_SALT = "booklet-draft"
DRAFT_MAX_AGE = 3600
# How the safeguarding record names an answer's words.
SOURCE_KIND = "booklet_answer"


@dataclass
class Saved:
    """The answer as stored now (None when the child cleared it)."""

    answer: BookletAnswer | None
    version: int
    changed: bool = True


@dataclass
class Conflict:
    """Another device saved something different since this page loaded: nothing was overwritten."""

    question_key: str
    mine_state: str
    mine_value: str | None
    theirs: BookletAnswer | None

    @property
    def theirs_version(self) -> int:
        return self.theirs.version if self.theirs else 0


@dataclass
class TooLong:
    """Longer than the question allows: not saved until it fits."""

    question_key: str
    length: int
    limit: int

    @property
    def message(self) -> str:
        return _("Your answer can be up to %(limit)s characters. You have written %(length)s. "
                 "You could shorten it, or tell your IRO the rest.",
                 limit=format_number(self.limit), length=format_number(self.length))


@dataclass
class SectionResult:
    saved: dict[str, Saved] = field(default_factory=dict)
    conflicts: dict[str, Conflict] = field(default_factory=dict)
    too_long: dict[str, TooLong] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.too_long

    @property
    def urgent(self) -> bool:
        """An answer saved now is worrying (the child is shown who to call now)."""
        return any(saved.answer is not None and saved.answer.urgent for saved in self.saved.values())


# --- Reading ----------------------------------------------------------------------------------

def answers_by_key(booklet: Booklet) -> dict[str, BookletAnswer]:
    return {answer.question_key: answer for answer in db.session.scalars(
        db.select(BookletAnswer).filter_by(booklet_id=booklet.id))}


def answer_fingerprint(answer: BookletAnswer | None) -> str:
    return fingerprint(*stored_value(answer))


def read_posted(question: Question, form) -> Posted | None:
    """What the form says for one booklet question (with its skip and tell-my-IRO alternatives)."""
    return shared.read_posted(question, form, OFFERED)


# --- Saving -----------------------------------------------------------------------------------

# How often a save without a version to check looks again after another request changed the answer
# between its look and its write (with a version, the first change decides: a conflict).
LOOKS = 3


def _stored_answer(booklet: Booklet, question_key: str) -> BookletAnswer | None:
    """The answer as the database holds it now, never a copy this session loaded earlier."""
    return db.session.scalar(db.select(BookletAnswer).filter_by(booklet_id=booklet.id, question_key=question_key)
                             .execution_options(populate_existing=True))


def _columns(question: Question, state: str, value: str | None) -> dict:
    """The state and value columns an answer is stored in (see AnswerColumns.put)."""
    probe = BookletAnswer()
    probe.put(question, state, value)
    return {"state": probe.state, "value_choice": probe.value_choice, "value_text": probe.value_text}


def _insert_if_absent(booklet: Booklet, question_key: str, section: str, state: str, *,
                      value_choice: str | None = None, value_text: str | None = None,
                      version: int = 0) -> BookletAnswer | None:
    """Make the answer's row unless another request just did (an autosave racing the form post).

    One statement (INSERT ... ON CONFLICT DO NOTHING): the new answer, or None when the row was there.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(BookletAnswer).values(
        booklet_id=booklet.id, question_key=question_key, question_set=booklet.question_set, section=section,
        state=state, value_choice=value_choice, value_text=value_text, version=version, urgent=False,
        updated_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["booklet_id", "question_key"]).returning(BookletAnswer)
    return db.session.scalars(statement, execution_options={"populate_existing": True}).first()


def _update_if_unchanged(booklet: Booklet, answer_id: int, seen: int, section: str,
                         columns: dict) -> BookletAnswer | None:
    """The version check and the write in one statement:
    UPDATE booklet_answer SET ..., version = version + 1 WHERE id = :id AND version = :seen.

    Of two requests that saw the same version exactly one changes the row (the database makes the
    other wait for the first, then finds the version moved on); None for the one that did not.
    """
    return _update_where(booklet, section, columns, BookletAnswer.id == answer_id, BookletAnswer.version == seen)


def _update_seen_version(booklet: Booklet, question_key: str, seen: int, section: str,
                         columns: dict) -> BookletAnswer | None:
    """The usual save (the page says which version it loaded) without looking first: one statement that
    changes the answer only if it still has that version and does not already say this. None otherwise
    (no row yet, changed elsewhere, or nothing to change): then the save looks, and decides."""
    return _update_where(booklet, section, columns,
                         BookletAnswer.booklet_id == booklet.id, BookletAnswer.question_key == question_key,
                         BookletAnswer.version == seen,
                         db.or_(*(getattr(BookletAnswer, name).is_distinct_from(value)
                                  for name, value in columns.items())))


def _update_where(booklet: Booklet, section: str, columns: dict, *conditions) -> BookletAnswer | None:
    statement = (db.update(BookletAnswer).where(*conditions)
                 .values(question_set=booklet.question_set, section=section, version=BookletAnswer.version + 1,
                         updated_at=utcnow(), **columns)
                 .returning(BookletAnswer))
    return db.session.scalars(statement, execution_options={"populate_existing": True,
                                                            "synchronize_session": False}).first()


def _delete_if_unchanged(answer: BookletAnswer, seen: int) -> bool:
    """Clear an answer only if nobody changed it since this request looked (one statement)."""
    statement = (db.delete(BookletAnswer).where(BookletAnswer.id == answer.id, BookletAnswer.version == seen)
                 .returning(BookletAnswer.id))
    return db.session.execute(statement, execution_options={"synchronize_session": "fetch"}).first() is not None


def _mark_started(booklet: Booklet) -> None:
    """The child has written something: started, and live again after withdrawing.

    Written before the answer, so every save takes the booklet's row (when it must) before any answer's
    row: an autosave and a section post never wait for each other in opposite orders.
    """
    if booklet.started_at is None or booklet.withdrawn_at is not None:
        if booklet.started_at is None:
            booklet.started_at = utcnow()
        booklet.withdrawn_at = None
        db.session.flush()


def save_answer(booklet: Booklet, question: Question, state: str, value: str | None,
                expected_version: int | None = None) -> Saved | Conflict | TooLong:
    """Create, change or clear one answer; never overwrite what another device saved in between.

    With `expected_version` (the version the page loaded) the answer changes only if it still has that
    version, checked and written in one statement; otherwise it is a `Conflict` and nothing is written.
    Without it, the save is checked against the version this request read.
    """
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    kind = question.answer_kind
    value = kind.clean(question, value) if state == ANSWERED else None
    if kind.validate(question, value) is not None:
        if kind.free_text:
            return TooLong(question.key, len(value), question.max_length)
        raise ValueError(f"{value!r} is not an answer to {question.key}")
    wanted = ("none", None) if state == ANSWERED and value is None else (state, value)
    section = _section_key(booklet, question.key)
    columns = _columns(question, state, value)
    if expected_version and wanted[0] != "none":
        _mark_started(booklet)
        written = _update_seen_version(booklet, question.key, expected_version, section, columns)
        if written is not None:
            screen_answer(booklet, question, written)
            return Saved(written, written.version)
    answer = None
    for _look in range(LOOKS):
        answer = _stored_answer(booklet, question.key)
        stored_version = answer.version if answer else 0
        if wanted == stored_value(answer):
            return Saved(answer, stored_version, changed=False)
        if expected_version is not None and expected_version != stored_version:
            return Conflict(question.key, state, value, answer)
        if wanted[0] == "none":
            # Cleared: no row means 'not answered'; a later save starts again from version 1. A concern
            # raised by it keeps its snapshot and notes that the words were taken out.
            if _delete_if_unchanged(answer, stored_version):
                safeguarding.source_changed(SOURCE_KIND, answer.id, None)
                return Saved(None, 0)
            continue
        _mark_started(booklet)
        if answer is None:
            written = _insert_if_absent(booklet, question.key, section, columns["state"],
                                        value_choice=columns["value_choice"], value_text=columns["value_text"],
                                        version=1)
        else:
            written = _update_if_unchanged(booklet, answer.id, stored_version, section, columns)
        if written is not None:
            screen_answer(booklet, question, written)
            return Saved(written, written.version)
        # Another request wrote between this one's look and its write: look again and compare with
        # what it saved, as with any other device.
    return Conflict(question.key, state, value, _stored_answer(booklet, question.key))


def screen_answer(booklet: Booklet, question: Question, answer: BookletAnswer) -> bool:
    """Screen the answer for risk; a worrying one raises a concern that reaches a person now."""
    if answer.state != ANSWERED:
        safeguarding.source_changed(SOURCE_KIND, answer.id, None)
        return False
    unsafe = not question.is_free_text and question.answer_kind.urgent(question, stored_value(answer)[1])
    screened = safeguarding.report(booklet.review, source_kind=SOURCE_KIND, source_id=answer.id,
                                   label=str(question.prompt), text=answer_in_words(answer), unsafe_choice=unsafe,
                                   may_have_concern=bool(answer.urgent))
    # Once urgent, an answer stays marked: the IRO acknowledges the concern, not the child.
    answer.urgent = bool(answer.urgent or screened.urgent)
    return screened.urgent


def _section_key(booklet: Booklet, question_key: str) -> str:
    section = question_set(booklet.question_set).section_of(question_key)
    return section.key if section else ""


def read_autosave(booklet: Booklet, data) -> tuple[Question, str, str | None, int | None] | None:
    """(question, state, value, version) from an autosave's JSON body, or None when it is not one."""
    if not isinstance(data, dict):
        return None
    question = question_set(booklet.question_set).question(str(data.get("question_key", "")))
    state, value, version = data.get("state", "answered"), data.get("value"), data.get("version")
    if question is None or state not in STATES or not (value is None or isinstance(value, str)) \
            or not (version is None or (isinstance(version, int) and not isinstance(version, bool))):
        return None
    if value in (SKIP_VALUE, TELL_IRO_VALUE):
        state, value = ("skipped" if value == SKIP_VALUE else "tell_iro"), None
    return question, state, value, version


def save_posted(booklet: Booklet, question: Question, posted: Posted) -> Saved | Conflict | TooLong | None:
    """Save one posted question, skipping fields this device did not touch; None when skipped."""
    if posted.keep_theirs:
        return None
    if posted.loaded is not None and posted.loaded == fingerprint(posted.state, posted.value):
        return None
    return save_answer(booklet, question, posted.state, posted.value, posted.expected_version)


def save_section(booklet: Booklet, section: Section, form) -> tuple[SectionResult, dict[str, Posted]]:
    """Save every question of a section page; questions that do not fit or conflict are left as they were."""
    result, posted_all = SectionResult(), {}
    for question in section.questions:
        posted = read_posted(question, form)
        if posted is None:
            continue
        posted_all[question.key] = posted
        try:
            outcome = save_posted(booklet, question, posted)
        except ValueError:
            # A choice that is not on the page: someone altered the form; leave the answer alone.
            continue
        if isinstance(outcome, Saved):
            result.saved[question.key] = outcome
        elif isinstance(outcome, Conflict):
            result.conflicts[question.key] = outcome
        elif isinstance(outcome, TooLong):
            result.too_long[question.key] = outcome
    return result, posted_all


# --- Sharing ----------------------------------------------------------------------------------

def sharing_by_section(booklet: Booklet) -> dict[str, SectionSharing]:
    return {row.section: row for row in db.session.scalars(db.select(SectionSharing).filter_by(booklet_id=booklet.id))}


def answered_sections(booklet: Booklet) -> list[Section]:
    """Sections of the booklet's set where the child wrote or chose something."""
    answered = {a.section for a in answers_by_key(booklet).values() if a.state == ANSWERED}
    return [s for s in question_set(booklet.question_set).sections if s.key in answered]


def set_sharing(booklet: Booklet, choices: dict[str, set[str]]) -> None:
    """Record who besides the IRO may see each section; anything not chosen stays IRO only."""
    existing = sharing_by_section(booklet)
    for section in answered_sections(booklet):
        chosen = choices.get(section.key, set())
        row = existing.get(section.key)
        if row is None:
            if not chosen:
                continue
            row = SectionSharing(booklet_id=booklet.id, section=section.key)
            db.session.add(row)
        row.social_worker = "social_worker" in chosen
        row.carer = "carer" in chosen
    db.session.flush()


# --- Parts the child has been through ---------------------------------------------------------

def parts_seen(booklet: Booklet) -> set[str]:
    """The keys of the parts the child has saved with Save and continue (or Next), answered or not."""
    return set(db.session.scalars(db.select(PartSeen.section).filter_by(booklet_id=booklet.id)))


def save_part(booklet: Booklet, section: Section, form, *, link_id: int | None = None
              ) -> tuple[SectionResult, dict[str, Posted]]:
    """A part's page posted (Next, Save and continue, or back to the list): its answers, the audit line, and,
    when everything on it could be saved, that the child has been through it (Done, even with boxes empty)."""
    result, posted = save_section(booklet, section, form)
    if result.saved:
        record_event("answers_saved", "booklet", booklet.id, detail=section.key, link_id=link_id)
    if result.ok:
        mark_seen(booklet, section.key)
    return result, posted


def mark_seen(booklet: Booklet, section_key: str) -> None:
    """The child has been through this part: it is Done. Made once (two devices at once make one row)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(PartSeen).values(booklet_id=booklet.id, section=section_key, seen_at=utcnow())
                       .on_conflict_do_nothing(index_elements=["booklet_id", "section"]))


def name_to_thank(booklet: Booklet) -> str:
    """The name the child asked to be called in this booklet, or the one their IRO knows them by."""
    answer = db.session.scalar(db.select(BookletAnswer).filter_by(booklet_id=booklet.id, question_key="preferred_name",
                                                                  state=ANSWERED))
    chosen = (answer.value_text or "").strip() if answer is not None else ""
    return chosen or booklet.review.child.preferred_name


# --- Versions ---------------------------------------------------------------------------------

def answers_lost_by_switch(booklet: Booklet, new_set_id: str) -> list[BookletAnswer]:
    """Answers to questions the other version does not ask, or asks another way (words typed for a question
    that the pictures version answers by tapping pictures cannot be a tapped picture)."""
    new_set = question_set(new_set_id)
    return [a for a in answers_by_key(booklet).values() if not _asked_alike(new_set.question(a.question_key), a)]


def _asked_alike(question: Question | None, answer: BookletAnswer) -> bool:
    if question is None:
        return False
    state, value = stored_value(answer)
    if state != ANSWERED:
        return True  # skipped, or 'I'd rather tell my IRO myself': it holds whatever the question is
    kind = question.answer_kind
    stored_as = "choice" if answer.value_choice is not None else "text"
    return kind.column == stored_as and kind.validate(question, value) is None


def switch_version(booklet: Booklet, version: str, chosen_by: str = "child") -> None:
    """Change version; answers whose question the new set asks stay, with their own question set."""
    new_set_id = CURRENT_SET[version]
    for answer in answers_lost_by_switch(booklet, new_set_id):
        db.session.delete(answer)
    new_set = question_set(new_set_id)
    for answer in answers_by_key(booklet).values():
        section = new_set.section_of(answer.question_key)
        if section is not None:
            answer.section = section.key
    booklet.version = version
    booklet.question_set = new_set_id
    booklet.version_chosen_by = chosen_by
    db.session.flush()


# --- Withdrawing and downloading --------------------------------------------------------------

def can_withdraw(review: Review) -> bool:
    """Only until the meeting: afterwards the IRO has used the words in the review."""
    return review.status == "planned" and as_utc(review.meeting_at) > utcnow()


def withdraw(booklet: Booklet, link_id: int | None = None) -> None:
    """Delete everything the child wrote, said or chose to share; the audit keeps only that it happened.

    Concerns their words raised are the council's safeguarding record: they and their snapshots stay.
    """
    answer_ids = list(db.session.scalars(db.select(BookletAnswer.id).filter_by(booklet_id=booklet.id)))
    safeguarding.sources_removed(SOURCE_KIND, answer_ids)
    for model in (BookletAnswer, SectionSharing, VoiceNote, PartSeen):
        db.session.execute(db.delete(model).where(model.booklet_id == booklet.id))
    db.session.expire(booklet, ["answers"])
    booklet.withdrawn_at = utcnow()
    booklet.returned_at = None
    record_event("booklet_withdrawn", "booklet", booklet.id, link_id=link_id)
    db.session.flush()


def question_for(answer: BookletAnswer) -> Question | None:
    """The question in the wording the child answered."""
    try:
        return question_set(answer.question_set).question(answer.question_key)
    except KeyError:
        return None


def answer_in_words(answer: BookletAnswer) -> str:
    """What the child said, as they would read it back."""
    return shared.answer_in_words(question_for(answer), *stored_value(answer), nothing="")


def ordered_answers(booklet: Booklet) -> list[BookletAnswer]:
    """All answers in the order of the booklet's questions, any others after them."""
    qs = question_set(booklet.question_set)
    order = {q.key: i for i, q in enumerate(q for s in qs.sections for q in s.questions)}
    return sorted(answers_by_key(booklet).values(), key=lambda a: (order.get(a.question_key, len(order)), a.id))


def answers_as_text(booklet: Booklet) -> str:
    """A plain-text copy of everything the child wrote, each question in its own wording."""
    lines = [_("My Review: my answers"), ""]
    answers = ordered_answers(booklet)
    if not answers:
        lines.append(_("You have not answered any questions yet."))
    for answer in answers:
        question = question_for(answer)
        lines.append(str(question.prompt) if question else answer.question_key)
        lines.append(answer_in_words(answer))
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --- Drafts kept when the page was locked -----------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DRAFT_SALT)


def booklet_ref(booklet: Booklet) -> str:
    """A signed reference to the booklet, carried by each section form."""
    return _serializer().dumps(booklet.id)


def booklet_id_from_ref(ref: str | None, max_age: int = DRAFT_MAX_AGE) -> int | None:
    if not ref:
        return None
    try:
        value = _serializer().loads(ref, max_age=max_age)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def make_draft(section_key: str, form) -> dict | None:
    """What to keep in the server-side session when a section was posted with no live link."""
    ref = form.get("booklet_ref")
    if not ref or booklet_id_from_ref(ref) is None:
        return None
    fields = {key: form.getlist(key) for key in form if key not in {"csrf_token", "action"}}
    return {"section": section_key, "fields": fields, "saved_at": utcnow().timestamp()}


class _DraftForm(dict):
    """The stored fields, read like the form they came from."""

    def get(self, key, default=None):
        values = super().get(key)
        return values[0] if values else default

    def getlist(self, key):
        return list(super().get(key, []))


def apply_draft(booklet: Booklet, draft: dict | None) -> SectionResult | None:
    """Save a kept draft into its own booklet only, and only within the hour; None when it does not apply."""
    if not draft:
        return None
    form = _DraftForm(draft.get("fields") or {})
    if booklet_id_from_ref(form.get("booklet_ref")) != booklet.id:
        return None
    if utcnow().timestamp() - float(draft.get("saved_at", 0)) > DRAFT_MAX_AGE:
        return None
    section = question_set(booklet.question_set).section(draft.get("section", ""))
    if section is None:
        return None
    result, _posted = save_section(booklet, section, form)
    return result
