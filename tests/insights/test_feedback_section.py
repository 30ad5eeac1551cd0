"""What young people, families and professionals said: fixed data whose figures were worked out by hand
(threshold 10), collated by portal.feedback.figures and suppressed by portal.insights.suppression.

2024-25. Anna (North) and Ben (South), one held review each.
- Invitations: young people, Anna 12 sent (10 returned), Ben 12 (10): 24 sent, 20 returned, 83%.
  Parents and carers, Anna 4 (3): 75%. Professionals: none (no rate). One more young person's invitation, sent on
  1 April 2025, belongs to 2025-26.
- Young people's forms: Anna 10: how_it_went great, listened yes, a comment (positive, theme "Being heard"),
  the first one chosen to quote as "<b>My IRO</b> listened to me". Ben 10: how_it_went good; listened yes ×8,
  no ×2; two of them with a comment (negative, theme "Waiting").
- Parents' forms: Anna 10, each with a comment (neutral, theme "Waiting"); the first 3 answer report_48_hours
  yes.

The service:
- how_it_went: 10 great (50%), 10 good (50%), 0 okay / not happy / really unhappy (0%); 20 answered.
- listened: yes 18, no 2, not sure 0. "no" is small; alone it would be 20 - 18, so "yes" is hidden too:
  not shown (18 is not under 10), fewer than 10, 0 (0%); 20 answered.
- report_48_hours (parents): 3 answered ("fewer than 10"), hidden whole (each answer "not shown").
- Young people's comments: 12. Sentiment positive 10, neutral 0, negative 2: the 2 is small and alone, so the
  10 is hidden too ("not shown"); neutral 0 (0%). Themes: Being heard 10, Waiting fewer than 10. The quote
  shows (escaped).
- Parents' comments: 10, neutral 10 (100%), positive and negative 0; Waiting 10.
- All groups' comments: 22 (no group hidden). Positive 10, neutral 10, negative 2: the 2 is small and alone,
  so the row rule hides the smallest other, neutral (10, first of the two 10s by name). Over the groups:
  positive's 10 is the young people's alone, hidden there, so shown here it would give it away: hidden too
  (Positive not shown, Neutral not shown, Negative fewer than 10). Themes: Being heard 10 (hidden nowhere);
  Waiting 12 = young people's hidden 2 + parents' 10, so 12 less 10 would show the 2: not shown.

North (Anna), against the service's year:
- how_it_went: great 10 (100%): the service less North is 10 answered, and each option's difference is 0 or 10.
- listened: yes 10 of 10; the service's 18 less 10 is 8, so "yes" is hidden; with no other answer above nought
  to hide with it, the 10 answered would show it: the question is hidden whole ("not shown", 10 answered too).
- Young people's comments: 10, the service's 12 less 10 is 2: hidden ("not shown"), and no quote.
- Returns (service counts, as they are): young people 12 sent, 10 returned, 83%.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from portal.extensions import db
from portal.feedback import questions as forms
from portal.feedback.models import FeedbackAnswer, FeedbackInvitation, FeedbackResponse, FeedbackTheme
from portal.insights.filters import Filters
from portal.insights.sections import feedback
from portal.reviews.dates import reporting_year
from tests import factories as f

Y2024 = reporting_year(date(2024, 4, 1))
FEWER, NOT_SHOWN = "fewer than 10", "not shown"


def _respond(review, group: str, answers: dict, *, sentiment=None, themes=None, quote=None, week=date(2024, 6, 3)):
    version = forms.current_version(group)
    kinds = {q["key"]: q["kind"] for q in version.questions}
    response = FeedbackResponse(review_id=review.id, group=group, meeting_kind="subsequent",
                                form_version_id=version.id, week_starting=week)
    for key, value in answers.items():
        text = kinds[key] in ("text", "short")
        response.answers.append(FeedbackAnswer(
            question_key=key, state="answered", value_choice=None if text else value,
            value_text=value if text else None, sentiment=sentiment if text else None,
            themes=themes if text else None, fit_to_quote=bool(quote) and text, quote=quote if text else None))
    db.session.add(response)


def _invite(review, group: str, count: int, returned: int, sent_at=datetime(2024, 5, 25, 9, tzinfo=UTC)):
    for number in range(count):
        db.session.add(FeedbackInvitation(review_id=review.id, group=group, recipient_ref=f"{group}-{number}",
                                          channel="email", returned=number < returned, sent_at=sent_at))


@pytest.fixture
def service(app):
    north, south = f.team("North"), f.team("South")
    anna, ben = f.staff("iro", team=north), f.staff("iro", team=south)
    held_a, held_b = datetime(2024, 6, 1, 10, tzinfo=UTC), datetime(2024, 7, 1, 10, tzinfo=UTC)
    a_review = f.review(f.child(anna, age=12), status="held", meeting_at=held_a, held_at=held_a)
    b_review = f.review(f.child(ben, age=12), status="held", meeting_at=held_b, held_at=held_b)
    db.session.add_all([FeedbackTheme(key="being_heard", label="Being heard", phrases=""),
                        FeedbackTheme(key="waiting", label="Waiting", phrases="")])
    _invite(a_review, "young_person", 12, 10)
    _invite(b_review, "young_person", 12, 10)
    _invite(a_review, "parent_carer", 4, 3)
    # 00:30 on 1 April 2025 (BST): 2025-26.
    _invite(b_review, "young_person", 1, 0, sent_at=datetime(2025, 3, 31, 23, 30, tzinfo=UTC))
    for number in range(10):
        _respond(a_review, "young_person", {"how_it_went": "great", "listened": "yes", "anything_else": "Good."},
                 sentiment=0.5, themes="being_heard", quote="<b>My IRO</b> listened to me" if number == 0 else None)
        answers = {"how_it_went": "good", "listened": "yes" if number < 8 else "no"}
        if number >= 8:
            answers["anything_else"] = "Too long."
        _respond(b_review, "young_person", answers, sentiment=-0.5, themes="waiting", week=date(2024, 7, 1))
    for number in range(10):
        answers = {"went_well": "Clear."} | ({"report_48_hours": "yes"} if number < 3 else {})
        _respond(a_review, "parent_carer", answers, sentiment=0.0, themes="waiting")
    db.session.commit()
    return {"north": north, "anna": anna, "a_review": a_review}


def _cells(question) -> list[tuple]:
    return [(cell.label, cell.count, cell.percent) for cell in question.cells]


def _question(result, group: str, prompt_start: str):
    return next(q for q in result.context["questions"] if q.group == group and q.prompt.startswith(prompt_start))


def test_every_figure_for_the_service(service):
    result = feedback.compute(Filters(Y2024.first_day, Y2024.last_day, Y2024))
    returns = {item.group: (item.sent, item.returned, item.rate, item.received) for item in result.context["returns"]}
    assert returns == {"young_person": (24, 20, 83, 20), "parent_carer": (4, 3, 75, 10),
                       "professional": (0, 0, None, 0)}
    went = _question(result, "young_person", "How do you feel about your review meeting")
    assert went.answered == 20 and _cells(went) == [("Really happy", 10, 50), ("Happy", 10, 50), ("Okay", 0, 0),
                                                    ("Not happy", 0, 0), ("Really unhappy", 0, 0)]
    listened = _question(result, "young_person", "Did people listen to you")
    assert listened.answered == 20 and not listened.hidden
    assert _cells(listened) == [("Yes", NOT_SHOWN, ""), ("No", FEWER, ""), ("Not sure", 0, 0)]
    report = _question(result, "parent_carer", "Did you see the social worker's report")
    assert report.hidden and report.answered == FEWER and {c[1] for c in _cells(report)} == {NOT_SHOWN}
    young, parents, professionals, everyone = result.context["comments"]
    assert (young.count, young.hidden, parents.count, professionals.count, everyone.count) == (12, False, 10, 0, 22)
    assert [(c.label, c.count, c.percent) for c in young.sentiments] == [
        ("Positive", NOT_SHOWN, ""), ("Neutral", 0, 0), ("Negative", FEWER, "")]
    assert [(c.label, c.count) for c in young.themes] == [("Being heard", 10), ("Waiting", FEWER)]
    assert [(c.label, c.count, c.percent) for c in parents.sentiments] == [
        ("Positive", 0, 0), ("Neutral", 10, 100), ("Negative", 0, 0)]
    assert [(c.label, c.count) for c in parents.themes] == [("Waiting", 10)]
    assert [(c.label, c.count, c.percent) for c in everyone.sentiments] == [
        ("Positive", NOT_SHOWN, ""), ("Neutral", NOT_SHOWN, ""), ("Negative", FEWER, "")]
    assert sorted((c.label, c.count) for c in everyone.themes) == [("Being heard", 10), ("Waiting", NOT_SHOWN)]
    assert young.quotes == ["<b>My IRO</b> listened to me"]
    assert result.tables["quotes"].rows == [("Young people", "<b>My IRO</b> listened to me")]


def test_a_team_is_suppressed_against_the_service(service):
    result = feedback.compute(Filters(Y2024.first_day, Y2024.last_day, Y2024, team_id=service["north"].id))
    returns = {item.group: (item.sent, item.returned, item.rate) for item in result.context["returns"]}
    assert returns["young_person"] == (12, 10, 83) and returns["parent_carer"] == (4, 3, 75)
    went = _question(result, "young_person", "How do you feel about your review meeting")
    assert went.answered == 10 and _cells(went)[:2] == [("Really happy", 10, 100), ("Happy", 0, 0)]
    listened = _question(result, "young_person", "Did people listen to you")
    assert listened.hidden and listened.answered == NOT_SHOWN and {c[1] for c in _cells(listened)} == {NOT_SHOWN}
    young = result.context["comments"][0]
    assert young.hidden and young.count == NOT_SHOWN and young.quotes == [] and young.sentiments == []
    assert result.tables["quotes"].rows == []
    # The same for Anna chosen as the IRO.
    anna = feedback.compute(Filters(Y2024.first_day, Y2024.last_day, Y2024, iro_id=service["anna"].id))
    assert _question(anna, "young_person", "Did people listen to you").hidden


def test_the_csv_tables_and_the_page(service, client):
    manager = f.staff("manager")
    db.session.commit()
    f.sign_in(client, manager)

    def rows(table):
        response = client.get(f"/insights/feedback/{table}.csv?year=2024")
        assert response.status_code == 200
        return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))

    returns = rows("returns")
    assert returns == [["Group", "Invitations sent", "Returned", "Return rate (%)", "Forms received"],
                       ["Young people", "24", "20", "83", "20"], ["Parents and carers", "4", "3", "75", "10"],
                       ["Professionals", "0", "0", "", "0"]]
    answers = rows("answers")
    listened = [row[2:6] for row in answers if row[1] == "Did people listen to you?"]
    assert listened == [["Yes", NOT_SHOWN, "", "20"], ["No", FEWER, "", "20"], ["Not sure", "0", "0", "20"]]
    assert not any(row[3] in {"18", "2"} for row in answers if row[1] == "Did people listen to you?")
    comments = rows("comments")
    assert ["Young people", "12", "Sentiment", "Negative", FEWER, ""] in comments
    assert ["Young people", "12", "Theme", "Being heard", "10", ""] in comments
    assert ["All groups", "22", "Theme", "Waiting", NOT_SHOWN, ""] in comments
    assert ["All groups", "22", "Sentiment", "Positive", NOT_SHOWN, ""] in comments
    assert rows("quotes")[1:] == [["Young people", "<b>My IRO</b> listened to me"]]
    page = client.get("/insights?year=2024").get_data(as_text=True)
    assert "&lt;b&gt;My IRO&lt;/b&gt; listened to me" in page and "<b>My IRO</b>" not in page
    assert "chart-feedback-returns-title" in page


def test_a_fixed_number_of_queries_whatever_the_data(service):
    from sqlalchemy import event

    def count(filters):
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            feedback.compute(filters)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    narrowed = Filters(Y2024.first_day, Y2024.last_day, Y2024, team_id=service["north"].id)
    count(narrowed)  # the first call also reads what is kept for the request (the authority's settings)
    before = count(narrowed)
    for _number in range(15):
        _respond(service["a_review"], "young_person", {"listened": "no"})
    db.session.commit()
    assert count(narrowed) == before
