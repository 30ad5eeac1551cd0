"""The IRO's letter form: one textarea per part, the actions as rows, and the buttons.

The actions are rows named `action-<n>-what`, `action-<n>-who`, `action-<n>-by_when` (read by `read_actions`),
so "Add another" can add a row without JavaScript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length

from portal.letters.models import TEXT_FIELDS
from portal.letters.services import MAX_ACTIONS, MAX_FIELD_CHARS

BLANK_ROWS = 3
ACTION_ROW = re.compile(r"^action-(\d{1,3})-(what|who|by_when)$")
BUTTONS = ("save", "check", "issue", "add_row")
TELL_CHOICES = (("none", _l("Do not send anything")), ("email", _l("Email")), ("sms", _l("Text message")))


class LetterForm(FlaskForm):
    """The writing page. Field names are the letter's parts (portal.letters.models.TEXT_FIELDS)."""

    version_counter = HiddenField()
    greeting = TextAreaField(validators=[Length(max=MAX_FIELD_CHARS)])
    who_came = TextAreaField(validators=[Length(max=MAX_FIELD_CHARS)])
    what_you_told_us = TextAreaField(validators=[Length(max=MAX_FIELD_CHARS)])
    going_well = TextAreaField(validators=[Length(max=MAX_FIELD_CHARS)])
    worries = TextAreaField(validators=[Length(max=MAX_FIELD_CHARS)])
    next_review_text = TextAreaField(validators=[Length(max=MAX_FIELD_CHARS)])
    contact_text = TextAreaField(validators=[Length(max=MAX_FIELD_CHARS)])
    reason = TextAreaField(validators=[Length(max=MAX_FIELD_CHARS)])
    tell_channel = RadioField(choices=[value for value, _label in TELL_CHOICES], default="none",
                              validate_choice=False)
    tell_address = StringField(validators=[Length(max=254)])
    # The people invited who came (ticked); anyone else is typed into who_came.
    came = SelectMultipleField(choices=[], validate_choice=False)

    def fill_from(self, version) -> None:
        """Show a version's parts (a GET, or after a conflict when nothing was typed)."""
        for name in TEXT_FIELDS:
            getattr(self, name).data = getattr(version, name) or ""
        self.version_counter.data = str(version.version_counter)

    def parts(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in TEXT_FIELDS}

    def counter(self) -> int | None:
        try:
            return int(self.version_counter.data)
        except (TypeError, ValueError):
            return None


class CorrectForm(FlaskForm):
    """Start a correction (a button: the token is all it posts)."""


@dataclass
class ActionRow:
    """One row of "What will happen next" as typed (by_when as typed, `day` when it is a date)."""

    what: str = ""
    who: str = ""
    by_when: str = ""
    day: date | None = None
    error: str | None = None

    @property
    def blank(self) -> bool:
        return not (self.what.strip() or self.who.strip() or self.by_when.strip())


def parse_day(text: str) -> date | None:
    """A date typed as 2026-07-01 (a date input) or 1/7/2026 (a browser without one); None if neither."""
    text = (text or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def read_actions(formdata) -> list[ActionRow]:
    """The action rows posted, in row order, blank rows left out of nothing (the caller drops them)."""
    rows: dict[int, ActionRow] = {}
    for key in formdata:
        match = ACTION_ROW.match(key)
        if not match:
            continue
        row = rows.setdefault(int(match.group(1)), ActionRow())
        setattr(row, match.group(2), (formdata.get(key) or "")[:MAX_FIELD_CHARS])
    ordered = [rows[number] for number in sorted(rows)][:MAX_ACTIONS + BLANK_ROWS]
    for row in ordered:
        if row.by_when.strip():
            row.day = parse_day(row.by_when)
            if row.day is None:
                row.error = str(_l("Enter 'by when' as a date, like 31/7/2026"))
    return ordered


def rows_of(version) -> list[ActionRow]:
    """A version's actions as rows for the form."""
    return [ActionRow(what=a.what or "", who=a.who or "", by_when=a.by_when.isoformat() if a.by_when else "",
                      day=a.by_when) for a in version.actions]


def with_blank_rows(rows: list[ActionRow], extra: int = BLANK_ROWS) -> list[ActionRow]:
    """The filled rows plus `extra` empty ones to type in."""
    filled = [row for row in rows if not row.blank]
    return filled + [ActionRow() for _ in range(extra)]


def who_came_lines(text: str | None) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def reconcile_who_came(text: str | None, invited: list[str], ticked: list[str], was_ticked: list[str]) -> str:
    """'Who came' as one line a person: the lines typed, with each invited person ticked added (if not there)
    and each one un-ticked since the page showed them ticked taken out (a name typed but not ticked stays).
    With JavaScript the box already matches the ticks."""
    lines = who_came_lines(text)
    ticked_set = {" ".join(name.split()) for name in ticked}
    unticked = {" ".join(name.split()) for name in was_ticked} - ticked_set
    kept = [line for line in lines if line not in unticked]
    added = [name for name in invited if name in ticked_set and name not in kept]
    return "\n".join(added + kept)
