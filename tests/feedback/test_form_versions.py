"""A manager rewords or adds a question: the form's next version. Answers already given keep the wording
of the version they answered, and are added up with the new ones under the newest wording, with a note."""

from __future__ import annotations

import re

import pytest

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.feedback import questions as forms
from portal.feedback.models import FeedbackFormVersion
from tests import factories as f
from tests.feedback.test_who_sees_what import held_review, respond, section

OLD = "Did you see the social worker's report at least 48 hours (2 days) before the meeting?"
NEW = "Did you get the social worker's report two days or more before the meeting?"
NEW_CY = "A gawsoch chi adroddiad y gweithiwr cymdeithasol ddau ddiwrnod neu fwy cyn y cyfarfod?"


@pytest.fixture
def manager(app):
    user = f.staff("manager", name="Mo Manager")
    db.session.commit()
    return user


def post(client, path, data):
    return client.post(path, data={"csrf_token": f.csrf_token(client, path), **data})


def versions(group):
    return db.session.scalars(db.select(FeedbackFormVersion).filter_by(group=group)
                              .order_by(FeedbackFormVersion.number)).all()


def test_rewording_a_question_makes_version_2_and_old_answers_keep_their_wording(client, manager):
    version_1 = forms.current_version("parent_carer")
    review = held_review(f.staff("iro"))
    for _ in range(6):
        respond(review, "parent_carer", {"report_48_hours": "yes", "went_well": "Kind words"}, version=version_1)
    db.session.commit()

    f.sign_in(client, manager)
    assert OLD.replace("'", "&#39;") in client.get("/feedback/forms").get_data(as_text=True)
    path = "/feedback/forms/parent_carer?question=report_48_hours"
    page = client.get(path).get_data(as_text=True)
    assert re.search(r'<option[^>]*value="report_48_hours"[^>]*selected', page)
    assert OLD.replace("'", "&#39;") in page  # the wording now, ready to change

    response = post(client, path, {"question": "report_48_hours", "prompt_en": NEW, "prompt_cy": NEW_CY})
    assert response.status_code == 303
    stored = versions("parent_carer")
    assert [v.number for v in stored] == [1, 2] and stored[1].created_by_id == manager.id
    reworded = next(q for q in stored[1].questions if q["key"] == "report_48_hours")
    assert reworded["prompt"] == {"en": NEW, "cy": NEW_CY}
    assert next(q for q in stored[0].questions if q["key"] == "report_48_hours")["prompt"]["en"] == OLD
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="feedback_form_changed"))
    assert event.staff_user_id == manager.id and "v2" in event.detail
    listing = client.get("/feedback/forms").get_data(as_text=True)
    assert "Version 2 is sent now." in listing and NEW.replace("'", "&#39;") in listing
    assert "Version 1 (6 responses)" in listing

    # Answers to both versions are added up under the newest wording, with version 1's wording noted.
    for _ in range(4):
        respond(review, "parent_carer", {"report_48_hours": "no"}, version=stored[1])
    db.session.commit()
    collated = client.get("/feedback").get_data(as_text=True)
    figure = section(collated, "q-parent_carer-report_48_hours")
    assert NEW.replace("'", "&#39;") in figure and "60%" in figure and "40%" in figure
    assert f"Version 1: {OLD}".replace("'", "&#39;") in figure
    # A comment keeps the wording of the question it answered.
    comments = client.get("/feedback/comments").get_data(as_text=True)
    assert "Parents and carers: What went well?" in comments
    # In Welsh, each version's Welsh wording.
    client.get("/language/cy?next=/feedback")
    welsh = client.get("/feedback").get_data(as_text=True)
    assert NEW_CY in section(welsh, "q-parent_carer-report_48_hours")
    assert NEW_CY in client.get("/feedback/forms").get_data(as_text=True)


def test_a_question_needs_english_and_welsh_and_a_change(client, manager):
    f.sign_in(client, manager)
    path = "/feedback/forms/young_person?question=listened"
    refused = post(client, path, {"question": "listened", "prompt_en": "Did people really listen?", "prompt_cy": ""})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Enter the question in Welsh" in page
    assert "Did people really listen?" in page
    same = forms.built_in_questions("young_person")[3]["prompt"]
    unchanged = post(client, path, {"question": "listened", "prompt_en": same["en"], "prompt_cy": same["cy"]})
    assert "The wording is the same as now" in unchanged.get_data(as_text=True)
    assert [v.number for v in versions("young_person")] == []


def test_adding_a_question(client, manager):
    f.sign_in(client, manager)
    path = "/feedback/forms/professional"
    missing_kind = post(client, path, {"question": "__new", "prompt_en": "Was the venue right?", "prompt_cy": "Lleoliad?"})
    assert "Choose the kind of answer" in missing_kind.get_data(as_text=True)
    one_option = post(client, path, {"question": "__new", "kind": "choice", "prompt_en": "How did you join?",
                                     "prompt_cy": "Sut wnaethoch chi ymuno?", "options_en": "In the room",
                                     "options_cy": "Yn yr ystafell"})
    assert "at least two answers" in one_option.get_data(as_text=True)

    response = post(client, path, {"question": "__new", "kind": "choice", "prompt_en": "How did you join?",
                                   "prompt_cy": "Sut wnaethoch chi ymuno?", "options_en": "In the room\nOnline\n",
                                   "options_cy": "Yn yr ystafell\nAr-lein"})
    assert response.status_code == 303
    newest = versions("professional")[-1]
    assert newest.number == 2
    added = newest.questions[-1]
    assert (added["key"], added["kind"], added["comment"]) == ("how_did_you_join", "choice", False)
    assert [o["label"] for o in added["options"]] == [{"en": "In the room", "cy": "Yn yr ystafell"},
                                                      {"en": "Online", "cy": "Ar-lein"}]
    assert newest.questions[:-1] == versions("professional")[0].questions

    post(client, path, {"question": "__new", "kind": "text", "prompt_en": "Anything about the venue?",
                        "prompt_cy": "Unrhyw beth am y lleoliad?"})
    added = versions("professional")[-1].questions[-1]
    assert (added["kind"], added["comment"]) == ("text", True)
    assert client.get("/feedback/forms/nobody").status_code == 404
