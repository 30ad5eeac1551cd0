"""The shared questionnaire machinery: kinds of answer, reading a form, answers in words, navigation,
the answer columns, and one macro that draws any question.

The last tests build a three-question feedback form here, as a new questionnaire would: its
question set as data, drawn by the macro, a browser's submission read back.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.datastructures import MultiDict

from portal import create_app
from portal.booklet.models import BookletAnswer
from portal.questionnaires import kinds
from portal.questionnaires.answers import Posted, answer_in_words, fingerprint, read_posted, stored_value
from portal.questionnaires.models import AnswerColumns
from portal.questionnaires.navigation import first_unfinished, next_section, position, progress, section_status
from portal.questionnaires.schema import (
    ALTERNATIVES,
    SKIP,
    TELL_IRO,
    Option,
    Question,
    QuestionSet,
    Section,
)

# --- A new questionnaire: three questions as data -----------------------------------------------

MEETING_FEEDBACK = QuestionSet("meeting-feedback/1", sections=(
    Section("meeting", _l("The meeting"), questions=(
        Question("helpful", "rating", _l("How helpful was the meeting?")),
        Question("listened", "yes_no_not_sure", _l("Did you feel listened to?")),
        Question("better", "text", _l("What could have been better?"), max_length=500),
    )),
), alternatives=("skipped",))


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """An app for drawing templates; no database is touched."""
    folder = tmp_path_factory.mktemp("questionnaires")
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'unused.sqlite3'}",
                       "SESSION_FILE_DIR": str(folder / "sessions"), "RATELIMIT_STORAGE_URI": "memory://",
                       "HUEY_IMMEDIATE": True, "HUEY_SQLITE_PATH": str(folder / "jobs.sqlite3")})


@pytest.fixture
def request_context(web):
    with web.test_request_context("/"):
        yield web


def draw(web, question, field=None, alternatives=(), form_id=None) -> str:
    field = {"state": "none", "value": "", "version": 0, "loaded": fingerprint("none", None), "error": None,
             "conflict": None, **(field or {})}
    template = web.jinja_env.from_string(
        '{% from "questionnaires/_question.html" import draw_question %}'
        "{{ draw_question(question, field, form_id=form_id, alternatives=alternatives) }}")
    return template.render(question=question, field=field, alternatives=alternatives, form_id=form_id)


class Browser(HTMLParser):
    """What a browser would post from the drawn fields: checked boxes, text and hidden inputs."""

    def __init__(self):
        super().__init__()
        self.posted = MultiDict()
        self.inputs: list[dict] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.inputs.append(attrs)
            if attrs.get("type") not in {"radio", "checkbox"} or "checked" in attrs:
                self.posted.add(attrs["name"], attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.posted.add(self._textarea, "")

    def handle_data(self, data):
        if self._textarea:
            self.posted.setlist(self._textarea, [self.posted[self._textarea] + data])

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def submit(html: str, **changes) -> MultiDict:
    browser = Browser()
    browser.feed(html)
    for name, value in changes.items():
        browser.posted.setlist(name, value if isinstance(value, list) else [value])
    return browser.posted


# --- Schema -------------------------------------------------------------------------------------

def test_a_question_takes_its_limit_and_options_from_its_kind_unless_it_says_otherwise():
    assert Question("a", "text", "A").max_length == 2000
    assert Question("b", "short", "B").max_length == 200
    assert Question("c", "text", "C", max_length=500).max_length == 500
    assert [o.key for o in Question("d", "rating", "D").options] == ["1", "2", "3", "4", "5"]
    assert [o.key for o in Question("e", "yes_no_not_sure", "E").options] == ["yes", "no", "not_sure"]
    own = (Option("x", "X"),)
    assert Question("f", "faces", "F", options=own).options == own
    assert Question("g", "choice", "G").max_length is None


def test_an_unknown_kind_or_alternative_fails_when_the_set_is_written():
    with pytest.raises(KeyError):
        Question("a", "essay", "A")
    with pytest.raises(KeyError):
        QuestionSet("x/1", alternatives=("ask_my_mum",))


def test_lookups_by_key():
    section = MEETING_FEEDBACK.section("meeting")
    assert MEETING_FEEDBACK.question("listened").kind == "yes_no_not_sure"
    assert section.question("better").max_length == 500 and section.question("nope") is None
    assert MEETING_FEEDBACK.section_of("helpful") is section and MEETING_FEEDBACK.section_of("nope") is None
    assert [q.key for q in MEETING_FEEDBACK.questions] == ["helpful", "listened", "better"]
    assert MEETING_FEEDBACK.offered == (SKIP,)
    assert (SKIP.value, TELL_IRO.value) == ("__skipped", "__tell_iro")


# --- Kinds --------------------------------------------------------------------------------------

def test_every_kind_is_registered_with_a_macro():
    assert set(kinds.KINDS) >= {"text", "short", "choice", "faces", "rating", "yes_no_not_sure", "checkboxes"}
    # Every kind's macro is one the shared question template draws (its `drawers`).
    template = (Path(__file__).resolve().parents[2] / "templates" / "questionnaires" / "_question.html").read_text()
    drawers = re.search(r"set drawers = \{(.*?)\}", template, re.S).group(1)
    assert {k.macro for k in kinds.KINDS.values()} <= set(re.findall(r'"(\w+)":', drawers))
    assert [name for name, k in kinds.KINDS.items() if k.free_text] == ["text", "short"]
    with pytest.raises(ValueError):
        kinds.register(kinds.Kind("text", "text"))


def test_text_keeps_new_lines_as_one_character_and_refuses_what_is_too_long(request_context):
    question = Question("q", "text", "Q", max_length=10)
    kind = question.answer_kind
    assert kind.parse({"q": "  one\r\ntwo\r "}, question) == "one\ntwo"
    assert kind.parse({"q": "   "}, question) is None and kind.parse({}, question) is None
    assert kind.validate(question, "0123456789") is None
    assert kind.validate(question, "01234567890") == (
        "Your answer can be up to 10 characters. You have written 11.")
    assert kind.describe(question, "one\ntwo") == "one\ntwo"
    short = Question("s", "short", "S")
    assert kind.validate(short, "x" * 200) is None and kind.validate(short, "x" * 201) is not None


@pytest.mark.parametrize("kind_name", ["choice", "faces", "rating", "yes_no_not_sure"])
def test_one_choice_kinds_accept_only_their_options(request_context, kind_name):
    options = (Option("a", "Apple"), Option("b", "Banana")) if kind_name == "choice" else ()
    question = Question("q", kind_name, "Q", options=options)
    kind = question.answer_kind
    first = question.options[0].key
    assert kind.parse({"q": first}, question) == first
    assert kind.parse({"q": ""}, question) is None
    assert kind.validate(question, first) is None and kind.validate(question, None) is None
    assert kind.validate(question, "durian") == "Choose from the answers given."
    assert kind.describe(question, "durian") == "durian"


def test_choices_are_described_by_their_labels(request_context):
    assert Question("q", "yes_no_not_sure", "Q").answer_kind.describe(Question("q", "yes_no_not_sure", "Q"),
                                                                      "not_sure") == "Not sure"
    faces = Question("f", "faces", "F")
    assert faces.answer_kind.describe(faces, "great") == "Really happy"
    rating = Question("r", "rating", "R")
    assert rating.answer_kind.describe(rating, "4") == "4 out of 5: Good"
    with force_locale("cy"):
        assert rating.answer_kind.describe(rating, "4") == "4 allan o 5: Da"
        assert faces.answer_kind.describe(faces, "great") == "Hapus iawn"


def test_checkboxes_keep_several_keys_as_a_json_list_in_option_order(request_context):
    question = Question("who", "checkboxes", "Who?", options=(
        Option("carer", "My carer"), Option("social_worker", "My social worker"), Option("family", "My family")))
    kind = question.answer_kind
    assert kind.column == "text"
    form = MultiDict([("who", "family"), ("who", "carer"), ("who", "carer"), ("who", "__skipped")])
    value = kind.parse(form, question)
    assert value == '["carer", "family"]' and json.loads(value) == ["carer", "family"]
    assert kind.parse(MultiDict(), question) is None
    assert kind.clean(question, '["family", "carer"]') == value
    assert kind.clean(question, "[]") is None and kind.clean(question, "") is None
    assert kind.validate(question, value) is None
    assert kind.validate(question, '["carer", "uncle"]') == "Choose from the answers given."
    assert kind.validate(question, kind.clean(question, "not json")) == "Choose from the answers given."
    assert kind.validate(question, '["family", "carer"]') is not None  # not in option order: not as stored
    assert kind.describe(question, value) == "My carer, My family"
    assert kind.describe(question, "not json") == "not json"
    assert kind.selected(value) == ["carer", "family"] and kind.selected(None) == []


# --- Reading a posted form ----------------------------------------------------------------------

def test_read_posted_with_the_alternatives_the_set_offers():
    text = Question("t", "text", "T")
    choice = Question("c", "yes_no_not_sure", "C")
    both = (SKIP, TELL_IRO)
    assert read_posted(text, MultiDict({"t": "hi\r\nthere", "t__version": "3", "t__loaded": "abc"}), both) == \
        Posted("answered", "hi\nthere", 3, "abc")
    # Both ticked: the last alternative offered says the most.
    form = MultiDict([("t", "words"), ("t__alt", "skipped"), ("t__alt", "tell_iro"), ("t__version", "1")])
    assert read_posted(text, form, both) == Posted("tell_iro", None, 1)
    assert read_posted(text, MultiDict([("t__alt", "skipped"), ("t__version", "")]), both).state == "skipped"
    assert read_posted(choice, MultiDict({"c": "__tell_iro"}), both) == Posted("tell_iro", None)
    assert read_posted(choice, MultiDict({"c": "__skipped"}), both) == Posted("skipped", None)
    assert read_posted(choice, MultiDict({"c": "no", "c__choose": "theirs"}), both) == \
        Posted("answered", "no", keep_theirs=True)


def test_read_posted_without_alternatives_reads_them_as_answers_that_validate_refuses():
    text = Question("t", "text", "T")
    choice = Question("c", "yes_no_not_sure", "C")
    assert read_posted(text, MultiDict([("t", "words"), ("t__alt", "skipped")])) == Posted("answered", "words")
    posted = read_posted(choice, MultiDict({"c": "__skipped"}))
    assert posted == Posted("answered", "__skipped")
    assert choice.answer_kind.validate(choice, posted.value) is not None
    # Only the offered ones count.
    assert read_posted(choice, MultiDict({"c": "__tell_iro"}), (SKIP,)).state == "answered"


def test_a_form_without_the_question_says_nothing_about_it():
    question = Question("t", "text", "T")
    assert read_posted(question, MultiDict({"other": "x"})) is None
    # A plain dict (a kept draft) reads the same; unticked boxes are not posted at all.
    assert read_posted(Question("w", "checkboxes", "W", options=(Option("a", "A"),)), {"w__version": "2"}) == \
        Posted("answered", None, 2)


# --- Stored answers and words -------------------------------------------------------------------

def row(state="answered", choice=None, text=None):
    return SimpleNamespace(state=state, value_choice=choice, value_text=text)


def test_stored_value_and_fingerprint():
    assert stored_value(None) == ("none", None)
    assert stored_value(row(choice="yes")) == ("answered", "yes")
    assert stored_value(row(text="words")) == ("answered", "words")
    assert stored_value(row("skipped", text="old")) == ("skipped", None)
    assert fingerprint("answered", "") == fingerprint("answered", None) == fingerprint("none", None)
    assert fingerprint("answered", "a") != fingerprint("skipped", None) != fingerprint("tell_iro", None)
    assert len(fingerprint("answered", "a")) == 16


def test_answer_in_words_for_whoever_answered_and_for_staff(request_context):
    question = Question("c", "yes_no_not_sure", "C")
    assert answer_in_words(question, "skipped", None) == "You skipped this question."
    assert answer_in_words(question, "tell_iro", None) == "You will tell your IRO yourself."
    assert answer_in_words(question, "skipped", None, for_staff=True) == "Skipped"
    assert answer_in_words(question, "tell_iro", None, for_staff=True) == "I'd rather tell my IRO myself"
    assert answer_in_words(question, "answered", "no") == "No"
    assert answer_in_words(question, "none", None) == "Nothing yet"
    assert answer_in_words(question, "none", None, nothing="Not answered") == "Not answered"
    assert answer_in_words(question, "none", None, for_staff=True, nothing=None) is None
    # A set no longer known: the value as stored.
    assert answer_in_words(None, "answered", "no") == "no"
    with force_locale("cy"):
        assert answer_in_words(question, "skipped", None) == "Fe wnest ti neidio dros y cwestiwn hwn."
        assert answer_in_words(question, "answered", "yes") == "Ie"
    assert set(ALTERNATIVES) == {"skipped", "tell_iro"}


# --- Navigation ---------------------------------------------------------------------------------

THREE_PARTS = QuestionSet("parts/1", sections=(
    Section("one", "One", questions=(Question("a", "text", "A"), Question("b", "text", "B"))),
    Section("two", "Two", questions=(Question("c", "yes_no_not_sure", "C"),)),
    Section("three", "Three", questions=(Question("d", "short", "D"),)),
))


def test_section_status_first_unfinished_next_and_progress():
    answers = {"a": row(text="x")}
    one, two, three = THREE_PARTS.sections
    assert section_status(one, answers) == "started" and section_status(two, answers) == "not_started"
    assert first_unfinished(THREE_PARTS, answers) is one
    assert progress(THREE_PARTS, answers) == (0, 3)
    answers |= {"b": row("skipped"), "c": row("skipped")}
    assert section_status(one, answers) == "done" and section_status(two, answers) == "skipped"
    assert first_unfinished(THREE_PARTS, answers) is three
    assert progress(THREE_PARTS, answers) == (2, 3)
    answers["d"] = row("tell_iro")
    assert first_unfinished(THREE_PARTS, answers) is None and progress(THREE_PARTS, answers) == (3, 3)
    assert next_section(THREE_PARTS, "one") is two and next_section(THREE_PARTS, "three") is None
    assert position(THREE_PARTS, "two") == (2, 3)
    with pytest.raises(ValueError):
        next_section(THREE_PARTS, "four")


# --- Answer tables ------------------------------------------------------------------------------

class Base(DeclarativeBase):
    """Not the portal's metadata: this table never reaches a migration."""


class FeedbackAnswerExample(AnswerColumns, Base):
    __tablename__ = "feedback_answer_example"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(Integer, ForeignKey("feedback_response_example.id"))


class FeedbackResponseExample(Base):
    __tablename__ = "feedback_response_example"

    id: Mapped[int] = mapped_column(primary_key=True)


def shape(model) -> dict:
    table = model.__table__
    return {name: (type(table.c[name].type), getattr(table.c[name].type, "length", None), table.c[name].nullable,
                   bool(table.c[name].index))
            for name in ("question_set", "question_key", "section", "state", "value_choice", "value_text",
                         "version", "updated_at")}


def test_every_answer_table_has_the_same_narrow_typed_shape():
    assert shape(FeedbackAnswerExample) == shape(BookletAnswer)
    columns = shape(BookletAnswer)
    assert columns["value_choice"] == (String, 40, True, True)
    assert columns["value_text"][:1] == (Text,) and columns["state"] == (String, 10, False, False)


def test_put_stores_a_value_in_the_column_its_kind_uses():
    answer = FeedbackAnswerExample()
    answer.put(MEETING_FEEDBACK.question("helpful"), "answered", "4")
    assert (answer.state, answer.value_choice, answer.value_text) == ("answered", "4", None)
    answer.put(MEETING_FEEDBACK.question("better"), "answered", "More time")
    assert (answer.value_choice, answer.value_text) == (None, "More time")
    answer.put(MEETING_FEEDBACK.question("better"), "skipped", "ignored")
    assert (answer.state, answer.value_choice, answer.value_text) == ("skipped", None, None)
    assert stored_value(answer) == ("skipped", None)


# --- The macro: a new three-question form, drawn and read back ----------------------------------

def test_the_three_question_form_is_drawn_by_kind_and_read_back(request_context):
    web = request_context
    saved = {"helpful": ("answered", "4"), "listened": ("skipped", None), "better": ("answered", "More time\nto talk")}
    html = ""
    for question in MEETING_FEEDBACK.questions:
        state, value = saved[question.key]
        html += draw(web, question, {"state": state, "value": value or "", "version": 2,
                                     "loaded": fingerprint(state, value)}, alternatives=MEETING_FEEDBACK.offered)
    # Drawn by kind: a scale and yes/no/not sure as radios, the text with its character count.
    assert 'data-kind="rating"' in html and 'data-kind="yes_no_not_sure"' in html and 'data-kind="text"' in html
    assert 'id="q-helpful-4" name="helpful" type="radio" value="4" checked' in html
    assert 'value="__skipped" checked' in html and "Skip this question" in html
    assert "tell my IRO" not in html and "If you do not want to answer" in html
    assert 'maxlength="500"' in html and "You can write up to 500 characters." in html
    assert "form=" not in html

    # A browser posts it back unchanged: every answer reads as it was, and nothing needs saving.
    form = submit(html)
    for question in MEETING_FEEDBACK.questions:
        posted = read_posted(question, form, MEETING_FEEDBACK.offered)
        assert (posted.state, posted.value) == saved[question.key]
        assert posted.expected_version == 2 and posted.loaded == fingerprint(posted.state, posted.value)

    # Changing answers: the new ones read back and validate.
    form = submit(html, helpful="1", listened="not_sure", better="Shorter\r\nplease", better__alt=[])
    read = {q.key: read_posted(q, form, MEETING_FEEDBACK.offered) for q in MEETING_FEEDBACK.questions}
    assert {k: (p.state, p.value) for k, p in read.items()} == {
        "helpful": ("answered", "1"), "listened": ("answered", "not_sure"), "better": ("answered", "Shorter\nplease")}
    assert all(q.answer_kind.validate(q, read[q.key].value) is None for q in MEETING_FEEDBACK.questions)


def test_the_macro_draws_alternatives_only_when_offered_and_checkboxes_as_exclusive(request_context):
    web = request_context
    text = Question("t", "text", "T")
    assert "If you do not want to answer" not in draw(web, text)
    both = draw(web, text, alternatives=(SKIP, TELL_IRO), form_id="answers")
    assert "I'd rather tell my IRO myself" in both and 'form="answers"' in both
    who = Question("who", "checkboxes", "Who?", options=(Option("carer", "My carer"), Option("family", "My family")))
    html = draw(web, who, {"state": "answered", "value": '["family"]'}, alternatives=(SKIP,))
    assert 'value="family" checked' in html and 'value="carer" checked' not in html
    assert 'value="__skipped" data-behaviour="exclusive"' in html
    form = submit(html)
    assert read_posted(who, form, (SKIP,)) == Posted("answered", '["family"]', 0, fingerprint("none", None))
    form = submit(html, who=["carer", "family"])
    assert read_posted(who, form, (SKIP,)).value == '["carer", "family"]'
    faces = draw(web, Question("f", "faces", "F"))
    assert faces.count('class="portal-face"') == 5 and "portal-faces" in faces


def test_the_macro_speaks_welsh(request_context):
    with force_locale("cy"):
        html = draw(request_context, MEETING_FEEDBACK.question("listened"), alternatives=MEETING_FEEDBACK.offered)
    assert "Ddim yn siŵr" in html and "Neidio dros y cwestiwn hwn" in html and ">neu<" in html
