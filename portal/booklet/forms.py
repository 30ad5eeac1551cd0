"""Forms on the child's side: start, short code, version, sending and withdrawing.

Section pages build their fields from the question set (see templates/questionnaires/_question.html)
and are read by portal.booklet.answers.read_posted.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length


class StartForm(FlaskForm):
    submit = SubmitField(_l("Start"), widget=GovSubmitInput())


class ShortCodeForm(FlaskForm):
    class Meta:
        # A GET form that only leads to the landing page, which changes nothing.
        csrf = False

    code = StringField(_l("The code from your letter"), widget=GovTextInput(),
                       description=_l("It has 10 letters and numbers, for example ABCD-2345-EF"),
                       validators=[InputRequired(message=_l("Type the code from your letter")), Length(max=40)])
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class VersionForm(FlaskForm):
    version = RadioField(_l("Which booklet would you like to use?"), widget=GovRadioInput(),
                         validators=[InputRequired(message=_l("Choose a booklet"))])
    submit = SubmitField(_l("Use this booklet"), widget=GovSubmitInput())


class SendForm(FlaskForm):
    submit = SubmitField(_l("Send to my IRO"), widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    submit = SubmitField(_l("Yes, delete everything I wrote"), widget=GovSubmitInput())
