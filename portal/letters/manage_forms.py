"""Forms of the glossary of care words (managers and administrators)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from portal.letters.plain_words import LANGUAGES

TERM_MAX, SUGGESTION_MAX, NOTE_MAX = 80, 200, 500
LANGUAGE_LABELS = {"en": _l("English"), "cy": _l("Welsh")}


def _strip(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _trim(value):
    return value.strip() if isinstance(value, str) else value


class EntryForm(FlaskForm):
    """Changing an entry: its plainer words, note and whether it is used (and the term of an added one)."""

    term = StringField(_l("Care word or phrase"), widget=GovTextInput(), filters=[_strip],
                       description=_l("Whole words: ‘contact’ also finds ‘contacts’. Write an acronym in capitals "
                                      "(‘PEP’) to find it only in capitals."),
                       validators=[DataRequired(message=_l("Enter the care word or phrase")),
                                   Length(max=TERM_MAX, message=_l("Enter a word or phrase of %(max)d characters "
                                                                   "or fewer", max=TERM_MAX))])
    suggestion = StringField(_l("Plainer words to use instead"), widget=GovTextInput(), filters=[_strip],
                             description=_l("For example: ‘family time’ for ‘contact’. Leave it empty to flag the "
                                            "word with no suggestion."),
                             validators=[Length(max=SUGGESTION_MAX,
                                                message=_l("Enter plainer words of %(max)d characters or fewer",
                                                           max=SUGGESTION_MAX))])
    note = TextAreaField(_l("Note for IROs (optional)"), widget=GovTextArea(), filters=[_trim],
                         validators=[Length(max=NOTE_MAX, message=_l("Enter a note of %(max)d characters or fewer",
                                                                     max=NOTE_MAX))])
    active = BooleanField(_l("Flag this word in letters"), widget=GovCheckboxInput(), default=True)
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())


class NewEntryForm(EntryForm):
    language = RadioField(_l("Language of the letters it is for"), widget=GovRadioInput(), default="en",
                          choices=[SelectChoice(code, LANGUAGE_LABELS[code]) for code in LANGUAGES],
                          validate_choice=False,
                          validators=[InputRequired(message=_l("Choose a language")),
                                      AnyOf(list(LANGUAGES), message=_l("Choose a language"))])
    submit = SubmitField(_l("Add to the glossary"), widget=GovSubmitInput())
