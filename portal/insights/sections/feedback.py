"""What young people, families and professionals said: the feedback forms, collated by portal.feedback.figures
(its queries, its whole-question and complementary suppression), with the dashboard's small-number rules
(portal.insights.suppression) applied on top to every cell: an answer, a sentiment or a theme from 1 to
threshold-1 shows as "fewer than N", with the secondary cells that would give it away.

Feedback is collated in whole months (figures.scope_for snaps the period to them), so a period of chosen
dates is widened to the months around it; the section says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.feedback import figures
from portal.feedback.models import GROUPS
from portal.insights import suppression
from portal.insights.charts import Bar, bar_chart
from portal.insights.filters import Filters
from portal.insights.sections.base import Result, Section, Table
from portal.security import MANAGER


@dataclass(frozen=True)
class _Viewer:
    """Who the figures are collated for: the service (the filters carry an IRO's own reviews already)."""

    role: str = MANAGER
    is_authenticated: bool = True
    id: int | None = None


@dataclass
class Cell:
    label: str
    count: int | str
    percent: int | str


@dataclass
class Question:
    group: str
    prompt: str
    answered: int | str
    hidden: bool
    cells: list[Cell]
    note: str = ""


@dataclass
class Comments:
    group: str | None
    label: str
    count: int | str
    hidden: bool
    sentiments: list[Cell]
    themes: list[Cell]
    quotes: list[str]


def scope_of(filters: Filters) -> figures.Scope:
    return figures.scope_for(_Viewer(), first_day=filters.first_day, last_day=filters.last_day,
                             team_id=filters.team_id, iro_id=filters.iro_id)


def _questions(scope: figures.Scope, collated: figures.Collated, limit: int) -> list[Question]:
    base = figures.base_scope(scope)
    wholes = None
    if base != scope:
        counts = figures.answer_counts(base)  # one GROUP BY for the three groups
        wholes = {(f.group, f.key): {share.key: share.count for share in f.shares}
                  for group in GROUPS for f in figures.question_figures(base, group, counts)}
    found = []
    for group, items in collated.questions.items():
        for item in items:
            counts = {share.key: share.count for share in item.shares}
            whole = wholes.get((group, item.key), {}) if wholes is not None else None
            row_hidden = item.hidden
            hidden = set(counts) if row_hidden else suppression.hidden_with_differences(counts, whole, limit)
            if hidden and suppression.total_revealing(counts, hidden, limit):
                row_hidden, hidden = True, set(counts)
            cells = [Cell(share.label, suppression.not_shown() if row_hidden else
                          suppression.shown_count(share.count, share.key in hidden, limit),
                          "" if share.key in hidden or not item.answered else share.percent) for share in item.shares]
            note = "; ".join(_("Version %(number)s asked: %(wording)s", number=number, wording=wording)
                             for number, wording in item.earlier_wordings)
            found.append(Question(group, item.prompt, suppression.shown_count(item.answered, row_hidden, limit),
                                  row_hidden, cells, note))
    return found


def _comments(summary: figures.CommentSummary, limit: int, over_groups: set[str] | None = None) -> Comments:
    """One group's comments (or, with `over_groups` the all-groups cells the groups' suppression hides, every
    group's): sentiment cells by the row rules, themes each by itself (a comment may have several)."""
    label = str(summary.label)
    if summary.hidden:
        return Comments(summary.group, label, suppression.shown_count(summary.count, True, limit), True, [], [], [])
    sentiment_counts = {share.key: share.count for share in summary.sentiments}
    hidden = suppression.hidden_in_row(sentiment_counts, limit)
    if over_groups:
        hidden = suppression.extended(sentiment_counts, hidden | {key for key in over_groups if key in sentiment_counts},
                                      limit)
    if hidden and suppression.total_revealing(sentiment_counts, hidden, limit):
        hidden = set(sentiment_counts)
    sentiments = [Cell(share.label, suppression.shown_count(share.count, share.key in hidden, limit),
                       "" if share.key in hidden or not sum(sentiment_counts.values()) else share.percent)
                  for share in summary.sentiments]
    themes = [Cell(theme, suppression.shown_count(count, suppression.small(count, limit)
                                                  or f"theme:{theme}" in (over_groups or ()), limit), "")
              for theme, count in summary.themes]
    quotes = [comment.quote for comment in summary.comments if comment.fit_to_quote and comment.quote]
    return Comments(summary.group, label, summary.count, False, sentiments, themes, quotes)


def _all_comments(groups: list[figures.CommentSummary], shown: list[Comments], overall: figures.CommentSummary,
                  limit: int) -> Comments:
    """Every group's comments, with the cells that would give a group's hidden figure away hidden too."""
    by_group, hidden_by_group = {}, {}
    for summary, display in zip(groups, shown, strict=True):
        cells = {share.key: share.count for share in summary.sentiments}
        cells.update({f"theme:{theme}": count for theme, count in summary.themes})
        by_group[summary.group] = cells
        if display.hidden:
            hidden_by_group[summary.group] = set(cells)
            continue
        hidden = {share.key for share, cell in zip(summary.sentiments, display.sentiments, strict=True)
                  if cell.count != share.count}
        hidden |= {f"theme:{theme}" for (theme, count), cell in zip(summary.themes, display.themes, strict=True)
                   if cell.count != count}
        hidden_by_group[summary.group] = hidden
    return _comments(overall, limit, suppression.totals_hidden(by_group, hidden_by_group, limit))


# The chart's labels are narrow (the table beside it names each group in full).
SHORT_LABELS = {"young_person": _l("Young people"), "parent_carer": _l("Parents"), "professional": _l("Professionals")}
RETURNS_HEADER = (_l("Group"), _l("Invitations sent"), _l("Returned"), _l("Return rate (%)"), _l("Forms received"))
ANSWERS_HEADER = (_l("Group"), _l("Question"), _l("Answer"), _l("Count"), _l("Share (%)"), _l("Answered"),
                  _l("Note"))
COMMENTS_HEADER = (_l("Group"), _l("Comments"), _l("Figure"), _l("Value"), _l("Count"), _l("Share (%)"))
QUOTES_HEADER = (_l("Group"), _l("Quote"))


def compute(filters: Filters) -> Result:
    limit = suppression.threshold()
    scope = scope_of(filters)
    collated = figures.collate(scope, listed="quoted")  # the section shows only the comments fit to quote
    labels = {group: str(figures.GROUP_LABELS[group]) for group in GROUPS}
    questions = _questions(scope, collated, limit)
    comments = [_comments(summary, limit) for summary in collated.comments]
    comments.append(_all_comments(collated.comments, comments, collated.all_comments, limit))
    returns = collated.returns
    chart = bar_chart("chart-feedback-returns", _("Feedback forms returned"),
                      _("The share of feedback invitations that were used: young people, parents and carers, and "
                        "professionals (workers). The figures are in the table below."),
                      [Bar(str(SHORT_LABELS[item.group]), None if item.rate is None else item.rate / 100,
                           "–" if item.rate is None else f"{item.rate}%") for item in returns])
    tables = {
        "returns": Table(_l("Feedback invitations and returns"), tuple(map(str, RETURNS_HEADER)),
                         [(labels[item.group], item.sent, item.returned, "" if item.rate is None else item.rate,
                           item.received) for item in returns]),
        "answers": Table(_l("Answers to the feedback forms"), tuple(map(str, ANSWERS_HEADER)),
                         [(labels[q.group], q.prompt, cell.label, cell.count, cell.percent, q.answered, q.note)
                          for q in questions for cell in q.cells]),
        "comments": Table(_l("Comments: sentiment and themes"), tuple(map(str, COMMENTS_HEADER)),
                          [row for c in comments for row in (
                              [(c.label, c.count, "", "", "", "")] if c.hidden else
                              [*((c.label, c.count, _("Sentiment"), cell.label, cell.count, cell.percent)
                                 for cell in c.sentiments),
                               *((c.label, c.count, _("Theme"), cell.label, cell.count, "") for cell in c.themes)])]),
        "quotes": Table(_l("Comments chosen to quote"), tuple(map(str, QUOTES_HEADER)),
                        [(c.label, quote) for c in comments if c.group for quote in c.quotes]),
    }
    widened = (scope.first_day, scope.last_day) != (filters.first_day, filters.last_day)
    return Result({"returns": returns, "labels": labels, "questions": questions, "comments": comments,
                   "chart": chart, "threshold": limit, "groups": GROUPS, "scope": scope, "widened": widened},
                  tables)


SECTION = Section("feedback", _l("What young people, families and professionals said"), "insights/_feedback.html",
                  compute)
