"""``cdev-tui resolve`` headless: JSON listing, --apply of safe suggestions, --abort, bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cdev_tui.cli import main
from tests.conflict_repos import (
    CLIENT_BASE,
    CLIENT_OURS,
    CLIENT_THEIRS,
    fingerprint,
    git_ok,
    merge_conflict,
    two_branches,
)
from tests.conftest import run_git

CHANGES_BASE = "Changes\n=======\n\nVersion 1.0\n-----------\n\n- First release.\n"
CHANGES_OURS = "Changes\n=======\n\n- Add the pager.\n\nVersion 1.0\n-----------\n\n- First release.\n"
CHANGES_THEIRS = "Changes\n=======\n\n- Fix a crash.\n\nVersion 1.0\n-----------\n\n- First release.\n"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def conflicted(tmp_path: Path) -> Path:
    return merge_conflict(
        tmp_path,
        {"client.py": CLIENT_BASE, "CHANGES.md": CHANGES_BASE},
        {"client.py": CLIENT_OURS, "CHANGES.md": CHANGES_OURS},
        {"client.py": CLIENT_THEIRS, "CHANGES.md": CHANGES_THEIRS},
    )


def test_json_lists_hunks_with_suggestions_and_exits_1(conflicted: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = cli(capsys, "resolve", str(conflicted), "--format", "json", "--db", str(tmp_path / "c.db"))
    assert code == 1
    data = json.loads(out)
    files = {f["path"]: f for f in data["files"]}
    assert set(files) == {"client.py", "CHANGES.md"}
    (changes,) = files["CHANGES.md"]["hunks"]
    assert {"index", "ours", "base", "theirs", "suggestions"} <= set(changes)
    (suggestion,) = changes["suggestions"]
    assert suggestion["source"] == "structural" and suggestion["safe"] is True
    assert suggestion["result"] == "- Add the pager.\n- Fix a crash.\n"
    assert files["client.py"]["hunks"][0]["suggestions"] == []


def test_apply_writes_and_stages_what_it_resolves(conflicted: Path, tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "c.db")
    code, out, _ = cli(capsys, "resolve", str(conflicted), "--apply", "structural,learned", "--db", db)
    assert code == 1  # client.py still needs a person
    assert "CHANGES.md: 1 hunks resolved, staged" in out
    assert (
        (conflicted / "CHANGES.md")
        .read_text()
        .startswith("Changes\n=======\n\n- Add the pager.\n- Fix a crash.\n")
    )
    unmerged = run_git(conflicted, "diff", "--name-only", "--diff-filter=U")
    assert unmerged == "client.py"


def test_one_file_and_the_table(conflicted: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = cli(
        capsys, "resolve", str(conflicted / "client.py"), "--format", "table", "--db", str(tmp_path / "c.db")
    )
    assert code == 1 and "client.py" in out and "CHANGES.md" not in out


def test_abort_needs_a_yes_and_restores_everything(tmp_path: Path, capsys, monkeypatch) -> None:
    repo = two_branches(
        tmp_path, {"client.py": CLIENT_BASE}, {"client.py": CLIENT_OURS}, {"client.py": CLIENT_THEIRS}
    )
    before = fingerprint(repo)
    assert git_ok(repo, "merge", "feature").returncode == 1
    during = fingerprint(repo)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = cli(capsys, "resolve", str(repo), "--abort", "--db", str(tmp_path / "c.db"))
    assert code == 2 and "pass --yes" in err and fingerprint(repo) == during
    code, out, _ = cli(capsys, "resolve", str(repo), "--abort", "--yes", "--db", str(tmp_path / "c.db"))
    assert code == 0 and "merge aborted" in out
    assert fingerprint(repo) == before


def test_bad_input_is_one_line_and_exit_2(repo: Path, tmp_path: Path, capsys) -> None:
    code, _, err = cli(capsys, "resolve", str(repo), "--format", "json", "--db", str(tmp_path / "c.db"))
    assert code == 2 and "nothing to resolve" in err and err.count("\n") == 1
    code, _, err = cli(capsys, "resolve", str(tmp_path / "gone"), "--format", "json")
    assert code == 2 and "no such file or directory" in err
    code, _, err = cli(capsys, "resolve", str(repo), "--apply", "guess")
    assert code == 2 and "--apply" in err
