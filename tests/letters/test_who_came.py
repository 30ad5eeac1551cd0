"""'Who came': chosen from the people invited (the parents and carers asked for their views), plus others."""

from __future__ import annotations

from portal.consultation.models import ParentConsultation
from portal.extensions import db
from portal.letters.forms import reconcile_who_came
from tests.letters.test_writing import held_review, page_fields, signed_in, the_draft

INVITED = ["Mum", "Foster carer Jo"]


def test_ticks_add_and_remove_only_the_invited_people():
    # Ticked and not written yet: added first; a name typed but never ticked stays.
    assert reconcile_who_came("Priya, your social worker\nMum", INVITED, ["Foster carer Jo"], []) == \
        "Foster carer Jo\nPriya, your social worker\nMum"
    # Un-ticked since the page showed it ticked: taken out.
    assert reconcile_who_came("Mum\nFoster carer Jo\nNana", INVITED, ["Mum"], ["Mum", "Foster carer Jo"]) == \
        "Mum\nNana"
    # With JavaScript the box already matches the ticks: nothing changes.
    assert reconcile_who_came("Mum\nNana", INVITED, ["Mum"], []) == "Mum\nNana"


def _asked(review, *names):
    for number, name in enumerate(names):
        db.session.add(ParentConsultation(review_id=review.id, recipient_ref=f"parent-{number}", description=name))
    db.session.commit()


def test_the_writing_page_offers_the_people_invited_and_saves_the_ticks(app, client):
    review, iro = held_review()
    _asked(review, *INVITED, "<b>Dad</b>")
    url = signed_in(client, review, iro)
    page = client.get(url).get_data(as_text=True)
    assert "Who came, of the people invited" in page
    assert 'value="Foster carer Jo"' in page and "&lt;b&gt;Dad&lt;/b&gt;" in page and "<b>Dad</b>" not in page
    fields = page_fields(client, url)
    fields.update(who_came="Nana", came=["Mum", "<b>Dad</b>"], do="save")
    assert client.post(url, data=fields).status_code == 303
    assert the_draft(review).who_came == "Mum\n<b>Dad</b>\nNana"
    page = client.get(url).get_data(as_text=True)
    assert 'name="came_shown" value="Mum"' in page
    # Un-ticking Mum takes her out; Dad stays ticked.
    fields = page_fields(client, url)
    fields.update(came=["<b>Dad</b>"], came_shown=["Mum", "<b>Dad</b>"], do="save")
    assert client.post(url, data=fields).status_code == 303
    assert the_draft(review).who_came == "<b>Dad</b>\nNana"


def test_without_anyone_invited_there_are_no_ticks(app, client):
    review, iro = held_review()
    url = signed_in(client, review, iro)
    assert "Who came, of the people invited" not in client.get(url).get_data(as_text=True)
