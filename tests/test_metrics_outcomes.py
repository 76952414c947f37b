"""Outcome figures (merges, predicted conflicts, accepted suggestions, scans, voice) from a recorded timeline,
from real resolution sessions, and end to end through the CLI on real git."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cdev_tui.cli import main
from cdev_tui.conflicts.learned import LearnedStore
from cdev_tui.conflicts.session import ResolveSession
from cdev_tui.metrics_outcomes import summarize_outcomes
from cdev_tui.store import OutcomeRow, Store, VoiceRow
from cdev_tui.store_schema import MIGRATIONS, SCHEMA_VERSION
from tests.conflict_repos import merge_conflict
from tests.test_integrate import build_workspace
from tests.test_integrate_resolve import CONFLICTING

T0 = 1_772_000_000.0
NOW = T0 + 6000
DAY = 86400.0


def steps(ts: float, run: str, *outcomes: tuple[str, str, tuple[str, ...]]) -> list[OutcomeRow]:
    """An integration run's rows: (agent, outcome, files) in merge order."""
    return [
        OutcomeRow(ts, "integrate", run, agent, str(n), outcome, files)
        for n, (agent, outcome, files) in enumerate(outcomes)
    ]


def prediction(
    ts: float, agents: tuple[str, ...], *pairs: tuple[str, str, str, tuple[str, ...]]
) -> list[OutcomeRow]:
    run = f"predict-{ts}"
    head = OutcomeRow(ts, "predict", run, "", "", "prediction", agents)
    return [head, *(OutcomeRow(ts, "predict", run, a, b, kind, files) for a, b, kind, files in pairs)]


def record_timing_at(store: Store, ts: float, op: str, seconds: float, detail: str) -> None:
    store.submit(
        lambda conn: conn.execute(
            "INSERT INTO timings (ts, op, seconds, detail) VALUES (?, ?, ?, ?)", (ts, op, seconds, detail)
        )
    )


@pytest.fixture
def timeline(tmp_path: Path):
    """A store holding a recorded history with fixed timestamps (see each test for the hand computation)."""
    store = Store(tmp_path / "timeline.db")
    rows = [
        # Run R3, before any prediction: counted as a merge attempt, not judged.
        *steps(T0 - 100, "integration-r3", ("e", "failed", ())),
        # P1: b and c conflict in src/app.py; a conflicts with the target in README.md.
        *prediction(
            T0,
            ("a", "b", "c"),
            ("b", "c", "pair", ("src/app.py",)),
            ("a", "main", "target", ("README.md",)),
        ),
        # R1 judged by P1: a merges clean (a vs target not met), c meets the b-c conflict (met).
        *steps(
            T0 + 600,
            "integration-r1",
            ("a", "merged", ()),
            ("b", "merged", ()),
            ("c", "conflict", ("src/app.py",)),
        ),
        # P2: c and d conflict in x.py.
        *prediction(T0 + 3600, ("c", "d"), ("c", "d", "pair", ("x.py",))),
        # R2 judged by P2: x was not predicted at all (not judged); c's resolved conflict was not predicted;
        # d merged after c without a conflict (c-d predicted, not met).
        *steps(
            T0 + 4000,
            "integration-r2",
            ("x", "resolved", ("y.py",)),
            ("c", "resolved", ("src/app.py",)),
            ("d", "tests-failed", ()),
        ),
        OutcomeRow(T0 + 5000, "integrate", "", "f", "", "refused"),
        # Outside the 30-day window.
        *steps(NOW - 40 * DAY, "integration-old", ("a", "conflict", ("README.md",))),
        # Resolved hunks.
        *(
            OutcomeRow(T0 + 700, "resolve", "merge-1", path, str(index), source)
            for path, index, source in (
                ("src/app.py", 0, "learned"),
                ("src/app.py", 1, "hand-edited"),
                ("src/app.py", 2, "trivial"),
                ("README.md", 0, "trivial"),
                ("data.bin", -1, "ours"),
            )
        ),
        OutcomeRow(NOW - 40 * DAY, "resolve", "merge-0", "old.py", "0", "llm"),
    ]
    store.record_outcomes(rows)
    for ts, op, seconds, detail in (
        (T0 + 10, "security.scan", 2.0, "100 files, 4000000 bytes, 0 cached"),  # 50 files/s, 2 MB/s
        (T0 + 20, "security.scan", 0.5, "100 files, 1000000 bytes, 90 cached"),  # 200 files/s, 2 MB/s
        (T0 + 30, "security.scan", 1.0, "30 files, 3000000 bytes, 0 cached"),  # 30 files/s, 3 MB/s
        (T0 + 40, "security.history", 4.0, "10 blobs, 40 files, 8000000 bytes"),  # 10 files/s, 2 MB/s
        (T0 + 50, "security.scan", 1.0, "50 files, 5 cached"),  # 50 files/s, bytes not recorded
        (T0 + 60, "security.scan", 0.0, "0 files, 0 bytes, 0 cached"),  # nothing scanned: left out
        (NOW - 40 * DAY, "security.scan", 1.0, "1 files, 1 bytes, 0 cached"),  # outside the window
        (T0 + 70, "workspace.refresh", 0.1, "5 agents"),  # not a scan
    ):
        record_timing_at(store, ts, op, seconds, detail)
    for ts, outcome, latency in (
        (T0 + 1, "run", 300.0),
        (T0 + 2, "run", 500.0),
        (T0 + 3, "none", 400.0),
        (NOW - 40 * DAY, "run", 9000.0),
    ):
        store.record_voice(VoiceRow("status", "status", "{}", 0.9, latency, outcome, ts))
    store.flush()
    yield store
    store.close()


def test_merge_success_rate_counts_each_agents_step_in_the_window(timeline: Store) -> None:
    merges = summarize_outcomes(timeline, now=NOW).merges
    # R1: a, b merged, c conflict; R2: x, c resolved, d tests failed; R3: e failed; f refused; old run out.
    assert (merges.runs, merges.attempts) == (3, 7)
    assert (merges.merged_clean, merges.resolved, merges.conflicts) == (2, 2, 1)
    assert (merges.tests_failed, merges.failed, merges.refused) == (1, 1, 1)
    assert merges.success_rate == pytest.approx(2 / 7)
    assert merges.success_rate_with_resolved == pytest.approx(4 / 7)


def test_predicted_conflicts_are_matched_against_the_conflicts_met(timeline: Store) -> None:
    predictions = summarize_outcomes(timeline, now=NOW).predictions
    # R1 (P1): a-vs-target not met, b-c met. R2 (P2): c's conflict unpredicted, c-d not met. R3: no prediction.
    assert predictions.runs_judged == 2
    assert (predictions.predicted_met, predictions.predicted_not_met) == (1, 2)
    assert (predictions.conflicts_met, predictions.met_not_predicted) == (2, 1)
    assert predictions.precision == pytest.approx(1 / 3)
    assert predictions.recall == pytest.approx(1 / 2)


def test_suggestions_scans_and_voice(timeline: Store) -> None:
    summary = summarize_outcomes(timeline, now=NOW)
    assert summary.suggestions == {"trivial": 2, "hand-edited": 1, "learned": 1, "ours": 1}
    assert summary.suggestion_shares["trivial"] == pytest.approx(0.4)
    assert summary.scans is not None
    assert summary.scans.scans == 5
    assert summary.scans.median_files_per_second == pytest.approx(50.0)  # of 50, 200, 30, 10, 50
    assert summary.scans.median_mb_per_second == pytest.approx(2.0)  # of 2, 2, 3, 2
    assert summary.voice is not None
    assert (summary.voice.utterances, summary.voice.commands_run, summary.voice.median_latency_ms) == (
        3,
        2,
        400.0,
    )


def test_an_empty_store_has_no_rates_rather_than_zeros(tmp_path: Path) -> None:
    store = Store(tmp_path / "empty.db")
    try:
        summary = summarize_outcomes(store, now=NOW)
    finally:
        store.close()
    assert summary.merges.attempts == 0 and summary.merges.success_rate is None
    assert summary.predictions.precision is None and summary.predictions.recall is None
    assert summary.suggestions == {} and summary.scans is None and summary.voice is None


def test_a_store_of_the_previous_schema_is_upgraded_with_its_history_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for version, script in enumerate(MIGRATIONS[: SCHEMA_VERSION - 1], start=1):
        conn.executescript(f"BEGIN;\n{script}\nINSERT INTO schema_version VALUES ({version});\nCOMMIT;")
    conn.execute("INSERT INTO events (ts, kind, agent_id, message) VALUES (1, 'status', 'a', 'kept')")
    conn.close()
    store = Store(path)
    try:
        store.record_outcomes(steps(T0, "integration-1", ("a", "merged", ())))
        store.flush()
        assert store.schema_version() == SCHEMA_VERSION
        assert [e.message for e in store.events()] == ["kept"]
        assert [r.outcome for r in store.outcomes("integrate")] == ["merged"]
    finally:
        store.close()


# -- recording from real sessions -----------------------------------------------------------------------

PAD = "".join(f"line {n}\n" for n in range(8))


def three_hunks(**values: int) -> str:
    return f"a = {values['a']}\n{PAD}b = {values['b']}\n{PAD}c = {values['c']}\n"


def test_writing_a_resolved_file_records_where_each_hunk_came_from(tmp_path: Path) -> None:
    repo = merge_conflict(
        tmp_path,
        {"settings.py": three_hunks(a=1, b=1, c=1)},
        {"settings.py": three_hunks(a=2, b=2, c=2)},
        {"settings.py": three_hunks(a=3, b=3, c=3)},
        style="diff3",
    )
    store = Store(tmp_path / "store.db")
    try:
        learned = LearnedStore(store)
        learned.remember("settings.py", "a = 2\n", "a = 1\n", "a = 3\n", "a = 5\n", "editor")
        session = ResolveSession(repo, learned=learned)
        session.load()
        (state,) = session.files
        assert len(state.hunks) == 3
        (from_memory,) = [s for s in session.suggestions("settings.py", 0) if s.source == "learned"]
        session.accept("settings.py", 0, from_memory)
        session.edit("settings.py", 1, "b = 4\n")
        session.pick("settings.py", 2, "theirs")
        session.write("settings.py")
        store.flush()
        summary = summarize_outcomes(store)
        assert summary.suggestions == {"hand-edited": 1, "learned": 1, "theirs": 1}
        assert [t.detail for t in store.timings("resolve.write")] == ["3 hunks"]
    finally:
        store.close()


# -- end to end: predict, integrate, read the metrics ---------------------------------------------------


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, json.loads(out)


def test_a_predicted_conflict_met_by_integration_shows_in_the_metrics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = build_workspace(tmp_path, work=CONFLICTING)  # b_agent and c_agent both change src/app.py
    db = tmp_path / "cdev.db"
    common = ("--repo", str(ws.repo), "--db", str(db))
    code, predicted = cli_json(capsys, "conflicts", *common, "--check", "--format", "json")
    assert code == 1
    assert [(p["a"], p["b"]) for p in predicted["pairs"] if p["conflicts"]] == [("b_agent", "c_agent")]
    integrate = ("integrate", *common, "--yes", "--allow-violations", "--format", "json")
    code, stopped = cli_json(capsys, *integrate)
    assert code == 1 and stopped["steps"][-1]["conflicted_files"] == ["src/app.py"]

    code, metrics = cli_json(capsys, "metrics", *common, "--format", "json")
    assert code == 0
    outcomes = metrics["outcomes"]
    assert outcomes["merges"]["attempts"] == 3
    assert outcomes["merges"]["success_rate"] == pytest.approx(2 / 3)
    assert outcomes["merges"]["conflicts"] == 1
    assert outcomes["predictions"]["predicted_met"] == 1
    assert outcomes["predictions"]["met_not_predicted"] == 0
    assert outcomes["predictions"]["precision"] == 1.0 and outcomes["predictions"]["recall"] == 1.0
    ops = {t["op"] for t in metrics["timings"]}
    assert {"conflicts.predict", "integrate", "integrate.merge"} <= ops

    # What the person wrote is learned; the next run resolves the same conflict with it.
    store = Store(db)
    LearnedStore(store).remember(
        "src/app.py", "    return 2\n", "    return 1\n", "    return 99\n", "    return 100\n", "editor"
    )
    store.close()
    code, done = cli_json(capsys, *integrate, "--resolve", "learned")
    assert code == 0 and done["steps"][-1]["resolved_files"] == ["src/app.py"]

    code, metrics = cli_json(capsys, "metrics", *common, "--format", "json")
    outcomes = metrics["outcomes"]
    assert (outcomes["merges"]["attempts"], outcomes["merges"]["resolved"]) == (6, 1)
    assert outcomes["merges"]["success_rate_with_resolved"] == pytest.approx(5 / 6)
    assert outcomes["predictions"]["predicted_met"] == 2  # both runs met the b-c conflict
    assert outcomes["suggestions"] == {"learned": {"accepted": 1, "share": 1.0}}

    assert main(["metrics", *common]) == 0
    table = capsys.readouterr().out
    assert "merges: 6 attempts in 2 runs, 67% clean, 83% with conflicts resolved" in table
    assert "conflict prediction: 2 predicted and met, 0 predicted not met, 0 met not predicted" in table
    assert "resolutions accepted: learned 1 (100%)" in table

    assert main(["metrics", *common, "--format", "prometheus"]) == 0
    parsed = text_string_to_metric_families(capsys.readouterr().out)
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in parsed for s in f.samples}
    assert samples[("cdev_integrations_total", (("outcome", "merged"),))] == 4
    assert samples[("cdev_integrations_total", (("outcome", "conflict"),))] == 1
    assert samples[("cdev_integrations_total", (("outcome", "resolved"),))] == 1
    assert samples[("cdev_conflicts_predicted_total", (("met", "true"),))] == 2
    assert samples[("cdev_conflicts_predicted_total", (("met", "false"),))] == 0
    assert samples[("cdev_suggestions_accepted_total", (("source", "learned"),))] == 1
