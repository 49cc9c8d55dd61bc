"""Plan rules: goal-not-smart, goal-overdue, narrow-networks."""
from __future__ import annotations

import datetime as dt

from rules_helpers import Folio, brief


def test_goal_not_smart_names_the_missing_parts_at_the_goal(tmp_path):
    f = Folio(tmp_path)
    goal = f.portfolio["goals"][0]
    del goal["measurable"], goal["time_bound"]
    goal["relevant"] = " "
    found = f.findings("goal-not-smart")
    assert brief(found) == [("goal-not-smart", "portfolio.yaml", f.line_of("portfolio.yaml", "id: grow"), "grow")]
    assert found[0].message == "goal 'grow' is not SMART: no measurable, relevant, time_bound (a target date)"


def test_goal_not_smart_silent_for_smart_or_dropped_goals(tmp_path):
    f = Folio(tmp_path)
    assert f.findings("goal-not-smart") == []
    del f.portfolio["goals"][0]["specific"]
    f.portfolio["goals"][0]["status"] = "dropped"
    assert f.findings("goal-not-smart") == []


def test_goal_overdue(tmp_path):
    f = Folio(tmp_path)
    found = f.findings("goal-overdue", as_of=dt.date(2027, 1, 1))
    assert brief(found) == [("goal-overdue", "portfolio.yaml", f.line_of("portfolio.yaml", "time_bound:"), "grow")]
    assert "due on 2026-12-31 and is in-progress" in found[0].message
    assert f.findings("goal-overdue", as_of=dt.date(2026, 12, 31)) == []
    f.portfolio["goals"][0]["status"] = "achieved"
    assert f.findings("goal-overdue", as_of=dt.date(2027, 1, 1)) == []


def test_goal_without_target_date_is_not_overdue(tmp_path):
    f = Folio(tmp_path)
    del f.portfolio["goals"][0]["time_bound"]
    assert f.findings("goal-overdue", as_of=dt.date(2030, 1, 1)) == []


def test_narrow_networks(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["networks"][0]["status"] = "left"        # the internal one
    found = f.findings("narrow-networks")
    assert brief(found) == [("narrow-networks", "portfolio.yaml", f.line_of("portfolio.yaml", "networks:"),
                             "networks")]
    assert found[0].message == "every network joined or shortlisted is external; none is internal"
    f.portfolio["networks"][0]["status"] = "shortlisted"
    assert f.findings("narrow-networks") == []


def test_narrow_networks_without_networks(tmp_path):
    f = Folio(tmp_path)
    del f.portfolio["networks"]
    found = f.findings("narrow-networks")
    assert brief(found) == [("narrow-networks", "portfolio.yaml", 1, "networks")]
