"""Questionnaires as data: question sets made of sections made of questions.

A question set is never edited once people have answered it: new wording is a new set (for
example '12-17/2'), and each answer records the set it answered, so it keeps its wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from portal.questionnaires.kinds import Kind, kind


@dataclass(frozen=True)
class Option:
    key: str
    label: object
    # An emoji for the option, where one helps (the faces themselves are drawn in SVG).
    face: str = ""
    # A key of portal.pictures.VOCABULARY: the picture a young child taps (kinds 'pictures', 'picture_choice').
    picture: str = ""


@dataclass(frozen=True)
class Alternative:
    """A way not to answer, offered beside a question's own options; stored as the answer's state."""

    state: str
    # On the form ("Skip this question").
    label: object
    # Read back to whoever answered ("You skipped this question.").
    yours: object
    # Read by staff ("Skipped").
    theirs: object

    @property
    def value(self) -> str:
        """The radio (or checkbox) value that stands for it beside a question's options."""
        return f"__{self.state}"


SKIP = Alternative("skipped", _l("Skip this question"), _l("You skipped this question."), _l("Skipped"))
TELL_IRO = Alternative("tell_iro", _l("I'd rather tell my IRO myself"), _l("You will tell your IRO yourself."),
                       _l("I'd rather tell my IRO myself"))
# Every alternative a question set may offer, by the state it stores.
ALTERNATIVES: dict[str, Alternative] = {a.state: a for a in (SKIP, TELL_IRO)}
ANSWERED = "answered"


@dataclass(frozen=True)
class Question:
    key: str
    # A key of portal.questionnaires.kinds.KINDS: 'text', 'short', 'choice', 'faces', 'rating',
    # 'yes_no_not_sure', 'checkboxes', 'pictures' or 'picture_choice'.
    kind: str
    prompt: object
    hint: object = None
    # Empty: the kind's own options (a rating's 1 to 5, yes/no/not sure, the faces).
    options: tuple[Option, ...] = ()
    # Choices that mark the answer urgent (a child saying they do not feel safe).
    urgent_choices: frozenset[str] = frozenset()
    voice: bool = False
    # Longest typed answer; None: the kind's (text 2000, short 200).
    max_length: int | None = None

    def __post_init__(self):
        answer_kind = kind(self.kind)
        if not self.options and answer_kind.default_options:
            object.__setattr__(self, "options", tuple(Option(k, label) for k, label in answer_kind.default_options))
        if self.max_length is None and answer_kind.max_length is not None:
            object.__setattr__(self, "max_length", answer_kind.max_length)

    @property
    def answer_kind(self) -> Kind:
        return kind(self.kind)

    @property
    def is_free_text(self) -> bool:
        return self.answer_kind.free_text


@dataclass(frozen=True)
class Section:
    key: str
    title: object
    intro: object = None
    questions: tuple[Question, ...] = ()
    # Three Houses pages are drawn as a house: True (4-7/1), or which house ('good', 'worries', 'dreams'),
    # which colours it, in the picture sets (4-7/2); '' for a page of the set outside the houses.
    house: bool | str = False
    # A key of the shared picture vocabulary (portal.pictures), drawn at the top of the part; "" for none.
    picture: str = ""

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


@dataclass(frozen=True)
class QuestionSet:
    id: str
    version: str = ""
    sections: tuple[Section, ...] = field(default_factory=tuple)
    # States of ALTERNATIVES its questions offer beside their own answers, in the order shown;
    # when a form sends several, the last one says the most.
    alternatives: tuple[str, ...] = ()

    def __post_init__(self):
        unknown = [state for state in self.alternatives if state not in ALTERNATIVES]
        if unknown:
            raise KeyError(f"{self.id}: unknown alternatives {unknown}")

    @property
    def offered(self) -> tuple[Alternative, ...]:
        """The alternatives, for drawing and reading a form."""
        return tuple(ALTERNATIVES[state] for state in self.alternatives)

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question, in the order they are asked."""
        return tuple(q for s in self.sections for q in s.questions)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def question(self, key: str) -> Question | None:
        return next((q for s in self.sections for q in s.questions if q.key == key), None)

    def section_of(self, question_key: str) -> Section | None:
        return next((s for s in self.sections if s.question(question_key) is not None), None)
