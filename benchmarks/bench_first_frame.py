"""Time to first frame of the real app against a bare Textual app that shows one Static.

Each run is a fresh interpreter, because cold imports are what a user waits for. The parent reads its
clock just before spawning the child and again when the child writes ``FIRST_FRAME`` on stdout. The child
builds the app (ours through ``make_app`` on a demo workspace built beforehand, untimed) and runs it
headless at 120x40. It counts the first frame as ready when its target screen (``MainScreen``, or the bare
app's default screen) is current and mounted, and the frames a terminal would have been sent since then
(batched frames are never sent) cover every cell and show the screen's marker text. Each such frame is
turned into terminal output, as a real driver would, before the check. Then the auto pilot exits the app.

The two variants alternate, ``RUNS`` each, nothing discarded; the report compares the medians.
Run with ``python -m benchmarks first_frame``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BUDGET = 1.25
RUNS = 7
SIZE = (120, 40)
RUN_TIMEOUT = 30.0  # seconds for one child, start to exit

# The child: argv is variant, width, height[, repo, db]. Prints FIRST_FRAME (unbuffered) once the first
# complete frame of the target screen has been produced, then exits the app.
CHILD = r"""
import asyncio
import os
import re
import sys
from pathlib import Path

variant, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if variant == "cdev-tui":
    from cdev_tui.app import make_app
    from cdev_tui.screens.main import MainScreen as Target

    app = make_app(Path(sys.argv[4]), db=Path(sys.argv[5]))
    marker = "Agents"
else:
    from textual.app import App
    from textual.screen import Screen as Target
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("hello")

    app = Bare()
    marker = "hello"

painted = bytearray(width * height)
marker_seen = False
ready = asyncio.Event()
send = app._display
escapes = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def watch(screen, renderable):
    global marker_seen
    send(screen, renderable)
    # Only what a terminal would have received: Textual drops frames rendered inside a batch update.
    if ready.is_set() or renderable is None or app._batch_count:
        return
    if not (isinstance(screen, Target) and screen is app.screen and screen.is_mounted):
        return
    if hasattr(renderable, "render_segments"):
        text = renderable.render_segments(app.console)
    else:
        text = "".join(segment.text for segment in app.console.render(renderable))
    marker_seen = marker_seen or marker in escapes.sub("", text)
    spans = getattr(renderable, "spans", None)
    if spans is None:  # a full-screen update
        painted[:] = b"\x01" * len(painted)
    else:
        for y, x1, x2 in spans:
            x1, x2 = max(x1, 0), min(x2, width)
            if 0 <= y < height and x2 > x1:
                painted[y * width + x1 : y * width + x2] = b"\x01" * (x2 - x1)
    if marker_seen and 0 not in painted:
        os.write(1, b"FIRST_FRAME\n")
        ready.set()


async def auto_pilot(pilot):
    await ready.wait()
    pilot.app.exit()


app._display = watch
app.run(headless=True, size=(width, height), auto_pilot=auto_pilot)
"""


def _child_env() -> dict[str, str]:
    """The parent's environment without Textual switches (devtools, debug), as a colour terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor")
    return env


def _first_frame_ms(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall time from spawning ``args`` until it prints FIRST_FRAME, in ms; waits for it to exit too."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, cwd=cwd, env=env
        )
        killer = threading.Timer(RUN_TIMEOUT, proc.kill)
        killer.start()
        elapsed: float | None = None
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.strip() == b"FIRST_FRAME":
                    elapsed = time.perf_counter() - start
                    break
            proc.stdout.read()
            code = proc.wait()
        finally:
            killer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if elapsed is None or code != 0:
            stderr.seek(0)
            tail = stderr.read().decode(errors="replace").strip().splitlines()[-15:]
            what = "exited without a first frame" if elapsed is None else f"exited with code {code}"
            raise RuntimeError(f"{args[3]} child {what} (code {code}):\n" + "\n".join(tail))
    return elapsed * 1000


def _compile_sources() -> None:
    """Write our modules' bytecode, as installing a wheel does.

    Textual's modules were compiled when pip installed them; ours live in the source tree of an editable
    install, where an interpreter run with PYTHONDONTWRITEBYTECODE would otherwise compile them anew on
    every start and count that against us.
    """
    import compileall

    import cdev_tui

    top = Path(cdev_tui.__file__).resolve().parent.parent
    for folder in ("cdev_tui", "screens", "widgets", "voice", "cext"):
        compileall.compile_dir(top / folder, quiet=2)


def measure(runs: int = RUNS) -> dict[str, list[float]]:
    """Build the demo once, then time ``runs`` cold starts of each variant, alternating."""
    from cdev_tui.demo import build_demo
    from cdev_tui.service import open_service

    times: dict[str, list[float]] = {"bare textual": [], "cdev-tui": []}
    with tempfile.TemporaryDirectory(prefix="cdev-bench-") as tmp:
        root = Path(tmp)
        repo = build_demo(root / "demo").repo
        db = root / "cdev.db"
        open_service(repo, db=db).close()  # the store exists already, as on every launch but the first
        _compile_sources()
        width, height = str(SIZE[0]), str(SIZE[1])
        argv = {
            "bare textual": [sys.executable, "-c", CHILD, "bare", width, height],
            "cdev-tui": [sys.executable, "-c", CHILD, "cdev-tui", width, height, str(repo), str(db)],
        }
        env = _child_env()
        for _ in range(runs):
            for variant, args in argv.items():
                times[variant].append(_first_frame_ms(args, root, env))
    return times


def main() -> list[str]:
    """Time both variants and return the report line."""
    times = measure()
    ours = statistics.median(times["cdev-tui"])
    bare = statistics.median(times["bare textual"])
    return [
        f"first_frame: cdev-tui {ours:.0f} ms, bare textual {bare:.0f} ms, "
        f"ratio {ours / bare:.2f}x (budget <= {BUDGET:g}x)"
    ]


if __name__ == "__main__":
    for line in main():
        print(line)
