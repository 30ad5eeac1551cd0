"""Feedback added up: the collation rules, and the corrections a manager makes to comments and themes.

What a person sees is always collated over the reviews they may see (portal.security.visible_reviews),
for a period (the current reporting year unless they choose), and, for a manager, a team or an IRO:

- Counts of invitations sent and forms returned are service counts, shown as they are.
- Opinion figures (a question's shares, a list of comments, sentiment, themes) from fewer responses than
  the authority's suppression threshold are hidden ("fewer than 10 responses: not shown"). A total over
  groups is hidden too when it would give a hidden figure away: when exactly one group is hidden, or
  the hidden groups together have fewer responses than the threshold (secondary suppression).
- Answers keep the wording of the form version they answered. Questions with the same key across
  versions are added up together, labelled with the newest wording and a note when the wording changed.
- Nothing is ever listed per review, with its date or its IRO.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, or_

from portal.extensions import db
from portal.feedback import questions
from portal.feedback.models import (
    GROUPS,
    FeedbackAnswer,
    FeedbackFormVersion,
    FeedbackInvitation,
    FeedbackResponse,
    FeedbackTheme,
)
from portal.questionnaires.kinds import kind as kind_of
from portal.reviews.dates import reporting_year
from portal.reviews.models import Review
from portal.security import MANAGER, visible_reviews
from portal.settings import authority_settings
from portal.staff.models import StaffUser
from portal.timeutil import LONDON, today

GROUP_LABELS = {"young_person": _l("Young people"), "parent_carer": _l("Parents and carers"),
                "professional": _l("Professionals")}
# Kinds whose answers are typed words (comments); every other kind is a closed question.
FREE_TEXT_KINDS = frozenset({"text", "short"})
# Sentiment as a manager reads it, and the value a manager's correction stores.
SENTIMENTS = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}
SENTIMENT_LABELS = {"positive": _l("Positive"), "neutral": _l("Neutral"), "negative": _l("Negative"),
                    None: _l("Not worked out")}
# TextBlob's polarity nearer 0 than this reads as neutral.
NEUTRAL_BAND = 0.1


def sentiment_key(value: float | None) -> str | None:
    if value is None:
        return None
    if value >= NEUTRAL_BAND:
        return "positive"
    if value <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"


def words(text: dict | str | None) -> str:
    """A {"en", "cy"} text in the reader's language (English when no Welsh is written)."""
    if not text:
        return ""
    if isinstance(text, str):
        return text
    language = str(get_locale() or "en")[:2]
    return text.get(language) or text.get("en") or ""


# --- Who and when ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """What a page adds up: whose eyes, which days (inclusive), and for a manager a team or an IRO."""

    user: object
    first_day: date
    last_day: date
    team_id: int | None = None
    iro_id: int | None = None

    @property
    def threshold(self) -> int:
        return authority_settings().suppression_threshold


def scope_for(user, *, first_day: date | None = None, last_day: date | None = None, team_id: int | None = None,
              iro_id: int | None = None) -> Scope:
    """The scope a person asked for; the current reporting year by default. Only a manager narrows by
    team or IRO (an IRO's figures are their own reviews' already)."""
    year = reporting_year(today())
    first_day, last_day = first_day or year.first_day, last_day or year.last_day
    if last_day < first_day:
        first_day, last_day = last_day, first_day
    # Whole months: a period cannot be narrowed to the week one person answered.
    first_day, last_day = first_day.replace(day=1), _month_end(last_day)
    if getattr(user, "role", None) != MANAGER:
        team_id = iro_id = None
    return Scope(user, first_day, last_day, team_id, iro_id)


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def base_scope(scope: Scope) -> Scope:
    """What a narrowed scope is part of: the whole reporting years around it, with no team or IRO chosen."""
    return Scope(scope.user, reporting_year(scope.first_day).first_day, reporting_year(scope.last_day).last_day)


def recent_years(count: int = 3) -> list:
    """This reporting year and the ones before it, newest first, for the period filter."""
    years, day = [], today()
    for _ in range(count):
        year = reporting_year(day)
        years.append(year)
        day = date(year.first_day.year - 1, 4, 1)
    return years


def review_ids(scope: Scope) -> Select:
    query = visible_reviews(db.select(Review.id), scope.user)
    if scope.iro_id is not None:
        query = query.where(Review.iro_id == scope.iro_id)
    if scope.team_id is not None:
        query = query.where(Review.iro_id.in_(db.select(StaffUser.id).where(StaffUser.team_id == scope.team_id)))
    return query


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def _of_reviews(column, scope: Scope) -> tuple:
    """The condition that a review id column is of a review in the scope's eyes. Every response and invitation
    belongs to a review (a foreign key), so when the whole service's reviews are seen it needs no condition."""
    reviews = review_ids(scope)
    return () if reviews.whereclause is None else (column.in_(reviews),)


def _in_scope(scope: Scope, group: str | None = None) -> tuple:
    """The conditions on feedback_response of the responses in the scope (put straight on a query that joins
    the responses, so the database starts from the period's responses and their answers by index)."""
    found = (*_of_reviews(FeedbackResponse.review_id, scope), FeedbackResponse.week_starting >= scope.first_day,
             FeedbackResponse.week_starting <= scope.last_day)
    return found if group is None else (*found, FeedbackResponse.group == group)


def _responses(scope: Scope, group: str | None = None) -> Select:
    return db.select(FeedbackResponse.id).where(*_in_scope(scope, group))


# --- Suppression -----------------------------------------------------------------------------------

def hidden_cells(counts: dict[str, int], threshold: int) -> tuple[set[str], bool]:
    """(the cells hidden, whether their total is hidden) for figures made from these numbers of responses.

    A cell from 1 to threshold-1 responses is hidden (none at all gives nothing away). The total is
    hidden when it is itself under the threshold, when exactly one cell is hidden (the total less the
    shown cells would give it away), or when the hidden cells together are under the threshold.
    """
    hidden = {name for name, count in counts.items() if 0 < count < threshold}
    total = sum(counts.values())
    hidden_sum = sum(counts[name] for name in hidden)
    total_hidden = 0 < total < threshold or len(hidden) == 1 or (len(hidden) > 1 and hidden_sum < threshold)
    return hidden, total_hidden


# --- Return rates ----------------------------------------------------------------------------------

@dataclass
class GroupReturns:
    group: str
    sent: int
    returned: int
    received: int  # forms that came in (at the meeting too, or by a QR code)

    @property
    def label(self):
        return GROUP_LABELS[self.group]

    @property
    def rate(self) -> int | None:
        return round(100 * self.returned / self.sent) if self.sent else None


def return_rates(scope: Scope) -> list[GroupReturns]:
    """Per group: invitations sent in the period, how many were used, and forms received."""
    invited = db.session.execute(
        db.select(FeedbackInvitation.group, func.count(),
                  func.coalesce(func.sum(case((FeedbackInvitation.returned.is_(True), 1), else_=0)), 0))
        .where(*_of_reviews(FeedbackInvitation.review_id, scope),
               FeedbackInvitation.sent_at >= _instant(scope.first_day),
               FeedbackInvitation.sent_at < _instant(date.fromordinal(scope.last_day.toordinal() + 1)))
        .group_by(FeedbackInvitation.group)).all()
    received = dict(db.session.execute(
        db.select(FeedbackResponse.group, func.count()).where(*_in_scope(scope))
        .group_by(FeedbackResponse.group)).all())
    by_group = {group: (sent, int(returned)) for group, sent, returned in invited}
    return [GroupReturns(group, *by_group.get(group, (0, 0)), received.get(group, 0)) for group in GROUPS]


# --- Questions -------------------------------------------------------------------------------------

@dataclass
class Share:
    key: str
    label: str
    count: int
    percent: int


@dataclass
class QuestionFigures:
    group: str
    key: str
    prompt: str
    kind: str
    answered: int
    shares: list[Share]
    hidden: bool
    # Earlier wordings answered in this period, as (version number, wording), when the wording changed.
    earlier_wordings: list[tuple[int, str]] = field(default_factory=list)
    still_asked: bool = True


def _option_labels(question: dict) -> list[tuple[str, str]]:
    options = question.get("options") or []
    if options:
        return [(option["key"], words(option.get("label"))) for option in options]
    try:
        defaults = kind_of(question["kind"]).default_options
    except (KeyError, ValueError):
        defaults = ()
    return [(key, str(label)) for key, label in defaults]


def _versions(group: str) -> list[FeedbackFormVersion]:
    return db.session.scalars(db.select(FeedbackFormVersion).filter_by(group=group)
                              .order_by(FeedbackFormVersion.number)).all()


def _collate(versions: list[FeedbackFormVersion], used: set[int]) -> list[tuple[str, dict, list]]:
    """(key, the newest wording's question, [(version, question) answered in the period]) in form order:
    the newest version's questions first, then ones no longer asked."""
    order, newest, answered = [], {}, {}
    for version in reversed(versions):
        for question in version.questions:
            key = question["key"]
            if key not in newest:
                order.append(key)
                newest[key] = (version, question)
            if version.id in used:
                answered.setdefault(key, []).append((version, question))
    return [(key, newest[key], answered.get(key, [])) for key in order]


def _chosen(question: dict, choice: str | None, text: str | None) -> list[str]:
    """The options one aggregated row of answers chose (a checkbox answer's list is in its text)."""
    if question["kind"] == "checkboxes":
        try:
            keys = json.loads(text or "[]")
        except ValueError:
            return []
        return [key for key in keys if isinstance(key, str)] if isinstance(keys, list) else []
    return [choice] if choice else []


def _newest_questions(versions: list[FeedbackFormVersion]) -> dict[str, dict]:
    """Each question key's newest wording over a group's versions."""
    newest: dict[str, dict] = {}
    for version in reversed(versions):
        for question in version.questions:
            newest.setdefault(question["key"], question)
    return newest


def answer_counts(scope: Scope) -> dict[str, list[tuple]]:
    """{group: [(form version, question, option chosen, list of options chosen, answers)]}: every group's
    answered questions in one GROUP BY over the scope's answers. Typed words are not grouped (a comment's text is
    its own): only a checkbox answer's list of options is, and split by `question_figures` (a few rows)."""
    lists = sorted({question["key"] for group in GROUPS for question in _newest_questions(_versions(group)).values()
                    if question["kind"] == "checkboxes"})
    grouped = [FeedbackResponse.group, FeedbackResponse.form_version_id, FeedbackAnswer.question_key,
               FeedbackAnswer.value_choice]
    if lists:
        grouped.append(case((and_(FeedbackAnswer.value_choice.is_(None), FeedbackAnswer.question_key.in_(lists)),
                             FeedbackAnswer.value_text)))
    found: dict[str, list[tuple]] = {group: [] for group in GROUPS}
    for row in db.session.execute(
            db.select(*grouped, func.count())
            .join(FeedbackResponse, FeedbackResponse.id == FeedbackAnswer.response_id)
            .where(*_in_scope(scope), FeedbackAnswer.state == "answered")
            .group_by(*grouped)):
        found.setdefault(row[0], []).append((row[1], row[2], row[3], row[4] if lists else None, row[-1]))
    return found


def question_figures(scope: Scope, group: str, counts: dict[str, list[tuple]] | None = None) -> list[QuestionFigures]:
    """Each closed question of one group's form: how many answered it and the share answering each way.

    Added up in SQL (`answer_counts`, one GROUP BY for every group: pass its result to count several groups
    with the one query)."""
    versions = _versions(group)
    newest = _newest_questions(versions)
    rows = (counts if counts is not None else answer_counts(scope)).get(group, [])
    used = {version_id for version_id, *_rest in rows}
    totals: Counter = Counter()
    chosen: dict[str, Counter] = {}
    for _version_id, key, choice, text, count in rows:
        if key not in newest:
            continue  # an answer to a question no version asks (never expected): counted nowhere, as before
        totals[key] += count
        tally = chosen.setdefault(key, Counter())
        for option in _chosen(newest[key], choice, text):
            tally[option] += count
    latest = versions[-1].id if versions else None
    figures = []
    for key, (newest_version, question), answered in _collate(versions, used):
        if question["kind"] in FREE_TEXT_KINDS or question.get("comment"):
            continue
        tally, total = chosen.get(key, Counter()), totals[key]
        shares = [Share(option_key, label, tally[option_key], round(100 * tally[option_key] / total) if total else 0)
                  for option_key, label in _option_labels(question)]
        prompt = words(question["prompt"])
        earlier = sorted({(version.number, words(asked["prompt"])) for version, asked in answered
                          if words(asked["prompt"]) != prompt})
        figures.append(QuestionFigures(group, key, prompt, question["kind"], total, shares,
                                       0 < total < scope.threshold, earlier, newest_version.id == latest))
    return figures


@dataclass
class SharedQuestion:
    """A question asked of more than one group (same key and options): its total over groups."""

    key: str
    prompt: str
    answered: int
    shares: list[Share]
    hidden: bool


def shared_totals(scope: Scope, by_group: dict[str, list[QuestionFigures]]) -> list[SharedQuestion]:
    """Totals over groups, with secondary suppression, for questions more than one group answers."""
    found: dict[str, list[QuestionFigures]] = {}
    for figures in by_group.values():
        for figure in figures:
            found.setdefault(figure.key, []).append(figure)
    totals = []
    for key, figures in found.items():
        options = [share.key for share in figures[0].shares]
        if len(figures) < 2 or any([share.key for share in f.shares] != options for f in figures):
            continue
        _hidden, total_hidden = hidden_cells({f.group: f.answered for f in figures}, scope.threshold)
        answered = sum(f.answered for f in figures)
        shares = [Share(option, figures[0].shares[i].label, sum(f.shares[i].count for f in figures),
                        round(100 * sum(f.shares[i].count for f in figures) / answered) if answered else 0)
                  for i, option in enumerate(options)]
        totals.append(SharedQuestion(key, figures[0].prompt, answered, shares, total_hidden))
    return totals


# --- Comments --------------------------------------------------------------------------------------

@dataclass
class Comment:
    id: int
    group: str
    prompt: str
    text: str
    sentiment: str | None
    sentiment_corrected: bool
    themes: list[str]
    themes_corrected: bool
    fit_to_quote: bool
    quote: str | None
    urgent: bool

    @property
    def group_label(self):
        return GROUP_LABELS.get(self.group, self.group)

    @property
    def sentiment_label(self):
        return SENTIMENT_LABELS[self.sentiment]


def theme_labels() -> dict[str, str]:
    return {theme.key: theme.label for theme in db.session.scalars(db.select(FeedbackTheme))}


def theme_keys(answer: FeedbackAnswer) -> list[str]:
    return [key for key in (answer.themes or "").split(",") if key]


def _prompts(group: str) -> dict[tuple[int, str], str]:
    return {(version.id, question["key"]): words(question["prompt"])
            for version in _versions(group) for question in version.questions}


def all_prompts() -> dict[tuple[int, str], str]:
    """Every question's wording in every version, by (version id, question key)."""
    return {key: text for group in GROUPS for key, text in _prompts(group).items()}


def comment_of(answer: FeedbackAnswer, prompts: dict, labels: dict) -> Comment:
    response = answer.response
    return Comment(answer.id, response.group, prompts.get((response.form_version_id, answer.question_key), ""),
                   answer.value_text or "", sentiment_key(answer.sentiment), answer.sentiment_corrected,
                   [labels.get(key, key) for key in theme_keys(answer)], answer.themes_corrected,
                   answer.fit_to_quote, answer.quote, answer.urgent)


def _free_text_where(scope: Scope, group: str | None, free_text: set[tuple[int, str]]):
    """The answers that are comments in the scope: typed words to a free-text question of their version."""
    return (*_in_scope(scope, group), FeedbackAnswer.state == "answered",
            FeedbackAnswer.value_text.is_not(None), FeedbackAnswer.value_choice.is_(None),
            or_(*(and_(FeedbackResponse.form_version_id == version_id, FeedbackAnswer.question_key == key)
                  for version_id, key in sorted(free_text))))


def comments(scope: Scope, group: str | None = None, *, quoted_only: bool = False) -> list[Comment]:
    """Every comment (typed answer) in the scope, newest first; never with its review, date or IRO.
    `quoted_only`: only those a manager marked fit to quote."""
    free_text = _free_text_keys()
    if not free_text:
        return []
    query = (db.select(FeedbackAnswer.id, FeedbackResponse.group, FeedbackResponse.form_version_id,
                       FeedbackAnswer.question_key, FeedbackAnswer.value_text, FeedbackAnswer.sentiment,
                       FeedbackAnswer.sentiment_corrected, FeedbackAnswer.themes, FeedbackAnswer.themes_corrected,
                       FeedbackAnswer.fit_to_quote, FeedbackAnswer.quote, FeedbackAnswer.urgent)
             .join(FeedbackResponse, FeedbackResponse.id == FeedbackAnswer.response_id)
             .where(*_free_text_where(scope, group, free_text)).order_by(FeedbackAnswer.id.desc()))
    if quoted_only:
        query = query.where(FeedbackAnswer.fit_to_quote.is_(True))
    prompts = all_prompts()
    labels = theme_labels()
    return [Comment(row.id, row.group, prompts.get((row.form_version_id, row.question_key), ""), row.value_text or "",
                    sentiment_key(row.sentiment), row.sentiment_corrected,
                    [labels.get(key, key) for key in (row.themes or "").split(",") if key], row.themes_corrected,
                    row.fit_to_quote, row.quote, row.urgent)
            for row in db.session.execute(query)]


def _free_text_keys() -> set[tuple[int, str]]:
    return {(version.id, question["key"]) for version in db.session.scalars(db.select(FeedbackFormVersion))
            for question in version.questions
            if question["kind"] in FREE_TEXT_KINDS or question.get("comment")}


@dataclass
class CommentSummary:
    """One group's comments (or all groups'): how many, sentiment shares, themes; hidden when too few."""

    group: str | None
    count: int
    sentiments: list[Share]
    themes: list[tuple[str, int]]
    hidden: bool
    comments: list[Comment]

    @property
    def label(self):
        return GROUP_LABELS[self.group] if self.group else _l("All groups")


def _comment_counts(scope: Scope) -> list[tuple[str, str | None, str | None, int, int]]:
    """(group, sentiment, themes, comments, newest comment's id) in one GROUP BY over the scope's comments."""
    free_text = _free_text_keys()
    if not free_text:
        return []
    sentiment = case((FeedbackAnswer.sentiment.is_(None), None),
                     (FeedbackAnswer.sentiment >= NEUTRAL_BAND, "positive"),
                     (FeedbackAnswer.sentiment <= -NEUTRAL_BAND, "negative"), else_="neutral")
    query = (db.select(FeedbackResponse.group, sentiment, FeedbackAnswer.themes, func.count(FeedbackAnswer.id),
                       func.max(FeedbackAnswer.id))
             .join(FeedbackResponse, FeedbackResponse.id == FeedbackAnswer.response_id)
             .where(*_free_text_where(scope, None, free_text))
             .group_by(FeedbackResponse.group, sentiment, FeedbackAnswer.themes))
    return [tuple(row) for row in db.session.execute(query)]


def _summary(group: str | None, rows: list[tuple], labels: dict, hidden: bool, listed: list[Comment]) -> CommentSummary:
    """A summary from aggregated rows. Themes are listed most frequent first; a tie in the order the newest
    comments name them (as counting the comments newest first would)."""
    counts: Counter = Counter()
    themes: Counter = Counter()
    first_seen: dict[str, tuple[int, int]] = {}
    total = 0
    for _group, sentiment, theme_text, count, newest_id in rows:
        total += count
        if sentiment:
            counts[sentiment] += count
        for position, key in enumerate(key for key in (theme_text or "").split(",") if key):
            label = labels.get(key, key)
            themes[label] += count
            first_seen[label] = max(first_seen.get(label, (newest_id, -position)), (newest_id, -position))
    rated = sum(counts.values())
    sentiments = [Share(key, str(SENTIMENT_LABELS[key]), counts[key], round(100 * counts[key] / rated) if rated else 0)
                  for key in SENTIMENTS]
    ordered = sorted(themes.items(), key=lambda item: (-item[1], -first_seen[item[0]][0], -first_seen[item[0]][1]))
    return CommentSummary(group, total, sentiments, ordered, hidden, listed)


def comment_summaries(scope: Scope, listed: str = "all") -> tuple[list[CommentSummary], CommentSummary]:
    """Per group and over all groups, with primary and secondary suppression on the number of comments.

    The figures are added up in SQL. `listed` says which comments each summary carries: "all" (the pages that
    show them), "quoted" (only those fit to quote) or "none"."""
    rows = _comment_counts(scope)
    labels = theme_labels()
    found = [] if listed == "none" else comments(scope, quoted_only=listed == "quoted")
    by_group = {group: [row for row in rows if row[0] == group] for group in GROUPS}
    hidden, total_hidden = hidden_cells({group: sum(row[3] for row in items) for group, items in by_group.items()},
                                        scope.threshold)
    summaries = [_summary(group, items, labels, group in hidden, [c for c in found if c.group == group])
                 for group, items in by_group.items()]
    return summaries, _summary(None, rows, labels, total_hidden, found)


# --- The whole page, and the spreadsheet -----------------------------------------------------------

@dataclass
class Collated:
    scope: Scope
    returns: list[GroupReturns]
    questions: dict[str, list[QuestionFigures]]
    shared: list[SharedQuestion]
    comments: list[CommentSummary]
    all_comments: CommentSummary


def collate(scope: Scope, listed: str = "all") -> Collated:
    """Every figure of the page; `listed` as comment_summaries takes it (the comments each summary carries)."""
    counts = answer_counts(scope)
    questions = {group: question_figures(scope, group, counts) for group in GROUPS}
    summaries, overall = comment_summaries(scope, listed)
    shared = shared_totals(scope, questions)
    base = base_scope(scope)
    if base != scope:
        _hide_differences(scope.threshold, base, questions, shared, [*summaries, overall])
    return Collated(scope, return_rates(scope), questions, shared, summaries, overall)


def _few(whole: int, part: int, threshold: int) -> bool:
    return 0 < whole - part < threshold


def _hide_differences(threshold: int, base: Scope, questions: dict, shared: list, summaries: list) -> None:
    """Complementary suppression: a narrowed figure (one team, one IRO, some months) is hidden when the
    rest of its whole (the service's reporting year) is from too few responses, since the whole less the
    narrowed figure would show them. A total over groups with such a figure in it is hidden too."""
    base_counts = answer_counts(base)
    base_questions = {group: question_figures(base, group, base_counts) for group in GROUPS}
    answered = {(f.group, f.key): f.answered for figures_ in base_questions.values() for f in figures_}
    newly_hidden = set()
    for figure in (f for figures_ in questions.values() for f in figures_):
        if not figure.hidden and _few(answered.get((figure.group, figure.key), 0), figure.answered, threshold):
            figure.hidden = True
            newly_hidden.add(figure.key)
    base_shared = {total.key: total.answered for total in shared_totals(base, base_questions)}
    for total in shared:
        total.hidden = (total.hidden or total.key in newly_hidden
                        or _few(base_shared.get(total.key, 0), total.answered, threshold))
    base_summaries, base_overall = comment_summaries(base, listed="none")
    counts = {summary.group: summary.count for summary in [*base_summaries, base_overall]}
    *groups, overall = summaries
    for summary in groups:
        if not summary.hidden and _few(counts.get(summary.group, 0), summary.count, threshold):
            summary.hidden = overall.hidden = True
    overall.hidden = overall.hidden or _few(counts.get(None, 0), overall.count, threshold)


EXPORT_HEADER = (_l("Section"), _l("Group"), _l("Question"), _l("Answer"), _l("Count"), _l("Share (%)"),
                 _l("Responses"), _l("Note"))


def not_shown(threshold: int) -> str:
    return str(_l("Fewer than %(threshold)s responses: not shown", threshold=threshold))


def export_rows(collated: Collated) -> list[list]:
    """The collated figures as rows for a spreadsheet, suppressed exactly as on the page."""
    threshold, rows = collated.scope.threshold, []
    for item in collated.returns:
        rows.append([_l("Return rate"), item.label, "", _l("Returned"), item.returned,
                     "" if item.rate is None else item.rate, item.sent,
                     _l("Forms received: %(count)s", count=item.received)])
    for group, figures in collated.questions.items():
        for figure in figures:
            note = "; ".join(str(_l("Version %(number)s asked: %(wording)s", number=number, wording=wording))
                             for number, wording in figure.earlier_wordings)
            if figure.hidden:
                rows.append([_l("Question"), GROUP_LABELS[group], figure.prompt, "", "", "", "", not_shown(threshold)])
                continue
            rows.extend([_l("Question"), GROUP_LABELS[group], figure.prompt, share.label, share.count, share.percent,
                         figure.answered, note] for share in figure.shares)
    for total in collated.shared:
        if total.hidden:
            rows.append([_l("Question (all groups)"), "", total.prompt, "", "", "", "", not_shown(threshold)])
            continue
        rows.extend([_l("Question (all groups)"), "", total.prompt, share.label, share.count, share.percent,
                     total.answered, ""] for share in total.shares)
    for summary in [*collated.comments, collated.all_comments]:
        if summary.hidden:
            rows.append([_l("Comments"), summary.label, "", "", "", "", summary.count, not_shown(threshold)])
            continue
        rows.extend([_l("Sentiment"), summary.label, "", share.label, share.count, share.percent, summary.count, ""]
                    for share in summary.sentiments)
        rows.extend([_l("Theme"), summary.label, "", theme, count, "", summary.count, ""]
                    for theme, count in summary.themes)
        if summary.group:
            rows.extend([_l("Comment"), summary.label, comment.prompt, comment.text, "", "", "",
                         comment.sentiment_label] for comment in summary.comments)
    return [[str(cell) if hasattr(cell, "__html__") else cell for cell in row] for row in rows]


# --- Corrections a manager makes ------------------------------------------------------------------

def correct_sentiment(answer: FeedbackAnswer, choice: str) -> bool:
    """Store a manager's reading of a comment (1, 0 or -1). True when it changed anything."""
    if choice not in SENTIMENTS or (sentiment_key(answer.sentiment) == choice and answer.sentiment_corrected):
        return False
    answer.sentiment, answer.sentiment_corrected = SENTIMENTS[choice], True
    return True


def correct_themes(answer: FeedbackAnswer, keys: list[str]) -> bool:
    """Replace a comment's themes with a manager's choice (known themes only)."""
    known = set(db.session.scalars(db.select(FeedbackTheme.key)))
    chosen = ",".join(sorted(key for key in set(keys) if key in known))
    if chosen == (answer.themes or "") and answer.themes_corrected:
        return False
    answer.themes, answer.themes_corrected = chosen or None, True
    return True


def set_quote(answer: FeedbackAnswer, fit: bool, quote: str | None) -> None:
    """Mark a comment fit to quote with the words the manager typed (never the comment itself copied in
    by the portal), or withdraw it. Raises ValueError when marked fit without words."""
    quote = (quote or "").strip()
    if fit and not quote:
        raise ValueError(str(_l("Type the words to quote, with names and other details that could identify "
                                "someone taken out")))
    answer.fit_to_quote, answer.quote = (True, quote) if fit else (False, None)


def clean_phrases(text: str | None) -> str:
    """One phrase a line, trimmed, no blanks or repeats."""
    seen: list[str] = []
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if line and line.casefold() not in {phrase.casefold() for phrase in seen}:
            seen.append(line)
    return "\n".join(seen)


def theme_key_for(label: str) -> str:
    """A new theme's key from its label: ascii, lower case, unique."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")[:32] or "theme"
    key, number = base, 1
    while db.session.scalar(db.select(FeedbackTheme.id).filter_by(key=key)) is not None:
        number += 1
        key = f"{base}_{number}"
    return key


def save_theme(theme: FeedbackTheme | None, *, label: str, phrases: str, active: bool) -> FeedbackTheme:
    """Add a theme (None) or change one; the caller commits."""
    if theme is None:
        theme = FeedbackTheme(key=theme_key_for(label), builtin=False)
        db.session.add(theme)
    theme.label, theme.phrases, theme.active = label.strip(), clean_phrases(phrases), active
    db.session.flush()
    return theme


# --- Rewording a form ------------------------------------------------------------------------------

def form_questions(group: str) -> list[dict]:
    """The questions of the form sent now (the built-in form before any version is stored)."""
    latest = questions.latest_version(group)
    return latest.questions if latest is not None else questions.built_in_questions(group)


def _new_key(prompt: str, taken: set[str]) -> str:
    base = (re.sub(r"[^a-z0-9]+", "_", unicodedata.normalize("NFKD", prompt).encode("ascii", "ignore")
                   .decode().lower()).strip("_")[:30] or "question")
    base = base if base[0].isalpha() else f"q_{base}"[:30]
    key, number = base, 1
    while key in taken:
        number += 1
        key = f"{base}_{number}"
    return key


def changed_questions(current: list[dict], key: str | None, texts: dict) -> list[dict]:
    """The form with one question reworded (`key`), or with a question added at the end (`key` None).

    `texts`: {"prompt": {"en", "cy"}, "hint": {"en", "cy"} | None, "kind", "options": [(en, cy)]}.
    Raises ValueError when a rewording changes nothing.
    """
    result = [dict(question) for question in current]
    if key is None:
        kind = texts["kind"]
        options = ([{"key": f"answer_{number}", "label": {"en": en, "cy": cy}}
                    for number, (en, cy) in enumerate(texts["options"], start=1)] if kind == "choice" else [])
        result.append({"key": _new_key(texts["prompt"]["en"], {q["key"] for q in current}), "kind": kind,
                       "prompt": texts["prompt"], "hint": texts["hint"], "options": options,
                       "comment": kind in FREE_TEXT_KINDS})
        return result
    question = next((q for q in result if q["key"] == key), None)
    if question is None:
        raise ValueError(str(_l("That question is not on the form any more.")))
    hint = texts["hint"] if texts["hint"] is not None else question.get("hint")
    if question["prompt"] == texts["prompt"] and question.get("hint") == hint:
        raise ValueError(str(_l("The wording is the same as now: change it, or go back.")))
    question.update(prompt=texts["prompt"], hint=hint)
    return result


def change_form(group: str, key: str | None, texts: dict, created_by_id: int) -> FeedbackFormVersion:
    """Reword or add a question: the form's next version (the caller commits). Raises ValueError."""
    return questions.new_version(group, changed_questions(form_questions(group), key, texts), created_by_id)


def versions_of(group: str) -> list[FeedbackFormVersion]:
    """A group's stored versions, newest first."""
    return list(reversed(_versions(group)))


def responses_per_version() -> dict[int, int]:
    return dict(db.session.execute(db.select(FeedbackResponse.form_version_id, func.count())
                                   .group_by(FeedbackResponse.form_version_id)).all())


def question_texts(current: list[dict], key: str) -> dict:
    """The rewording form filled with a question's wording now (nothing for a new question)."""
    question = next((q for q in current if q["key"] == key), None)
    if question is None:
        return {"question": key}
    hint = question.get("hint") or {}
    return {"question": key, "prompt_en": question["prompt"].get("en", ""), "prompt_cy": question["prompt"].get("cy", ""),
            "hint_en": hint.get("en", ""), "hint_cy": hint.get("cy", "")}
