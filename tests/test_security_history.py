"""The scan cache, and scans of what git holds: history, diffs and staged lines, on real repositories.

Secret-looking values are built at run time from fixed seeds, never written as literals.
"""

from __future__ import annotations

import os
import random
import string
from pathlib import Path

import pytest

from cdev_tui.errors import CdevError
from cdev_tui.security import scan_roots
from cdev_tui.security.cache import ScanCache, blob_id
from cdev_tui.security.history import diff_changes, history_changes, scan_changes, staged_changes
from cdev_tui.store import Store
from tests.conftest import commit_files, run_git


def rand(n: int, seed: str) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


def token(seed: str) -> str:
    return "gh" + "p_" + rand(36, seed)


@pytest.fixture
def cache(tmp_path: Path):
    store = Store(tmp_path / "cache.db")
    yield ScanCache(store)
    store.close()


def test_blob_id_is_gits(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"hello\n")
    assert blob_id(b"hello\n") == run_git(tmp_path, "hash-object", "f")


def test_a_warm_rescan_reads_only_what_changed(tmp_path: Path, cache: ScanCache) -> None:
    root = tmp_path / "src"
    root.mkdir()
    for i in range(20):
        (root / f"m{i}.py").write_text(f"value = {i}\n")
    (root / "conf.py").write_text(f"T = '{token('warm')}'\n")

    cold = scan_roots([("src", root)], cache=cache)
    cache.store.flush()
    warm = scan_roots([("src", root)], cache=cache)
    assert (cold.files_from_cache, warm.files_from_cache) == (0, 21)
    assert [(f.path, f.line, f.fingerprint) for f in warm.findings] == [
        (f.path, f.line, f.fingerprint) for f in cold.findings
    ]

    (root / "m3.py").write_text(f"value = 3\nT = '{token('new')}'\n")
    os.utime(root / "m3.py", ns=(1, 1))  # even with an old mtime: size and ctime differ
    (root / "m4.py").unlink()
    cache.store.flush()
    changed = scan_roots([("src", root)], cache=cache)
    assert changed.files_from_cache == 19
    assert sorted(f.path for f in changed.findings) == ["conf.py", "m3.py"]
    cache.store.flush()
    assert "m4.py" not in cache.known_files(root.absolute(), "any")


def test_worktrees_of_one_repository_scan_each_blob_once(
    repo: Path, tmp_path: Path, cache: ScanCache
) -> None:
    commit_files(
        repo, {f"lib/m{i}.py": f"x = {i}\n" for i in range(10)} | {"k.py": f"K='{token('wt')}'\n"}, "code"
    )
    worktree = tmp_path / "agent-1"
    run_git(repo, "worktree", "add", "-q", "-b", "agent/one", str(worktree))

    report = scan_roots([("main", repo), ("agent-1", worktree)], cache=cache)
    files = report.files_scanned
    # The second worktree's files all share content with the first's: none is scanned again.
    assert report.files_from_cache >= files // 2
    assert sorted((f.root_label, f.path) for f in report.findings) == [("agent-1", "k.py"), ("main", "k.py")]


def test_a_rule_set_change_invalidates_cached_findings(tmp_path: Path, cache: ScanCache) -> None:
    from cdev_tui.security.config import load_config

    root = tmp_path / "src"
    root.mkdir()
    (root / "a.py").write_text(f"T = '{token('rs')}'\n")
    scan_roots([("src", root)], cache=cache)
    cache.store.flush()
    config = tmp_path / "only-acme.toml"
    config.write_text("[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z]{8}'''\nkeywords = [\"acme_\"]\n")
    report = scan_roots([("src", root)], cache=cache, ruleset=load_config(config))
    assert report.findings == [] and report.files_from_cache == 0


def history_repo(repo: Path) -> tuple[str, str, str]:
    """Three commits: a secret added, then removed; a second secret added on a branch and merged."""
    added = commit_files(repo, {"conf.py": f"TOKEN = '{token('h1')}'\n"}, "add config")
    removed = commit_files(repo, {"conf.py": "TOKEN = os.environ['TOKEN']\n"}, "use the environment")
    run_git(repo, "checkout", "-q", "-b", "feature")
    branch = commit_files(repo, {"feature.py": f"KEY = '{token('h2')}'\n"}, "feature")
    run_git(repo, "checkout", "-q", "main")
    run_git(repo, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    return added, removed, branch


def test_history_finds_removed_secrets_once_at_the_commit_that_added_them(
    repo: Path, cache: ScanCache
) -> None:
    added, _, branch = history_repo(repo)
    for _ in range(2):  # the second time from the cache
        report = scan_changes(repo, history_changes(repo), "project", cache=cache)
        cache.store.flush()
        assert sorted((f.path, f.commit) for f in report.findings) == sorted(
            [("conf.py", added), ("feature.py", branch)]
        )
        assert all(f.author_date.startswith("20") for f in report.findings)
    assert report.files_from_cache == report.files_scanned


def test_diff_reports_only_added_lines(repo: Path) -> None:
    commit_files(repo, {"a.py": f"OLD = '{token('old')}'\n"}, "old secret")
    base = run_git(repo, "rev-parse", "HEAD")
    head = commit_files(repo, {"a.py": f"OLD = '{token('old')}'\nNEW = '{token('new')}'\n"}, "new secret")

    report = scan_changes(repo, diff_changes(repo, f"{base}..HEAD"), "project")
    assert [(f.path, f.line, f.commit) for f in report.findings] == [("a.py", 2, head)]
    assert scan_changes(repo, diff_changes(repo, "HEAD..HEAD"), "p").findings == []
    assert [f.line for f in scan_changes(repo, diff_changes(repo, base), "p").findings] == [2]


def test_three_dot_diff_is_since_the_merge_base(repo: Path) -> None:
    run_git(repo, "checkout", "-q", "-b", "agent")
    commit_files(repo, {"agent.py": f"A = '{token('agent')}'\n"}, "agent work")
    run_git(repo, "checkout", "-q", "main")
    commit_files(repo, {"main.py": f"M = '{token('main')}'\n"}, "main work")
    report = scan_changes(repo, diff_changes(repo, "main...agent"), "project")
    assert [f.path for f in report.findings] == ["agent.py"]


def test_staged_scan_sees_the_index_not_the_work_tree(repo: Path) -> None:
    (repo / "s.py").write_text(f"S = '{token('staged')}'\n")
    run_git(repo, "add", "s.py")
    (repo / "s.py").write_text("S = None\n")  # the work tree moved on; the index still holds the secret
    (repo / "u.py").write_text(f"U = '{token('unstaged')}'\n")
    report = scan_changes(repo, staged_changes(repo), "project")
    assert [(f.path, f.commit) for f in report.findings] == [("s.py", "")]


def test_staged_scan_in_a_repository_without_commits(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    run_git(fresh, "init", "-q")
    (fresh / "a.py").write_text(f"A = '{token('fresh')}'\n")
    run_git(fresh, "add", "a.py")
    assert [f.path for f in scan_changes(fresh, staged_changes(fresh), "fresh").findings] == ["a.py"]


def test_a_bad_range_is_a_clear_error(repo: Path) -> None:
    with pytest.raises(CdevError, match="'nope' is not a commit"):
        diff_changes(repo, "nope..HEAD")


def test_binary_and_oversized_blobs_in_history_are_skipped(repo: Path) -> None:
    (repo / "blob.bin").write_bytes(b"\0" * 10 + token("bin").encode())
    (repo / "big.txt").write_text("x" * 5000 + token("big"))
    run_git(repo, "add", ".")
    run_git(repo, "commit", "-qm", "files")
    report = scan_changes(repo, history_changes(repo), "project", size_limit=4096)
    assert report.findings == []
    assert sorted(reason for _, reason in report.skipped) == ["binary", "larger than 4096 bytes"]
