"""``cdev-tui metrics`` as Prometheus text (parsed by prometheus_client), CSV, and ``--serve`` scraped over HTTP."""

from __future__ import annotations

import csv
import io
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cdev_tui.cli import main
from cdev_tui.demo import build_demo
from cdev_tui.store import OutcomeRow, Store


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Path, Path]:
    """The demo repository and a store with some recorded history (operations and a wait for a human)."""
    repo = build_demo(tmp_path / "demo").repo
    db = tmp_path / "c.db"
    store = Store(db)
    for seconds in (0.02, 0.04, 0.3, 2.0):
        store.record_timing("refresh", seconds)
    store.record_timing("scan", 0.7)
    store.record_session_state("auth_agent", "waiting", 1000.0, "claude")
    store.record_session_state("auth_agent", "working", 1090.0, "claude")
    store.close()
    return repo, db


def families(text: str) -> dict[str, object]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_prometheus_text_parses_with_counters_and_a_histogram(
    demo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, db = demo
    assert main(["metrics", "--repo", str(repo), "--db", str(db), "--format", "prometheus"]) == 0
    text = capsys.readouterr().out
    parsed = families(text)
    assert {"cdev_up", "cdev_agents", "cdev_progress_ratio", "cdev_agent_progress_ratio"} <= set(parsed)
    assert "# TYPE cdev_operation_duration_seconds histogram" in text
    assert "# TYPE cdev_human_wait_seconds_total counter" in text
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in parsed.values() for s in f.samples}
    assert samples[("cdev_agents", (("status", "blocked"),))] == 1
    assert samples[("cdev_human_wait_seconds_total", (("agent", "auth_agent"),))] == 90.0
    assert samples[("cdev_operation_duration_seconds_count", (("op", "refresh"),))] == 4
    assert samples[("cdev_operation_duration_seconds_bucket", (("le", "0.05"), ("op", "refresh")))] == 2
    assert samples[("cdev_operation_duration_seconds_sum", (("op", "refresh"),))] == pytest.approx(2.36)
    assert samples[("cdev_agent_progress_ratio", (("agent", "api_agent"), ("task", "SHOP-42")))] == 0.75


def test_prometheus_counts_outcomes_and_scan_throughput(
    demo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, db = demo
    now = time.time()
    store = Store(db)
    store.record_outcomes(
        [
            OutcomeRow(now - 60, "predict", "p1", "", "", "prediction", ("api_agent", "cart_agent")),
            OutcomeRow(now - 60, "predict", "p1", "api_agent", "cart_agent", "pair", ("src/shop/api.py",)),
            OutcomeRow(now, "integrate", "integration-1", "api_agent", "0", "merged"),
            OutcomeRow(
                now, "integrate", "integration-1", "cart_agent", "1", "conflict", ("src/shop/api.py",)
            ),
            OutcomeRow(now, "resolve", "merge-1", "src/shop/api.py", "0", "trivial"),
            OutcomeRow(now, "resolve", "merge-1", "src/shop/api.py", "1", "hand-edited"),
        ]
    )
    store.record_timing("security.scan", 0.5, "200 files, 3000000 bytes, 0 cached")
    store.close()
    assert main(["metrics", "--repo", str(repo), "--db", str(db), "--format", "prometheus"]) == 0
    text = capsys.readouterr().out
    for name in ("cdev_integrations", "cdev_conflicts_predicted", "cdev_suggestions_accepted"):
        assert f"# TYPE {name}_total counter" in text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value for f in families(text).values() for s in f.samples
    }
    assert samples[("cdev_integrations_total", (("outcome", "merged"),))] == 1
    assert samples[("cdev_integrations_total", (("outcome", "conflict"),))] == 1
    assert samples[("cdev_conflicts_predicted_total", (("met", "true"),))] == 1
    assert samples[("cdev_conflicts_unpredicted_total", ())] == 0
    assert samples[("cdev_suggestions_accepted_total", (("source", "hand-edited"),))] == 1
    assert samples[("cdev_scan_throughput", (("unit", "files_per_second"),))] == 400.0
    assert samples[("cdev_scan_throughput", (("unit", "megabytes_per_second"),))] == 6.0


def test_csv_has_a_row_per_agent(demo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    repo, db = demo
    assert main(["metrics", "--repo", str(repo), "--db", str(db), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["agent"] for r in rows] == [
        "db_agent",
        "catalog_agent",
        "api_agent",
        "auth_agent",
        "cart_agent",
    ]
    auth = next(r for r in rows if r["agent"] == "auth_agent")
    assert (auth["status"], auth["done"], auth["total"], auth["waited_seconds"]) == (
        "in progress",
        "2",
        "4",
        "90.0",
    )


def test_a_store_that_is_not_there_or_not_a_store_is_exit_2(
    demo: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = demo
    assert main(["metrics", "--repo", str(repo), "--db", str(tmp_path / "typo.db")]) == 2
    assert "typo.db: no such store" in capsys.readouterr().err
    assert not (tmp_path / "typo.db").exists()  # nothing made
    not_a_store = tmp_path / "notes.txt"
    not_a_store.write_text("hello\n" * 100)
    assert main(["metrics", "--repo", str(repo), "--db", str(not_a_store)]) == 2
    assert "not a cdev-tui database" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_scrapes_with_current_figures_and_a_busy_port_is_exit_2(
    demo: tuple[Path, Path],
) -> None:
    repo, db = demo
    port = free_port()
    exe = Path(sys.executable).with_name("cdev-tui")
    command = [str(exe), "metrics", "--serve", "--port", str(port), "--repo", str(repo), "--db", str(db)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert f"serving http://127.0.0.1:{port}/metrics" in server.stdout.readline()
        url = f"http://127.0.0.1:{port}/metrics"
        first = urllib.request.urlopen(url, timeout=10).read().decode()
        assert families(first)["cdev_up"].samples[0].value == 1
        assert 'cdev_agents{status="blocked"} 1.0' in first
        checklist = repo.parent / "shopfront-work-trees" / "SHOP-42-auth_agent" / "workspaces" / "auth_agent"
        path = checklist / "validation_checklist.txt"
        path.write_text(path.read_text().replace("[ ]", "[x]"))  # the next scrape reads the workspace again
        again = urllib.request.urlopen(url, timeout=10).read().decode()
        assert 'cdev_agent_progress_ratio{agent="auth_agent",task="SHOP-42"} 1.0' in again
        busy = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert busy.returncode == 2 and f"cannot serve on 127.0.0.1:{port}" in busy.stderr
        assert "Traceback" not in busy.stderr
    finally:
        server.terminate()
        server.wait(10)
