"""OTLP export: real commands and the real app against a local OTLP/HTTP receiver that decodes what arrives."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from cdev_tui.cli import main
from cdev_tui.demo import build_demo
from cdev_tui.store import Store, TimingRow, default_db_path

MESSAGES = {"/v1/traces": ExportTraceServiceRequest, "/v1/metrics": ExportMetricsServiceRequest}


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    message: Any


class Receiver:
    """An OTLP/HTTP receiver on 127.0.0.1: decodes each protobuf body and keeps it; 404 for other paths."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        lock = threading.Lock()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                kind = MESSAGES.get(self.path)
                if kind is None:
                    self.send_error(404)
                    return
                with lock:
                    received.append(
                        Received(
                            self.path, {k.lower(): v for k, v in self.headers.items()}, kind.FromString(body)
                        )
                    )
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def spans(self) -> list[tuple[dict[str, Any], Any]]:
        """(resource attributes, span) for every span received."""
        return [
            (attributes(rs.resource.attributes), span)
            for r in self.received
            if r.path == "/v1/traces"
            for rs in r.message.resource_spans
            for ss in rs.scope_spans
            for span in ss.spans
        ]

    def last_metrics_per_process(self) -> list[dict[str, Any]]:
        """Each exporting process's last collection, as metric name → the metric."""
        last: dict[str, dict[str, Any]] = {}
        for r in self.received:
            if r.path != "/v1/metrics":
                continue
            for rm in r.message.resource_metrics:
                instance = attributes(rm.resource.attributes)["service.instance.id"]
                last[instance] = {m.name: m for sm in rm.scope_metrics for m in sm.metrics}
        return list(last.values())


def attributes(pairs: Any) -> dict[str, Any]:
    return {kv.key: getattr(kv.value, kv.value.WhichOneof("value")) for kv in pairs}


def gauge(metric: Any) -> dict[tuple[tuple[str, Any], ...], float]:
    """A gauge's points as sorted attribute pairs → value."""
    points = {}
    for p in metric.gauge.data_points:
        points[tuple(sorted(attributes(p.attributes).items()))] = getattr(p, p.WhichOneof("value"))
    return points


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    """The demo workspace (five agents in real worktrees) with a wait for a person in its store."""
    repo = build_demo(tmp_path / "demo").repo
    store = Store(default_db_path(repo / ".git"))
    store.record_session_state("auth_agent", "waiting", 1000.0, "claude")
    store.record_session_state("auth_agent", "working", 1090.0, "claude")
    store.close()
    return repo


def configure(repo: Path, table: str) -> None:
    """Add a ``[telemetry]`` table to the repository's ``.cdev/config.toml``."""
    config = repo / ".cdev" / "config.toml"
    config.write_text(config.read_text() + "\n[telemetry]\n" + table)


def cdev(
    *args: str, env: dict[str, str] | None = None, code: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``cdev-tui ARGS`` in a process of its own (or ``code`` run before it, as a preamble)."""
    program = ["-m", "cdev_tui", *args]
    if code is not None:
        program = ["-c", f"{code}\nfrom cdev_tui.cli import main\nsys.exit(main({list(args)!r}))"]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    return subprocess.run(
        [sys.executable, *program],
        capture_output=True,
        text=True,
        env={**environment, **(env or {})},
        timeout=120,
    )


def store_timings(repo: Path) -> list[TimingRow]:
    store = Store(default_db_path(repo / ".git"))
    try:
        return store.timings(limit=10_000)
    finally:
        store.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_commands_export_a_span_per_operation_and_metrics_equal_to_the_store_and_status(
    demo_repo: Path, receiver: Receiver
) -> None:
    configure(demo_repo, f'otlp_endpoint = "{receiver.url}"\nheaders = {{x-scope-orgid = "tenant-a"}}\n')
    conflicts = cdev("conflicts", "--repo", str(demo_repo), "--format", "json")
    status = cdev("status", "--repo", str(demo_repo), "--format", "json")
    assert (conflicts.returncode, status.returncode) == (0, 0)
    assert conflicts.stderr == status.stderr == ""

    rows = store_timings(demo_repo)
    assert {r.op for r in rows} >= {"workspace.load", "conflicts.predict"}
    spans = receiver.spans()
    assert {r.headers["x-scope-orgid"] for r in receiver.received} == {"tenant-a"}
    assert {(res["service.name"], res["vcs.repository.name"]) for res, _ in spans} == {
        ("cdev-tui", "shopfront")
    }
    # One span per recorded operation, named after it, lasting what the store says and ending when it did.
    got = sorted(
        (s.name, (s.end_time_unix_nano - s.start_time_unix_nano) / 1e9, s.end_time_unix_nano / 1e9)
        for _, s in spans
    )
    want = sorted((r.op, r.seconds, r.ts) for r in rows)
    assert [name for name, _, _ in got] == [op for op, _, _ in want]
    for (_, seconds, ended), (_, recorded, ts) in zip(got, want, strict=True):
        assert seconds == pytest.approx(recorded, abs=1e-6)
        assert 0 < seconds < 60
        assert ended == pytest.approx(ts, abs=1e-3)
    assert {attributes(s.attributes)["cdev.detail"] for _, s in spans} >= {"5 agents"}

    processes = receiver.last_metrics_per_process()
    assert len(processes) == 2
    counts: Counter[str] = Counter()
    sums: Counter[str] = Counter()
    for metrics in processes:
        histogram = metrics["cdev.operation.duration"]
        assert histogram.unit == "s"
        for point in histogram.histogram.data_points:
            op = attributes(point.attributes)["op"]
            counts[op] += point.count
            sums[op] += point.sum
            assert sum(point.bucket_counts) == point.count
    assert counts == Counter(r.op for r in rows)
    for op in counts:
        assert sums[op] == pytest.approx(sum(r.seconds for r in rows if r.op == op))

    # The gauges of the status run equal what `status --format json` printed.
    document = json.loads(status.stdout)
    agents = document["agents"]
    metrics = processes[-1]  # the status run's
    assert gauge(metrics["cdev.agents"]) == {
        (("status", s),): n for s, n in Counter(a["status"] for a in agents).items()
    }
    assert gauge(metrics["cdev.items.done"]) == {(): sum(a["progress"]["done"] for a in agents)}
    assert gauge(metrics["cdev.items.total"]) == {(): sum(a["progress"]["total"] for a in agents)}
    assert gauge(metrics["cdev.agent.progress.ratio"]) == {
        (("agent", a["id"]), ("task", a["task"])): a["progress"]["fraction"] for a in agents
    }
    mean = sum(a["progress"]["fraction"] for a in agents) / len(agents)
    assert gauge(metrics["cdev.progress.ratio"])[()] == pytest.approx(mean, abs=1e-4)
    assert gauge(metrics["cdev.human_wait"]) == {(("agent", "auth_agent"),): 90.0}


def test_a_refusing_endpoint_costs_one_line_and_loses_nothing(demo_repo: Path) -> None:
    port = closed_port()
    configure(demo_repo, f'otlp_endpoint = "http://127.0.0.1:{port}"\ntimeout_seconds = 1\n')
    started = time.monotonic()
    result = cdev("status", "--repo", str(demo_repo), "--format", "json")
    assert result.returncode == 0
    assert len(json.loads(result.stdout)["agents"]) == 5
    assert result.stderr.splitlines() == [
        f"cdev-tui: telemetry endpoint http://127.0.0.1:{port} refused the export (Connection refused); "
        "the figures stay in the store"
    ]
    assert time.monotonic() - started < 20
    assert [r.op for r in store_timings(demo_repo)] == ["workspace.load"]


def test_an_endpoint_answering_an_http_error_is_told_with_the_status(
    demo_repo: Path, receiver: Receiver
) -> None:
    configure(demo_repo, f'otlp_endpoint = "{receiver.url}/not-otlp"\n')
    result = cdev("status", "--repo", str(demo_repo))
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        f"cdev-tui: telemetry endpoint {receiver.url}/not-otlp refused the export (HTTP 404 Not Found); "
        "the figures stay in the store"
    ]
    assert receiver.received == []


def test_the_standard_environment_variable_names_the_endpoint(repo: Path, receiver: Receiver) -> None:
    result = cdev("status", "--repo", str(repo), env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url})
    assert result.returncode == 0
    assert "telemetry" not in result.stderr
    assert [s.name for _, s in receiver.spans()] == ["workspace.load"]
    assert receiver.last_metrics_per_process()[0]["cdev.items.total"].gauge.data_points[0].as_int == 0


def test_an_unusable_standard_variable_is_one_line_and_the_command_works(repo: Path) -> None:
    result = cdev("status", "--repo", str(repo), env={"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"})
    assert result.returncode == 0
    assert (
        "cdev-tui: telemetry: $OTEL_EXPORTER_OTLP_ENDPOINT 'collector:4318' is unusable (not an http(s) URL); "
        "not exporting"
    ) in result.stderr.splitlines()


def test_an_endpoint_without_the_otel_extra_is_one_line_and_the_command_works(demo_repo: Path) -> None:
    configure(demo_repo, f'otlp_endpoint = "http://127.0.0.1:{closed_port()}"\n')
    hide = "import sys\nsys.modules['opentelemetry'] = None  # as if the otel extra were not installed"
    result = cdev("status", "--repo", str(demo_repo), "--format", "json", code=hide)
    assert result.returncode == 0
    assert json.loads(result.stdout)["agents"]
    [line] = result.stderr.splitlines()
    assert line.startswith(
        "cdev-tui: telemetry: an OTLP endpoint is configured but OpenTelemetry is not installed"
    )
    assert "pip install 'cdev-tui[otel]'" in line


def test_without_an_endpoint_opentelemetry_is_never_imported(repo: Path) -> None:
    check = (
        "import sys, atexit\natexit.register(lambda: print('otel loaded:', 'opentelemetry' in sys.modules))"
    )
    result = cdev("status", "--repo", str(repo), code=check)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "otel loaded: False"


async def test_the_app_exports_while_it_runs_and_sends_the_rest_when_it_quits(
    demo_repo: Path, receiver: Receiver
) -> None:
    from cdev_tui.app import make_app
    from tests.apptools import wait_for_everything, wait_until

    configure(demo_repo, f'otlp_endpoint = "{receiver.url}"\nexport_interval_seconds = 1\n')
    app = make_app(demo_repo)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_everything(pilot)

        def exported_while_running() -> bool:
            """the running app sent its spans and its gauges"""
            names = {s.name for _, s in receiver.spans()}
            gauges = receiver.last_metrics_per_process()
            return "workspace.load" in names and bool(gauges) and "cdev.agents" in gauges[-1]

        await wait_until(pilot, exported_while_running, timeout=30)
        snapshot = app.main.snapshot
    rows = store_timings(demo_repo)
    assert sorted(s.name for _, s in receiver.spans()) == sorted(r.op for r in rows)
    assert {"workspace.load", "conflicts.predict"} <= {r.op for r in rows}
    [metrics] = receiver.last_metrics_per_process()
    assert gauge(metrics["cdev.items.done"]) == {(): sum(a.progress[0] for a in snapshot.agents)}
    histogram = Counter()
    for point in metrics["cdev.operation.duration"].histogram.data_points:
        histogram[attributes(point.attributes)["op"]] += point.count
    assert histogram == Counter(r.op for r in rows)


async def test_in_the_app_a_refusing_endpoint_is_kept_as_an_event_and_the_app_goes_on(
    demo_repo: Path,
) -> None:
    from cdev_tui.app import make_app
    from tests.apptools import wait_until

    port = closed_port()
    configure(
        demo_repo,
        f'otlp_endpoint = "http://127.0.0.1:{port}"\nexport_interval_seconds = 1\ntimeout_seconds = 1\n',
    )
    store = Store(default_db_path(demo_repo / ".git"))
    app = make_app(demo_repo)
    try:
        async with app.run_test(size=(140, 40)) as pilot:

            def told() -> bool:
                """the refused export is kept among the store's events"""
                return any(e.kind == "telemetry" for e in store.events())

            await wait_until(pilot, told, timeout=30)
            await wait_until(pilot, lambda: app.main.snapshot is not None)
            assert len(app.main.snapshot.agents) == 5
    finally:
        store.close()
    store = Store(default_db_path(demo_repo / ".git"))
    events = [e.message for e in store.events() if e.kind == "telemetry"]
    store.close()
    assert events == [
        f"telemetry endpoint http://127.0.0.1:{port} refused the export (Connection refused); "
        "the figures stay in the store"
    ]
    assert [r.op for r in store_timings(demo_repo)].count("workspace.load") >= 1


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('endpoint = "http://127.0.0.1:4318"\n', "unknown key telemetry.endpoint (known: "),
        ('otlp_endpoint = "127.0.0.1:4318"\n', "telemetry.otlp_endpoint must be an http(s) URL"),
        ("otlp_endpoint = 4318\n", "telemetry.otlp_endpoint must be an http(s) URL"),
        ('otlp_endpoint = "ftp://me:12345@host"\n', "must be an http(s) URL such as "),
        ("headers = {authorization = 12345}\n", "telemetry.headers.authorization must be a string"),
        ('headers = {"bad name" = "x"}\n', "telemetry.headers.bad name is not a valid header name"),
        (
            'headers = {x-tenant = "a\\r\\nx-injected: 12345"}\n',
            "telemetry.headers.x-tenant must be one line",
        ),
        ('headers = "x"\n', "telemetry.headers must be a table"),
        ("export_interval_seconds = 0\n", "telemetry.export_interval_seconds must be a number of seconds"),
        ("timeout_seconds = true\n", "telemetry.timeout_seconds must be a number of seconds"),
    ],
)
def test_a_malformed_telemetry_table_is_exit_2_naming_the_file_and_the_key(
    repo: Path, table: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_file = repo / ".cdev" / "config.toml"
    configure_file.parent.mkdir()
    configure_file.write_text("[telemetry]\n" + table)
    assert main(["status", "--repo", str(repo)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith(f"cdev-tui: error: {configure_file}: ")
    assert message in line
    assert "12345" not in line  # a header value may be a credential: never echoed
    assert not (repo / ".git" / "cdev").exists()  # nothing was opened or written


def test_a_failing_timing_listener_never_breaks_the_operation_or_the_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    heard: list[TimingRow] = []

    def broken(row: TimingRow) -> None:
        raise RuntimeError("listener bug")

    store.add_timing_listener(broken)
    store.add_timing_listener(heard.append)
    store.record_timing("scan", 0.25, "3 files").result(10)
    store.close()
    assert [(r.op, r.seconds, r.detail) for r in heard] == [("scan", 0.25, "3 files")]
    reopened = Store(tmp_path / "c.db")
    assert [(r.op, r.seconds, r.ts) for r in reopened.timings()] == [("scan", 0.25, heard[0].ts)]
    reopened.close()
