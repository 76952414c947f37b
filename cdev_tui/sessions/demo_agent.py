"""A scripted stand-in for an AI coding agent: it works, asks, waits on its terminal, goes idle and exits.

The ``demo`` program profile runs it where no real agent CLI is installed (the demo workspace, the tests).
A script is a ``;``-separated list of steps (``--script`` or ``$CDEV_DEMO_AGENT_SCRIPT``):

- ``work SECONDS``: print progress lines (coloured) for that long;
- ``ask QUESTION``: print the question and read the answer from the terminal;
- ``choose QUESTION``: a numbered permission menu (1 yes, 2 yes and do not ask again, 3 no);
- ``idle``: say it is done and wait at its prompt; ``exit`` or ``quit`` goes on, anything else is more work;
- ``pause SECONDS``: sleep without printing or reading (neither working nor waiting: idle);
- ``exit CODE``: end with that exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

DEFAULT_SCRIPT = "work 4; choose Allow edits to the files you own?; work 3; idle; exit 0"
_MARKS = ""
"""Where to note the time of each question (benchmarks measure from it)."""
_GREEN, _CYAN, _BOLD, _RESET = "\x1b[32m", "\x1b[36m", "\x1b[1m", "\x1b[0m"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="demo-agent", description=__doc__.splitlines()[0])
    parser.add_argument("--script", default=os.environ.get("CDEV_DEMO_AGENT_SCRIPT") or DEFAULT_SCRIPT)
    parser.add_argument("--marks", default="", help="append 'asked <unix time>' here at each question")
    parser.add_argument("prompt", nargs="?", default="", help="the first prompt")
    args = parser.parse_args(argv)
    global _MARKS
    _MARKS = args.marks
    print(f"{_BOLD}demo agent{_RESET} in {os.getcwd()}", flush=True)
    if args.prompt:
        print(f"{_CYAN}task:{_RESET} {args.prompt.splitlines()[0][:200]}", flush=True)
    for step in (s.strip() for s in args.script.split(";")):
        verb, _, rest = step.partition(" ")
        if verb == "work":
            _work(float(rest or 2))
        elif verb == "ask":
            answer = _read(f"{rest.strip() or 'Proceed?'} [y/n] ")
            print(
                f"{_GREEN}→ {'approved' if answer.lower().startswith('y') else 'declined'}{_RESET}",
                flush=True,
            )
        elif verb == "choose":
            print(f"{_BOLD}{rest.strip() or 'Allow this action?'}{_RESET}", flush=True)
            print("  1. Yes\n  2. Yes, and don't ask again\n  3. No, tell the agent what to do", flush=True)
            answer = _read("Choose 1-3: ")
            print(f"{_GREEN}→ choice {answer or '1'}{_RESET}", flush=True)
        elif verb == "idle":
            while True:
                print("Done. Waiting for the next instruction.", flush=True)
                instruction = _read("› ")
                if instruction.lower() in ("exit", "quit"):
                    break
                print(f"{_CYAN}instruction:{_RESET} {instruction}", flush=True)
                _work(2)
        elif verb == "pause":
            time.sleep(float(rest or 5))
        elif verb == "exit":
            print("bye", flush=True)
            return int(rest or 0)
        elif verb:
            print(f"demo-agent: unknown step {step!r}", file=sys.stderr, flush=True)
            return 2
    return 0


def _work(seconds: float) -> None:
    end, step = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        step += 1
        print(f"{_GREEN}●{_RESET} working… step {step}", flush=True)
        time.sleep(0.2)


def _read(prompt: str) -> str:
    print(prompt, end="", flush=True)
    if _MARKS:
        with open(_MARKS, "a", encoding="utf-8") as marks:
            marks.write(f"asked {time.time():.6f}\n")
    try:
        return input().strip()
    except EOFError:
        return ""


if __name__ == "__main__":
    sys.exit(main())
