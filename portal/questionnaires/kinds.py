"""Kinds of answer: how each is read from a form, checked, said in words and drawn.

A question names its kind by key (`Question("enjoy", "text", ...)`); the key is looked up here. Each
kind says:

- `free_text`: whether the person types the answer (it is screened, counted and kept as typed);
- `column`: where an answer is stored: `value_choice` (an option's key, short and indexed, so SQL
  can count choices) or `value_text` (typed words, or several choices);
- `parse(form, question)`: the value a posted form gives (None for no answer);
- `clean(question, value)`: the same for a value from elsewhere (autosave's JSON);
- `validate(question, value)`: what is wrong with a value in words a person reads, or None;
- `describe(question, value)`: the value in words a person reads;
- `macro`: the name of the macro in `templates/questionnaires/_question.html` that draws it.

Values are always strings, so a form, a draft and a stored answer compare as they are. Checkboxes
keep several option keys as a JSON list, in the question's option order, in `value_text`
(for example '["carer", "social_worker"]'): `value_choice` is 40 characters, too short for
several keys, and a JSON list is counted in SQL with `value_text LIKE '%"carer"%'` on SQLite and
PostgreSQL alike.

A new kind is a subclass (or an instance of one) passed to `register`; its macro is added to
`templates/questionnaires/_question.html`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

TEXT_LIMIT = 2000
SHORT_LIMIT = 200

# Options a kind offers when its question gives none: (key, label) pairs.
FACES = (
    ("great", _l("Really happy")),
    ("good", _l("Happy")),
    ("okay", _l("Okay")),
    ("not_good", _l("Not happy")),
    ("bad", _l("Really unhappy")),
)
RATING = (
    ("1", _l("Very poor")),
    ("2", _l("Poor")),
    ("3", _l("Okay")),
    ("4", _l("Good")),
    ("5", _l("Very good")),
)
YES_NO_NOT_SURE = (
    ("yes", _l("Yes")),
    ("no", _l("No")),
    ("not_sure", _l("Not sure")),
)


class QuestionLike(Protocol):
    """What a kind needs of a question (schema.Question has it; kinds know nothing else of the schema)."""

    key: str
    options: Sequence
    max_length: int | None


def normalise_text(value: str | None) -> str:
    """Browsers send new lines as CRLF; count and keep them as one character, as the counter does."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def getlist(form, name: str) -> list[str]:
    """Every value posted under a name, from a request form, a kept draft or a plain dict."""
    if hasattr(form, "getlist"):
        return list(form.getlist(name))
    values = form.get(name, [])
    return [values] if isinstance(values, str) else list(values)


def option_label(question: QuestionLike, key: str) -> str:
    """An option's label, or its key when the question no longer offers it."""
    option = next((o for o in question.options if o.key == key), None)
    return str(option.label) if option else key


def not_an_option() -> str:
    return _("Choose from the answers given.")


@dataclass(frozen=True)
class Kind:
    """One option chosen (radios): its key is stored in `value_choice`."""

    name: str
    macro: str
    default_options: tuple[tuple[str, object], ...] = ()
    free_text = False
    column = "choice"
    max_length: int | None = None

    def parse(self, form, question: QuestionLike) -> str | None:
        return self.clean(question, form.get(question.key))

    def clean(self, question: QuestionLike, value: str | None) -> str | None:
        return value or None

    def validate(self, question: QuestionLike, value: str | None) -> str | None:
        if value is None or any(option.key == value for option in question.options):
            return None
        return not_an_option()

    def describe(self, question: QuestionLike, value: str) -> str:
        return option_label(question, value)

    def urgent(self, question: QuestionLike, value: str | None) -> bool:
        """Whether the value chosen is worrying in itself: one of the question's `urgent_choices`."""
        return value is not None and value in getattr(question, "urgent_choices", ())


@dataclass(frozen=True)
class TextKind(Kind):
    """Words the person types, kept as typed (new lines as one character) in `value_text`."""

    free_text = True
    column = "text"
    max_length: int | None = TEXT_LIMIT

    def clean(self, question: QuestionLike, value: str | None) -> str | None:
        return normalise_text(value) or None

    def validate(self, question: QuestionLike, value: str | None) -> str | None:
        if value is None or len(value) <= question.max_length:
            return None
        return _("Your answer can be up to %(limit)s characters. You have written %(length)s.",
                 limit=format_number(question.max_length), length=format_number(len(value)))

    def describe(self, question: QuestionLike, value: str) -> str:
        return value

    def character_count_texts(self, limit: int) -> dict:
        return character_count_texts(limit)


def character_count_texts(limit: int) -> dict:
    """GOV.UK character count messages in the reader's language ('%{count}' is filled in by its script)."""
    return {"textareaDescriptionText": _("You can write up to %(limit)s characters.", limit=format_number(limit)),
            "charactersUnderLimitText": {"one": _("You can write %{count} more character"),
                                         "other": _("You can write %{count} more characters")},
            "charactersAtLimitText": _("You have used all the characters"),
            "charactersOverLimitText": {"one": _("You have %{count} character too many"),
                                        "other": _("You have %{count} characters too many")}}


@dataclass(frozen=True)
class RatingKind(Kind):
    """A scale of options (1 to 5 by default); staff read the place on the scale as well as its label."""

    def describe(self, question: QuestionLike, value: str) -> str:
        keys = [option.key for option in question.options]
        if value not in keys:
            return value
        return _("%(number)s out of %(total)s: %(label)s", number=keys.index(value) + 1, total=len(keys),
                 label=option_label(question, value))


@dataclass(frozen=True)
class CheckboxesKind(Kind):
    """Several options: a JSON list of their keys, in the question's option order, in `value_text`."""

    column = "text"

    def parse(self, form, question: QuestionLike) -> str | None:
        # Values starting '__' are the alternatives ('__skipped'), read by the caller.
        return self._join(question, [v for v in getlist(form, question.key) if v and not v.startswith("__")])

    def clean(self, question: QuestionLike, value: str | None) -> str | None:
        if not value:
            return None
        keys = self._keys(value)
        # Not a list of keys: kept as sent, so that `validate` refuses it.
        return value if keys is None else self._join(question, keys)

    def validate(self, question: QuestionLike, value: str | None) -> str | None:
        if value is None:
            return None
        keys = self._keys(value)
        known = {option.key for option in question.options}
        if not keys or any(key not in known for key in keys) or value != self._join(question, keys):
            return not_an_option()
        return None

    def describe(self, question: QuestionLike, value: str) -> str:
        # Commas, not "and": CLDR's Welsh list ("a(c)") reads badly to a child.
        return ", ".join([option_label(question, key) for key in self.selected(value)] or [value])

    @classmethod
    def selected(cls, value: str | None) -> list[str]:
        """The keys in a stored value, for ticking the boxes again; [] for none."""
        return (cls._keys(value) or []) if value else []

    @staticmethod
    def _keys(value: str) -> list[str] | None:
        """The keys in a JSON list; None when it is not a list of keys."""
        try:
            keys = json.loads(value)
        except ValueError:
            return None
        return keys if isinstance(keys, list) and all(isinstance(k, str) for k in keys) else None

    @staticmethod
    def _join(question: QuestionLike, keys: list[str]) -> str | None:
        """Known keys in option order, unknown ones after them (so `validate` can refuse them)."""
        if not keys:
            return None
        order = {option.key: i for i, option in enumerate(question.options)}
        unique = sorted(set(keys), key=lambda k: (order.get(k, len(order)), k))
        return json.dumps(unique)


@dataclass(frozen=True)
class PicturesKind(CheckboxesKind):
    """Pictures a young child taps, as many as they like: stored exactly as checkboxes (a JSON list of the
    options' keys in `value_text`); each option names its picture (`Option.picture`)."""

    def urgent(self, question: QuestionLike, value: str | None) -> bool:
        """Any picture tapped among the question's `urgent_choices` ("Someone hurts me")."""
        return bool(set(self.selected(value)) & set(getattr(question, "urgent_choices", ())))


@dataclass(frozen=True)
class PictureChoiceKind(Kind):
    """One picture tapped (a face, yes or no): stored as a choice in `value_choice`, so urgent choices and
    the collated counts work as for radios."""


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind of answer; a second kind with the same name is a mistake, never a replacement."""
    if kind.name in KINDS:
        raise ValueError(f"answer kind {kind.name!r} is already registered")
    KINDS[kind.name] = kind
    return kind


def kind(name: str) -> Kind:
    """A kind by its key; a KeyError means a question names a kind that does not exist."""
    return KINDS[name]


for _kind in (
    TextKind("text", "text"),
    TextKind("short", "short", max_length=SHORT_LIMIT),
    Kind("choice", "radios"),
    Kind("faces", "faces", default_options=FACES),
    RatingKind("rating", "radios", default_options=RATING),
    Kind("yes_no_not_sure", "radios", default_options=YES_NO_NOT_SURE),
    CheckboxesKind("checkboxes", "checkboxes"),
    PicturesKind("pictures", "pictures"),
    PictureChoiceKind("picture_choice", "picture_choice"),
):
    register(_kind)
del _kind
