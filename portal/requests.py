"""Every request's text, cleaned once: no control characters reach a form, a query or the database.

Direction overrides are removed too; what people wrote is also shown isolated (`|bdi`).

A NUL in a field made PostgreSQL refuse the whole statement (a 500, and a child's section lost);
other C0 control characters have no place in anything a person types. Tab and new line stay;
Windows and old Mac line ends become one new line.
"""

from __future__ import annotations

import re

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

# C0 controls other than tab and new line, and the explicit direction embeddings, overrides and
# isolates (U+202A-U+202E, U+2066-U+2069) that can make a name or line read backwards; the
# right-to-left and left-to-right marks that real Arabic or Urdu text uses stay.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str) -> str:
    """The text without C0 control characters other than tab and new line."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value)


def clean_data(value):
    """Strings anywhere in decoded JSON, cleaned (keys too)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_data(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key) if isinstance(key, str) else key: clean_data(item) for key, item in value.items()}
    return value


def _clean_multidict(data: MultiDict) -> ImmutableMultiDict:
    return ImmutableMultiDict([(clean_text(key), clean_text(value)) for key, value in data.items(multi=True)])


class PortalRequest(Request):
    """Flask's request, with form fields, query arguments and JSON cleaned as they are first read."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _clean_multidict(self.__dict__["form"])

    @property
    def args(self) -> ImmutableMultiDict:  # type: ignore[override]
        cached = self.__dict__.get("_clean_args")
        if cached is None:
            cached = self.__dict__["_clean_args"] = _clean_multidict(super().args)
        return cached

    def get_json(self, *args, **kwargs):
        return clean_data(super().get_json(*args, **kwargs))
