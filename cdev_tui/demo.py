"""The demo workspace: a real git repository with five agent worktrees at different stages.

``build_demo(dest)`` creates, with real git commands only::

    dest/shopfront/                       the project (branch main), plan and .cdev/config.toml committed
    dest/shopfront-work-trees/SHOP-42-<agent>/   one linked worktree per agent, branch = folder name
    dest/shopfront-work-trees/coordination/      parallel-agent-status.{yaml,json}

The story it tells: ``db_agent`` is merged into main; ``catalog_agent`` is complete and committed but not merged;
``api_agent`` and ``auth_agent`` are in progress and conflict on ``src/shopfront/api/routes.py`` (auth edited a
file api owns); ``catalog_agent`` and ``api_agent`` both committed cdev's ``validation-status.yaml``
(add/add conflict); ``cart_agent`` is blocked but has uncommitted edits to catalog's ``pricing.py`` that
conflict only once uncommitted work is taken into account. ``auth_agent`` committed a planted, fake GitHub
token. Commit dates are spread over the three hours before ``now``; everything else is deterministic.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import string
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cdev_tui.demo_story import (
    CONFIG_TOML,
    OSV_DB,
    SCRIPTS,
    SECOND_BASE_COMMIT,
    TASK_ID,
    TASK_TITLE,
    AgentScript,
    demo_plan,
)
from cdev_tui.errors import CdevError
from cdev_tui.gitops import git
from cdev_tui.workspace_files import (
    AgentState,
    agent_context,
    atomic_write_text,
    branch_name,
    coordination_status,
    dump_yaml,
    iso_utc,
    plan_file_name,
    set_checklist,
    set_completed_marker,
    write_agent_workspace,
    write_coordination_status,
    write_linear_cache,
    write_plan_json,
)

PROJECT = "shopfront"
MARKER_NAME = "cdev-demo.json"  # inside the demo repository's .git folder
DEMO_VERSION = 2

_IDENTITY_NAME = "cdev demo"
_IDENTITY_EMAIL = "demo@cdev.invalid"
_GIT_CONFIG = (
    *("-c", f"user.name={_IDENTITY_NAME}", "-c", f"user.email={_IDENTITY_EMAIL}"),
    # Keep the user's global settings (signing, hooks, line endings, auto gc) out of the demo.
    *("-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", "-c", "core.autocrlf=false"),
    *("-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "advice.detachedHead=false"),
)
_TOKEN_PLACEHOLDER = "__CDEV_DEMO_FAKE_GITHUB_TOKEN__"
_TOKEN_FILE = "src/shopfront/auth/tokens.py"
_RENAMED = {"gitignore": ".gitignore"}  # dotfiles are not picked up by package-data globs


def _is_cache(name: str) -> bool:
    # Tool caches (.ruff_cache, .pytest_cache, __pycache__) may appear next to the templates in a checkout.
    return name.startswith(".") or name == "__pycache__"


@dataclass(frozen=True)
class DemoWorkspace:
    """Where the pieces of a built demo are."""

    repo: Path
    worktrees_root: Path
    plan_path: Path
    agents: list[str]
    task_id: str = TASK_ID
    secret_file: Path | None = None
    """The committed file of ``auth_agent``'s worktree that holds the planted fake token."""

    @property
    def coordination_dir(self) -> Path:
        """``<worktrees_root>/coordination``."""
        return self.worktrees_root / "coordination"

    def branch(self, agent_id: str) -> str:
        """The agent's branch name."""
        return branch_name(self.task_id, agent_id)

    def worktree(self, agent_id: str) -> Path:
        """The agent's worktree folder."""
        return self.worktrees_root / self.branch(agent_id)


def fake_github_token(seed: str = "cdev-tui demo") -> str:
    """A GitHub personal-access-token-shaped fake (``ghp_`` + 36 letters/digits), the same for a seed."""
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits
    return "ghp_" + "".join(rng.choice(alphabet) for _ in range(36))


# --- building ------------------------------------------------------------------------------------------


def _assets_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "assets" / "demo", here.parent / "assets" / "demo"):
        if (candidate / PROJECT).is_dir():
            return candidate
    raise CdevError(f"demo templates not found next to {here} (assets/demo/{PROJECT}); reinstall cdev-tui")


def _marker(repo: Path) -> Path:
    return repo / ".git" / MARKER_NAME


def _read_marker(repo: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(_marker(repo).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("demo") == PROJECT else None


def demo_is_built(dest: Path) -> bool:
    """Whether ``dest`` holds a complete demo built by :func:`build_demo` of this version (an older one is
    rebuilt)."""
    dest = Path(dest)
    marker = _read_marker(dest / PROJECT)
    complete = bool(marker and marker.get("complete") and marker.get("version") == DEMO_VERSION)
    return complete and (dest / f"{PROJECT}-work-trees").is_dir()


class _Builder:
    def __init__(self, dest: Path, now: datetime) -> None:
        self.dest = dest
        self.now = now
        self.repo = dest / PROJECT
        self.root = dest / f"{PROJECT}-work-trees"
        self.assets = _assets_dir()
        self.plan = demo_plan()
        self.token = fake_github_token()

    def at(self, minutes_ago: int) -> datetime:
        return self.now - timedelta(minutes=minutes_ago)

    def stamp(self, minutes_ago: int | None) -> str | None:
        return None if minutes_ago is None else iso_utc(self.at(minutes_ago))

    def git(self, cwd: Path, *args: str, minutes_ago: int = 0) -> str:
        when = f"@{int(self.at(minutes_ago).timestamp())} +0000"
        env = {
            "GIT_AUTHOR_NAME": _IDENTITY_NAME,
            "GIT_AUTHOR_EMAIL": _IDENTITY_EMAIL,
            "GIT_COMMITTER_NAME": _IDENTITY_NAME,
            "GIT_COMMITTER_EMAIL": _IDENTITY_EMAIL,
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_DATE": when,
            # The user's global and system git config (identity, signing, excludes, templates) stay out.
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_EDITOR": "true",
            "GIT_TERMINAL_PROMPT": "0",
        }
        return git(cwd, *_GIT_CONFIG, *args, env=env).stdout

    def commit(self, cwd: Path, message: str, paths: Iterable[str], minutes_ago: int) -> None:
        self.git(cwd, "add", "--", *paths, minutes_ago=minutes_ago)
        self.git(cwd, "commit", "--quiet", "--no-verify", "-m", message, minutes_ago=minutes_ago)

    def copy_tree(
        self, source: Path, target: Path, only: Callable[[str], bool] = lambda _: True
    ) -> list[str]:
        """Copy template files (relative paths filtered by ``only``); returns the relative target paths."""
        written = []
        for path in sorted(source.rglob("*")):
            rel_parts = path.relative_to(source).parts
            if not path.is_file() or path.suffix == ".pyc" or any(_is_cache(part) for part in rel_parts):
                continue
            rel = "/".join((*rel_parts[:-1], _RENAMED.get(rel_parts[-1], rel_parts[-1])))
            if only(rel):
                self.install(path, target, rel)
                written.append(rel)
        return written

    def install(self, source: Path, target: Path, rel: str) -> None:
        data = source.read_bytes()
        if rel == _TOKEN_FILE:
            data = data.replace(_TOKEN_PLACEHOLDER.encode(), self.token.encode())
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_bytes(data)

    def agent_file(self, agent_id: str, rel: str, worktree: Path) -> None:
        source = self.assets / "agents" / agent_id / rel
        if not source.is_file():
            raise CdevError(f"{source}: demo template missing; reinstall cdev-tui")
        self.install(source, worktree, rel)

    # steps ----------------------------------------------------------------------------------------------

    def build(self) -> DemoWorkspace:
        self.root.mkdir(parents=True)
        self.repo.mkdir(parents=True)
        self.git(self.repo, "init", "--quiet", "--initial-branch=main", minutes_ago=185)
        self.write_marker(complete=False)
        shutil.copytree(self.assets / "osv", self.repo / OSV_DB)
        self.base_commits()
        spawn_point = self.git(self.repo, "rev-parse", "HEAD")
        worktrees = {script.agent_id: self.spawn(script, spawn_point) for script in SCRIPTS}
        for script in SCRIPTS:
            self.work(script, worktrees[script.agent_id])
        states = [
            AgentState(s.agent_id, s.status, self.stamp(s.started), self.stamp(s.completed)) for s in SCRIPTS
        ]
        status = coordination_status(
            self.plan, states, created_at=iso_utc(self.at(165)), last_updated=iso_utc(self.at(20))
        )
        write_coordination_status(self.root / "coordination", status)
        self.write_marker(complete=True)
        return DemoWorkspace(
            repo=self.repo,
            worktrees_root=self.root,
            plan_path=self.repo / "shared" / "deployment-plans" / plan_file_name(TASK_ID),
            agents=[s.agent_id for s in SCRIPTS],
            secret_file=worktrees["auth_agent"] / _TOKEN_FILE,
        )

    def write_marker(self, *, complete: bool) -> None:
        marker = {
            "demo": PROJECT,
            "version": DEMO_VERSION,
            "complete": complete,
            "builtAt": iso_utc(self.now),
        }
        atomic_write_text(_marker(self.repo), json.dumps(marker, indent=2))

    def base_commits(self) -> None:
        template = self.assets / PROJECT

        def later(rel: str) -> bool:
            return rel.startswith(SECOND_BASE_COMMIT)

        first = self.copy_tree(template, self.repo, only=lambda rel: not later(rel))
        self.commit(self.repo, "Initial shopfront skeleton: settings, database and accounts", first, 180)
        second = self.copy_tree(template, self.repo, only=later)
        self.commit(self.repo, "Add the catalog, carts and the JSON API", second, 176)

        atomic_write_text(self.repo / ".cdev" / "config.toml", CONFIG_TOML)
        plan_path = self.repo / "shared" / "deployment-plans" / plan_file_name(TASK_ID)
        write_plan_json(plan_path, self.plan)
        write_linear_cache(self.repo, self.linear_issue())
        self.commit(
            self.repo,
            f"chore: cdev config and the {TASK_ID} deployment plan",
            [".cdev/config.toml", plan_path.relative_to(self.repo).as_posix()],
            170,
        )

    def linear_issue(self) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://linear.app/demo/issue/{TASK_ID}")),
            "identifier": TASK_ID,
            "title": TASK_TITLE,
            "description": (
                "Customers need to see what they ordered and find products faster.\n"
                "1. Store orders with their lines (migrations + repositories)\n"
                "2. Search the catalog and cap discounts, with volume tiers\n"
                "3. Expose order lookup and validated cart bodies in the API\n"
                "4. Signed session tokens; the cart requires login\n"
                "5. Checkout that reserves stock, with member discounts"
            ),
            "priority": 2,
            "priorityLabel": "High",
            "state": {"name": "In Progress"},
            "assignee": {"name": "Dev", "email": "dev@example.com"},
            "team": {"name": "Shop"},
            "project": None,
            "createdAt": iso_utc(self.at(60 * 26)),
            "updatedAt": iso_utc(self.at(168)),
        }

    def spawn(self, script: AgentScript, spawn_point: str) -> Path:
        branch = branch_name(TASK_ID, script.agent_id)
        worktree = self.root / branch
        self.git(self.repo, "worktree", "add", "--quiet", "-b", branch, str(worktree), spawn_point)
        agent = next(a for a in self.plan["parallelAgents"] if a["agentId"] == script.agent_id)
        context = agent_context(
            self.plan, agent, branch=branch, worktree=worktree, created_at=iso_utc(self.at(165))
        )
        write_agent_workspace(
            worktree,
            context,
            files_to_create=agent["filesToCreate"],
            files_to_modify=agent["filesToModify"],
            test_contracts=agent["testContracts"],
            validation_criteria=agent["validationCriteria"],
        )
        return worktree

    def work(self, script: AgentScript, worktree: Path) -> None:
        for commit in script.commits:
            for rel in commit.paths:
                self.agent_file(script.agent_id, rel, worktree)
            self.commit(worktree, commit.message, commit.paths, commit.minutes_ago)
        if script.validation_status_at is not None:
            self.commit_validation_status(script, worktree)
        for rel in script.uncommitted:
            self.agent_file(script.agent_id, rel, worktree)
        workspace = worktree / "workspaces" / script.agent_id
        set_checklist(workspace / "validation_checklist.txt", range(1, script.ticked + 1))
        if script.completed_marker:
            set_completed_marker(workspace)
        if script.idle_since is not None:
            idle = self.at(script.idle_since).timestamp()
            for path in workspace.iterdir():
                os.utime(path, (idle, idle))
        if script.merged_at is not None:
            branch = branch_name(TASK_ID, script.agent_id)
            message = f"Merge agent work: {script.agent_id}"
            self.git(
                self.repo, "merge", "--no-ff", "--quiet", "-m", message, branch, minutes_ago=script.merged_at
            )

    def commit_validation_status(self, script: AgentScript, worktree: Path) -> None:
        """cdev's agent-commit bookkeeping (§2.10b), committed into the branch as the real script did."""
        agent = next(a for a in self.plan["parallelAgents"] if a["agentId"] == script.agent_id)
        total = len(agent["validationCriteria"])
        minutes = script.validation_status_at or 0
        record = {
            "validation_passed": script.ticked == total,
            "validated_at": iso_utc(self.at(minutes)),
            "agent_id": script.agent_id,
            "validation_criteria": script.ticked,
            "total_criteria": total,
            "files_created": agent["filesToCreate"],
            "files_modified": agent["filesToModify"],
            "validator": "agent-commit-enhanced",
        }
        rel = "shared/coordination/validation-status.yaml"
        atomic_write_text(worktree / rel, dump_yaml(record))
        done = [f"✅ {c}" for c in agent["validationCriteria"][: script.ticked]]
        message = "\n".join(
            [
                f"feat({script.agent_id}): {TASK_TITLE}",
                "",
                *done,
                "",
                f"Agent role: {agent['agentRole']}",
                f"Task: {TASK_ID}",
                "",
                "Co-Authored-By: Claude <noreply@anthropic.com>",
            ]
        )
        self.commit(worktree, message, [rel], minutes)


def _remove_previous(repo: Path, root: Path) -> None:
    """Delete a demo this module built before (refusing anything else)."""
    for path in (repo, root):
        if path.is_symlink() or path.is_file():
            raise CdevError(f"{path}: exists and is not a demo folder; choose another destination")
    for path in (root, repo):
        if path.exists():
            shutil.rmtree(path)


def build_demo(dest: Path, *, now: datetime | None = None, replace: bool = True) -> DemoWorkspace:
    """Build the demo workspace under ``dest`` (its parent folder) and return where everything is.

    A previous demo built here is replaced (``replace=False`` refuses instead); any other existing
    ``dest/shopfront`` or ``dest/shopfront-work-trees`` is refused with a :class:`CdevError`, untouched.
    ``now`` anchors the commit dates and timestamps (default: the current time; naive means UTC).
    """
    dest = Path(dest).expanduser().absolute()
    now = datetime.now(UTC) if now is None else now
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    if dest.exists() and not dest.is_dir():
        raise CdevError(f"{dest}: not a directory")
    repo, root = dest / PROJECT, dest / f"{PROJECT}-work-trees"
    if repo.exists() or root.exists():
        if _read_marker(repo) is None:
            taken = repo if repo.exists() else root
            raise CdevError(f"{taken}: already exists and is not a cdev-tui demo; choose another folder")
        if not replace:
            raise CdevError(f"{repo}: a demo is already built here")
        _remove_previous(repo, root)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CdevError(f"{dest}: cannot create the demo folder ({exc.strerror})") from None
    try:
        return _Builder(dest, now).build()
    except OSError as exc:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(repo, ignore_errors=True)
        raise CdevError(f"{dest}: cannot build the demo there ({exc.strerror or exc})") from None
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(repo, ignore_errors=True)
        raise
