"""The letters' pages for managers and the lists: the glossary of care words, the letter due or late on the
children lists, and the link to the letter under a held review."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("letters_manage", __name__)
