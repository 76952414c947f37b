"""The resolution session on real repositories: reading, choosing, undo, writing, concluding and aborting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdev_tui.conflicts.learned import LearnedStore
from cdev_tui.conflicts.session import ChangedOnDisk, MarkersLeft, ResolveSession
from cdev_tui.errors import CdevError
from cdev_tui.store import Store
from tests.conflict_repos import (
    CLIENT_BASE,
    CLIENT_OURS,
    CLIENT_THEIRS,
    fingerprint,
    git_ok,
    merge_conflict,
    two_branches,
)
from tests.conftest import commit_files, run_git


@pytest.fixture
def store(tmp_path: Path):
    store = Store(tmp_path / "store.db")
    yield store
    store.close()


def client_conflict(tmp_path: Path, style: str = "merge") -> Path:
    return merge_conflict(
        tmp_path,
        {"client.py": CLIENT_BASE, "README.md": "readme\n"},
        {"client.py": CLIENT_OURS},
        {"client.py": CLIENT_THEIRS, "README.md": "readme, edited on feature\n"},
        style=style,
    )


def loaded(worktree: Path, store: Store | None = None) -> ResolveSession:
    session = ResolveSession(worktree, learned=LearnedStore(store) if store else None)
    session.load()
    return session


def test_a_merge_is_read_with_hunks_and_the_base_from_git(tmp_path: Path) -> None:
    repo = client_conflict(tmp_path, style="merge")
    session = loaded(repo)
    assert session.operation is not None and session.operation.kind == "merge"
    assert session.operation.describe() == "merging feature into main"
    (state,) = session.files
    assert state.path == "client.py" and state.conflict.kind == "text" and state.conflict.code == "UU"
    (hunk,) = state.hunks
    assert (hunk.ours, hunk.base, hunk.theirs) == (
        "    timeout = 30\n",
        "    timeout = 10\n",
        "    timeout = 5\n",
    )
    assert hunk.base_source == "index"
    assert session.remaining() == (1, 1)


def test_the_base_from_the_stages_matches_what_diff3_writes(tmp_path: Path) -> None:
    base = "".join(f"line {n}\n" for n in range(40))
    ours = base.replace("line 5\n", "line five\n").replace("line 30\n", "ours 30\nmore ours\n")
    theirs = base.replace("line 5\n", "line FIVE\n").replace("line 30\nline 31\n", "theirs 30\n")
    merge_repo = merge_conflict(tmp_path, {"f.txt": base}, {"f.txt": ours}, {"f.txt": theirs}, name="m")
    diff3_repo = merge_conflict(
        tmp_path, {"f.txt": base}, {"f.txt": ours}, {"f.txt": theirs}, style="diff3", name="d"
    )
    from_stages = [(h.ours, h.base, h.theirs) for h in loaded(merge_repo).files[0].hunks]
    from_markers = [(h.ours, h.base, h.theirs) for h in loaded(diff3_repo).files[0].hunks]
    assert from_stages == from_markers and len(from_stages) == 2


def test_picks_undo_and_redo(tmp_path: Path) -> None:
    session = loaded(client_conflict(tmp_path))
    path = "client.py"
    session.pick(path, 0, "theirs")
    assert session.file(path).rendered() == CLIENT_THEIRS
    session.pick(path, 0, "both")
    assert "timeout = 30\n    timeout = 5\n" in session.file(path).rendered()
    session.pick(path, 0, "base")
    assert session.file(path).rendered() == CLIENT_BASE
    assert session.undo() == (path, 0)
    assert "timeout = 30\n    timeout = 5" in session.file(path).rendered()
    session.undo()
    session.undo()
    assert session.file(path).unresolved == 1 and session.undo() is None
    assert session.redo() == (path, 0)
    assert session.file(path).rendered() == CLIENT_THEIRS
    session.edit(path, 0, "    timeout = 15\n")
    assert session.redo() is None  # a new change drops what could be redone
    assert session.file(path).rendered() == CLIENT_BASE.replace("10", "15")


def test_nothing_is_written_before_write_and_markers_need_a_confirmation(tmp_path: Path) -> None:
    repo = client_conflict(tmp_path)
    before = (repo / "client.py").read_bytes()
    session = loaded(repo)
    with pytest.raises(MarkersLeft):
        session.write("client.py")
    session.pick("client.py", 0, "ours")
    assert (repo / "client.py").read_bytes() == before
    result = session.write("client.py")
    assert result.staged and result.markers_left == 0
    assert (repo / "client.py").read_text() == CLIENT_OURS
    assert run_git(repo, "ls-files", "-u") == ""
    assert session.original("client.py") == before


def test_written_with_markers_when_confirmed_and_the_original_comes_back(tmp_path: Path) -> None:
    repo = client_conflict(tmp_path)
    before = (repo / "client.py").read_bytes()
    session = loaded(repo)
    result = session.write("client.py", allow_markers=True)
    assert result.markers_left == 1 and run_git(repo, "ls-files", "-u") == ""
    session.restore_original("client.py")
    assert (repo / "client.py").read_bytes() == before
    assert run_git(repo, "ls-files", "-u").count("client.py") == 3
    assert session.file("client.py").unresolved == 1


def test_conclude_commits_the_merge_and_drops_the_backups(tmp_path: Path) -> None:
    repo = client_conflict(tmp_path)
    session = loaded(repo)
    session.pick("client.py", 0, "theirs")
    with pytest.raises(CdevError, match="write every file first"):
        session.conclude()
    session.write("client.py")
    backups = session.backup_root
    assert backups.is_dir()
    done = session.conclude()
    parents = run_git(repo, "rev-list", "--parents", "-n", "1", "HEAD").split()
    assert len(parents) == 3 and done.head == parents[0]
    assert (repo / "README.md").read_text() == "readme, edited on feature\n"
    assert not backups.exists() and run_git(repo, "status", "--porcelain") == ""


def test_abort_after_writing_restores_everything_byte_for_byte(tmp_path: Path) -> None:
    repo = two_branches(
        tmp_path,
        {"client.py": CLIENT_BASE, "README.md": "readme\n"},
        {"client.py": CLIENT_OURS},
        {"client.py": CLIENT_THEIRS, "README.md": "readme, edited on feature\n"},
    )
    before = fingerprint(repo)
    assert git_ok(repo, "merge", "feature").returncode == 1
    session = loaded(repo)
    session.pick("client.py", 0, "theirs")
    session.write("client.py")
    session.abort()
    assert fingerprint(repo) == before
    assert not (Path(run_git(repo, "rev-parse", "--absolute-git-dir")) / "cdev-resolve").exists() or not any(
        (Path(run_git(repo, "rev-parse", "--absolute-git-dir")) / "cdev-resolve").iterdir()
    )


def test_a_written_hunk_is_learned_and_offered_when_the_conflict_comes_back(
    tmp_path: Path, store: Store
) -> None:
    repo = client_conflict(tmp_path)
    session = loaded(repo, store)
    assert [s.source for s in session.suggestions("client.py", 0)] == []
    session.edit("client.py", 0, "    timeout = 20\n")
    assert session.write("client.py").learned == 1
    session.abort()
    assert git_ok(repo, "merge", "feature").returncode == 1
    again = loaded(repo, store)
    (suggestion,) = again.suggestions("client.py", 0)
    assert suggestion.source == "learned" and suggestion.safe and suggestion.result == "    timeout = 20\n"
    assert suggestion.learned_at is not None
    assert again.accept_safe() == 1
    assert again.file("client.py").rendered() == CLIENT_BASE.replace("10", "20")


def test_a_change_on_disk_is_noticed_before_writing(tmp_path: Path) -> None:
    repo = client_conflict(tmp_path)
    session = loaded(repo)
    session.pick("client.py", 0, "ours")
    (repo / "client.py").write_text("edited elsewhere\n")
    assert session.disk_changed("client.py")
    with pytest.raises(ChangedOnDisk):
        session.write("client.py")
    assert (repo / "client.py").read_text() == "edited elsewhere\n"
    session.write("client.py", force=True)
    assert (repo / "client.py").read_text() == CLIENT_OURS


def test_unwritten_choices_survive_a_crash(tmp_path: Path) -> None:
    repo = client_conflict(tmp_path)
    session = loaded(repo)
    session.pick("client.py", 0, "theirs")
    session.save_journal()
    del session  # the process dies here: nothing was written
    again = loaded(repo)
    assert again.restored == 1
    assert again.file("client.py").rendered() == CLIENT_THEIRS


def test_crlf_and_a_missing_final_newline_are_kept(tmp_path: Path) -> None:
    repo = merge_conflict(
        tmp_path,
        {"win.txt": "a\r\nb\r\nc\r\n", "tail.txt": "x\nlast"},
        {"win.txt": "a\r\nours\r\nc\r\n", "tail.txt": "x\nours last"},
        {"win.txt": "a\r\ntheirs\r\nc\r\n", "tail.txt": "x\ntheirs last"},
    )
    session = loaded(repo)
    session.edit("win.txt", 0, "typed\n")
    session.pick("tail.txt", 0, "ours")
    session.write("win.txt")
    session.write("tail.txt")
    assert (repo / "win.txt").read_bytes() == b"a\r\ntyped\r\nc\r\n"
    assert (repo / "tail.txt").read_bytes() == b"x\nours last"


def test_a_heading_underline_inside_a_side_is_not_taken_for_a_marker(tmp_path: Path) -> None:
    base = "Intro\n\nOld\n\nEnd\n"
    ours = "Intro\n\nTitle 1\n=======\n\nEnd\n"
    theirs = "Intro\n\nOther text\n\nEnd\n"
    repo = merge_conflict(tmp_path, {"doc.rst": base}, {"doc.rst": ours}, {"doc.rst": theirs})
    (hunk,) = loaded(repo).files[0].hunks
    assert hunk.ours == "Title 1\n=======\n" and hunk.theirs == "Other text\n"
    assert not hunk.ambiguous


def test_modify_delete_keep_or_delete(tmp_path: Path) -> None:
    repo = two_branches(
        tmp_path, {"a.txt": "base\n", "b.txt": "base\n"}, {"a.txt": "ours\n"}, {"c.txt": "new\n"}
    )
    run_git(repo, "switch", "-q", "feature")
    run_git(repo, "rm", "-q", "a.txt", "b.txt")
    run_git(repo, "commit", "-q", "-m", "delete on feature")
    run_git(repo, "switch", "-q", "main")
    commit_files(repo, {"b.txt": "ours b\n"}, "change b")
    assert git_ok(repo, "merge", "feature").returncode == 1
    session = loaded(repo)
    kinds = {f.path: f.conflict.kind for f in session.files}
    assert kinds == {"a.txt": "modify/delete", "b.txt": "modify/delete"}
    with pytest.raises(CdevError, match="choose what to do first"):
        session.write("a.txt")
    session.choose_action("a.txt", "keep")
    session.choose_action("b.txt", "delete")
    session.write("a.txt")
    session.write("b.txt")
    session.conclude()
    assert (repo / "a.txt").read_text() == "ours\n" and not (repo / "b.txt").exists()


def test_binary_take_theirs(tmp_path: Path) -> None:
    repo = merge_conflict(tmp_path, {"logo.bin": "\0base"}, {"logo.bin": "\0ours"}, {"logo.bin": "\0theirs"})
    session = loaded(repo)
    (state,) = session.files
    assert state.conflict.kind == "binary" and not state.hunks
    session.choose_action("logo.bin", "theirs")
    session.write("logo.bin")
    assert (repo / "logo.bin").read_bytes() == b"\0theirs"
    assert run_git(repo, "ls-files", "-u") == ""


def test_invalid_utf8_and_broken_markers_are_explained(tmp_path: Path) -> None:
    repo = merge_conflict(
        tmp_path,
        {"a.txt": "base\n", "b.txt": "base\n"},
        {"a.txt": "ours\n", "b.txt": "ours\n"},
        {"a.txt": "theirs\n", "b.txt": "theirs\n"},
    )
    (repo / "a.txt").write_bytes(b"<<<<<<< HEAD\n\xff\xfe\n=======\ntheirs\n>>>>>>> feature\n")
    text = (repo / "b.txt").read_text()
    (repo / "b.txt").write_text(text.replace(">>>>>>> feature\n", ""))
    files = {f.path: f.conflict for f in loaded(repo).files}
    assert files["a.txt"].kind == "undecodable" and "byte 13" in files["a.txt"].problem
    assert files["b.txt"].kind == "broken markers" and "line 1" in files["b.txt"].problem
    assert set(files["b.txt"].actions) == {"ours", "theirs"}


def test_rebase_conflict_continues_after_resolution(tmp_path: Path) -> None:
    repo = two_branches(
        tmp_path, {"client.py": CLIENT_BASE}, {"client.py": CLIENT_OURS}, {"client.py": CLIENT_THEIRS}
    )
    run_git(repo, "switch", "-q", "feature")
    assert git_ok(repo, "rebase", "main").returncode != 0
    session = loaded(repo)
    assert session.operation is not None and session.operation.kind == "rebase"
    session.pick("client.py", 0, "theirs")
    session.write("client.py")
    done = session.conclude()
    assert not done.stopped_again
    assert run_git(repo, "log", "--format=%s", "-2").split("\n") == ["theirs", "ours"]
    assert (repo / "client.py").read_text() == CLIENT_THEIRS


def test_cherry_pick_and_stash_conflicts(tmp_path: Path) -> None:
    repo = two_branches(
        tmp_path, {"client.py": CLIENT_BASE}, {"client.py": CLIENT_OURS}, {"client.py": CLIENT_THEIRS}
    )
    assert git_ok(repo, "cherry-pick", "feature").returncode != 0
    session = loaded(repo)
    assert session.operation is not None and session.operation.kind == "cherry-pick"
    session.pick("client.py", 0, "ours")
    session.write("client.py")
    with pytest.raises(CdevError, match="now empty"):
        session.conclude()  # keeping ours leaves nothing to pick: git's own words say so
    session.restore_original("client.py")
    session.pick("client.py", 0, "theirs")
    session.write("client.py")
    session.conclude()
    assert run_git(repo, "log", "--format=%s", "-1") == "theirs"

    (repo / "client.py").write_text(CLIENT_BASE.replace("10", "99"))
    run_git(repo, "stash")
    commit_files(repo, {"client.py": CLIENT_BASE.replace("10", "77")}, "seventy-seven")
    assert git_ok(repo, "stash", "pop").returncode != 0
    stash = loaded(repo)
    assert stash.operation is not None and stash.operation.kind == "stash"
    stash.pick("client.py", 0, "theirs")
    stash.write("client.py")
    assert "nothing to commit" in stash.conclude().message
    assert "99" in (repo / "client.py").read_text()


def test_json_lists_every_hunk_with_suggestions(tmp_path: Path) -> None:
    repo = client_conflict(tmp_path)
    data = json.loads(json.dumps(loaded(repo).to_json()))
    (entry,) = data["files"]
    assert entry["path"] == "client.py"
    (hunk,) = entry["hunks"]
    assert set(hunk) >= {"index", "ours", "base", "theirs", "suggestions"}
    assert data["remaining"] == {"hunks": 1, "files": 1}


def test_nothing_in_progress_and_a_missing_worktree(tmp_path: Path, repo: Path) -> None:
    session = loaded(repo)
    assert session.operation is not None and not session.operation.in_progress and session.files == []
    with pytest.raises(CdevError, match="no such directory"):
        loaded(tmp_path / "gone")


def test_rename_rename_symlink_and_submodule_conflicts_are_listed_with_their_actions(tmp_path: Path) -> None:
    sub = tmp_path / "lib"
    sub.mkdir()
    run_git(sub, "init", "-q", "-b", "main")
    first = commit_files(sub, {"lib.txt": "1\n"}, "one")
    second = commit_files(sub, {"lib.txt": "2\n"}, "two")
    run_git(sub, "switch", "-q", "-c", "other", first)
    third = commit_files(sub, {"lib.txt": "3\n"}, "three")  # diverges from two: git cannot fast-forward
    repo = tmp_path / "project"
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "main")
    commit_files(repo, {"a.txt": "shared text\n" * 5}, "base")
    (repo / "link").symlink_to("a.txt")
    run_git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "lib")
    run_git(repo / "lib", "checkout", "-q", first)
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "link and submodule")
    run_git(repo, "switch", "-q", "-c", "feature")
    run_git(repo, "mv", "a.txt", "c.txt")
    (repo / "link").unlink()
    (repo / "link").symlink_to("theirs-target")
    run_git(repo / "lib", "checkout", "-q", third)
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "theirs")
    run_git(repo, "switch", "-q", "main")
    run_git(repo, "submodule", "update", "-q")
    run_git(repo, "mv", "a.txt", "b.txt")
    (repo / "link").unlink()
    (repo / "link").symlink_to("ours-target")
    run_git(repo / "lib", "checkout", "-q", second)
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "ours")
    assert git_ok(repo, "merge", "feature").returncode == 1

    session = loaded(repo)
    kinds = {f.path: (f.conflict.kind, f.conflict.actions) for f in session.files}
    assert kinds["a.txt"] == ("deleted by both", ("delete",))
    assert kinds["b.txt"] == ("added by us", ("keep", "delete"))
    assert kinds["c.txt"] == ("added by them", ("keep", "delete"))
    assert kinds["link"] == ("symlink", ("ours", "theirs"))
    assert kinds["lib"] == ("submodule", ("ours", "theirs"))
    for path, action in (
        ("a.txt", "delete"),
        ("b.txt", "keep"),
        ("c.txt", "delete"),
        ("link", "theirs"),
        ("lib", "ours"),
    ):
        session.choose_action(path, action)
        session.write(path)
    session.conclude()
    assert (repo / "b.txt").is_file() and not (repo / "c.txt").exists() and not (repo / "a.txt").exists()
    assert str((repo / "link").readlink()) == "theirs-target"
    assert run_git(repo, "rev-parse", "HEAD:lib") == second


def test_a_detached_head_merge_is_resolved_where_it_is(tmp_path: Path) -> None:
    repo = two_branches(
        tmp_path, {"client.py": CLIENT_BASE}, {"client.py": CLIENT_OURS}, {"client.py": CLIENT_THEIRS}
    )
    run_git(repo, "switch", "-q", "--detach", "main")
    assert git_ok(repo, "merge", "feature").returncode == 1
    session = loaded(repo)
    assert session.operation is not None and session.operation.head_label.startswith("detached HEAD")
    session.pick("client.py", 0, "theirs")
    session.write("client.py")
    session.conclude()
    assert len(run_git(repo, "rev-list", "--parents", "-n", "1", "HEAD").split()) == 3


def test_a_killed_resolver_loses_no_choice_and_leaves_no_half_written_file(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    repo = client_conflict(tmp_path)
    conflicted = (repo / "client.py").read_bytes()
    child = f"""
import os, signal, sys
from pathlib import Path
from cdev_tui.conflicts.session import ResolveSession
session = ResolveSession(Path({str(repo)!r}))
session.load()
session.pick("client.py", 0, "theirs")
session.save_journal()
os.kill(os.getpid(), signal.SIGKILL)
"""
    died = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=False)
    assert died.returncode == -signal.SIGKILL, died.stderr
    assert (repo / "client.py").read_bytes() == conflicted
    again = loaded(repo)
    assert again.restored == 1 and again.file("client.py").choices[0].how == "theirs"
    again.write("client.py")
    assert (repo / "client.py").read_text() == CLIENT_THEIRS


def test_resolutions_recorded_by_git_rerere_are_offered(tmp_path: Path, store: Store) -> None:
    repo = client_conflict(tmp_path)
    entry = Path(run_git(repo, "rev-parse", "--git-common-dir"))
    entry = (repo / entry if not entry.is_absolute() else entry) / "rr-cache" / "5f1d0c0ffee"
    entry.mkdir(parents=True)
    (entry / "preimage").write_text(
        "def connect(host):\n<<<<<<<\n    timeout = 30\n=======\n    timeout = 5\n>>>>>>>\n"
        "    return open_socket(host, timeout)\n"
    )
    (entry / "postimage").write_text(
        "def connect(host):\n    timeout = 25\n    return open_socket(host, timeout)\n"
    )
    session = loaded(repo, store)
    (suggestion,) = session.suggestions("client.py", 0)
    assert suggestion.source == "learned" and suggestion.result == "    timeout = 25\n"
    assert "rerere" in suggestion.reason
