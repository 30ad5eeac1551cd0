"""Forms for the IRO workspace: add a child, plan a review, record what happened."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, RadioField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError

from portal.i18n import LANGUAGES
from portal.reviews.models import Review
from portal.reviews.participation import chairing_choices, pn_choices
from portal.reviews.workspace import london_meeting
from portal.staff.models import StaffUser
from portal.timeutil import LONDON, as_utc, today

MAX_CHILD_AGE = 25
_TIME = re.compile(r"^\s*([01]?\d|2[0-3])\s*[:.]\s*([0-5]\d)\s*$")


class DayMonthYearInput(GovDateInput):
    """GOV.UK date input whose Day, Month and Year labels are translated."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for item, label in zip(params.get("items", []), (_("Day"), _("Month"), _("Year")), strict=False):
            item["label"] = label
        return params


class DayMonthYearField(Field):
    """A date typed as day, month and year, with GOV.UK-style errors that say what is wrong."""

    widget = DayMonthYearInput()

    def __init__(self, label=None, validators=None, *, what=None, required=True, **kwargs):
        super().__init__(label, validators, **kwargs)
        # 'what' names the date in error messages, for example "Date of birth".
        self.what = what or label
        self.required = required

    def _value(self):
        return ""

    def process_formdata(self, valuelist):
        self.data = None
        parts = [str(v).strip() for v in valuelist][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        if not any(parts):
            return
        missing = [name for name, part in zip((_("a day"), _("a month"), _("a year")), parts, strict=True) if not part]
        if missing:
            raise ValueError(_("%(what)s must include %(missing)s", what=self.what, missing=missing[0]))
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            raise ValueError(_("%(what)s must be a real date, with a 4-digit year, like 27 3 2015",
                               what=self.what))
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValueError(_("%(what)s must be a real date", what=self.what)) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            if self.required:
                raise StopValidation(_("Enter %(what)s", what=str(self.what).lower()))
            raise StopValidation()


def parse_time(text: str | None) -> time | None:
    """'14:30', '9.05' or '09:05' as a time; None when it is not a time of day."""
    match = _TIME.match(text or "")
    return time(int(match.group(1)), int(match.group(2))) if match else None


def _valid_time(form, field):
    if parse_time(field.data) is None:
        raise ValidationError(_("Enter a time using the 24-hour clock, like 09:30 or 14:00"))


class ChildForm(FlaskForm):
    preferred_name = StringField(_l("The name they like to be called"), widget=GovTextInput(),
                                 validators=[InputRequired(message=_l("Enter the name they like to be called")),
                                             Length(max=80, message=_l("Use 80 characters or fewer"))])
    first_name = StringField(_l("First name (optional)"), widget=GovTextInput(),
                             description=_l("Only if it is different. Do not add a surname."),
                             validators=[Optional(), Length(max=80, message=_l("Use 80 characters or fewer"))])
    date_of_birth = DayMonthYearField(_l("Date of birth"), what=_l("Date of birth"),
                                      description=_l("For example, 27 3 2015"))
    came_into_care = DayMonthYearField(_l("Date they came into care"), what=_l("The date they came into care"),
                                       description=_l("For example, 4 11 2025"))
    pronouns = StringField(_l("Pronouns (optional)"), widget=GovTextInput(),
                           description=_l("For example, she/her, he/him or they/them"),
                           validators=[Optional(), Length(max=40, message=_l("Use 40 characters or fewer"))])
    preferred_language = SelectField(_l("The language they prefer"), widget=GovSelect(),
                                     choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
                                     default="en")
    words_to_use = TextAreaField(_l("Words they want people to use (optional)"), widget=GovTextArea(),
                                 description=_l("For example, 'family time' instead of 'contact', or 'home' "
                                                "instead of 'placement'"),
                                 validators=[Optional(), Length(max=2000, message=_l("Use 2000 characters or fewer"))])
    case_reference = StringField(_l("Case reference (optional)"), widget=GovTextInput(),
                                 validators=[Optional(), Length(max=40, message=_l("Use 40 characters or fewer"))])
    iro_id = SelectField(_l("Their Independent Reviewing Officer"), widget=GovSelect(), coerce=int,
                         validators=[InputRequired(message=_l("Choose their Independent Reviewing Officer"))])
    submit = SubmitField(_l("Add child"), widget=GovSubmitInput())

    CHILD_FIELDS = ("preferred_name", "first_name", "date_of_birth", "came_into_care", "pronouns",
                    "preferred_language", "words_to_use", "case_reference")

    def offer_iros(self, iros: list[StaffUser] | None) -> None:
        """A manager chooses the child's IRO from these; with None (an IRO adding their own) no choice."""
        if iros is None:
            del self.iro_id
            return
        self.iro_id.choices = [SelectChoice(0, _("Choose an IRO"))] + [SelectChoice(i.id, i.name) for i in iros]

    def child_data(self) -> dict:
        """What `services.add_child` needs, as typed."""
        return {name: self[name].data for name in self.CHILD_FIELDS}

    def validate_date_of_birth(self, field):
        if field.data > today():
            raise ValidationError(_("Date of birth must be today or in the past"))
        if (today().year - field.data.year) - ((today().month, today().day) < (field.data.month, field.data.day)) \
                > MAX_CHILD_AGE:
            raise ValidationError(_("The portal is for children and care leavers up to %(age)d. "
                                    "Check the date of birth.", age=MAX_CHILD_AGE))

    def validate_came_into_care(self, field):
        if field.data > today():
            raise ValidationError(_("The date they came into care must be today or in the past"))
        born = self.date_of_birth.data
        if born is not None and not self.date_of_birth.errors and field.data < born:
            raise ValidationError(_("The date they came into care must be on or after their date of birth"))


class PlanReviewForm(FlaskForm):
    meeting_date = DayMonthYearField(_l("Date of the review"), what=_l("The date of the review"))
    meeting_time = StringField(_l("Start time"), widget=GovTextInput(),
                               description=_l("Use the 24-hour clock, for example 09:30 or 14:00"),
                               validators=[InputRequired(message=_l("Enter the start time")), _valid_time])
    place = StringField(_l("Where it will be (optional)"), widget=GovTextInput(),
                        description=_l("For example, at school or at home. Do not write an address."),
                        validators=[Optional(), Length(max=200, message=_l("Use 200 characters or fewer"))])
    submit = SubmitField(_l("Save the review"), widget=GovSubmitInput())

    def validate_meeting_date(self, field):
        if field.data < today():
            raise ValidationError(_("The date of the review must be today or in the future"))

    def suggest(self, due: date | None) -> None:
        """Start from the due date (or today, when that has passed)."""
        if due is not None:
            self.meeting_date.data = max(due, today())

    def meeting_at(self) -> datetime:
        """The meeting as stored: the date and time typed, in England."""
        return london_meeting(self.meeting_date.data, parse_time(self.meeting_time.data))


class OutcomeForm(FlaskForm):
    outcome = RadioField(_l("What happened?"), widget=GovRadioInput(),
                         choices=[SelectChoice("held", _l("The review was held")),
                                  SelectChoice("cancelled", _l("The review was cancelled"))],
                         validators=[InputRequired(message=_l("Choose whether the review was held or cancelled"))])
    held_date = DayMonthYearField(_l("Date it was held"), what=_l("The date it was held"), required=False)
    held_time = StringField(_l("Time it started"), widget=GovTextInput(),
                            description=_l("Use the 24-hour clock, for example 09:30 or 14:00"),
                            validators=[Optional(), _valid_time])
    participation_code = RadioField(_l("How the child took part (optional)"), widget=GovRadioInput(),
                                    choices=pn_choices(), validators=[Optional()])
    chairing = RadioField(_l("Who chaired the review (optional)"), widget=GovRadioInput(),
                          choices=chairing_choices(), validators=[Optional()])
    cancelled_reason = TextAreaField(_l("Why was it cancelled?"), widget=GovTextArea(),
                                     validators=[Optional(), Length(max=2000, message=_l("Use 2000 characters or fewer"))])
    submit = SubmitField(_l("Save what happened"), widget=GovSubmitInput())

    def fill_from(self, review: Review, *, suggested: str | None = None) -> None:
        """What is recorded so far; the held time starts at the meeting, the PN code at the suggestion."""
        meeting = as_utc(review.held_at or review.meeting_at).astimezone(LONDON)
        if review.status in ("held", "cancelled"):
            self.outcome.data = review.status
        self.held_date.data = meeting.date()
        self.held_time.data = meeting.strftime("%H:%M")
        self.participation_code.data = review.participation_code or suggested
        self.chairing.data = review.chairing
        self.cancelled_reason.data = review.cancelled_reason

    def held_at(self) -> datetime:
        return london_meeting(self.held_date.data, parse_time(self.held_time.data))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.outcome.data == "held":
            if self.held_date.data is None and not self.held_date.errors:
                self.held_date.errors.append(_("Enter the date it was held"))
                valid = False
            elif self.held_date.data is not None and self.held_date.data > today():
                self.held_date.errors.append(_("The date it was held must be today or in the past"))
                valid = False
            if not (self.held_time.data or "").strip() and not self.held_time.errors:
                self.held_time.errors.append(_("Enter the time it started"))
                valid = False
        elif self.outcome.data == "cancelled" and not (self.cancelled_reason.data or "").strip():
            self.cancelled_reason.errors.append(_("Say why the review was cancelled"))
            valid = False
        return valid
