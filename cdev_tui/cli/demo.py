"""``cdev-tui demo``: build the demo workspace (or reuse it) and open it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cdev_tui.cli.common import EXIT_OK, add_format, print_json

HELP = "build the demo workspace and open it"


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    sub.add_argument(
        "dir", nargs="?", type=Path, default=None, help="where to build it (default: user cache)"
    )
    sub.add_argument("--no-tui", action="store_true", help="build only, print where it is")
    sub.add_argument("--fresh", action="store_true", help="rebuild even if a demo is already there")
    add_format(sub)


def default_demo_dir() -> Path:
    """``$XDG_CACHE_HOME/cdev-tui/demo`` (``~/.cache`` by default)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cdev-tui" / "demo"


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    import shutil

    from cdev_tui.demo import build_demo, demo_is_built

    dest = (args.dir or default_demo_dir()).expanduser().resolve()
    repo = dest / "shopfront"
    if args.fresh and demo_is_built(dest):
        shutil.rmtree(repo)
        shutil.rmtree(dest / "shopfront-work-trees", ignore_errors=True)
    if not demo_is_built(dest):
        print(f"cdev-tui: building the demo workspace in {dest}", file=sys.stderr)
        build_demo(dest)
        if args.db is None:  # a store named on the command line is the user's, not the demo's
            _seed_history(repo)
    if args.no_tui:
        if args.format == "json":
            print_json({"repo": str(repo), "worktrees_root": str(dest / "shopfront-work-trees")})
        else:
            print(repo)
        return EXIT_OK
    from cdev_tui.app import make_app

    make_app(repo, db=args.db).run()
    return EXIT_OK


def _seed_history(repo: Path) -> None:
    """Give the new demo's store the story's past, for the Metrics pane to plot and replay."""
    import time

    from cdev_tui.demo_history import seed_history
    from cdev_tui.store import Store, default_db_path

    store = Store(default_db_path(repo / ".git"))
    try:
        seed_history(store, time.time())
    finally:
        store.close()
