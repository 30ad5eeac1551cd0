"""The caseload pages: who may see what, the GET filter form (bad values fall back to the defaults), sort
links announced to screen readers, the manager's view with counts per IRO and pages, and a fixed number
of queries whatever the caseload."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.timeutil import today
from tests import factories as f


def page(response) -> str:
    return response.get_data(as_text=True)


def signed_in(app, user):
    client = app.test_client()
    assert f.sign_in(client, user).status_code == 303
    return client


def table_names(html: str) -> list[str]:
    """The children's names in the table's row headings, in order."""
    table = html.split('<table class="govuk-table portal-caseload__table">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row"[^>]*>\s*<a [^>]*><bdi>([^<]+)</bdi></a>', table)


def test_an_iro_sees_their_own_children_with_a_today_list(app):
    iro, other = f.staff(), f.staff()
    mine = f.review(f.child(iro, preferred_name="Amira", case_reference="CR-77"), days_ahead=30)
    f.message(mine, "Can we talk after school?")
    f.child(other, preferred_name="Bilal")
    db.session.commit()
    client = signed_in(app, iro)
    response = client.get("/caseload")
    html = page(response)
    assert response.status_code == 200
    assert table_names(html) == ["Amira"] and "Bilal" not in html
    today_list = html.split('id="today-heading"', 1)[1].split("</section>", 1)[0]
    assert f'/reviews/{mine.id}/booklet#messages-heading' in today_list
    assert "Read Amira" in today_list.replace("<bdi>", "").replace("</bdi>", "")
    assert "Can we talk after school?" not in html  # the list says there is a message, never its words


def test_the_filters_sort_and_search_come_from_the_address(app):
    iro = f.staff()
    for number, name in enumerate(["Cleo", "Dara", "Emil"]):
        f.review(f.child(iro, preferred_name=name, age=6 + 4 * number, case_reference=f"REF-{number}"),
                 days_ahead=40 - 10 * number)
    db.session.commit()
    client = signed_in(app, iro)
    assert table_names(page(client.get("/caseload"))) == ["Emil", "Dara", "Cleo"]  # soonest review first
    html = page(client.get("/caseload?sort=next_review&dir=desc"))
    assert table_names(html) == ["Cleo", "Dara", "Emil"]
    # The sorted column says so; its link turns the order round (ascending by next review is the default).
    assert re.search(r'<th scope="col"[^>]*aria-sort="descending">\s*<a [^>]*href="/caseload">', html)
    assert 'href="/caseload?sort=name"' in html
    assert "sort ascending" in html and html.count("aria-sort=") == 1
    assert table_names(page(client.get("/caseload?q=dar"))) == ["Dara"]
    assert table_names(page(client.get("/caseload?q=ref-2"))) == ["Emil"]
    assert table_names(page(client.get("/caseload?age=8-11&sort=name"))) == ["Dara"]
    html = page(client.get("/caseload?show=week"))
    assert "No children match these filters." in html and "Clear filters" in html


@pytest.mark.parametrize("query", ["show=%3Cscript%3E&age=-1&sort=1;drop&dir=up&page=abc",
                                   "page=99999999999999999999", "q=" + "x" * 500, "sort=&dir=&show=&age="])
def test_bad_values_fall_back_to_the_defaults(app, query):
    iro = f.staff()
    f.review(f.child(iro, preferred_name="Fern"), days_ahead=10)
    db.session.commit()
    client = signed_in(app, iro)
    response = client.get(f"/caseload?{query}")
    assert response.status_code == 200
    assert "<script>" not in page(response)


def test_an_iro_may_not_open_the_managers_view_and_an_administrator_neither_page(app):
    iro, admin = f.staff(), f.staff("admin")
    db.session.commit()
    assert signed_in(app, iro).get("/caseload/service").status_code == 403
    client = signed_in(app, admin)
    assert client.get("/caseload").status_code == 403
    assert client.get("/caseload/service").status_code == 403
    assert app.test_client().get("/caseload").status_code in (302, 303)


def test_the_manager_sees_every_team_with_counts_per_iro(app):
    north, south = f.team("North"), f.team("South")
    amal, ben = f.staff(team=north, name="Amal Iro"), f.staff(team=south, name="Ben Iro")
    manager = f.staff("manager", team=north)
    f.child(amal, preferred_name="Gia", came_into_care=today() - timedelta(days=300))  # overdue
    f.concern(f.review(f.child(ben, preferred_name="Hugo"), days_ahead=50))
    db.session.commit()
    client = signed_in(app, manager)
    redirect = client.get("/caseload?show=action")
    assert redirect.status_code == 303 and redirect.headers["Location"].endswith("/caseload/service?show=action")
    html = page(client.get("/caseload/service"))
    assert sorted(table_names(html)) == ["Gia", "Hugo"]
    counts = html.split("portal-caseload__iros", 1)[1].split("</table>", 1)[0]
    amal_row = re.search(r"Amal Iro.*?</tr>", counts, re.S).group(0)
    assert re.findall(r"numeric\">(\d+)<", amal_row) == ["1", "1", "0", "0", "0"]
    ben_row = re.search(r"Ben Iro.*?</tr>", counts, re.S).group(0)
    assert re.findall(r"numeric\">(\d+)<", ben_row)[-1] == "1"
    assert table_names(page(client.get(f"/caseload/service?team={north.id}"))) == ["Gia"]
    assert table_names(page(client.get(f"/caseload/service?iro={ben.id}"))) == ["Hugo"]
    # A team or IRO that is not there shows everyone rather than an error.
    assert sorted(table_names(page(client.get("/caseload/service?team=999&iro=999")))) == ["Gia", "Hugo"]


def test_the_managers_view_is_paged(app):
    iro = f.staff(name="Cara Iro")
    manager = f.staff("manager")
    for number in range(55):
        f.child(iro, preferred_name=f"Child {number:03d}")
    db.session.commit()
    client = signed_in(app, manager)
    first = page(client.get("/caseload/service?sort=name"))
    assert len(table_names(first)) == 50 and "Showing 1 to 50 of 55 children" in first
    assert 'href="/caseload/service?sort=name&amp;page=2"' in first
    second = page(client.get("/caseload/service?sort=name&page=2"))
    assert table_names(second) == [f"Child {n:03d}" for n in range(50, 55)]
    assert table_names(page(client.get("/caseload/service?sort=name&page=40"))) == table_names(second)


def _busy_caseload(iro, count: int, start: int = 0) -> None:
    """Children with everything the table counts: booklets, messages, concerns, letters, invitations."""
    for number in range(start, start + count):
        kid = f.child(iro, preferred_name=f"Kid {number}", age=5 + number % 12,
                      came_into_care=today() - timedelta(days=400))
        held = f.held_review(kid, days_ago=20 + number % 30, number="first")
        if number % 3 == 0:
            f.feedback_invitation(held, "parent_carer")
        planned = f.review(kid, days_ahead=5 + number % 60, number="second")
        booklet = f.booklet(planned)
        if number % 2:
            booklet.invited_at = f.datetime.now(f.LONDON)
        if number % 4 == 0:
            f.message(planned, f"Message {number}")
        if number % 5 == 0:
            f.concern(planned, "he hit me")


def test_the_iro_table_takes_the_same_number_of_queries_for_10_or_80_children(app):
    iro = f.staff()
    db.session.commit()
    client = signed_in(app, iro)

    def queries() -> int:
        statements = []
        listener = lambda *args, **kwargs: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/caseload?sort=name").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    _busy_caseload(iro, 10)
    db.session.commit()
    queries()  # the settings are then trusted for a few seconds: both counts below leave them out
    few = queries()
    _busy_caseload(iro, 70, start=10)
    db.session.commit()
    html = page(client.get("/caseload?sort=name"))
    assert len(table_names(html)) == 80
    assert queries() == few
    print(f"caseload page: {few} SQL statements for 10 or 80 children")
