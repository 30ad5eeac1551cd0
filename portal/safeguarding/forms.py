"""Forms of the safeguarding area: acknowledging a concern, keeping the word list."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError

from portal.i18n import LANGUAGES
from portal.safeguarding.services import language_name, phrase_problem

CATEGORY_LABELS = {
    "suicide_self_harm": _l("Suicide and self-harm"),
    "physical_harm": _l("Physical harm"),
    "sexual_harm": _l("Sexual harm"),
    "neglect": _l("Neglect"),
    "missing": _l("Going missing"),
    "exploitation": _l("Exploitation"),
    "bullying_online": _l("Bullying and online harm"),
    "drugs_alcohol": _l("Drugs and alcohol"),
    "other": _l("Other"),
}


class AcknowledgeForm(FlaskForm):
    note = TextAreaField(_l("What have you done about it?"), widget=GovTextArea(),
                         description=_l("For example: spoke to the child, told the social worker, made a referral."),
                         validators=[InputRequired(message=_l("Write what you have done about it")),
                                     Length(max=2000)])
    next = HiddenField()
    submit = SubmitField(_l("Acknowledge"), widget=GovSubmitInput())


class EntryForm(FlaskForm):
    phrase = StringField(_l("Word or phrase"), widget=GovTextInput(),
                         description=_l("Whole words only: 'hurt me' will not match 'hurtle'. Spelling slips, "
                                        "spaced or repeated letters and endings such as -s, -ed and -ing are "
                                        "matched for you."),
                         validators=[InputRequired(message=_l("Enter a word or phrase")),
                                     Length(max=120, message=_l("Enter a word or phrase of 120 characters or fewer"))])
    # AnyOf checks the choices (rather than WTForms, whose "Not a valid choice" is not in our words).
    language = SelectField(_l("Language"), widget=GovSelect(), choices=[SelectChoice(k, v) for k, v in LANGUAGES.items()],
                           validate_choice=False,
                           validators=[InputRequired(message=_l("Choose a language")),
                                       AnyOf(list(LANGUAGES), message=_l("Choose a language"))])
    category = RadioField(_l("What kind of harm does it suggest?"), widget=GovRadioInput(),
                          choices=[SelectChoice(k, v) for k, v in CATEGORY_LABELS.items()], validate_choice=False,
                          validators=[InputRequired(message=_l("Choose what kind of harm it suggests")),
                                      AnyOf(list(CATEGORY_LABELS), message=_l("Choose what kind of harm it suggests"))])
    submit = SubmitField(_l("Add to the list"), widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language as the reader names it ("Welsh" to an English reader, "Cymraeg" to a Welsh one).
        self.language.choices = [SelectChoice(code, language_name(code)) for code in LANGUAGES]

    def validate_phrase(self, field):
        problem = phrase_problem(field.data)
        if problem == "empty":
            raise ValidationError(_l("Enter a word or phrase"))
        if problem:
            raise ValidationError(_l("Enter a word or phrase with at least two letters"))
