"""Parents' and carers' views before the review, through their own private link, read by the IRO."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("consultation", __name__)
