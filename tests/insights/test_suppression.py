"""The small-number rules, each on hand-worked cases (threshold 10 unless said)."""

from __future__ import annotations

from portal.extensions import db
from portal.insights import suppression as s
from portal.settings import authority_settings
from tests import factories as f


def test_a_cell_from_1_to_9_is_small_and_0_or_10_is_not():
    assert [s.small(n, 10) for n in (0, 1, 9, 10, 11)] == [False, True, True, False, False]
    assert s.small(4, 5) and not s.small(5, 5)


def test_a_row_under_the_threshold_is_hidden_whole():
    # 4 + 3 + 0 = 7 < 10: every cell above nought hidden.
    assert s.row_total_hidden(7, 10) and not s.row_total_hidden(0, 10) and not s.row_total_hidden(10, 10)
    assert s.hidden_in_row({"yes": 4, "no": 3, "maybe": 0}, 10) == {"yes", "no"}


def test_a_row_with_nothing_small_shows_everything():
    assert s.hidden_in_row({"yes": 14, "no": 10, "maybe": 0}, 10) == set()


def test_one_small_cell_takes_the_smallest_shown_one_with_it():
    # yes 12, sometimes 10, no 2 (total 24): "no" alone would be 24 - 12 - 10; "sometimes" (10) goes too.
    assert s.hidden_in_row({"yes": 12, "sometimes": 10, "no": 2}, 10) == {"sometimes", "no"}


def test_small_cells_that_together_are_small_take_another():
    # 30, 20, 3, 4: hidden 3 + 4 = 7 < 10 would show "7 between them"; the 20 goes too (7 + 20 = 27).
    assert s.hidden_in_row({"a": 30, "b": 20, "c": 3, "d": 4}, 10) == {"b", "c", "d"}
    # 30, 6, 5: 6 + 5 = 11, two cells: nothing more.
    assert s.hidden_in_row({"a": 30, "b": 6, "c": 5}, 10) == {"b", "c"}
    # A zero is never taken as the second cell: 20, 0, 3 -> the 20 goes.
    assert s.hidden_in_row({"a": 20, "b": 0, "c": 3}, 10) == {"a", "c"}


def test_a_total_over_groups_follows_feedbacks_rule():
    # Feedback's hidden_cells, lifted: one group hidden -> the total too.
    assert s.total_hidden({"young": 4, "parents": 12, "professionals": 15}, 10) == ({"young"}, True)
    # Two hidden, 4 + 3 = 7 < 10 -> the total too.
    assert s.total_hidden({"young": 4, "parents": 3, "professionals": 15}, 10) == ({"young", "parents"}, True)
    # Two hidden, 6 + 5 = 11 -> the total shows.
    assert s.total_hidden({"young": 6, "parents": 5, "professionals": 15}, 10) == ({"young", "parents"}, False)
    # Three groups of 3, each hidden, 9 between them: the total too.
    assert s.total_hidden({"a": 3, "b": 3, "c": 3}, 10) == ({"a", "b", "c"}, True)
    assert s.total_hidden({"a": 0, "b": 0}, 10) == (set(), False)


def test_a_difference_from_the_whole_that_is_small_hides_the_part():
    # Service 24, a team 22: the other teams' 2 would show.
    assert s.difference_hidden(24, 22, 10)
    assert not s.difference_hidden(24, 14, 10) and not s.difference_hidden(24, 24, 10)


def test_a_narrowed_row_against_its_whole():
    # Team: yes 12, not_always 10, no 0; service: 22, 12, 0. not_always 12 - 10 = 2: hidden, alone, so yes too.
    assert s.hidden_with_differences({"yes": 12, "not_always": 10, "no": 0}, {"yes": 22, "not_always": 12, "no": 0},
                                     10) == {"yes", "not_always"}
    # Differences 10 and 10: nothing hidden.
    assert s.hidden_with_differences({"yes": 12, "no": 10}, {"yes": 22, "no": 20}, 10) == set()
    # No whole (the view is the whole): the row rules only.
    assert s.hidden_with_differences({"yes": 12, "no": 2}, None, 10) == {"yes", "no"}


def test_a_row_total_that_would_give_a_hidden_cell_away_hides_the_row():
    # Team: yes 10, no 0, not sure 0; service yes 18, no 2: 18 - 10 = 8 hides "yes" (and 2 - 0 = 2 the team's
    # "no", a nought), with no other cell above nought to hide with it, so the row's total (10) would show it:
    # the row is hidden whole.
    counts = {"yes": 10, "no": 0, "not_sure": 0}
    hidden = s.hidden_with_differences(counts, {"yes": 18, "no": 2, "not_sure": 0}, 10)
    assert hidden == {"yes", "no"} and s.total_revealing(counts, hidden, 10)
    # Two hidden, 12 + 10 = 22: the total may show.
    assert not s.total_revealing({"a": 12, "b": 10, "c": 0}, {"a", "b"}, 10)
    # Two hidden, 3 + 4 = 7: it may not.
    assert s.total_revealing({"a": 3, "b": 4}, {"a", "b"}, 10)


def test_a_total_over_groups_cell_by_cell():
    # Positive: young 10 (hidden there for the row's sake), parents 0, professionals 15 (shown): the total 25
    # less 15 would show the young people's 10: hidden. Waiting: young 2 and parents 3 hidden, 5 between them:
    # hidden. Being heard: young 6 and parents 7 hidden (13 between them), professionals 20: the total may show.
    by_group = {"young": {"positive": 10, "waiting": 2, "heard": 6}, "parents": {"positive": 0, "waiting": 3, "heard": 7},
                "professionals": {"positive": 15, "waiting": 0, "heard": 20}}
    hidden = {"young": {"positive", "waiting", "heard"}, "parents": {"waiting", "heard"}, "professionals": set()}
    assert s.totals_hidden(by_group, hidden, 10) == {"positive", "waiting"}
    # Nothing hidden in any group: nothing to hide in the total.
    assert s.totals_hidden(by_group, {}, 10) == set()


def test_a_figure_hidden_for_anothers_sake_says_not_shown(app):
    assert s.shown_count(18, True, 10) == "not shown" and s.shown_count(0, True, 10) == "not shown"
    assert s.shown_count(2, True, 10) == "fewer than 10"


def test_what_a_hidden_figure_shows(app):
    assert s.shown_count(7, True, 10) == "fewer than 10" and s.shown_count(7, False, 10) == 7
    assert s.shown_percent(7, 20, True) == "" and s.shown_percent(7, 20, False) == 35
    assert s.shown_percent(0, 0, False) == ""
    assert s.fewer_than(5) == "fewer than 5"


def test_the_threshold_is_the_authoritys_setting(app):
    f.authority()
    db.session.commit()
    assert s.threshold() == 10
    authority_settings().suppression_threshold = 5
    db.session.commit()
    assert s.threshold() == 5
