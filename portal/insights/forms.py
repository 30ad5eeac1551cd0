"""The collated views' forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import FileField, SubmitField


class Import903Form(FlaskForm):
    file = FileField(_l("SSDA903 reviews file (CSV)"), widget=GovFileInput(),
                     description=_l("Columns CHILD, DOB, REVIEW and REVIEW_CODE; dates written dd/mm/yyyy. "
                                    "Nothing is imported unless every row is right."))
    submit = SubmitField(_l("Import the reviews"), widget=GovSubmitInput())
