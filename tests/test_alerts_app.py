"""Alerts in the app and the rules beyond fixed thresholds: an agent's own pace, conflicts predicted,
secrets and vulnerable dependencies, tests failing at integration — told once, listed, acknowledged, posted."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from cdev_tui.alert_rules import failed_tests, predicted_conflicts, security_findings, slow_pace
from cdev_tui.alerts import AlertSettings
from cdev_tui.app import make_app
from cdev_tui.demo import build_demo, fake_github_token
from cdev_tui.service import open_service
from cdev_tui.store import AgentSnapshotRow, OutcomeRow, Store
from tests.apptools import table_rows, wait_until
from tests.test_alerts import Receiver, receiver  # noqa: F401  (the fixture)

NOW = 2_000_000.0


def pace(agent: str, minutes_per_item: list[float], current: float) -> list[AgentSnapshotRow]:
    """An agent ticking items after the given minutes each, then ``current`` minutes into the next."""
    total = len(minutes_per_item) + 2
    elapsed = sum(minutes_per_item) + current
    ts = NOW - elapsed * 60
    rows = [AgentSnapshotRow(agent, "in progress", 0, total, 0, 0, ts)]
    for done, minutes in enumerate(minutes_per_item, start=1):
        ts += minutes * 60
        rows.append(AgentSnapshotRow(agent, "in progress", done, total, 0, 0, ts))
    return rows


def test_an_agent_far_slower_than_its_own_pace_fires_and_its_usual_noise_stays_quiet() -> None:
    settings = AlertSettings()
    noise = random.Random(3)
    usual = [20 * noise.lognormvariate(0, 0.2) for _ in range(8)]
    fired = slow_pace(pace("api", usual, 240), settings, NOW)
    assert [(a.rule, a.subject) for a in fired] == [("slow-pace", "api")]
    assert fired[0].message.startswith("api: item 9 of 10 has taken 240 min, its items usually take 2")
    for current in (5, 15, 25, 35):  # within its usual spread: quiet
        assert slow_pace(pace("api", usual, current), settings, NOW) == []
    slow_worker = [120 * noise.lognormvariate(0, 0.2) for _ in range(8)]
    assert slow_pace(pace("deep", slow_worker, 150), settings, NOW) == []  # slow, but as slow as usual
    assert slow_pace(pace("new", [20, 22], 300), settings, NOW) == []  # two items: no baseline yet


def test_conflicts_secrets_and_failed_tests_are_alerts_that_never_carry_a_secret(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "demo")
    service = open_service(demo.repo, db=tmp_path / "c.db")
    try:
        snapshot = service.load()
        report = service.predict_conflicts(snapshot)
        scan = service.scan(snapshot)
        conflicts = predicted_conflicts(report, NOW)
        assert ("conflict-predicted", "api_agent × auth_agent") in {(a.rule, a.subject) for a in conflicts}
        again = predicted_conflicts(service.predict_conflicts(snapshot), NOW + 60)
        assert {a.key for a in again} == {a.key for a in conflicts}  # the same conflict is the same alert
        secrets = security_findings(scan, None, NOW)
        assert any(a.subject == "auth_agent" and "tokens.py" in a.message for a in secrets)
        assert fake_github_token() not in json.dumps([a.to_json() for a in secrets])
        store = Store(tmp_path / "c.db")
        store.record_outcomes(
            [
                OutcomeRow(NOW - 600, "integrate", "integration/1", "api_agent", "0", "tests-failed", ()),
                OutcomeRow(NOW - 600, "integrate", "integration/1", "db_agent", "1", "merged", ()),
            ]
        )
        store.flush()
        assert [(a.rule, a.subject) for a in failed_tests(store, NOW)] == [("tests-failed", "api_agent")]
        store.record_outcomes(
            [OutcomeRow(NOW - 60, "integrate", "integration/2", "api_agent", "0", "merged", ())]
        )
        store.flush()
        assert failed_tests(store, NOW) == []  # integrated again, tests passing: it clears
        store.close()
    finally:
        service.close()


async def test_the_app_tells_new_alerts_once_lists_them_and_posts_them_to_the_webhook(
    tmp_path: Path,
    receiver: Receiver,  # noqa: F811
) -> None:
    demo = build_demo(tmp_path / "demo")
    config = demo.repo / ".cdev" / "config.toml"
    hook = receiver.url("/hook")
    config.write_text(config.read_text() + f'\n[alerts]\nwebhooks = [{{kind = "slack", url = "{hook}"}}]\n')
    db = tmp_path / "c.db"
    app = make_app(demo.repo, db=db)
    app.alert_seconds = 1.0
    async with app.run_test(size=(150, 45)) as pilot:
        main = app.main

        def told() -> bool:
            """the stalled agent, the predicted conflict and the planted secret are alerts"""
            rules = {(a.rule, a.subject) for a in main.firing_alerts}
            return {
                ("stalled", "api_agent"),
                ("conflict-predicted", "api_agent × auth_agent"),
            } <= rules and any(r == "secret" for r, _ in rules)

        await wait_until(pilot, told, timeout=60)
        await wait_until(pilot, lambda: "⚠" in main.sub_title and "alerts (!)" in main.sub_title)
        notices = " ".join(str(n.message) for n in app._notifications)
        assert "new alerts" in notices or "no activity" in notices
        await wait_until(pilot, lambda: bool(receiver.bodies.get("/hook")), timeout=30)
        posted = " ".join(body["text"] for body in receiver.bodies["/hook"])
        assert "stalled: api_agent: no activity" in posted
        assert fake_github_token() not in posted

        await pilot.press("exclamation_mark")
        await wait_until(pilot, lambda: len(table_rows(app, "#alerts-table")) == len(main.firing_alerts))
        rows = table_rows(app, "#alerts-table")
        assert any("stalled" in str(row[2]) and "api_agent" in str(row[3]) for row in rows)
        before = main.unseen_alerts
        await pilot.press("a")
        await wait_until(pilot, lambda: main.unseen_alerts == before - 1)
        await pilot.press("A")
        await wait_until(pilot, lambda: main.unseen_alerts == 0)
        assert "alerts (!)" not in main.sub_title
        assert "0 not acknowledged" in str(app.screen.query_one("#alerts-summary").content)
        await pilot.press("escape")
        posts = len(receiver.bodies["/hook"])
        await pilot.pause(2.5)  # more evaluations: nothing new to tell or post
        assert len(receiver.bodies["/hook"]) == posts

    again = make_app(demo.repo, db=db)  # a new session: acknowledged stays acknowledged, nothing re-posted
    again.alert_seconds = 1.0
    async with again.run_test(size=(150, 45)) as pilot:
        await wait_until(pilot, lambda: len(again.main.firing_alerts) >= 3, timeout=60)
        await pilot.pause(1.5)
        stalled = next(a for a in again.main.firing_alerts if a.rule == "stalled")
        assert stalled.key in again.main.acknowledged_alerts
        assert len(receiver.bodies["/hook"]) == posts


@pytest.mark.parametrize("key", ["pace_score", "conflicts"])
def test_new_alert_settings_are_checked(key: str) -> None:
    from cdev_tui.alerts import parse_alerts
    from cdev_tui.errors import CdevError

    with pytest.raises(CdevError, match=f"cfg.toml: alerts.{key} must be"):
        parse_alerts({key: "lots"}, "cfg.toml")
