"""The administrator's word list: adding, disabling and restoring entries, and the warnings."""

from __future__ import annotations

import pytest

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.safeguarding.models import ScreeningEntry
from portal.safeguarding.services import screen
from tests import factories as f

PATH = "/admin/words"
# Made-up words, so no built-in list can hold them.
EN_WORD = "zorblatting"
CY_WORD = "gwrachwlyb"


def _admin(client):
    admin = f.staff("admin")
    db.session.commit()
    f.sign_in(client, admin)
    return admin


def _found(app, text: str) -> set[str]:
    """What screening finds, in a request of its own (as a child's next answer would be screened)."""
    with app.app_context(), app.test_request_context():
        return {m.phrase for m in screen(text)}


def _entry(phrase: str, language: str = "en") -> ScreeningEntry | None:
    return db.session.scalar(db.select(ScreeningEntry).filter_by(phrase=phrase, language=language))


def _events(action: str, entry_id: int) -> int:
    return db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(
        action=action, record_type="screening_entry", record_id=entry_id))


def _only_active_one(entry: ScreeningEntry) -> None:
    """Make the entry the last active one of its category in its language."""
    db.session.execute(db.update(ScreeningEntry).where(
        ScreeningEntry.category == entry.category, ScreeningEntry.language == entry.language,
        ScreeningEntry.id != entry.id).values(active=False))
    db.session.commit()


def _add(client, **fields):
    data = {"csrf_token": f.csrf_token(client, PATH), "phrase": EN_WORD, "language": "en",
            "category": "bullying_online"}
    data.update(fields)
    return client.post(PATH, data=data)


# --- The page -------------------------------------------------------------------------------------

def test_the_page_lists_entries_by_category_with_their_actions(app, client):
    _admin(client)
    active = f.screening_entry(EN_WORD, "en", "neglect")
    disabled = f.screening_entry(CY_WORD, "cy", "neglect")
    disabled.active = False
    db.session.commit()

    response = client.get(PATH)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Words and phrases that raise a concern" in page
    assert "duty inbox" in page
    assert '<details class="govuk-details">' in page
    assert f'<span lang="en">{EN_WORD}</span>' in page
    assert f'<span lang="cy">{CY_WORD}</span>' in page
    assert f'action="/admin/words/{active.id}/disable"' in page
    assert f'action="/admin/words/{disabled.id}/restore"' in page
    assert f'/admin/words/{active.id}/restore"' not in page


def test_an_entry_that_matches_slips_is_shown_without_its_mark(app, client):
    _admin(client)
    f.screening_entry(f"{EN_WORD}~", "en", "neglect")
    db.session.commit()
    page = client.get(PATH).get_data(as_text=True)
    assert f'<span lang="en">{EN_WORD}</span>' in page and f"{EN_WORD}~" not in page
    assert "and one-letter slips" in page


def test_the_language_filter_shows_only_that_language(app, client):
    _admin(client)
    f.screening_entry(EN_WORD, "en", "neglect")
    f.screening_entry(CY_WORD, "cy", "neglect")
    db.session.commit()

    welsh = client.get(PATH, query_string={"language": "cy"}).get_data(as_text=True)
    assert CY_WORD in welsh and EN_WORD not in welsh
    assert '<option value="cy" selected>' in welsh
    english = client.get(PATH, query_string={"language": "en"}).get_data(as_text=True)
    assert EN_WORD in english and CY_WORD not in english
    for everything in (client.get(PATH), client.get(PATH, query_string={"language": "xx"})):
        assert everything.status_code == 200
        assert EN_WORD in everything.get_data(as_text=True) and CY_WORD in everything.get_data(as_text=True)


# --- Adding -----------------------------------------------------------------------------------------

def test_an_administrator_adds_an_entry_and_it_is_screened(app, client):
    admin = _admin(client)
    assert EN_WORD not in _found(app, f"they keep {EN_WORD} me at school")

    response = _add(client, phrase=f"  {EN_WORD.upper()} ")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(PATH)

    entry = _entry(EN_WORD)
    assert (entry.category, entry.builtin, entry.active, entry.changed_by_id) == ("bullying_online", False, True,
                                                                                  admin.id)
    assert _events("screening_entry_added", entry.id) == 1
    assert EN_WORD in _found(app, f"they keep {EN_WORD} me at school")
    assert f"Added: {EN_WORD}" in client.get(PATH).get_data(as_text=True)


def test_adding_from_a_filtered_list_goes_back_to_it(app, client):
    _admin(client)
    response = client.post(f"{PATH}?language=cy", data={"csrf_token": f.csrf_token(client, PATH), "phrase": CY_WORD,
                                                        "language": "cy", "category": "other"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{PATH}?language=cy")
    assert _entry(CY_WORD, "cy").category == "other"


def test_adding_an_existing_phrase_restores_it_rather_than_duplicating(app, client):
    _admin(client)
    entry = f.screening_entry(EN_WORD, "en", "neglect")
    entry.active = False
    db.session.commit()

    response = _add(client, phrase=EN_WORD)
    assert response.status_code == 303
    assert db.session.scalar(db.select(db.func.count(ScreeningEntry.id)).filter_by(phrase=EN_WORD)) == 1
    entry = _entry(EN_WORD)
    assert entry.active is True and entry.category == "neglect"
    assert _events("screening_entry_restored", entry.id) == 1
    assert "It was on the list already" in client.get(PATH).get_data(as_text=True)

    # Once more, while it is active: nothing changes.
    assert _add(client, phrase=EN_WORD).status_code == 303
    assert db.session.scalar(db.select(db.func.count(ScreeningEntry.id)).filter_by(phrase=EN_WORD)) == 1
    assert _events("screening_entry_restored", entry.id) == 1
    assert "is on the list already" in client.get(PATH).get_data(as_text=True)


@pytest.mark.parametrize(("phrase", "error"), [
    ("", "Enter a word or phrase"),
    ("   ", "Enter a word or phrase"),
    ("!? 12", "Enter a word or phrase with at least two letters"),
    ("12 34", "Enter a word or phrase with at least two letters"),
    ("x", "Enter a word or phrase with at least two letters"),
])
def test_a_phrase_without_letters_is_refused(app, client, phrase, error):
    _admin(client)
    before = db.session.scalar(db.select(db.func.count(ScreeningEntry.id)))
    response = _add(client, phrase=phrase)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and error in page
    assert db.session.scalar(db.select(db.func.count(ScreeningEntry.id))) == before


@pytest.mark.parametrize(("fields", "error"), [
    ({"category": "gossip"}, "Choose what kind of harm it suggests"),
    ({"category": ""}, "Choose what kind of harm it suggests"),
    ({"language": "fr"}, "Choose a language"),
])
def test_a_bad_category_or_language_is_refused(app, client, fields, error):
    _admin(client)
    response = _add(client, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and error in page
    assert _entry(EN_WORD) is None


def test_every_problem_with_the_add_form_is_shown_at_once(app, client):
    _admin(client)
    response = _add(client, phrase="12 34", category="")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a word or phrase with at least two letters" in page
    assert "Choose what kind of harm it suggests" in page
    assert "Error:" in page[:page.index("</title>")]


# --- Disabling and restoring ------------------------------------------------------------------------

def test_disable_then_restore_an_entry_each_audited(app, client):
    admin = _admin(client)
    entry = f.screening_entry(EN_WORD, "en", "physical_harm")
    f.screening_entry("another made-up blorf", "en", "physical_harm")
    db.session.commit()
    sentence = f"he was {EN_WORD} me again"
    assert EN_WORD in _found(app, sentence)

    response = client.post(f"{PATH}/{entry.id}/disable", data={"csrf_token": f.csrf_token(client, PATH)})
    assert response.status_code == 303 and response.headers["Location"].endswith(PATH)
    assert _entry(EN_WORD).active is False and _entry(EN_WORD).changed_by_id == admin.id
    assert _events("screening_entry_disabled", entry.id) == 1
    assert EN_WORD not in _found(app, sentence)
    page = client.get(PATH).get_data(as_text=True)
    assert f"Disabled: {EN_WORD}" in page
    assert f'action="/admin/words/{entry.id}/restore"' in page

    response = client.post(f"{PATH}/{entry.id}/restore", data={"csrf_token": f.csrf_token(client, PATH)})
    assert response.status_code == 303
    assert _entry(EN_WORD).active is True
    assert _events("screening_entry_restored", entry.id) == 1
    assert EN_WORD in _found(app, sentence)
    assert f"Restored: {EN_WORD}" in client.get(PATH).get_data(as_text=True)


def test_disabling_from_a_filtered_list_goes_back_to_it(app, client):
    _admin(client)
    entry = f.screening_entry(CY_WORD, "cy", "other")
    db.session.commit()
    response = client.post(f"{PATH}/{entry.id}/disable?language=cy", data={"csrf_token": f.csrf_token(client, PATH)})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{PATH}?language=cy")
    response = client.post(f"{PATH}/{entry.id}/restore?language=cy", data={"csrf_token": f.csrf_token(client, PATH)})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{PATH}?language=cy")


def test_disabling_the_last_entry_of_a_category_asks_first(app, client):
    _admin(client)
    entry = f.screening_entry(CY_WORD, "cy", "neglect")
    db.session.commit()
    _only_active_one(entry)
    disable_url = f"{PATH}/{entry.id}/disable"

    response = client.post(disable_url, data={"csrf_token": f.csrf_token(client, PATH)})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "would leave Neglect with nothing to find in Welsh" in page
    assert f'action="{disable_url}"' in page and 'name="confirm" value="yes"' in page
    assert "Keep it" in page
    # Nothing changed.
    assert _entry(CY_WORD, "cy").active is True
    assert _events("screening_entry_disabled", entry.id) == 0
    assert CY_WORD in _found(app, f"mae hi'n {CY_WORD}")

    response = client.post(disable_url, data={"csrf_token": f.csrf_token(client, PATH), "confirm": "yes"})
    assert response.status_code == 303
    assert _entry(CY_WORD, "cy").active is False
    assert _events("screening_entry_disabled", entry.id) == 1
    assert CY_WORD not in _found(app, f"mae hi'n {CY_WORD}")

    page = client.get(PATH).get_data(as_text=True)
    assert "Nothing in Welsh is screened for Neglect now" in page
    warning = page[page.index('id="empty-categories"'):]
    assert "Neglect in Welsh" in warning[:warning.index("</ul>")]


def test_disabling_an_entry_of_other_never_asks(app, client):
    _admin(client)
    entry = f.screening_entry(EN_WORD, "en", "other")
    db.session.commit()
    _only_active_one(entry)
    response = client.post(f"{PATH}/{entry.id}/disable", data={"csrf_token": f.csrf_token(client, PATH)})
    assert response.status_code == 303
    assert _entry(EN_WORD).active is False


def test_an_unknown_entry_is_not_found(app, client):
    _admin(client)
    token = f.csrf_token(client, PATH)
    assert client.post(f"{PATH}/999999/disable", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{PATH}/999999/restore", data={"csrf_token": token}).status_code == 404


# --- Who may --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["iro", "manager"])
def test_only_an_administrator_keeps_the_list(app, client, role):
    user = f.staff(role)
    entry = f.screening_entry(EN_WORD, "en", "physical_harm")
    db.session.commit()
    f.sign_in(client, user)
    token = f.csrf_token(client, "/account")

    assert client.get(PATH).status_code == 403
    assert client.post(PATH, data={"csrf_token": token, "phrase": CY_WORD, "language": "cy",
                                   "category": "other"}).status_code == 403
    assert client.post(f"{PATH}/{entry.id}/disable", data={"csrf_token": token, "confirm": "yes"}).status_code == 403
    assert _entry(EN_WORD).active is True
    entry.active = False
    db.session.commit()
    assert client.post(f"{PATH}/{entry.id}/restore", data={"csrf_token": token}).status_code == 403
    assert _entry(EN_WORD).active is False
    assert _entry(CY_WORD, "cy") is None
