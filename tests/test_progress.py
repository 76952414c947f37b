"""Progress with an ETA for long jobs: the estimator, the command line's bar on a real terminal (and nothing
when piped), the callbacks of prediction, integration, compaction and the model load, and the progress lines
of the app that show while a job runs and go when it ends."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest
from textual.widgets import ProgressBar

from cdev_tui.app import make_app
from cdev_tui.demo import build_demo
from cdev_tui.progress import (
    EtaEstimator,
    JobProgress,
    ProgressTracker,
    cli_progress,
    duration,
    job_reporter,
    throttled,
)
from cdev_tui.screens.integrate import IntegrateScreen
from cdev_tui.screens.security_jobs import SecurityJobsMixin
from cdev_tui.service import open_service
from cdev_tui.store import AgentSnapshotRow, Store
from cdev_tui.widgets.job_progress import JobProgressBar
from tests.apptools import FROZEN_NOW, summary_text, wait_until
from tests.test_integrate import build_workspace

EXE = Path(sys.executable).with_name("cdev-tui")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# --- the estimator -------------------------------------------------------------------------------------


def test_no_estimate_before_two_steps_then_the_rate_so_far() -> None:
    eta = EtaEstimator(window=60)
    assert eta.add(0.0, 0, 10) is None
    assert eta.add(1.0, 1, 10) is None  # one step: no rate to trust yet
    assert eta.add(2.0, 2, 10) == pytest.approx(8.0)  # 2 done in 2 s, 8 left
    assert eta.add(6.0, 4, 10) == pytest.approx(9.0)  # 4 done in 6 s: 1.5 s each, 6 left


def test_the_rate_follows_the_recent_window_when_the_job_speeds_up() -> None:
    eta = EtaEstimator(window=10)
    done = 0
    for second in range(1, 11):  # one a second for ten seconds
        done += 1
        eta.add(float(second), done, 100)
    result = None
    for second in range(11, 31):  # then three a second
        done += 3
        result = eta.add(float(second), done, 100)
    # done is 70 at 30 s and was 40 at 20 s: 3 a second over the window, 30 left -> 10 s
    # (the rate since the start, 70 in 30 s, would say 12.9 s)
    assert done == 70 and result == pytest.approx(10.0)


def test_unknown_total_stall_finish_and_a_restart() -> None:
    eta = EtaEstimator(window=10)
    assert [eta.add(float(t), t, None) for t in range(4)] == [None] * 4  # no total, no estimate
    stalled = EtaEstimator(window=10)
    for t in range(3):
        stalled.add(float(t), t, 10)
    assert stalled.add(100.0, 2, 10) is None  # nothing moved within the window
    done = EtaEstimator()
    assert done.add(0.0, 0, 5) is None
    assert done.add(1.0, 5, 5) == 0.0
    assert done.add(2.0, 7, 5) == 0.0  # past the total: never negative
    back = EtaEstimator(window=60)
    for t in range(4):
        back.add(float(t), t, 10)
    assert back.add(4.0, 0, 10) is None  # done went back: measured again from here
    assert back.add(5.0, 1, 10) is None
    assert back.add(6.0, 2, 10) == pytest.approx(8.0)


def test_tracker_values_count_down_and_read_as_a_user_sees_them() -> None:
    clock = Clock(100.0)
    tracker = ProgressTracker("Scanning for secrets", 10, unit="files", clock=clock)
    clock.now = 101.0
    tracker.update(1)
    clock.now = 102.0
    value = tracker.update(2, detail="auth_agent")
    assert (value.done, value.total, value.elapsed, value.eta) == (2, 10, 2.0, 8.0)
    assert value.counts() == "2/10 files" and value.detail == "auth_agent"
    assert value.timing() == "0:02 elapsed · ETA 0:08"
    assert value.timing(105.0) == "0:05 elapsed · ETA 0:05"  # counted down between reports
    assert value.eta_at(500.0) == 0.0
    clock.now = 103.0
    assert tracker.update(3, 20).total == 20  # the total may grow
    assert tracker.update(4).total == 20  # and is kept when not given
    assert JobProgress("x", 3).counts() == "3" and JobProgress("x", 0).counts() == ""
    assert JobProgress("OSV", 2_500_000, unit="bytes").counts() == "2.5 MB"
    assert [duration(s) for s in (None, 7, 63, 3723)] == ["--:--", "0:07", "1:03", "1:02:03"]


def test_throttled_posts_the_first_the_last_and_at_most_every_interval() -> None:
    clock = Clock(0.0)
    posted: list[tuple[int, int]] = []
    progress = throttled(lambda done, total: posted.append((done, total)), 0.1, clock=clock)
    for step, at in enumerate((0.0, 0.05, 0.1, 0.15, 0.16, 0.3)):
        clock.now = at
        progress(step, 10)
    progress(10, 10)  # the last one, at once
    assert posted == [(0, 10), (2, 10), (5, 10), (10, 10)]


def test_job_reporter_posts_values_with_the_last_one_finished() -> None:
    clock = Clock(0.0)
    posted: list[JobProgress] = []
    report = job_reporter("Integrating", posted.append, total=3, unit="agents", clock=clock)
    for done in (0, 1, 2, 3):
        clock.now += 0.01  # faster than ten a second: only the first and the last go out
        report(done)
    assert [p.done for p in posted] == [0, 3] and posted[-1].finished and posted[-1].job == "Integrating"


def test_cli_progress_draws_nothing_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    with cli_progress("Scanning", 3, unit="files", stream=stream) as bar:
        for done in range(4):
            bar(done)
    assert not bar.active and stream.getvalue() == ""


# --- the command line on a real terminal, and piped -----------------------------------------------------


def run_on_terminal(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run ``argv`` with stderr on a real pseudo-terminal (150 columns) and stdout on a pipe; returns the exit
    code, what the terminal showed and stdout."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 150, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=env
    )
    os.close(slave)
    shown = bytearray()

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read_terminal)
    reader.start()
    out, _ = proc.communicate(timeout=120)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, shown.decode(errors="replace"), out.decode()


def test_scan_shows_a_progress_bar_with_eta_on_a_terminal_and_nothing_when_piped(tmp_path: Path) -> None:
    ws = build_workspace(tmp_path)
    argv = [str(EXE), "scan", "--repo", str(ws.repo), "--format", "json"]
    code, terminal, out = run_on_terminal(argv, tmp_path)
    piped = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True)

    assert code == piped.returncode == 0, terminal + piped.stderr
    assert "Scanning for secrets" in terminal and "━" in terminal
    assert "files" in terminal and "elapsed" in terminal and "ETA" in terminal
    assert json.loads(out)["files_scanned"] == json.loads(piped.stdout)["files_scanned"] > 0
    # piped: stderr as it always was (nothing drawn), stdout one JSON document
    assert "Scanning" not in piped.stderr and "━" not in piped.stderr and "\x1b" not in piped.stderr


def test_conflicts_shows_the_prediction_on_a_terminal(tmp_path: Path) -> None:
    ws = build_workspace(tmp_path)
    code, terminal, out = run_on_terminal(
        [str(EXE), "conflicts", "--repo", str(ws.repo), "--format", "json"], tmp_path
    )
    assert code == 0, terminal
    assert "Predicting conflicts" in terminal and "steps" in terminal and "ETA" in terminal
    assert len(json.loads(out)["pairs"]) == 3


def test_spawn_draws_a_bar_on_a_terminal_and_keeps_its_lines_when_piped(repo: Path, tmp_path: Path) -> None:
    from tests.test_spawn import chain_plan

    plan = tmp_path / "t-1-deployment-plan.json"
    plan.write_text(json.dumps(chain_plan(3)))
    argv = [str(EXE), "spawn", str(plan), "--repo", str(repo), "--format", "json"]
    code, terminal, out = run_on_terminal(argv, tmp_path)
    assert code == 0, terminal
    assert "Spawning agents" in terminal and "3/3 agents" in terminal and "ETA" in terminal
    assert "a3_agent: created" in terminal  # each agent's outcome, written above the bar
    assert [a["outcome"] for a in json.loads(out)["agents"]] == ["created"] * 3

    again = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True)  # piped: the lines as before
    assert again.returncode == 0
    assert "[3/3] a3_agent: skipped" in again.stderr and "Spawning agents" not in again.stderr


# --- the callbacks of the long jobs ------------------------------------------------------------------


def assert_counts_up_to_the_total(seen: list[tuple[int, int]]) -> None:
    assert seen, "no progress reported"
    dones = [done for done, _ in seen]
    assert dones == sorted(dones), seen
    assert seen[-1][0] == seen[-1][1] > 0, seen


def test_prediction_and_integration_report_progress_up_to_their_total(tmp_path: Path) -> None:
    ws = build_workspace(tmp_path)
    (ws.worktree("a_agent") / "src" / "scratch.py").write_text("uncommitted work\n")
    service = open_service(ws.repo, db=tmp_path / "c.db")
    try:
        snapshot = service.load()
        predicted: list[tuple[int, int]] = []
        report = service.predict_conflicts(snapshot, progress=lambda d, t: predicted.append((d, t)))
        assert len(report.pairs) == 3
        assert_counts_up_to_the_total(predicted)

        (ws.worktree("a_agent") / "src" / "scratch.py").unlink()
        integrated: list[tuple[int, int]] = []
        result = service.integrate(
            service.load(), test_command=None, progress=lambda d, t: integrated.append((d, t))
        )
        assert result.ok
        assert integrated == [(0, 3), (1, 3), (2, 3), (3, 3)]
    finally:
        service.close()


def test_compaction_reports_each_table_and_period(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    now = 1_800_000_000.0
    try:
        rows = [AgentSnapshotRow("a", "working", 1, 4, 0, 0, now - 40 * 86400 + n * 60) for n in range(30)]
        store.record_snapshots(rows)
        seen: list[tuple[int, int]] = []
        result = store.compact(now, progress=lambda d, t: seen.append((d, t))).result(timeout=10)
        assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
        assert result.removed["agent_snapshots"] == 29  # one a day is kept past a month
    finally:
        store.close()


def test_the_speech_model_load_reports_its_stages() -> None:
    pytest.importorskip("faster_whisper")
    from cdev_tui.voice.transcribe import Transcriber

    seen: list[tuple[int, int]] = []
    Transcriber(cpu_threads=2).load(progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


# --- the app's progress lines ----------------------------------------------------------------------------


LineState = tuple[bool, JobProgress | None, int, str]


def line_state(line: JobProgressBar) -> LineState:
    """Whether the line shows, the job it shows, how many bars it holds and its figures."""
    return line.display, line.progress, len(line.query(ProgressBar)), line.status_text().plain


async def test_security_pane_shows_the_history_scan_while_it_runs_and_hides_it_after(tmp_path: Path) -> None:
    repo = build_demo(tmp_path / "demo", now=FROZEN_NOW).repo
    app = make_app(repo, db=tmp_path / "c.db")
    seen: list[tuple[str, LineState]] = []

    def hook(message) -> None:
        # Called as each message is dispatched, before its handler runs: the job is still going.
        # The progress line shows from the key press, before the worker's first report.
        kinds = (SecurityJobsMixin.HistoryProgress, SecurityJobsMixin.HistoryScanned)
        if isinstance(message, kinds):
            seen.append((type(message).__name__, line_state(app.screen.query_one("#history-progress"))))

    async with app.run_test(size=(150, 50), message_hook=hook) as pilot:
        await pilot.press("3")
        await wait_until(pilot, lambda: "found" in summary_text(app, "#security-summary"))
        scan_line = app.screen.query_one("#security-progress", JobProgressBar)
        assert line_state(scan_line) == (False, None, 0, "")  # the scan is over: no line, no bar
        app.screen.query_one("#findings-table").focus()  # the pane's keys act
        await pilot.press("H")
        await wait_until(pilot, lambda: "in the history" in summary_text(app, "#history-summary"))

        # the first dispatch of the result (it bubbles on to the app, by then handled)
        shown, progress, bars, text = next(state for name, state in seen if name == "HistoryScanned")
        assert shown and bars == 1 and progress is not None
        assert progress.job == "Scanning history" and progress.done == progress.total > 0
        assert f"{progress.total}/{progress.total} file versions" in text
        assert "elapsed" in text and "ETA" in text and "H again cancels" in text
        history_line = app.screen.query_one("#history-progress", JobProgressBar)
        assert line_state(history_line) == (False, None, 0, "")


async def test_integrate_screen_shows_the_run_while_it_runs_and_hides_it_after(tmp_path: Path) -> None:
    ws = build_workspace(tmp_path)
    app = make_app(ws.repo, db=tmp_path / "c.db")
    seen: list[tuple[str, LineState]] = []

    def hook(message) -> None:
        if isinstance(message, IntegrateScreen.Progress | IntegrateScreen.Done):
            seen.append((type(message).__name__, line_state(app.screen.query_one("#integrate-progress"))))

    async with app.run_test(size=(140, 42), message_hook=hook) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, IntegrateScreen)
        line = screen.query_one("#integrate-progress", JobProgressBar)
        assert line_state(line) == (False, None, 0, "")
        await wait_until(pilot, lambda: "Pre-flight passed" in summary_text(app, "#integrate-problems"))
        await pilot.press("g", "y")
        await wait_until(pilot, lambda: screen.result is not None)

        shown, progress, bars, text = next(state for name, state in seen if name == "Done")
        assert shown and bars == 1 and progress is not None
        assert (progress.job, progress.done, progress.total) == ("Integrating", 3, 3)
        assert "3/3 agents" in text and "escape cancels" in text
        dones = [state[1].done for _, state in seen if state[1] is not None]
        assert dones == sorted(dones)
        assert line_state(line) == (False, None, 0, "")


async def test_the_speech_model_load_shows_above_the_voice_indicator_then_goes(tmp_path: Path) -> None:
    pytest.importorskip("faster_whisper")
    from dataclasses import replace

    from cdev_tui.config import load_config
    from cdev_tui.screens.voice_control import VoiceControlMixin

    ws = build_workspace(tmp_path)
    config = replace(load_config(ws.repo), voice_device="no-such-microphone", voice_speak=False)
    app = make_app(ws.repo, db=tmp_path / "c.db", config=config)
    seen: list[tuple[int, int | None, list[LineState]]] = []

    def hook(message) -> None:
        if isinstance(message, VoiceControlMixin.VoiceLoadProgress):
            lines = app.screen.query(".voice-load-progress").results(JobProgressBar)
            seen.append((message.progress.done, message.progress.total, [line_state(x) for x in lines]))

    async with app.run_test(size=(140, 42), message_hook=hook) as pilot:
        await wait_until(pilot, lambda: app.main.snapshot is not None)
        await pilot.press("v")  # loads the model, then finds no such microphone
        await wait_until(pilot, lambda: app.voice_state.phase == "unavailable", timeout=60)

        stages = [(done, total) for done, total, _ in seen]
        assert stages[0] == (0, 3) and stages[-1] == (3, 3) and stages == sorted(stages)
        for _done, _total, lines in seen:  # one line, above the indicator, while the model loads
            assert len(lines) == 1 and lines[0][0] and lines[0][1].job == "Loading the speech model"
        assert "elapsed" in seen[0][2][0][3]
        assert not app.screen.query(".voice-load-progress")
        assert "voice unavailable" in summary_text(app, "#voice-indicator")
