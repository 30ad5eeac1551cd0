"""Direction overrides never reorder a line: removed from what people type, and every name shown isolated."""

from __future__ import annotations

from markupsafe import Markup

from portal.extensions import db
from portal.i18n import bdi
from portal.requests import clean_text
from portal.reviews.models import Child
from tests import factories as f


def test_direction_overrides_are_removed_from_input_but_real_right_to_left_text_stays():
    assert clean_text("Sam\u202eevil\u202c") == "Samevil"
    assert clean_text("\u2067Ali\u2069") == "Ali"
    assert clean_text("مريم\u200f") == "مريم\u200f"  # a right-to-left mark is part of real Arabic text


def test_bdi_escapes_and_isolates():
    assert bdi('<b>Leo</b>') == Markup("<bdi>&lt;b&gt;Leo&lt;/b&gt;</bdi>")
    assert bdi(None) == Markup("<bdi></bdi>")


def test_a_name_with_an_override_is_stored_plain_and_shown_isolated(app, client):
    iro = f.staff("iro")
    db.session.commit()
    f.sign_in(client, iro)
    token = f.csrf_token(client, "/children/new")
    response = client.post("/children/new", data={
        "csrf_token": token, "preferred_name": "Sam\u202eyrraH", "date_of_birth": ["3", "4", "2014"],
        "came_into_care": ["1", "2", "2024"], "preferred_language": "en"})
    assert response.status_code == 303
    child = db.session.scalar(db.select(Child))
    assert child.preferred_name == "SamyrraH"
    other = f.child(iro, preferred_name="مريم")
    db.session.commit()
    page = client.get("/children").get_data(as_text=True)
    assert "<bdi>مريم</bdi>" in page and "<bdi>SamyrraH</bdi>" in page
    assert f"<bdi>{other.preferred_name}</bdi>" in client.get(f"/children/{other.id}").get_data(as_text=True)
