"""Anonymous for real: nothing in the schema joins a feedback response to the person who sent it.

Every table's columns are read from SQLAlchemy's metadata (the models the migrations build), so a column
or foreign key added later that could identify a respondent fails here.
"""

from __future__ import annotations

from sqlalchemy import Date, DateTime

from portal.extensions import db
from portal.feedback import models  # noqa: F401 - registers the feedback tables on the metadata

ANONYMOUS_TABLES = ("feedback_response", "feedback_answer")
# Column names that would name a link, an invitation, a person, an address or a device.
IDENTIFYING = frozenset("link links invitation invite token recipient ref person people staff child user name email "
                        "phone mobile contact address ip agent device session submitted created updated sent "
                        "returned time timestamp at when opened".split())
PRIVATE_TABLES = {"private_link", "feedback_invitation", "staff_user", "child", "web_session", "audit_event"}


def _table(name):
    return db.metadata.tables[name]


def _is_time(column) -> bool:
    """A date and time column (the portal's UTCDateTime decorates DateTime)."""
    return isinstance(getattr(column.type, "impl", column.type), DateTime) or isinstance(column.type, DateTime)


def _identifying(name: str) -> bool:
    return bool(set(name.lower().split("_")) & IDENTIFYING)


def test_responses_and_answers_have_no_column_naming_a_person_a_link_or_a_time(app):
    for name in ANONYMOUS_TABLES:
        for column in _table(name).columns:
            assert not _identifying(column.name), f"{name}.{column.name} could identify a respondent"
            assert not _is_time(column), f"{name}.{column.name} keeps an exact time"
    # The only date: the Monday of the week the response came in.
    dates = [c.name for c in _table("feedback_response").columns if isinstance(c.type, Date)]
    assert dates == ["week_starting"]


def test_responses_and_answers_join_nothing_private_but_the_review(app):
    for name in ANONYMOUS_TABLES:
        targets = {fk.column.table.name for fk in _table(name).foreign_keys}
        assert targets <= {"review", "feedback_response", "feedback_form_version"}, (name, targets)
        assert not targets & PRIVATE_TABLES


def test_no_table_points_at_a_response_or_answer_except_its_own_answers(app):
    for table in db.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name in ANONYMOUS_TABLES:
                assert (table.name, fk.column.table.name) == ("feedback_answer", "feedback_response"), table.name


def test_the_check_itself_catches_what_it_must(app):
    assert _identifying("link_id") and _identifying("submitted_at") and _identifying("ip_address")
    assert not _identifying("sentiment") and not _identifying("week_starting") and not _identifying("agency")
    assert _is_time(_table("feedback_invitation").columns["sent_at"])


def test_the_invitation_keeps_only_that_it_was_used(app):
    columns = {c.name: c for c in _table("feedback_invitation").columns}
    assert "returned" in columns
    assert not [n for n in columns if "response" in n or "answer" in n or "return" in n and n != "returned"]
    time_columns = {n for n, c in columns.items() if _is_time(c)}
    # When it was sent, reminded and its address deleted: never when it came back.
    assert time_columns == {"sent_at", "reminded_at", "contact_deleted_at"}


def test_the_database_itself_matches_the_models(app):
    """The migrated tables (what is really stored) have the same columns as the models inspected above."""
    inspector = db.inspect(db.engine)
    for name in (*ANONYMOUS_TABLES, "feedback_invitation"):
        stored = {c["name"] for c in inspector.get_columns(name)}
        assert stored == {c.name for c in _table(name).columns}, name
        for fk in inspector.get_foreign_keys(name):
            assert fk["referred_table"] not in PRIVATE_TABLES - {"private_link"} or name == "feedback_invitation"
            if name in ANONYMOUS_TABLES:
                assert fk["referred_table"] in {"review", "feedback_response", "feedback_form_version"}
