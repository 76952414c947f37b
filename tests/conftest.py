"""Shared fixtures: real git repositories in tmp_path, isolated from the user's config."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytest_plugins = ("tests.voice_audio",)  # the session's private PulseAudio server, for the audio tests


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests away from the user's git identity, config files and environment overrides."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name, value in {
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Test Author",
        "GIT_COMMITTER_EMAIL": "author@example.com",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("CDEV_TUI_WORKTREES_ROOT", "CDEV_TUI_TARGET_BRANCH", "CDEV_TUI_CONFIG", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def run_git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` for test setup and return its stripped stdout."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def commit_files(repo: Path, files: dict[str, str], message: str) -> str:
    """Write ``files`` (path → text) under ``repo``, commit them all and return the new commit id."""
    for rel, text in files.items():
        target = repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", message)
    return run_git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A real git repository on branch ``main`` with one commit."""
    path = tmp_path / "project"
    path.mkdir()
    run_git(path, "init", "-q", "-b", "main")
    commit_files(path, {"README.md": "# project\n", "src/app.py": "def main():\n    return 1\n"}, "initial")
    return path


SHOP_FILES = {
    "shop/__init__.py": "",
    "shop/billing/__init__.py": "",
    "shop/billing/invoices.py": "def render_invoice(order):\n    return str(order)\n",
    "shop/catalog/__init__.py": "",
    "shop/catalog/search.py": "def search_products(query):\n    return []\n",
}
"""A tiny two-package project for planning tests: billing and catalog."""


def shop_repo(tmp_path: Path, *, ignore: str = "workspaces/\n", extra: dict[str, str] | None = None) -> Path:
    """A real repository ``tmp_path/shop`` holding :data:`SHOP_FILES` (plus ``extra``), one commit on main."""
    repo = tmp_path / "shop"
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "main")
    commit_files(repo, {".gitignore": ignore, **SHOP_FILES, **(extra or {})}, "shop")
    return repo


@pytest.fixture
def git_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The arguments of every git command run through :func:`cdev_tui.gitops.git` from now on."""
    from cdev_tui import gitops

    calls: list[tuple[str, ...]] = []
    real = gitops.git

    def counting(cwd, *args, **kwargs):
        calls.append(args)
        return real(cwd, *args, **kwargs)

    monkeypatch.setattr(gitops, "git", counting)
    return calls
