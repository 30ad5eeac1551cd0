"""Forms for moving children between IROs: choose the children, the IRO and why; then confirm."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import HiddenField, SelectChoice, SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from portal.reviews.reassign import REASON_MAX


def _choose_children(form, field) -> None:
    if not field.data:
        raise ValidationError(_l("Choose at least one child to move"))


class ReassignForm(FlaskForm):
    """Which children, to whom, and why (a manager, for one child or an IRO who is leaving)."""

    children = SelectMultipleField(_l("Children to move"), widget=GovCheckboxesInput(), coerce=int, choices=[],
                                   validate_choice=False, validators=[_choose_children])
    to_iro = SelectField(_l("Move them to"), widget=GovSelect(), coerce=int, choices=[], validate_choice=False,
                         description=_l("Each IRO's number of children now is shown beside their name."),
                         validators=[InputRequired(message=_l("Choose the IRO to move the children to"))])
    reason = TextAreaField(_l("Why are they moving?"), widget=GovTextArea(),
                           description=_l("For example, 'IRO leaving the service' or 'Sharing out caseloads'. "
                                          "Kept in the audit trail."),
                           validators=[InputRequired(message=_l("Say why the children are moving")),
                                       Length(max=REASON_MAX, message=_l("Use 500 characters or fewer"))])
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())

    def offer(self, children, iros, sizes: dict[int, int]) -> None:
        """`children` to tick from and the active `iros` to choose, with their caseload sizes."""
        self.children.choices = [(child.id, child.preferred_name) for child in children]
        choices = [SelectChoice(0, _l("Choose an IRO"))]
        for iro in iros:
            count = sizes.get(iro.id, 0)
            choices.append(SelectChoice(iro.id, ngettext("%(name)s (%(num)d child)", "%(name)s (%(num)d children)",
                                                         count, name=iro.name)))
        self.to_iro.choices = choices

    def validate_to_iro(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose the IRO to move the children to"))


class ConfirmReassignForm(FlaskForm):
    """The check page's form: what was chosen, carried as hidden fields, posted once more to move them."""

    children = HiddenField()
    to_iro = HiddenField()
    reason = HiddenField()
    source = HiddenField()
    submit = SubmitField(_l("Move them"), widget=GovSubmitInput())

    def child_ids(self) -> list[str]:
        return [part for part in (self.children.data or "").split(",") if part.strip()]


# What each refusal of portal.reviews.reassign says, and under which field.
ERRORS = {
    "no_children": ("children", _l("Choose at least one child to move")),
    "unknown_children": ("children", _l("A child you chose is no longer in the service: choose again")),
    "not_an_iro": ("to_iro", _l("Choose an IRO who is still working in the service")),
    "same_iro": ("to_iro", _l("A child you chose already has this IRO: choose another IRO")),
    "no_reason": ("reason", _l("Say why the children are moving")),
    "long_reason": ("reason", _l("Use 500 characters or fewer")),
    "not_a_manager": ("children", _l("Only a manager can move children between IROs")),
}


def show_error(form: FlaskForm, code: str) -> None:
    """Put a refusal's words under its field, for the error summary and the field to show."""
    name, message = ERRORS.get(code, ERRORS["no_children"])
    form[name].errors = [*form[name].errors, message]
