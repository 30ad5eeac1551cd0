"""Private links: a GET shows a landing page and changes nothing."""

from flask import Blueprint

bp = Blueprint("links", __name__)
