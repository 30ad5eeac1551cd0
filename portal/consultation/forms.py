"""Forms: the IRO asking one more parent or carer, and the parent sending their views.

The parent's questions are drawn from the question set (templates/questionnaires/_question.html) and
read by portal.questionnaires.answers.read_posted; Start on the landing page is portal.links.forms.StartForm.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from portal.consultation.services import DESCRIPTION_MAX, normalise_address


class AskParentForm(FlaskForm):
    description = StringField(_l("Who are they to the child?"), widget=GovTextInput(),
                              description=_l("How you know them, for example 'Mum', 'Dad' or 'Foster carer'. "
                                             "Kept with their views."),
                              validators=[InputRequired(message=_l("Say who they are to the child")),
                                          Length(max=DESCRIPTION_MAX)])
    channel = RadioField(_l("Send their link by"), widget=GovRadioInput(), default="email",
                         choices=[SelectChoice("email", _l("Email")), SelectChoice("sms", _l("Text message"))],
                         validators=[InputRequired(message=_l("Choose email or text message"))])
    recipient = StringField(_l("Email address or UK mobile number"), widget=GovTextInput(),
                            description=_l("Kept only until the review is held or cancelled. It is never shown "
                                           "in full."),
                            validators=[InputRequired(message=_l("Enter an email address or a UK mobile number")),
                                        Length(max=254)])
    submit = SubmitField(_l("Send them a link"), widget=GovSubmitInput())

    def validate_recipient(self, field):
        if self.channel.data == "email" and normalise_address("email", field.data) is None:
            raise ValidationError(_l("Enter an email address like name@example.org"))
        if self.channel.data == "sms" and normalise_address("sms", field.data) is None:
            raise ValidationError(_l("Enter a UK mobile number, like 07700 900 982"))


class SendForm(FlaskForm):
    submit = SubmitField(_l("Send to the IRO"), widget=GovSubmitInput())
