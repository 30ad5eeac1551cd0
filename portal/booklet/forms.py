"""Forms on the child's side: start, short code, version, sending and withdrawing.

Section pages build their fields from the question set (see templates/questionnaires/_question.html)
and are read by portal.booklet.answers.read_posted.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired


class VersionForm(FlaskForm):
    version = RadioField(_l("Which booklet would you like to use?"), widget=GovRadioInput(),
                         validators=[InputRequired(message=_l("Choose a booklet"))])
    submit = SubmitField(_l("Use this booklet"), widget=GovSubmitInput())


class SendForm(FlaskForm):
    submit = SubmitField(_l("Send to my IRO"), widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    submit = SubmitField(_l("Yes, delete everything I wrote"), widget=GovSubmitInput())
