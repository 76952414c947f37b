"""``cdev-tui metrics``: the Metrics pane headless, as Prometheus text or CSV, or served on ``/metrics``."""

from __future__ import annotations

import argparse
import csv
import sys
from typing import Any

from cdev_tui.cli.common import EXIT_OK, add_format, print_json, start_dir, with_service
from cdev_tui.errors import CdevError

HELP = "metrics from the store (table, json, prometheus, csv), or served for Prometheus with --serve"
DEFAULT_PORT = 9464


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    add_format(sub, "prometheus", "csv")
    sub.add_argument("--serve", action="store_true", help="serve /metrics for Prometheus until interrupted")
    sub.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port for --serve (default {DEFAULT_PORT})"
    )
    sub.add_argument(
        "--host", default="127.0.0.1", help="address for --serve (default 127.0.0.1: this machine)"
    )


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    if args.db is not None and not args.db.exists():
        raise CdevError(
            f"{args.db}: no such store (metrics reads the history kept there; leave out --db for "
            "the repository's own)"
        )
    if args.serve:
        return _serve(args)
    if args.format in ("prometheus", "csv"):
        return with_service(args, lambda service: _export(service, args.format))

    def read(service: Any) -> tuple[Any, Any]:
        snapshot = service.load()
        return service.metrics(snapshot), service.forecast(snapshot), service.human_wait()

    metrics, forecast, waited = with_service(args, read)
    from cdev_tui.widgets.cells import age_text

    if args.format == "json":
        from dataclasses import asdict

        from cdev_tui.metrics_outcomes import outcomes_json

        caches = {op: {"hits": h, "misses": m} for op, (h, m) in metrics.caches.items()}
        print_json(
            {
                **asdict(metrics),
                "caches": caches,
                "outcomes": outcomes_json(metrics.outcomes) if metrics.outcomes else None,
                "redundant_avoided": metrics.redundant_avoided,
                "speedup": metrics.speedup,
                "forecast": _forecast_json(forecast),
                "waited_seconds": waited,
            }
        )
    else:
        print(
            f"agents: {metrics.agents_total} ({', '.join(f'{n} {s}' for s, n in metrics.by_status.items())})"
        )
        print(f"progress: {metrics.overall_progress:.0%} ({metrics.items_done}/{metrics.items_total} items)")
        print(
            f"estimate: {metrics.sequential_minutes} min sequential, {metrics.critical_minutes} min critical path"
        )
        print(f"critical path: {' → '.join(metrics.critical_path) or '-'}")
        print(f"ownership violations: {metrics.violations}")
        for t in metrics.timings:
            print(f"timing {t.op}: {t.count} runs, median {t.median_seconds * 1000:.0f} ms")
        for op, (hits, misses) in metrics.caches.items():
            print(f"cache {op}: {hits} hits, {misses} misses ({hits / ((hits + misses) or 1):.0%} avoided)")
        if metrics.caches:
            print(f"redundant operations avoided: {metrics.redundant_avoided:.0%}")
        if metrics.outcomes is not None:
            from cdev_tui.metrics_outcomes import outcome_lines

            for line in outcome_lines(metrics.outcomes):
                print(line)
        print(f"forecast: {_forecast_text(forecast)}")
        for agent_id, reasons in waited.items():
            parts = [f"{age_text(seconds)} {reason}" for reason, seconds in reasons.items() if seconds]
            if parts:
                print(f"waited {agent_id}: {', '.join(parts)}")
    return EXIT_OK


def _families(service: Any) -> list[Any]:
    from cdev_tui.exposition import metric_families

    snapshot = service.load()
    return metric_families(
        snapshot, service.metrics(snapshot), service.store, service.session_states(snapshot)
    )


def _export(service: Any, format: str) -> int:
    if format == "prometheus":
        from cdev_tui.exposition import exposition

        sys.stdout.write(exposition(lambda: _families(service)))
        return EXIT_OK
    snapshot = service.load()
    sessions = service.session_states(snapshot)
    waited = service.store.session_seconds("waiting")
    writer = csv.writer(sys.stdout)
    writer.writerow(
        ["agent", "task", "status", "done", "total", "progress", "session", "waited_seconds", "stalled"]
    )
    for agent in snapshot.agents:
        done, total = agent.progress
        session = sessions.get(agent.agent_id)
        writer.writerow(
            [
                agent.agent_id,
                agent.facts.task_id,
                str(agent.status),
                done,
                total,
                f"{agent.fraction:.4f}",
                str(session.state) if session else "",
                f"{waited.get(agent.agent_id, 0.0):.1f}",
                int(agent.stalled),
            ]
        )
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    """Serve ``/metrics`` until interrupted; every scrape reads the workspace and the store afresh."""
    from prometheus_client import start_http_server

    from cdev_tui.exposition import registry_for
    from cdev_tui.service import open_service

    if not 0 <= args.port <= 65535:
        raise CdevError(f"--port {args.port}: not a port number (0 to 65535)")
    service = open_service(start_dir(args), db=args.db)
    try:
        service.load()  # a repository that cannot be read fails here, with its one-line error
        try:
            server, _thread = start_http_server(
                args.port, addr=args.host, registry=registry_for(lambda: _families(service))
            )
        except OSError as exc:
            raise CdevError(f"cannot serve on {args.host}:{args.port} ({exc.strerror or exc})") from None
        host, port = server.server_address[:2]
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"cdev-tui: warning: /metrics is open to the network on {host}", file=sys.stderr)
        print(f"serving http://{host}:{port}/metrics (Ctrl-C stops)", flush=True)
        try:
            _thread.join()
        except KeyboardInterrupt:
            server.shutdown()
    finally:
        service.close()
    return EXIT_OK


def _when(epoch: float | None) -> str | None:
    from datetime import UTC, datetime

    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat(timespec="minutes")


def _forecast_json(forecast: Any) -> dict[str, Any]:
    return {
        "finish": _when(forecast.finish),
        "early": _when(forecast.early),
        "late": _when(forecast.late),
        "calibration": forecast.calibration,
        "agents": [
            {
                "agent": f.agent_id,
                "remaining": f.remaining,
                "finish": _when(f.finish),
                "early": _when(f.early),
                "late": _when(f.late),
                "basis": f.basis,
            }
            for f in forecast.agents
        ],
    }


def _forecast_text(forecast: Any) -> str:
    if forecast.finish is None:
        unknown = [f.agent_id for f in forecast.agents if f.finish is None]
        return f"unknown until {', '.join(unknown) or 'an agent'} shows progress or has an estimate"
    text = f"run done around {_when(forecast.finish)} (between {_when(forecast.early)} and {_when(forecast.late)})"
    if forecast.calibration is not None:
        text += f"; agents take {forecast.calibration:.1f}x their estimates so far"
    return text
