"""The IRO's side of the letter: writing (drafts saved as the IRO types), the plain-words check, issuing,
corrections with a reason, the history with the differences."""

from __future__ import annotations

from flask import Blueprint

from portal.letters.text import blocks, lines_of

bp = Blueprint("letters", __name__)
bp.add_app_template_filter(blocks, "letter_blocks")
bp.add_app_template_filter(lines_of, "letter_lines")
