"""What the portal makes of a comment: TextBlob's sentiment, and themes from the editable lexicon."""

from __future__ import annotations

from portal.extensions import db
from portal.feedback import comments
from portal.feedback.models import FeedbackTheme


def test_sentiment_has_the_right_sign_on_clear_cases(app):
    assert comments.analyse("The meeting was great and really helpful, thank you").sentiment > 0
    assert comments.analyse("It was awful and the report was terrible").sentiment < 0
    assert comments.analyse("").sentiment == 0


def test_themes_are_found_in_english_as_whole_words_however_typed(app):
    found = comments.analyse("The REPORT was late, and they DIDN'T listen! Too many people there.").themes
    assert {"reports_late_or_not_shared", "not_listened_to", "too_many_people"} <= set(found)
    assert "the_iro" in comments.analyse("Our IRO was kind").themes
    # Whole words only: 'iro' is not found inside 'environment', 'room' not inside 'broom'.
    assert comments.analyse("A nice environment with a broom").themes == ()


def test_themes_are_found_in_welsh(app):
    found = comments.analyse("Roedd angen cyfieithydd, ac roedd yr adroddiad yn hwyr. Roedd gormod o bobl.").themes
    assert {"interpreter", "reports_late_or_not_shared", "too_many_people"} <= set(found)
    assert "listened_to" in comments.analyse("Roedd pawb wedi gwrando arnaf").themes


def test_every_builtin_theme_is_loaded_once(app):
    assert comments.sync_builtin_themes() == len(comments.builtin_lexicon())
    assert comments.sync_builtin_themes() == 0
    keys = set(db.session.scalars(db.select(FeedbackTheme.key)))
    assert keys >= {"reports_late_or_not_shared", "listened_to", "not_listened_to", "understood_the_plan", "venue",
                    "meeting_time", "interpreter", "change_of_social_worker", "the_iro", "childs_voice",
                    "well_chaired", "too_many_people"}


def test_sync_never_overwrites_a_managers_edit_and_a_switched_off_theme_is_not_found(app):
    comments.sync_builtin_themes()
    venue = db.session.scalar(db.select(FeedbackTheme).filter_by(key="venue"))
    venue.phrases, venue.label = "car park\nmaes parcio", "Where we met"
    iro = db.session.scalar(db.select(FeedbackTheme).filter_by(key="the_iro"))
    iro.active = False
    db.session.delete(db.session.scalar(db.select(FeedbackTheme).filter_by(key="interpreter")))
    db.session.commit()
    assert comments.sync_builtin_themes() == 1  # only the deleted one comes back
    venue = db.session.scalar(db.select(FeedbackTheme).filter_by(key="venue"))
    assert (venue.label, venue.phrases) == ("Where we met", "car park\nmaes parcio")
    assert db.session.scalar(db.select(FeedbackTheme).filter_by(key="the_iro")).active is False
    found = comments.analyse("The car park was full and the IRO was late").themes
    assert "venue" in found and "the_iro" not in found
    assert "venue" not in comments.analyse("The room was cold").themes


def test_a_managers_new_theme_is_found(app):
    comments.sync_builtin_themes()
    db.session.add(FeedbackTheme(key="food", label="Food", phrases="biscuits\nsandwiches", active=True))
    db.session.commit()
    assert "food" in comments.analyse("There were no Biscuits.").themes
