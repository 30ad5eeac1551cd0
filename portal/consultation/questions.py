"""The parents' and carers' questions before the review, as data (portal.questionnaires.schema).

One short page. A set is never edited once answered: new wording is a new set ('parent/2'), and each
answer records the set it answered, so it keeps its wording. Every question may be left blank.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.questionnaires.schema import Option, Question, QuestionSet, Section

ATTEND_OPTIONS = (
    Option("in_person", _l("Yes, in person")),
    Option("online", _l("Yes, online or by phone")),
    Option("cannot", _l("I cannot come")),
    Option("not_sure", _l("I am not sure yet")),
)

NEED_OPTIONS = (
    Option("interpreter", _l("An interpreter")),
    Option("different_time", _l("A different time")),
    Option("travel", _l("Help to get there")),
    Option("other", _l("Something else")),
)

PARENT_1 = QuestionSet("parent/1", version="1", sections=(
    Section("views", _l("Your views before the review"), questions=(
        Question("going_well", "text", _l("What is going well?"),
                 hint=_l("For the child, or for your family.")),
        Question("worries", "text", _l("What worries you?")),
        Question("talk_about", "text", _l("What do you want the review to talk about?")),
        Question("attend", "choice", _l("Will you come to the review meeting?"), options=ATTEND_OPTIONS),
        Question("needs", "checkboxes", _l("Do you need anything to take part?"),
                 hint=_l("Tick all that you need. You can leave this blank."), options=NEED_OPTIONS),
        Question("language", "short", _l("If you need an interpreter, which language?"),
                 hint=_l("Leave this blank if you do not need one.")),
        Question("needs_more", "text", _l("Tell us more about what you need"),
                 hint=_l("For example, a time that suits you, or the help you need to get there."),
                 max_length=1000),
    )),
))

QUESTION_SETS = {PARENT_1.id: PARENT_1}
CURRENT_SET = PARENT_1.id
SECTION = "views"


def question_set(set_id: str | None = None) -> QuestionSet:
    """A set by its id (the current one by default); answers to an older set keep its wording."""
    return QUESTION_SETS.get(set_id or CURRENT_SET, PARENT_1)
