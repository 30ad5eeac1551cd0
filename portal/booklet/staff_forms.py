"""Forms on the IRO's side of the booklet."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from portal.booklet.invitations import normalise_recipient
from portal.booklet.questions import VERSION_NAMES
from portal.reviews.participation import CHAIRING_LABELS, PN_LABELS


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class SendInvitationForm(FlaskForm):
    channel = RadioField(_l("How should the invitation go?"), widget=GovRadioInput(),
                         choices=_choices([("email", _l("Email")), ("sms", _l("Text message"))]),
                         validators=[InputRequired(message=_l("Choose email or text message"))])
    recipient = StringField(_l("Email address or UK mobile number"), widget=GovTextInput(),
                            description=_l("Kept only until the review is held or cancelled, so you can send a "
                                           "reminder without typing it again. It is never shown in full."),
                            validators=[InputRequired(message=_l("Enter an email address or a UK mobile number")),
                                        Length(max=254)])
    submit = SubmitField(_l("Send the invitation"), widget=GovSubmitInput())

    def validate_recipient(self, field):
        if self.channel.data == "email" and normalise_recipient("email", field.data) is None:
            raise ValidationError(_l("Enter an email address like name@example.org"))
        if self.channel.data == "sms" and normalise_recipient("sms", field.data) is None:
            raise ValidationError(_l("Enter a UK mobile number, like 07700 900 982"))


class ReminderForm(FlaskForm):
    """One click: a new link to the address the last invitation went to."""

    submit = SubmitField(_l("Send a reminder to the same address"), widget=GovSubmitInput())


class StopLinksForm(FlaskForm):
    """The confirmation that stops every booklet link the child has (a lost phone or letter)."""

    submit = SubmitField(_l("Stop the links working"), widget=GovSubmitInput())


class InvitationLetterForm(FlaskForm):
    submit = SubmitField(_l("Make the letter"), widget=GovSubmitInput())


class VersionForm(FlaskForm):
    version = RadioField(_l("Which booklet should the child get?"), widget=GovRadioInput(),
                         choices=_choices(VERSION_NAMES.items()),
                         validators=[InputRequired(message=_l("Choose a version"))])
    submit = SubmitField(_l("Change version"), widget=GovSubmitInput())


class AcknowledgeForm(FlaskForm):
    note = TextAreaField(_l("What have you done about it?"), widget=GovTextArea(),
                         description=_l("For example: spoke to the child, told the social worker, made a referral."),
                         validators=[InputRequired(message=_l("Write what you have done about it")),
                                     Length(max=2000)])
    submit = SubmitField(_l("Acknowledge"), widget=GovSubmitInput())


class ParticipationForm(FlaskForm):
    participation_code = RadioField(_l("How did the child take part?"), widget=GovRadioInput(),
                                    choices=_choices(PN_LABELS.items()),
                                    validators=[InputRequired(message=_l("Choose how the child took part"))])
    chairing = RadioField(_l("Who chaired the meeting?"), widget=GovRadioInput(),
                          choices=_choices(CHAIRING_LABELS.items()),
                          validators=[InputRequired(message=_l("Choose who chaired the meeting"))])
    submit = SubmitField(_l("Save how the child took part"), widget=GovSubmitInput())
