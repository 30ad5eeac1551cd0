"""The IRO workspace: children, reviews, plans."""

from flask import Blueprint, render_template
from portal.security import role_required

bp = Blueprint("reviews", __name__)


@bp.get("/children")
@role_required("iro", "manager")
def my_children():
    return render_template("site/home.html")


@bp.get("/service")
@role_required("manager")
def service_list():
    return render_template("site/home.html")
