"""``cdev-tui metrics``: the Metrics pane headless, also as Prometheus text."""

from __future__ import annotations

import argparse

from cdev_tui.cli.common import EXIT_OK, add_format, print_json, with_service

HELP = "metrics from the store"


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    add_format(sub, "prometheus")


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    metrics = with_service(args, lambda service: service.metrics(service.load()))
    if args.format == "json":
        from dataclasses import asdict

        caches = {op: {"hits": h, "misses": m} for op, (h, m) in metrics.caches.items()}
        print_json(
            {
                **asdict(metrics),
                "caches": caches,
                "redundant_avoided": metrics.redundant_avoided,
                "speedup": metrics.speedup,
            }
        )
    elif args.format == "prometheus":
        lines = [
            "# HELP cdev_agents Agents by status.",
            "# TYPE cdev_agents gauge",
            *(f'cdev_agents{{status="{s}"}} {n}' for s, n in metrics.by_status.items()),
            "# HELP cdev_progress_ratio Mean checklist completion over all agents.",
            "# TYPE cdev_progress_ratio gauge",
            f"cdev_progress_ratio {metrics.overall_progress:.4f}",
            "# HELP cdev_ownership_violations Changed files not owned by the agent that changed them.",
            "# TYPE cdev_ownership_violations gauge",
            f"cdev_ownership_violations {metrics.violations}",
            "# HELP cdev_operation_seconds Median duration of recorded operations.",
            "# TYPE cdev_operation_seconds gauge",
            *(f'cdev_operation_seconds{{op="{t.op}"}} {t.median_seconds:.6f}' for t in metrics.timings),
            "# HELP cdev_cache_lookups_total Cached lookups by operation and outcome (hit: no work redone).",
            "# TYPE cdev_cache_lookups_total counter",
            *(
                f'cdev_cache_lookups_total{{op="{op}",outcome="{outcome}"}} {count}'
                for op, (hits, misses) in metrics.caches.items()
                for outcome, count in (("hit", hits), ("miss", misses))
            ),
        ]
        print("\n".join(lines))
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
    return EXIT_OK
