"""End to end: ``cdev-tui resolve`` in a real terminal (tmux), with $EDITOR for one hunk and keys for the rest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conflict_repos import CLIENT_BASE, CLIENT_OURS, CLIENT_THEIRS, merge_conflict
from tests.conftest import run_git
from tests.test_e2e_tmux import Terminal

pytestmark = pytest.mark.e2e

CHANGES = (
    "# Changes\n\n- First.\n",
    "# Changes\n\n- Add pager.\n- First.\n",
    "# Changes\n\n- Fix crash.\n- First.\n",
)


@pytest.fixture
def resolving(tmp_path: Path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: run `make test`, which installs it")
    repo = merge_conflict(
        tmp_path,
        {"client.py": CLIENT_BASE, "CHANGES.md": CHANGES[0]},
        {"client.py": CLIENT_OURS, "CHANGES.md": CHANGES[1]},
        {"client.py": CLIENT_THEIRS, "CHANGES.md": CHANGES[2]},
    )
    editor = tmp_path / "fake-editor.sh"
    editor.write_text('#!/bin/sh\nprintf "    timeout = 12\\n" > "$1"\n')
    editor.chmod(0o755)
    exe = Path(sys.executable).with_name("cdev-tui")
    socket = f"cdev-tui-resolve-{os.getpid()}"
    term = Terminal(socket, "resolve")
    status = tmp_path / "exit-code"
    command = (
        f"cd {repo} && EDITOR={editor} {exe} resolve --db {tmp_path / 'c.db'}; echo $? > {status}; sleep 30"
    )
    term.tmux("-f", "/dev/null", "new-session", "-d", "-s", "resolve", "-x", "160", "-y", "45", command)
    yield term, repo, status
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def test_resolve_a_merge_in_a_real_terminal(resolving) -> None:
    term, repo, status = resolving
    screen = term.wait_for("2 hunks left")
    assert "Merging feature into main" in screen and "CHANGES.md" in screen and "client.py" in screen
    term.wait_for("structural ✓ safe")
    term.press("A")  # every proven suggestion of CHANGES.md
    term.wait_for("1 hunks left")
    term.press("w")
    term.wait_for(lambda s: "✓ CHANGES.md" in s and "timeout = 30" in s)
    term.press("E")  # the fake $EDITOR writes the hunk
    term.wait_for("hunk 1 of 1 · edit")
    term.press("w")
    term.wait_for("press c to conclude")
    term.press("c")
    term.wait_for(lambda s: status.exists(), timeout=20)
    assert status.read_text().strip() == "0"
    assert (repo / "CHANGES.md").read_text() == "# Changes\n\n- Add pager.\n- Fix crash.\n- First.\n"
    assert (repo / "client.py").read_text() == CLIENT_BASE.replace("10", "12")
    assert len(run_git(repo, "rev-list", "--parents", "-n", "1", "HEAD").split()) == 3
