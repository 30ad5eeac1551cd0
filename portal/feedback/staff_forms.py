"""Forms on the IRO's side of feedback: asking a parent, carer or professional, and handing over."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from portal.feedback.invitations import DESCRIPTION_LENGTH, normalise_contact


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


GROUP_CHOICES = (("parent_carer", _l("A parent or carer")), ("professional", _l("A professional")))
CHANNEL_CHOICES = (("email", _l("Email")), ("sms", _l("Text message")),
                   ("print", _l("Print a slip with a QR code and a short code")),
                   ("qr", _l("Show a QR code on this screen for their own phone")))


class InviteForm(FlaskForm):
    group = RadioField(_l("Who are you asking?"), widget=GovRadioInput(), choices=_choices(GROUP_CHOICES),
                       validators=[InputRequired(message=_l("Choose a parent or carer, or a professional"))])
    description = StringField(
        _l("How do you know them? (optional)"), widget=GovTextInput(),
        description=_l("For example Mum, Foster carer, School nurse. Only you see it, and it is deleted after the "
                       "reminder. Not their full name."),
        validators=[Length(max=DESCRIPTION_LENGTH,
                           message=_l("Use %(max)d characters or fewer", max=DESCRIPTION_LENGTH))])
    channel = RadioField(_l("How should it go?"), widget=GovRadioInput(), choices=_choices(CHANNEL_CHOICES),
                         validators=[InputRequired(message=_l("Choose how to send it"))])
    contact = StringField(_l("Email address or UK mobile number"), widget=GovTextInput(),
                          description=_l("Only for email or text. Kept until the reminder, then deleted. Never "
                                         "shown in full."),
                          validators=[Length(max=254, message=_l("Use 254 characters or fewer"))])
    submit = SubmitField(_l("Ask for feedback"), widget=GovSubmitInput())

    def validate_contact(self, field):
        if self.channel.data == "email" and normalise_contact("email", field.data) is None:
            raise ValidationError(_l("Enter an email address like name@example.org"))
        if self.channel.data == "sms" and normalise_contact("sms", field.data) is None:
            raise ValidationError(_l("Enter a UK mobile number, like 07700 900 982"))


class HandoverForm(FlaskForm):
    submit = SubmitField(_l("Hand to parent or carer"), widget=GovSubmitInput())
