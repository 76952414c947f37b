"""Bad input and where secrets must never go: odd files are skipped with a reason and never crash a scan; the
raw secret never reaches the store, the JSON or SARIF output, the events, or a notification."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import stat
from pathlib import Path

import pytest

from cdev_tui.cli import main
from cdev_tui.demo import fake_github_token
from cdev_tui.security import scan_roots
from cdev_tui.security.cache import ScanCache
from cdev_tui.service import open_service
from cdev_tui.store import Store
from tests.conftest import commit_files, run_git

TOKEN = fake_github_token("safety")


def planted(tmp_path: Path) -> Path:
    """A repository holding one token in a committed file and another in a staged one."""
    repo = tmp_path / "project"
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "main")
    commit_files(repo, {"app/settings.py": f'GITHUB_TOKEN = "{TOKEN}"\n', "README.md": "# p\n"}, "initial")
    return repo


def test_symlink_loops_fifos_sockets_unreadable_and_huge_files_are_skipped_with_reasons(
    tmp_path: Path,
) -> None:
    root = tmp_path / "odd"
    root.mkdir()
    (root / "ok.py").write_text(f'TOKEN = "{TOKEN}"\n')
    (root / "loop").symlink_to(root / "loop")  # a symlink to itself
    (root / "dir-loop").symlink_to(root)  # a symlinked folder pointing up
    os.mkfifo(root / "pipe")  # reading it would block forever
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(root / "sock"))
    huge = root / "dump.sql"
    with huge.open("wb") as handle:  # 1 GiB, sparse: costs no disk
        handle.truncate(1 << 30)
    unreadable = root / "private.env.py"
    unreadable.write_text("x = 1\n")
    unreadable.chmod(0)
    (root / "latin1.py").write_bytes(b"caf\xe9 = '" + TOKEN.encode() + b"'\n")
    try:
        report = scan_roots([("odd", root)])
    finally:
        server.close()
        unreadable.chmod(stat.S_IRUSR | stat.S_IWUSR)
    found = sorted((f.path, f.line) for f in report.findings)
    assert ("ok.py", 1) in found and ("latin1.py", 1) in found
    reasons = {Path(path).name: reason for path, reason in report.skipped}
    assert "symlink" in reasons["loop"] and "symlink" in reasons["dir-loop"]
    assert "pipe" in reasons and "sock" in reasons
    assert reasons["dump.sql"] == "larger than 1048576 bytes"
    if os.geteuid() != 0:  # root reads anything
        assert "private.env.py" in reasons


def test_the_store_never_holds_the_raw_secret(tmp_path: Path) -> None:
    repo = planted(tmp_path)
    db = tmp_path / "c.db"
    service = open_service(repo, db=db)
    report = service.scan(service.load())
    assert [f.path for f in report.findings] == ["app/settings.py"]
    service.accept_findings(report.findings, "rotated already")
    service.scan(service.load())  # answered from the cache, findings accepted
    service.close()
    raw = db.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("c.db-*") if p.is_file())
    assert TOKEN.encode() not in raw
    with sqlite3.connect(db) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):  # table names from sqlite_master
                assert TOKEN not in " ".join(str(cell) for cell in row), table
    assert TOKEN not in (repo / ".cdev" / "secrets-baseline.json").read_text()


def test_the_scan_cache_keeps_masks_and_fingerprints_only(tmp_path: Path) -> None:
    repo = planted(tmp_path)
    store = Store(tmp_path / "cache.db")
    try:
        first = scan_roots([("main", repo)], cache=ScanCache(store))
        second = scan_roots([("main", repo)], cache=ScanCache(store))
        assert second.files_from_cache == second.files_scanned and second.findings == first.findings
    finally:
        store.close()
    assert TOKEN.encode() not in (tmp_path / "cache.db").read_bytes()


@pytest.mark.parametrize("fmt", ["json", "sarif", "table"])
def test_cli_output_in_every_format_is_masked(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = planted(tmp_path)
    code = main(["scan", str(repo), "--format", fmt, "--no-cache", "--db", str(tmp_path / "c.db")])
    captured = capsys.readouterr()
    assert code == 1
    assert TOKEN not in captured.out + captured.err
    assert "ghp_" in captured.out
    if fmt != "table":
        json.loads(captured.out)


def test_history_and_staged_scans_are_masked_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = planted(tmp_path)
    (repo / "app" / "settings.py").write_text("GITHUB_TOKEN = os.environ['GITHUB_TOKEN']\n")
    (repo / "deploy.py").write_text(f'TOKEN = "{TOKEN}"\n')
    run_git(repo, "add", "-A")
    for args in (["--history"], ["--staged"]):
        code = main(["scan", str(repo), *args, "--format", "json", "--db", str(tmp_path / "c.db")])
        captured = capsys.readouterr()
        assert code == 1 and TOKEN not in captured.out + captured.err
        assert json.loads(captured.out)["findings"]


def test_a_parallel_scan_finds_exactly_what_a_serial_one_finds(tmp_path: Path) -> None:
    root = tmp_path / "many"
    for n in range(320):  # above the size where workers start
        body = f"value_{n} = {n}\n" * 40
        if n % 7 == 0:
            body += f'GITHUB_TOKEN = "{fake_github_token(str(n % 21))}"\n'  # some contents repeat
        (root / f"pkg{n % 9}").mkdir(parents=True, exist_ok=True)
        (root / f"pkg{n % 9}" / f"mod{n}.py").write_text(body)
    serial = scan_roots([("r", root)])
    parallel = scan_roots([("r", root)], parallel=True)
    assert len(serial.findings) == 46 and parallel.findings == serial.findings
    assert (
        parallel.files_scanned == serial.files_scanned == 320
        and parallel.files_from_cache == serial.files_from_cache
    )
    store = Store(tmp_path / "cache.db")
    try:
        first = scan_roots([("r", root)], cache=ScanCache(store), parallel=True)
        again = scan_roots([("r", root)], cache=ScanCache(store), parallel=True)
    finally:
        store.close()
    assert first.findings == again.findings == serial.findings and again.files_from_cache == 320
