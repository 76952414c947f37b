"""OpenTelemetry traces and metrics over OTLP/HTTP, when an endpoint is configured (Textual-free).

Every timed operation the store records becomes a span named after it and a point of the histogram
``cdev.operation.duration``; the latest workspace figures are observable gauges. OpenTelemetry (the ``otel``
extra) is imported only when an endpoint is configured, so without one this costs nothing. The store stays
the system of record: an endpoint that refuses loses nothing, and is told once, in one line.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cdev_tui.errors import CdevError

if TYPE_CHECKING:
    from cdev_tui.config import Config
    from cdev_tui.store import Store, TimingRow
    from cdev_tui.workspace import WorkspaceSnapshot

ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
"""The standard variable naming the OTLP endpoint, used when the ``[telemetry]`` table names none."""
SERVICE_NAME = "cdev-tui"
RETRY_AFTER_SECONDS = 30.0
"""After a failed export, exports are dropped (the store keeps the figures) this long before trying again."""
INSTALL_HINT = "pip install 'cdev-tui[otel]'"
TELEMETRY_EVENT = "telemetry"
"""The store event kind under which a refused export is kept."""


@dataclass(frozen=True)
class TelemetrySettings:
    """The ``[telemetry]`` table of the config."""

    otlp_endpoint: str = ""
    """The OTLP/HTTP base URL (``http://127.0.0.1:4318``); ``/v1/traces`` and ``/v1/metrics`` are added.
    "" = ``$OTEL_EXPORTER_OTLP_ENDPOINT``, else no export."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Sent with every export (e.g. a tenant or an authorization header); never shown."""
    export_interval_seconds: float = 60.0
    """How often the metrics are sent while the app runs (a command sends them once, when it ends)."""
    timeout_seconds: float = 5.0
    """How long one export may take, retries included."""


def parse_telemetry(data: Any, source: str) -> TelemetrySettings:
    """The ``[telemetry]`` table; a one-line error naming the file and the key when it is wrong."""
    if not isinstance(data, Mapping):
        raise CdevError(f"{source}: telemetry must be a table ([telemetry])")
    known = set(TelemetrySettings.__dataclass_fields__)
    changes: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{source}: telemetry.{key}"
        if key not in known:
            raise CdevError(f"{source}: unknown key telemetry.{key} (known: {', '.join(sorted(known))})")
        if key == "otlp_endpoint":
            if not isinstance(value, str) or (value.strip() and endpoint_problem(value.strip())):
                raise CdevError(
                    f"{where} must be an http(s) URL such as http://127.0.0.1:4318, got {_echo(value)}"
                )
            changes[key] = value.strip()
        elif key == "headers":
            if not isinstance(value, Mapping):
                raise CdevError(f'{where} must be a table of header = "value" strings')
            for name, text in value.items():  # values are never echoed: they may be credentials
                if not _HEADER_NAME.fullmatch(name):
                    raise CdevError(f"{where}.{name} is not a valid header name")
                if not isinstance(text, str):
                    raise CdevError(f"{where}.{name} must be a string")
                if "\r" in text or "\n" in text:
                    raise CdevError(f"{where}.{name} must be one line")
            changes[key] = {str(name): text for name, text in value.items()}
        else:
            low, high = (1.0, 86400.0) if key == "export_interval_seconds" else (0.5, 300.0)
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                raise CdevError(
                    f"{where} must be a number of seconds from {low:g} to {high:g}, got {value!r}"
                )
            changes[key] = float(value)
    return TelemetrySettings(**changes)


_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def endpoint_problem(url: str) -> str | None:
    """What is wrong with an OTLP endpoint URL (None: nothing)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL"
    if parts.query or parts.fragment:
        return "a base URL takes no query or fragment"
    return None


def _echo(value: Any) -> str:
    """A bad value as an error message repeats it: hidden when it could hold a password (``user:pw@``)."""
    return "a URL with credentials in it" if isinstance(value, str) and "@" in value else repr(value)


def shown_endpoint(url: str) -> str:
    """The endpoint as messages show it: scheme, host, port and path, never a user or password in it."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}"


GAUGES = (
    ("cdev.agents", "{agent}", "Agents by status."),
    ("cdev.progress.ratio", "1", "Mean checklist completion over all agents."),
    ("cdev.items.done", "{item}", "Checklist items done over all agents."),
    ("cdev.items.total", "{item}", "Checklist items over all agents."),
    ("cdev.ownership.violations", "{file}", "Changed files not owned by the agent that changed them."),
    ("cdev.agent.progress.ratio", "1", "Checklist completion of each agent."),
    ("cdev.human_wait", "s", "Seconds each agent's program has waited for a person."),
)
"""The observable gauges: name, unit, description."""


@dataclass(frozen=True)
class Figures:
    """The workspace figures the gauges report, as of the last read."""

    by_status: Mapping[str, int]
    overall_progress: float
    items_done: int
    items_total: int
    violations: int
    agents: tuple[tuple[str, str, float], ...]
    """(agent id, task id, checklist fraction) for each agent."""

    def points(self) -> dict[str, list[tuple[float, dict[str, str]]]]:
        """Gauge name → (value, attributes) for each of its series."""
        return {
            "cdev.agents": [(n, {"status": status}) for status, n in self.by_status.items()],
            "cdev.progress.ratio": [(self.overall_progress, {})],
            "cdev.items.done": [(self.items_done, {})],
            "cdev.items.total": [(self.items_total, {})],
            "cdev.ownership.violations": [(self.violations, {})],
            "cdev.agent.progress.ratio": [(f, {"agent": a, "task": t}) for a, t, f in self.agents],
        }


def figures_of(snapshot: WorkspaceSnapshot) -> Figures:
    """The gauges' figures, computed as the Metrics pane and ``status`` compute them."""
    from cdev_tui.metrics import summarize

    summary = summarize(snapshot, None)
    return Figures(
        by_status=summary.by_status,
        overall_progress=round(summary.overall_progress, 4),
        items_done=summary.items_done,
        items_total=summary.items_total,
        violations=summary.violations,
        agents=tuple((a.agent_id, a.facts.task_id, round(a.fraction, 4)) for a in snapshot.agents),
    )


def print_line(text: str) -> None:
    """The command line's way to tell: one line on stderr (looked up at each call: the app redirects it)."""
    print(f"{SERVICE_NAME}: {text}", file=sys.stderr, flush=True)


def start_telemetry(
    config: Config,
    store: Store,
    repo_name: str,
    *,
    env: Mapping[str, str] | None = None,
    report: Callable[[str], None] = print_line,
) -> Telemetry | None:
    """Export the store's timings and the workspace figures when an endpoint is configured; None otherwise.

    A missing ``otel`` extra or an unusable ``$OTEL_EXPORTER_OTLP_ENDPOINT`` is reported (one line) and
    nothing is exported; the command goes on.
    """
    env = os.environ if env is None else env
    settings = config.telemetry if isinstance(config.telemetry, TelemetrySettings) else TelemetrySettings()
    endpoint = settings.otlp_endpoint or env.get(ENDPOINT_ENV, "").strip()
    if not endpoint or env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    if not settings.otlp_endpoint and (problem := endpoint_problem(endpoint)):
        report(f"telemetry: ${ENDPOINT_ENV} {_echo(endpoint)} is unusable ({problem}); not exporting")
        return None
    try:
        telemetry = Telemetry(endpoint, settings, repo_name, report=report)
    except ImportError as exc:
        report(
            f"telemetry: an OTLP endpoint is configured but OpenTelemetry is not installed (cannot import "
            f"{exc.name or 'opentelemetry'}); not exporting ({INSTALL_HINT})"
        )
        return None
    telemetry.waiting = lambda: store.session_seconds("waiting")
    telemetry.keep = lambda text: store.record_event(TELEMETRY_EVENT, text)
    store.add_timing_listener(telemetry.record_timing)
    return telemetry


class Telemetry:
    """Spans, a duration histogram and workspace gauges, exported over OTLP/HTTP (protobuf).

    Raises ImportError when the ``otel`` extra is not installed.
    """

    def __init__(
        self,
        endpoint: str,
        settings: TelemetrySettings,
        repo_name: str,
        *,
        report: Callable[[str], None] = print_line,
    ) -> None:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import MetricExportResult, PeriodicExportingMetricReader
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExportResult

        from cdev_tui import __version__
        from cdev_tui.exposition import DURATION_BUCKETS

        self.endpoint = endpoint
        self.report = report
        """Where the one-line notice of a refused export goes (the app may point it at its notifications;
        it is called from an exporter thread)."""
        self.keep: Callable[[str], Any] | None = None
        """Also keeps that notice (in the store's events, where the Metrics pane lists it)."""
        self.waiting: Callable[[], Mapping[str, float]] | None = None
        """Agent id → seconds its program has waited for a person (read at each export)."""
        self._figures: Figures | None = None
        self._link = _Link(endpoint, self._tell, settings.timeout_seconds)
        capture = _quiet_opentelemetry_logs()
        base = endpoint.rstrip("/")
        timeout, interval = settings.timeout_seconds, settings.export_interval_seconds
        resource = Resource.create(
            {"service.name": SERVICE_NAME, "service.version": __version__, "vcs.repository.name": repo_name}
        )
        spans = OTLPSpanExporter(f"{base}/v1/traces", headers=dict(settings.headers), timeout=timeout)
        self._tracer_provider = TracerProvider(resource=resource, shutdown_on_exit=False)
        self._tracer_provider.add_span_processor(
            BatchSpanProcessor(
                _Guarded(spans, self._link, capture, SpanExportResult.SUCCESS, SpanExportResult.FAILURE),
                schedule_delay_millis=min(interval, 5.0) * 1000,
                export_timeout_millis=timeout * 1000,
            )
        )
        metrics = OTLPMetricExporter(f"{base}/v1/metrics", headers=dict(settings.headers), timeout=timeout)
        reader = PeriodicExportingMetricReader(
            _Guarded(metrics, self._link, capture, MetricExportResult.SUCCESS, MetricExportResult.FAILURE),
            export_interval_millis=interval * 1000,
            export_timeout_millis=timeout * 1000,
        )
        self._meter_provider = MeterProvider(
            resource=resource, metric_readers=[reader], shutdown_on_exit=False
        )
        self._timeout = timeout
        self._tracer = self._tracer_provider.get_tracer("cdev_tui", __version__)
        meter = self._meter_provider.get_meter("cdev_tui", __version__)
        self._durations = meter.create_histogram(
            "cdev.operation.duration",
            unit="s",
            description="Durations of recorded operations (refresh, scan, prediction, merge, ...).",
            explicit_bucket_boundaries_advisory=list(DURATION_BUCKETS),
        )
        self._gauges(meter)
        self._closed = False

    def _gauges(self, meter: Any) -> None:
        from opentelemetry.metrics import Observation

        def reader(name: str) -> Callable[[Any], list[Any]]:
            def callback(_options: Any) -> list[Any]:
                return [Observation(value, attributes) for value, attributes in self._points(name)]

            return callback

        for name, unit, description in GAUGES:
            meter.create_observable_gauge(name, [reader(name)], unit=unit, description=description)

    def _points(self, name: str) -> list[tuple[float, dict[str, str]]]:
        """A gauge's current values (read on the exporter's thread at each collection)."""
        if name == "cdev.human_wait":
            try:
                seconds = self.waiting() if self.waiting else {}
            except Exception:  # a store that cannot be read now is simply not reported this time
                return []
            return [(round(s, 3), {"agent": agent}) for agent, s in sorted(seconds.items())]
        figures = self._figures
        return [] if figures is None else figures.points().get(name, [])

    def _tell(self, text: str) -> None:
        self.report(text)
        if self.keep is not None:
            self.keep(text)

    def record_operation(
        self, op: str, seconds: float, detail: str = "", ended_at: float | None = None
    ) -> None:
        """One span named ``op`` that lasted ``seconds`` up to ``ended_at`` (epoch seconds; default now), and
        one point of the duration histogram."""
        if self._closed:
            return
        end = int((time.time() if ended_at is None else ended_at) * 1e9)
        start = end - int(max(seconds, 0.0) * 1e9)
        span = self._tracer.start_span(op, start_time=start, attributes={"cdev.detail": detail})
        span.end(end_time=end)
        self._durations.record(max(seconds, 0.0), {"op": op})

    def record_timing(self, row: TimingRow) -> None:
        """A store timing listener: :meth:`record_operation` for the row."""
        self.record_operation(row.op, row.seconds, row.detail, row.ts)

    def observe(self, snapshot: WorkspaceSnapshot) -> None:
        """Take the gauges' figures from a freshly read workspace (sent with the next export)."""
        self._figures = figures_of(snapshot)

    def shutdown(self) -> None:
        """Send what is pending (spans first, then the metrics' final collection) and stop the exporters."""
        if self._closed:
            return
        self._closed = True
        millis = self._timeout * 1000
        self._tracer_provider.shutdown()
        self._meter_provider.shutdown(timeout_millis=millis * 2)


class _Link:
    """Whether the endpoint takes exports: after a failure, exports are dropped for a while (the store keeps
    everything), and the failure is told once per outage."""

    def __init__(self, endpoint: str, report: Callable[[str], None], probe_timeout: float) -> None:
        self._endpoint = endpoint
        self._report = report
        self._probe_timeout = probe_timeout
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._told = False

    def open(self) -> bool:
        """False while a recent failure says the next export would fail too."""
        return time.monotonic() >= self._down_until

    def failed(self, reason: str | None, said: str | None) -> None:
        """An export failed: ``reason`` is what the exporter's logs said of the cause (None: nothing clear),
        ``said`` the first thing they said at all."""
        with self._lock:
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            if self._told:
                return
            self._told = True
        why = reason or _probe(self._endpoint, self._probe_timeout) or said or "no answer"
        self._report(
            f"telemetry endpoint {shown_endpoint(self._endpoint)} refused the export ({why}); "
            "the figures stay in the store"
        )

    def succeeded(self) -> None:
        with self._lock:
            self._down_until = 0.0
            self._told = False


class _Guarded:
    """An OTLP exporter behind the link: skips exports while the endpoint is down, and turns the exporter's
    log lines about a failure into one reason."""

    def __init__(self, inner: Any, link: _Link, capture: _Capture, success: Any, failure: Any) -> None:
        self._inner = inner
        self._link = link
        self._capture = capture
        self._success, self._failure = success, failure
        # The metric reader asks its exporter for these (OpenTelemetry's own exporters carry them).
        self._preferred_temporality = getattr(inner, "_preferred_temporality", None)
        self._preferred_aggregation = getattr(inner, "_preferred_aggregation", None)

    def export(self, batch: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._link.open():
            return self._failure
        self._capture.begin()
        try:
            result = self._inner.export(batch, *args, **kwargs)
        except Exception as exc:  # an exporter bug must not reach the batch thread's logging either
            result, reason, said = self._failure, _short_error(exc), None
        else:
            reason, said = self._capture.reason(), self._capture.said()
        if result == self._success:
            self._link.succeeded()
        else:
            self._link.failed(reason, said)
        return result

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return bool(self._inner.force_flush(timeout_millis))

    def shutdown(self, *args: Any, **kwargs: Any) -> None:
        self._inner.shutdown(*args, **kwargs)


class _Capture(logging.Handler):
    """Keeps, per thread, what OpenTelemetry logs during one export (the first clear cause, the first line);
    prints nothing."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self._local = threading.local()

    def begin(self) -> None:
        self._local.reason = self._local.said = None

    def reason(self) -> str | None:
        return getattr(self._local, "reason", None)

    def said(self) -> str | None:
        return getattr(self._local, "said", None)

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self._local, "reason", None) is None:
            self._local.reason = _reason_of(record)
        if getattr(self._local, "said", None) is None:
            self._local.said = _clip(record.getMessage())


def _quiet_opentelemetry_logs() -> _Capture:
    """OpenTelemetry's loggers go to the capture only: no warning or traceback ever reaches the terminal."""
    logger = logging.getLogger("opentelemetry")
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    for handler in logger.handlers:
        if isinstance(handler, _Capture):
            return handler
    capture = _Capture()
    logger.addHandler(capture)
    return capture


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\"()\[\]]+)")


def _reason_of(record: logging.LogRecord) -> str | None:
    """The cause a log record of the exporter names: an error, an HTTP status, or None."""
    args = record.args if isinstance(record.args, tuple) else ()
    for arg in args:
        if isinstance(arg, BaseException):
            return _short_error(arg)
    if record.exc_info and record.exc_info[1] is not None:
        return _short_error(record.exc_info[1])
    codes = [a for a in args if isinstance(a, int) and not isinstance(a, bool) and 100 <= a < 600]
    if codes:
        words = next((a for a in args[args.index(codes[0]) + 1 :] if isinstance(a, str)), "")
        return f"HTTP {codes[0]} {words}".strip()
    if str(record.msg).startswith("Transient error") and args and isinstance(args[0], str):
        return args[0]  # the HTTP reason phrase of a status worth retrying (429, 502, 503, 504)
    return None


def _probe(endpoint: str, timeout: float) -> str | None:
    """Why a TCP connection to the endpoint fails (``Connection refused``); None when it connects."""
    parts = urlsplit(endpoint)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=min(timeout, 2.0)):
            return None
    except TimeoutError:
        return f"no answer within {min(timeout, 2.0):g} s"
    except OSError as exc:
        return exc.strerror or str(exc)


def _short_error(exc: BaseException) -> str:
    """``Connection refused`` rather than three nested exception reprs."""
    text = str(exc)
    found = _ERRNO.search(text)
    if found:
        return found.group(1).strip().rstrip(".")
    return _clip(text or type(exc).__name__)


def _clip(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= 120 else first[:117] + "..."
