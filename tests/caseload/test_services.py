"""The caseload's rules: one row per child (due dates, invitations, booklets, messages, concerns, letters,
feedback), the Today list's order, filters, search, sort and pages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from portal.caseload import services
from portal.caseload.forms import CaseloadQuery
from portal.extensions import db
from portal.reviews import workspace
from portal.reviews.dates import add_months, add_working_days, latest_invitation_date, record_due_date
from portal.reviews.models import Child
from portal.timeutil import LONDON, today
from tests import factories as f


def rows_for(iro, on: date | None = None) -> dict[str, services.CaseRow]:
    db.session.commit()
    rows = services.build_rows(services.own_child_ids(iro), on=on or today(), working_days=10, record_days=20)
    return {row.name: row for row in rows}


def settled(iro, name: str, **fields) -> Child:
    """A child with two reviews held (the next is due six months after the last), held `last` days ago, and
    the letter after it issued (unless `letter=False`)."""
    last, letter = fields.pop("last", 30), fields.pop("letter", True)
    kid = f.child(iro, preferred_name=name, came_into_care=today() - timedelta(days=900), **fields)
    f.held_review(kid, days_ago=last + 180, number="first")
    held = f.held_review(kid, days_ago=last, number="second")
    if letter:
        f.issued_letter(held, iro)
    return kid


def test_a_child_with_nothing_planned_past_the_reg_33_date_is_overdue(app):
    iro = f.staff()
    came = today() - timedelta(days=300)
    f.child(iro, preferred_name="Ayo", came_into_care=came)
    row = rows_for(iro)["Ayo"]
    assert row.due == add_working_days(came, 20)  # first review: 20 working days after coming into care
    assert row.overdue and row.review_id is None and row.number == "first"
    [item] = row.today
    assert (item.kind, item.endpoint, item.values) == ("overdue", "reviews.plan_review", {"child_id": row.child_id})


def test_a_review_planned_after_its_due_date_is_flagged_before_the_day_comes(app):
    iro = f.staff()
    kid = settled(iro, "Bea", last=150)
    f.review(kid, days_ahead=90)
    row = rows_for(iro)["Bea"]
    due = add_months(today() - timedelta(days=150), 6)
    assert row.due == due and not row.overdue
    assert row.planned_late_days == (today() + timedelta(days=90) - due).days > 0
    assert [item.kind for item in row.today] == ["planned_late"]
    assert services.filter_rows(rows_for(iro).values(), show="overdue")[0].name == "Bea"


def test_only_the_reviews_the_rules_read_are_loaded_and_the_answers_match_the_reviews_area(app):
    """The earliest planned review and the latest held ones come from SQL windows; the due dates, numbers and
    lateness still match the reviews area's own rules, even for a planned review left unrecorded while later
    reviews were held (one the same day, one after)."""
    iro = f.staff()
    came = today() - timedelta(days=900)
    tidy = f.child(iro, preferred_name="Tidy", came_into_care=came)
    for days_ago, number in ((400, "first"), (220, "second"), (40, "subsequent")):
        f.held_review(tidy, days_ago=days_ago, number=number)
    f.review(tidy, days_ahead=200)
    sooner = f.review(tidy, days_ahead=150)
    f.review(tidy, days_ahead=10, status="cancelled", cancelled_reason="Moved")
    stale = f.child(iro, preferred_name="Stale", came_into_care=came)
    f.held_review(stale, days_ago=500, number="first")
    unrecorded = f.review(stale, days_ahead=-300)
    later_that_day = datetime.combine(today() - timedelta(days=300), time(11), tzinfo=LONDON)
    f.review(stale, status="held", meeting_at=later_that_day, held_at=later_that_day, number="second")
    f.held_review(stale, days_ago=100)
    new = f.child(iro, preferred_name="New", came_into_care=today() - timedelta(days=10))
    first = f.review(new, days_ahead=5, number="first")
    rows = rows_for(iro)
    for kid, review in ((tidy, sooner), (stale, unrecorded), (new, first)):
        db.session.refresh(kid)
        row = rows[kid.preferred_name]
        assert workspace.next_planned_review(kid) is review and row.review_id == review.id
        assert (row.due, row.number) == (workspace.due_date(kid), review.number)
        late = workspace.late_by(workspace.meeting_date(review), workspace.review_due(review, kid))
        assert row.planned_late_days == (late.days if late else None)
    # Stale's planned review is due six months after the review held later that same day: not late (counting
    # only the review held before its meeting's hour, it would be due six months after the first: late).
    assert rows["Stale"].planned_late_days is None and rows["Stale"].number == "subsequent"


def test_a_review_planned_in_time_needs_nothing(app):
    iro = f.staff()
    kid = settled(iro, "Cal", last=30)
    f.review(kid, days_ahead=60)
    row = rows_for(iro)["Cal"]
    assert not row.overdue and not row.planned_late and row.days_left == 60
    assert row.booklet == "not_sent" and not row.invitation_late and not row.invitation_due
    assert row.invite_by == latest_invitation_date(today() + timedelta(days=60), 10)
    assert not row.needs_action


def test_an_invitation_not_sent_by_its_day_is_late_except_for_a_child_under_four(app):
    iro = f.staff()
    f.review(settled(iro, "Dee", last=170), days_ahead=5)
    f.review(settled(iro, "Eli", last=170, age=2), days_ahead=5)
    rows = rows_for(iro)
    assert rows["Dee"].invitation_late and rows["Dee"].invitation_due
    assert [item.kind for item in rows["Dee"].today] == ["invitation"]
    assert rows["Dee"].today[0].endpoint == "booklet_staff.send"
    assert rows["Eli"].booklet == "none" and not rows["Eli"].invitation_late and not rows["Eli"].needs_action


def test_a_sent_booklet_shows_its_status(app):
    iro = f.staff()
    review = f.review(settled(iro, "Fox", last=170), days_ahead=12)
    booklet = f.booklet(review)
    booklet.invited_at = booklet.opened_at = booklet.started_at = f.datetime.now(f.LONDON)
    row = rows_for(iro)["Fox"]
    assert row.booklet == "started" and row.invitation_sent and not row.invitation_due


def test_unread_messages_and_open_concerns_are_counted_with_where_to_act(app):
    iro = f.staff()
    review = f.review(settled(iro, "Gus", last=30), days_ahead=60)
    f.message(review, "Can we talk after school?")
    f.message(review, "Also about my phone")
    concern = f.concern(review, "he hit me")
    row = rows_for(iro)["Gus"]
    assert (row.unread, row.unread_review_id) == (2, review.id)
    assert (row.concerns, row.concern_id) == (1, concern.id)
    kinds = [(item.kind, item.endpoint, item.anchor, item.count) for item in row.today]
    assert kinds == [("concern", "safeguarding_staff.urgent_list", f"#child-{concern.id}", 1),
                     ("message", "booklet_staff.read", "#messages-heading", 2)]


def test_the_letter_is_due_soon_late_or_gone_once_issued(app):
    iro = f.staff()
    soon = settled(iro, "Hal", last=24, letter=False)
    late = settled(iro, "Ivy", last=45, letter=False)
    settled(iro, "Jo", last=45)
    rows = rows_for(iro)
    assert rows["Hal"].letter_due == record_due_date(today() - timedelta(days=24), 20)
    assert rows["Hal"].letter_state in ("due soon", "due")
    assert rows["Ivy"].letter_state == "late" and rows["Ivy"].letter_review_id == late.reviews[-1].id
    assert rows["Jo"].letter_state is None and rows["Jo"].letter_review_id is None
    assert "letter_late" in [item.kind for item in rows["Ivy"].today]
    assert soon.id == rows["Hal"].child_id


def test_feedback_still_to_ask_after_a_recent_review(app):
    iro = f.staff()
    recent = settled(iro, "Kit", last=10)
    f.feedback_invitation(recent.reviews[-1], "parent_carer")
    asked = settled(iro, "Lou", last=10)
    f.feedback_invitation(asked.reviews[-1], "parent_carer")
    f.feedback_invitation(asked.reviews[-1], "professional")
    settled(iro, "Max", last=60)  # too long ago to ask now
    rows = rows_for(iro)
    assert (rows["Kit"].feedback_to_ask, rows["Kit"].feedback_review_id) == (1, recent.reviews[-1].id)
    assert rows["Lou"].feedback_to_ask == 0 and rows["Lou"].feedback_review_id is None
    assert rows["Max"].feedback_to_ask == 0


def test_today_puts_concerns_first_then_messages_invitations_and_overdue_reviews(app):
    iro = f.staff()
    f.child(iro, preferred_name="Overdue", came_into_care=today() - timedelta(days=300))
    f.review(settled(iro, "Invite", last=170), days_ahead=5)
    f.message(f.review(settled(iro, "Message", last=30), days_ahead=60))
    f.concern(f.review(settled(iro, "Concern", last=30), days_ahead=61))
    settled(iro, "Letter", last=45, letter=False)
    items, total = services.today_items(rows_for(iro).values())
    kinds = [(item.kind, item.row.name) for item in items]
    assert kinds[:4] == [("concern", "Concern"), ("message", "Message"), ("invitation", "Invite"),
                         ("overdue", "Overdue")]
    assert ("letter_late", "Letter") in kinds and total == len(items)
    few, total = services.today_items(rows_for(iro).values(), limit=2)
    assert len(few) == 2 and total > 2


def test_other_iros_children_are_not_in_the_rows(app):
    iro, other = f.staff(), f.staff()
    f.child(iro, preferred_name="Mine")
    f.child(other, preferred_name="Theirs")
    assert set(rows_for(iro)) == {"Mine"}


def test_filters_search_and_age_bands(app):
    iro = f.staff()
    f.review(settled(iro, "Nia", age=6, case_reference="CR-1001"), days_ahead=3)
    f.review(settled(iro, "Olu", age=13, first_name="Oluwaseun"), days_ahead=20)
    settled(iro, "Pip", age=16)
    rows = list(rows_for(iro).values())
    names = lambda **kw: sorted(row.name for row in services.filter_rows(rows, **kw))  # noqa: E731
    assert names(show="week") == ["Nia"]
    assert names(show="month") == ["Nia", "Olu"]
    assert names(age="4-7") == ["Nia"] and names(age="12-15") == ["Olu"] and names(age="16+") == ["Pip"]
    assert names(q="cr-1001") == ["Nia"] and names(q="oluwa") == ["Olu"] and names(q="  pip ") == ["Pip"]
    assert names(q="nobody") == [] and names(age="nonsense") == ["Nia", "Olu", "Pip"]
    assert names(show="action") == ["Nia"]  # the invitation for a review in 3 days is late


def test_sort_any_column_with_empty_values_last(app):
    iro = f.staff()
    f.review(settled(iro, "Zed", age=8), days_ahead=40)
    f.review(settled(iro, "Amy", age=15), days_ahead=20)
    settled(iro, "Bo", age=11)
    rows = list(rows_for(iro).values())
    order = lambda *args: [row.name for row in services.sort_rows(rows, *args)]  # noqa: E731
    assert order("next_review", "asc") == ["Amy", "Zed", "Bo"]
    assert order("next_review", "desc") == ["Zed", "Amy", "Bo"]
    assert order("name", "asc") == ["Amy", "Bo", "Zed"]
    assert order("age", "desc") == ["Amy", "Bo", "Zed"]
    assert order("not-a-column") == order("next_review")
    for column in services.SORT_KEYS:
        assert sorted(order(column, "asc")) == ["Amy", "Bo", "Zed"]


def test_pages_never_run_off_the_end():
    rows = [services.CaseRow(child_id=n, name=f"C{n}", first_name=None, case_reference=None, age=9, iro_id=1,
                             iro_name="I", number="first") for n in range(250)]
    assert services.page_of(rows, 1).rows == rows[:50]
    last = services.page_of(rows, 99)
    assert (last.number, last.pages, last.first, last.last, len(last.rows)) == (5, 5, 201, 250, 50)
    assert services.page_of([], 5).number == 1


def test_many_pages_are_linked_as_first_last_and_around_this_one():
    rows = [services.CaseRow(child_id=n, name=f"C{n}", first_name=None, case_reference=None, age=9, iro_id=1,
                             iro_name="I", number="first") for n in range(2000)]
    assert services.page_of(rows, 1).numbers == [1, 2, None, 40]
    assert services.page_of(rows, 4).numbers == [1, 2, 3, 4, 5, None, 40]
    assert services.page_of(rows, 20).numbers == [1, None, 19, 20, 21, None, 40]
    assert services.page_of(rows, 40).numbers == [1, None, 39, 40]
    assert services.page_of(rows[:150], 2).numbers == [1, 2, 3]
    assert services.page_of(rows[:10], 1).numbers == [1]


def test_counts_per_iro(app):
    team = f.team("North")
    iro, other = f.staff(team=team, name="Amal"), f.staff(name="Ben")
    f.child(iro, preferred_name="Overdue", came_into_care=today() - timedelta(days=300))
    f.concern(f.review(settled(iro, "Worry", last=30), days_ahead=60))
    settled(other, "Letter", last=45, letter=False)
    manager = f.staff("manager")
    db.session.commit()
    rows = services.build_rows(services.service_child_ids(manager), on=today(), working_days=10, record_days=20)
    counts = {entry.name: entry for entry in services.iro_counts(rows)}
    assert (counts["Amal"].children, counts["Amal"].overdue, counts["Amal"].open_concerns) == (2, 1, 1)
    assert (counts["Ben"].children, counts["Ben"].late_letters) == (1, 1)
    team_rows = services.build_rows(services.service_child_ids(manager, team_id=team.id), on=today(),
                                    working_days=10, record_days=20)
    assert {row.name for row in team_rows} == {"Overdue", "Worry"}
    assert [entry.name for entry in services.iro_counts(team_rows, team.id)] == ["Amal"]


def test_the_query_reads_bad_values_as_the_defaults():
    query = CaseloadQuery.from_args({"show": "everything", "age": "99", "sort": "drop table", "dir": "sideways",
                                     "page": "-3", "team": "x", "iro": "0", "q": "  Sam   " + "x" * 200})
    assert (query.show, query.age, query.sort, query.dir, query.page, query.team, query.iro) == (
        "all", "all", "next_review", "asc", 1, None, None)
    assert query.q.startswith("Sam x") and len(query.q) == 80
    good = CaseloadQuery.from_args({"show": "action", "sort": "name", "dir": "desc", "page": "2", "team": "4"})
    assert good.args() == {"show": "action", "sort": "name", "dir": "desc", "page": 2, "team": 4}
    assert good.sort_args("name") == {"show": "action", "sort": "name", "team": 4}  # ascending is the default
    assert good.sort_args("age") == {"show": "action", "sort": "age", "team": 4}
    assert good.aria_sort("name") == "descending" and good.aria_sort("age") is None
