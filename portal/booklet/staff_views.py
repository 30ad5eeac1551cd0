"""The IRO's side of the booklet."""

from flask import Blueprint

bp = Blueprint("booklet_staff", __name__)
