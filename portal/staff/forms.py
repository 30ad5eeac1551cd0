"""Sign-in and account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    FileField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, NumberRange, Optional

from portal.staff.services import MIN_PASSWORD_LENGTH, SETTINGS_FIELDS


class SignInForm(FlaskForm):
    class Meta:
        # The sign-in page makes no session; its view takes posts only from this portal's own page
        # (portal.security.sessionless_form).
        csrf = False

    email = EmailField(_l("Email address"), widget=GovTextInput(),
                       validators=[InputRequired(message=_l("Enter your email address"))])
    password = PasswordField(_l("Password"), widget=GovPasswordInput(),
                             validators=[InputRequired(message=_l("Enter your password"))])
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


class TotpForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app"), widget=GovTextInput(),
                       description=_l("The 6 numbers shown in the app"),
                       validators=[InputRequired(message=_l("Enter the 6 numbers from your authenticator app"))])
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), widget=GovPasswordInput(),
                             description=_l("At least %(n)d characters. A few unrelated words work well.",
                                            n=MIN_PASSWORD_LENGTH),
                             validators=[InputRequired(message=_l("Enter a new password")),
                                         Length(min=MIN_PASSWORD_LENGTH, max=200,
                                                message=_l("Your password must be at least %(n)d characters",
                                                           n=MIN_PASSWORD_LENGTH))])
    confirm = PasswordField(_l("Type the password again"), widget=GovPasswordInput(),
                            validators=[InputRequired(message=_l("Type the password again")),
                                        EqualTo("password", message=_l("The two passwords do not match"))])
    submit = SubmitField(_l("Set password"), widget=GovSubmitInput())


class SetPasswordThroughLinkForm(SetPasswordForm):
    class Meta:
        # Reached from a set-password link, without a session: the link is the secret, and its view takes
        # posts only from this portal's own page (portal.security.sessionless_form on the link views).
        csrf = False


class AccountForm(FlaskForm):
    name = StringField(_l("Full name"), widget=GovTextInput(),
                       validators=[InputRequired(message=_l("Enter their full name")), Length(max=120)])
    email = EmailField(_l("Work email address"), widget=GovTextInput(),
                       validators=[InputRequired(message=_l("Enter their work email address")),
                                   Email(message=_l("Enter an email address like name@example.org")),
                                   Length(max=254)])
    phone = StringField(_l("Work phone number (optional)"), widget=GovTextInput(),
                        description=_l("Children see this number on their IRO page"),
                        validators=[Optional(), Length(max=40)])
    role = RadioField(_l("Role"), widget=GovRadioInput(),
                      choices=[SelectChoice("iro", _l("Independent Reviewing Officer")),
                               SelectChoice("manager", _l("Manager")), SelectChoice("admin", _l("Administrator"))],
                      validators=[InputRequired(message=_l("Choose a role"))])
    team_id = SelectField(_l("Team"), widget=GovSelect(), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Create account"), widget=GovSubmitInput())

    def offer_teams(self, teams) -> None:
        self.team_id.choices = [(0, _l("No team"))] + [(team.id, team.name) for team in teams]

    def account_data(self) -> dict:
        """What `services.create_account` needs, as typed."""
        return {"email": self.email.data, "name": self.name.data, "role": self.role.data,
                "team_id": self.team_id.data or None, "phone": self.phone.data or ""}


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), widget=GovTextInput(),
                       validators=[InputRequired(message=_l("Enter the team's name")), Length(max=120)])
    submit = SubmitField(_l("Add team"), widget=GovSubmitInput())


def _days(label, description, low, high):
    return IntegerField(label, widget=GovTextInput(), description=description,
                        validators=[InputRequired(message=_l("Enter a whole number")),
                                    NumberRange(min=low, max=high,
                                                message=_l("Enter a number from %(low)d to %(high)d", low=low, high=high))])


class SettingsForm(FlaskForm):
    name = StringField(_l("Authority name"), widget=GovTextInput(),
                       validators=[InputRequired(message=_l("Enter the authority's name")), Length(max=200)])
    contact_phone = StringField(_l("IRO service phone number"), widget=GovTextInput(), validators=[Length(max=40)])
    contact_email = EmailField(_l("IRO service email address"), widget=GovTextInput(),
                               validators=[Optional(), Email(message=_l("Enter an email address like name@example.org"))])
    duty_inbox_email = EmailField(_l("Duty inbox for urgent notices"), widget=GovTextInput(),
                                  validators=[Optional(), Email(message=_l("Enter an email address like name@example.org"))])
    invitation_working_days = _days(_l("Invitations go out at least this many working days before the meeting"),
                                    _l("The IRO Handbook says 10"), 1, 60)
    record_working_days = _days(_l("The review record is due within this many working days"),
                                _l("Usually 20"), 1, 60)
    suppression_threshold = _days(_l("Hide figures built from fewer than this many responses"), None, 1, 100)
    suppress_service_counts = BooleanField(
        _l("Hide small numbers in the service's own counts too"), widget=GovCheckboxInput(),
        description=_l("Reviews, participation codes, timeliness and urgent concerns are shown as they are, as the "
                       "DfE publishes councils' figures. Tick this to hide their small numbers as well."))
    staff_idle_minutes = _days(_l("Sign staff out after this many idle minutes"), None, 5, 240)
    booklet_idle_minutes = _days(_l("Lock a child's booklet after this many idle minutes"), None, 2, 60)
    urgent_escalation_working_hours = _days(
        _l("Send an unacknowledged urgent notice to the IRO's manager after this many working hours"), None, 1, 40)
    set_password_link_hours = _days(_l("A set-password link stops working after this many hours"),
                                    _l("Usually 24. A link also stops once the password is set, or when a newer "
                                       "link is made for the same person."), 1, 168)
    feedback_reminder_working_days = _days(
        _l("Send one feedback reminder after this many working days"),
        _l("Usually 5. Only to people asked by email or text who have not answered. Their address is then "
           "deleted."), 1, 20)
    handover_minutes = _days(_l("A feedback form handed to a parent or carer is left unused after this many "
                                "minutes"),
                             _l("Usually 15. The IRO is signed out while the form is handed over and signs in "
                                "again afterwards."), 5, 60)
    submit = SubmitField(_l("Save settings"), widget=GovSubmitInput())

    def settings_data(self) -> dict:
        """What `services.save_settings` needs, as typed."""
        return {name: self[name].data for name in SETTINGS_FIELDS}


class PhotoForm(FlaskForm):
    photo = FileField(_l("Your photo"), widget=GovFileInput(),
                      description=_l("A friendly photo of your face, so children know who you are. JPEG, PNG or WebP, "
                                     "smaller than 1 MB."))
    submit = SubmitField(_l("Save photo"), widget=GovSubmitInput())
    remove = SubmitField(_l("Remove photo"), widget=GovSubmitInput())
