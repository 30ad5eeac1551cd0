"""The child's side of the letter: their link (the letter's own, or the booklet's after the meeting) opens
the latest issued version, with Listen, a print stylesheet and "Download as PDF"."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("letter_reading", __name__)
