"""Forecasts from a recorded timeline: each agent's finish from its own pace, with a range, and the run's."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdev_tui.demo import build_demo
from cdev_tui.forecast import calibration_ratio, forecast_agent, forecast_run, item_seconds
from cdev_tui.service import open_service
from cdev_tui.store import AgentSnapshotRow

NOW = 1_800_000_000.0


def timeline(agent: str, points: list[tuple[float, int]], total: int = 4) -> list[AgentSnapshotRow]:
    return [AgentSnapshotRow(agent, "in progress", done, total, 0, 0, NOW + ts) for ts, done in points]


def test_item_times_come_from_the_progress_steps() -> None:
    rows = timeline(
        "a", [(0, 0), (300, 0), (600, 1), (1200, 2), (1500, 2), (2400, 3), (3000, 5), (3100, 4), (3700, 5)]
    )
    # 600 s for the first item, 600 for the second, 1200 for the third (from the step at 1200, not the
    # snapshot without progress at 1500), two items in 600 s (300 each); one unticked, ticked again 600 s later.
    assert item_seconds(rows) == [600.0, 600.0, 1200.0, 300.0, 300.0, 600.0]


def test_forecasts_from_pace_and_from_the_calibrated_estimate(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "demo")
    service = open_service(demo.repo, db=tmp_path / "c.db")
    try:
        snapshot = service.load()
    finally:
        service.close()
    api, auth = snapshot.agent("api_agent"), snapshot.agent("auth_agent")  # 3 of 4 done, 2 of 4 done
    rows = timeline("auth_agent", [(-3000, 0), (-2400, 1), (-1200, 2)])  # 600 s, then 1200 s an item
    pace = forecast_agent(auth, rows, NOW, None)
    assert (pace.basis, pace.remaining) == ("pace", 2)
    assert pace.finish == NOW + 2 * 900  # the median item time
    assert (pace.early, pace.late) == (NOW + 2 * 750, NOW + 2 * 1050)  # the quartiles
    ratio = calibration_ratio(snapshot.agents)  # db_agent took 48 min for 30, catalog_agent 88 for 35
    assert ratio == pytest.approx((48 / 30 + 88 / 35) / 2)
    estimate = forecast_agent(api, [], NOW, ratio)
    started = api.facts.started_at.timestamp()
    assert estimate.basis == "estimate"
    planned = 40 * 60 * ratio  # its estimate, calibrated; one item left of four
    assert estimate.finish == max(started + planned, NOW + planned / 4)
    assert estimate.early < estimate.finish < estimate.late
    run = forecast_run(snapshot, {"auth_agent": rows}, NOW)
    assert {f.agent_id: f.basis for f in run.agents}["db_agent"] == "done"
    assert run.finish == max(f.finish for f in run.agents if f.finish is not None)


def test_metrics_says_when_the_run_should_be_done(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from cdev_tui.cli import main

    demo = build_demo(tmp_path / "demo")
    assert main(["metrics", "--repo", str(demo.repo), "--format", "json"]) == 0
    forecast = json.loads(capsys.readouterr().out)["forecast"]
    bases = {a["agent"]: a["basis"] for a in forecast["agents"]}
    assert bases["db_agent"] == "done" and bases["api_agent"] == "estimate"
    assert forecast["early"] <= forecast["finish"] <= forecast["late"]  # ISO times sort as text
    assert main(["metrics", "--repo", str(demo.repo)]) == 0
    assert "forecast: run done around " in capsys.readouterr().out


def test_time_waited_for_a_person_and_on_other_agents_from_a_recorded_timeline() -> None:
    from cdev_tui.forecast import human_wait

    rows = [
        AgentSnapshotRow("a", "blocked", 0, 4, 0, 0, NOW),
        AgentSnapshotRow("a", "in progress", 0, 4, 0, 0, NOW + 600),  # 10 min on its dependency
        AgentSnapshotRow("a", "complete", 4, 4, 0, 0, NOW + 3000),
        AgentSnapshotRow("a", "committed", 4, 4, 0, 0, NOW + 4800),  # 30 min before anybody committed it
        AgentSnapshotRow("b", "complete", 4, 4, 0, 0, NOW + 4000),  # still not committed at NOW + 5200
    ]
    waited = human_wait(rows, {"a": 90.0, "c": 30.0}, NOW + 5200)
    assert waited == {
        "a": {"program": 90.0, "commit": 1800.0, "dependencies": 600.0},
        "b": {"program": 0.0, "commit": 1200.0, "dependencies": 0.0},
        "c": {"program": 30.0, "commit": 0.0, "dependencies": 0.0},
    }
