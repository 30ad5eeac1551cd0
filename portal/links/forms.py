"""Forms every private link uses: the Start button on a landing page, and typing a short code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length


class StartForm(FlaskForm):
    """Only pressing Start uses a link; a GET of its landing page changes nothing.

    No token from a session: the link is the secret, and the landing views take posts only from this
    portal's own pages (portal.security.sessionless_form), so showing the page makes no session.
    """

    class Meta:
        csrf = False

    submit = SubmitField(_l("Start"), widget=GovSubmitInput())


class ShortCodeForm(FlaskForm):
    class Meta:
        # A GET form that only leads to the landing page, which changes nothing.
        csrf = False

    code = StringField(_l("The code from your letter"), widget=GovTextInput(),
                       description=_l("It has 10 letters and numbers, for example ABCD-2345-EF"),
                       validators=[InputRequired(message=_l("Type the code from your letter")), Length(max=40)])
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())
