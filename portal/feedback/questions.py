"""The three feedback forms as versioned data.

A version's `questions` (FeedbackFormVersion.questions) is a list of
{"key", "kind", "prompt": {"en", "cy"}, "hint": {"en", "cy"} | None,
 "options": [{"key", "label": {"en", "cy"}}], "comment": bool}.
The built-in first versions are written here with `_l(...)` (so Babel extracts them) and stored in both
languages; a manager's rewording makes the next version (`new_version`), and every response keeps the
version it answered, so old answers keep their wording.
"""

from __future__ import annotations

import re

from flask_babel import force_locale, get_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.feedback.models import AGENCIES, GROUPS, FeedbackFormVersion
from portal.questionnaires.schema import Option, Question, QuestionSet, Section

LANGUAGES = ("en", "cy")
# Kinds a feedback question may be (the shared questionnaire kinds a form without saving as you go can use).
KINDS = ("faces", "yes_no_not_sure", "rating", "choice", "text", "short")
TEXT_KINDS = ("text", "short")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# The professional's agency: asked first, and also kept on the response.
AGENCY_KEY = "agency"

AGENCY_LABELS = {
    "social_care": _l("Children's social care"),
    "health": _l("Health"),
    "education": _l("Education"),
    "police": _l("Police"),
    "housing": _l("Housing"),
    "voluntary": _l("Voluntary sector"),
    "other": _l("Other"),
}

GROUP_TITLES = {
    "young_person": _l("Tell us how your review went"),
    "parent_carer": _l("Feedback on the review meeting"),
    "professional": _l("Feedback on the review meeting: professionals"),
}


def _q(key, kind, prompt, hint=None, options=(), comment=False) -> dict:
    return {"key": key, "kind": kind, "prompt": prompt, "hint": hint, "options": list(options), "comment": comment}


def _definitions() -> dict[str, list[dict]]:
    """The built-in forms, with lazy strings (turned into both languages by `built_in_questions`)."""
    return {
        "young_person": [
            _q("how_it_went", "faces", _l("How do you feel about your review meeting?")),
            _q("social_worker_talked", "yes_no_not_sure",
               _l("Did your social worker talk with you before the meeting?")),
            _q("iro_explained", "yes_no_not_sure", _l("Did your IRO explain what happens next?")),
            _q("listened", "yes_no_not_sure", _l("Did people listen to you?")),
            _q("said_what_wanted", "yes_no_not_sure", _l("Did you get to say what you wanted to?")),
            _q("anything_else", "text", _l("Is there anything else you want to tell us?"),
               hint=_l("You do not have to write anything."), comment=True),
        ],
        "parent_carer": [
            _q("report_48_hours", "yes_no_not_sure",
               _l("Did you see the social worker's report at least 48 hours (2 days) before the meeting?")),
            _q("other_reports", "yes_no_not_sure", _l("Did you see any other reports before the meeting?")),
            _q("met_iro", "yes_no_not_sure",
               _l("Did you meet or speak to the IRO (the person who chaired the meeting) before it?")),
            _q("views_and_questions", "yes_no_not_sure",
               _l("Were you able to give your views and ask questions?")),
            _q("understand_plan", "yes_no_not_sure",
               _l("Do you understand the worries and the plan for the child?")),
            _q("well_run", "rating", _l("How well was the meeting run?")),
            _q("went_well", "text", _l("What went well?"), comment=True),
            _q("could_be_better", "text", _l("What could be better?"), comment=True),
        ],
        "professional": [
            _q(AGENCY_KEY, "choice", _l("Which agency are you from?"),
               options=[{"key": key, "label": AGENCY_LABELS[key]} for key in AGENCIES]),
            _q("report_shared", "yes_no_not_sure",
               _l("Was the social worker's report shared with the family before the meeting?")),
            _q("report_in_time", "yes_no_not_sure", _l("Was the report sent to you in time to read it?")),
            _q("well_chaired", "rating", _l("How well was the meeting chaired?")),
            _q("decisions_clear", "yes_no_not_sure", _l("Were the decisions and actions clear?")),
            _q("comments", "text", _l("Any comments?"), comment=True),
        ],
    }


def _both(text) -> dict | None:
    if text is None:
        return None
    words = {}
    for language in LANGUAGES:
        with force_locale(language):
            words[language] = str(text)
    return words


def built_in_questions(group: str) -> list[dict]:
    """The built-in form for a group, as stored: every text in English and Welsh."""
    if group not in GROUPS:
        raise ValueError(f"unknown feedback group {group!r}")
    return [{**q, "prompt": _both(q["prompt"]), "hint": _both(q["hint"]),
             "options": [{"key": o["key"], "label": _both(o["label"])} for o in q["options"]]}
            for q in _definitions()[group]]


def latest_version(group: str) -> FeedbackFormVersion | None:
    """The newest version of a group's form, or None before the first is needed; changes nothing."""
    return db.session.scalar(db.select(FeedbackFormVersion).filter_by(group=group)
                             .order_by(FeedbackFormVersion.number.desc()).limit(1))


def current_version(group: str) -> FeedbackFormVersion:
    """The version sent now: the latest, making version 1 from the built-in form on first need.

    Flushes; the caller commits. Two requests making version 1 at once: one wins, the other reads it.
    """
    version = latest_version(group)
    if version is not None:
        return version
    version = FeedbackFormVersion(group=group, number=1, questions=built_in_questions(group), created_by_id=None)
    try:
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError:
        version = latest_version(group)
    return version


def _problem_with_words(words, what: str, required: bool = True) -> str | None:
    if words is None and not required:
        return None
    if not isinstance(words, dict) or any(not isinstance(words.get(lang), str) or not words[lang].strip()
                                          for lang in LANGUAGES):
        return f"{what} needs words in English and in Welsh."
    if any(len(words[lang]) > 500 for lang in LANGUAGES):
        return f"{what} can be up to 500 characters."
    return None


def _problem_with_question(group: str, index: int, question) -> str | None:
    if not isinstance(question, dict):
        return f"Question {index} is not a question."
    key, kind = question.get("key"), question.get("kind")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        return f"Question {index} needs a key of small letters, numbers and underscores, starting with a letter."
    if kind not in KINDS:
        return f"Question {index} ({key}) must be one of: {', '.join(KINDS)}."
    problem = (_problem_with_words(question.get("prompt"), f"Question {index} ({key})")
               or _problem_with_words(question.get("hint"), f"The hint of question {index} ({key})", required=False))
    if problem:
        return problem
    options = question.get("options") or []
    if kind == "choice" and not options:
        return f"Question {index} ({key}) is a choice and needs its options."
    if not isinstance(options, list):
        return f"The options of question {index} ({key}) must be a list."
    keys = [o.get("key") if isinstance(o, dict) else None for o in options]
    if any(not isinstance(k, str) or not KEY_PATTERN.match(k) for k in keys) or len(set(keys)) != len(keys):
        return f"Each option of question {index} ({key}) needs its own key of small letters, numbers and underscores."
    for option in options:
        problem = _problem_with_words(option.get("label"), f"Option {option['key']} of question {index} ({key})")
        if problem:
            return problem
    if not isinstance(question.get("comment", False), bool):
        return f"Question {index} ({key}): 'comment' must be true or false."
    if question.get("comment") and kind not in TEXT_KINDS:
        return f"Question {index} ({key}) can only be analysed as a comment if people type the answer."
    return None


def validate_questions(group: str, questions) -> str | None:
    """What is wrong with a form, in a plain sentence, or None."""
    if group not in GROUPS:
        return f"There is no feedback group called {group!r}."
    if not isinstance(questions, list) or not questions:
        return "A form needs at least one question."
    for index, question in enumerate(questions, start=1):
        problem = _problem_with_question(group, index, question)
        if problem:
            return problem
    keys = [q["key"] for q in questions]
    duplicate = next((k for k in keys if keys.count(k) > 1), None)
    if duplicate:
        return f"Two questions have the key {duplicate!r}: each needs its own."
    if group == "professional":
        agency = questions[0]
        if agency["key"] != AGENCY_KEY or agency["kind"] != "choice" \
                or {o["key"] for o in agency["options"]} != set(AGENCIES):
            return "The professionals' form must start with the agency question, offering every agency on the list."
    return None


def _clean(question: dict) -> dict:
    return {"key": question["key"], "kind": question["kind"], "prompt": dict(question["prompt"]),
            "hint": dict(question["hint"]) if question.get("hint") else None,
            "options": [{"key": o["key"], "label": dict(o["label"])} for o in question.get("options") or []],
            "comment": bool(question.get("comment", False))}


def new_version(group: str, questions: list[dict], created_by_id: int | None) -> FeedbackFormVersion:
    """A reworded or longer form: the next version of the group's form. Raises ValueError with a plain message.

    Flushes; the caller commits.
    """
    problem = validate_questions(group, questions)
    if problem:
        raise ValueError(problem)
    latest = current_version(group)
    version = FeedbackFormVersion(group=group, number=latest.number + 1,
                                  questions=[_clean(q) for q in questions], created_by_id=created_by_id)
    try:
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError as error:
        raise ValueError("Someone else changed this form at the same time. Look at the newest version and "
                         "try again.") from error
    return version


def in_language(words: dict | None) -> str | None:
    """Words in the reader's language, falling back to English."""
    if not words:
        return None
    locale = get_locale()
    language = locale.language if locale is not None else "en"
    english = words.get("en") or ""
    own = words.get(language) or english
    if language != "en" and own == english and english:
        # Stored before its translation existed (a built-in form made when the catalogue lacked it):
        # the catalogue's words now, if it has them.
        return gettext(english)
    return own


def question_set(version: FeedbackFormVersion) -> QuestionSet:
    """A version as a question set, in the reader's language, for `draw_question` and `read_posted`."""
    questions = []
    for q in version.questions:
        options = tuple(Option(o["key"], in_language(o["label"])) for o in q.get("options") or [])
        questions.append(Question(q["key"], q["kind"], in_language(q["prompt"]), hint=in_language(q.get("hint")),
                                  options=options))
    return QuestionSet(f"feedback-{version.group}/{version.number}", version=str(version.number),
                       sections=(Section("form", GROUP_TITLES.get(version.group, ""), questions=tuple(questions)),))


def comment_keys(version: FeedbackFormVersion) -> frozenset[str]:
    """The questions whose answers are analysed for sentiment and themes."""
    return frozenset(q["key"] for q in version.questions if q.get("comment"))
