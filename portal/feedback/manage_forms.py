"""Forms a manager uses on feedback: correcting a comment, the themes lexicon, rewording a form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

# Kinds a manager may add as a new question (options for 'choice' are typed one a line).
NEW_KINDS = (("yes_no_not_sure", _l("Yes, no or not sure")), ("rating", _l("A scale of 1 to 5")),
             ("faces", _l("Faces (for young people)")), ("choice", _l("A choice of answers you write")),
             ("text", _l("Words they type (a comment)")))
NEW_QUESTION = "__new"


class CommentForm(FlaskForm):
    """A manager's reading of one comment: its sentiment, its themes, and whether it may be quoted."""

    sentiment = RadioField(_l("How does this comment read?"), widget=GovRadioInput(),
                           choices=[SelectChoice("positive", _l("Positive")), SelectChoice("neutral", _l("Neutral")),
                                    SelectChoice("negative", _l("Negative"))],
                           validators=[InputRequired(message=_l("Choose how the comment reads"))])
    themes = SelectMultipleField(_l("Themes"), widget=GovCheckboxesInput(), choices=[], validators=[Optional()],
                                 description=_l("Tick every theme the comment is about."))
    fit_to_quote = BooleanField(_l("Fit to quote in a report"), widget=GovCheckboxInput())
    quote = TextAreaField(_l("The words to quote"), widget=GovTextArea(),
                          description=_l("Type the words as they may be quoted, with names, places and anything "
                                         "else that could identify someone taken out. Nothing is quoted until "
                                         "you type it here."),
                          validators=[Length(max=10_000)])
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def offer_themes(self, themes) -> None:
        self.themes.choices = [(theme.key, theme.label) for theme in themes]

    def validate_quote(self, field) -> None:
        if self.fit_to_quote.data and not (field.data or "").strip():
            raise ValidationError(_l("Type the words to quote, with names and other details that could identify "
                                     "someone taken out"))


class ThemeForm(FlaskForm):
    label = StringField(_l("Theme"), widget=GovTextInput(),
                        validators=[InputRequired(message=_l("Enter the theme's name")), Length(max=120)])
    phrases = TextAreaField(_l("Words and phrases that find it"), widget=GovTextArea(),
                            description=_l("One a line. A comment with any of them is given this theme."),
                            validators=[Length(max=10_000)])
    active = BooleanField(_l("In use"), widget=GovCheckboxInput(), default=True)
    submit = SubmitField(_l("Save theme"), widget=GovSubmitInput())


class QuestionForm(FlaskForm):
    """Reword a question of a group's form, or add one: either makes the form's next version."""

    question = SelectField(_l("Question"), widget=GovSelect(), validators=[InputRequired()])
    kind = RadioField(_l("Kind of answer (for a new question)"), widget=GovRadioInput(),
                      choices=[SelectChoice(key, label) for key, label in NEW_KINDS], validate_choice=False)
    prompt_en = TextAreaField(_l("Question in English"), widget=GovTextArea(),
                              validators=[InputRequired(message=_l("Enter the question in English")),
                                          Length(max=500)])
    prompt_cy = TextAreaField(_l("Question in Welsh"), widget=GovTextArea(),
                              validators=[InputRequired(message=_l("Enter the question in Welsh")), Length(max=500)])
    hint_en = StringField(_l("Hint in English (optional)"), widget=GovTextInput(), validators=[Length(max=300)])
    hint_cy = StringField(_l("Hint in Welsh (optional)"), widget=GovTextInput(), validators=[Length(max=300)])
    options_en = TextAreaField(_l("Answers in English (for a choice you write)"), widget=GovTextArea(),
                               description=_l("One a line."), validators=[Length(max=2000)])
    options_cy = TextAreaField(_l("Answers in Welsh, in the same order"), widget=GovTextArea(),
                               description=_l("One a line."), validators=[Length(max=2000)])
    submit = SubmitField(_l("Save as a new version"), widget=GovSubmitInput())

    def offer_questions(self, questions: list[tuple[str, str]]) -> None:
        self.question.choices = [(NEW_QUESTION, _l("Add a new question"))] + questions

    @property
    def adding(self) -> bool:
        return self.question.data == NEW_QUESTION

    def validate_kind(self, field) -> None:
        if self.adding and field.data not in dict(NEW_KINDS):
            raise ValidationError(_l("Choose the kind of answer for the new question"))

    def validate_options_cy(self, field) -> None:
        if not (self.adding and self.kind.data == "choice"):
            return
        english, welsh = _lines(self.options_en.data), _lines(field.data)
        if len(english) < 2:
            raise ValidationError(_l("Write at least two answers in English, one a line"))
        if len(welsh) != len(english):
            raise ValidationError(_l("Write each answer in Welsh too, in the same order"))

    def texts(self) -> dict:
        """What the new version needs, as typed."""
        hint = ({"en": self.hint_en.data.strip(), "cy": self.hint_cy.data.strip() or self.hint_en.data.strip()}
                if (self.hint_en.data or "").strip() else None)
        return {"prompt": {"en": self.prompt_en.data.strip(), "cy": self.prompt_cy.data.strip()}, "hint": hint,
                "kind": self.kind.data, "options": list(zip(_lines(self.options_en.data),
                                                            _lines(self.options_cy.data), strict=False))}


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
