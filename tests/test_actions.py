"""Agent actions on the real demo workspace and small real repositories: checklist, commit, cleanup, open."""

from __future__ import annotations

import dataclasses
import shlex
import shutil
from pathlib import Path

import pytest

from cdev_tui import gitops
from cdev_tui.actions import (
    ActionRefused,
    NeedsConfirmation,
    check_items,
    commit_agent,
    commit_message,
    delete_branch,
    mark_complete,
    open_command,
    prune_worktrees,
    remove_worktree,
    uncheck_items,
)
from cdev_tui.config import Config
from cdev_tui.demo import DemoWorkspace, build_demo
from cdev_tui.errors import CdevError
from cdev_tui.plan import PlanAgent
from cdev_tui.status import AgentStatus
from cdev_tui.workspace import Agent, AgentFacts, WorkspaceLoader, WorkspaceSnapshot, resolve_paths
from cdev_tui.workspace_files import agent_context, write_agent_workspace
from tests.conftest import commit_files, run_git


@pytest.fixture
def demo(tmp_path: Path) -> DemoWorkspace:
    return build_demo(tmp_path / "demo")


def load(repo: Path) -> WorkspaceSnapshot:
    return WorkspaceLoader(resolve_paths(repo, Config())).load()


def agent_of(repo: Path, agent_id: str) -> Agent:
    agent = load(repo).agent(agent_id)
    assert agent is not None
    return agent


def checklist_of(demo: DemoWorkspace, agent_id: str) -> Path:
    return demo.worktree(agent_id) / "workspaces" / agent_id / "validation_checklist.txt"


# --- checklist -----------------------------------------------------------------------------------------


def test_check_and_uncheck_keep_the_file_format_and_the_model_sees_it(demo: DemoWorkspace) -> None:
    path = checklist_of(demo, "auth_agent")
    path.write_bytes(
        b"# Auth checklist\n\n1. [x] hashing\n2. [ ] tokens\n  note: keep this line\n3. [ ] login"
    )
    loader = WorkspaceLoader(resolve_paths(demo.repo, Config()))
    snapshot = loader.load()

    result = check_items(snapshot.agent("auth_agent"), [2, 3])
    assert (result.done, result.total) == (3, 3)
    assert (
        path.read_bytes()
        == b"# Auth checklist\n\n1. [x] hashing\n2. [x] tokens\n  note: keep this line\n3. [x] login"
    )
    fresh = loader.refresh(snapshot, {"auth_agent"})
    assert fresh.agent("auth_agent").progress == (3, 3)
    assert fresh.agent("auth_agent").status is AgentStatus.COMMITTED  # its work is committed, tree clean

    result = uncheck_items(fresh.agent("auth_agent"), [1])
    assert (result.done, result.total) == (2, 3) and "unticked 1" in result.message
    assert (
        path.read_bytes()
        == b"# Auth checklist\n\n1. [ ] hashing\n2. [x] tokens\n  note: keep this line\n3. [x] login"
    )
    assert loader.refresh(fresh, {"auth_agent"}).agent("auth_agent").status is AgentStatus.IN_PROGRESS


def test_uncheck_removes_the_completed_marker(demo: DemoWorkspace) -> None:
    marker = checklist_of(demo, "catalog_agent").parent / "COMPLETED"
    assert marker.exists()
    result = uncheck_items(agent_of(demo.repo, "catalog_agent"), [4])
    assert not marker.exists() and not result.completed_marker and "removed COMPLETED" in result.message
    assert agent_of(demo.repo, "catalog_agent").status is AgentStatus.IN_PROGRESS


def test_bad_item_numbers_and_agents_without_worktrees_are_one_line_errors(demo: DemoWorkspace) -> None:
    agent = agent_of(demo.repo, "api_agent")
    before = checklist_of(demo, "api_agent").read_bytes()
    with pytest.raises(CdevError, match=r"validation_checklist.txt: no checklist item 9 \(it has 4\)"):
        check_items(agent, [1, 9])
    with pytest.raises(CdevError, match=r"validation_checklist.txt: no checklist item 7"):
        uncheck_items(agent, [7])
    with pytest.raises(CdevError, match="api_agent: checklist items are numbered from 1, got 0"):
        check_items(agent, [0])
    with pytest.raises(CdevError, match="api_agent: no checklist item numbers given"):
        check_items(agent, [])
    assert checklist_of(demo, "api_agent").read_bytes() == before
    shutil.rmtree(demo.worktree("api_agent"))
    snapshot = load(demo.repo)
    missing = next(a for a in snapshot.agents if a.status is AgentStatus.MISSING)
    with pytest.raises(CdevError, match=r"^api_agent: worktree folder .* is missing"):
        check_items(missing, [1])
    assert [a.agent_id for a in snapshot.agents].count(
        "api_agent"
    ) == 1  # the missing row is the agent itself
    planned = dataclasses.replace(
        missing, facts=dataclasses.replace(missing.facts, worktree=None), status=AgentStatus.PLANNED
    )
    with pytest.raises(CdevError, match=r"api_agent: has no worktree \(planned, not spawned\)"):
        check_items(planned, [1])


def test_mark_complete_ticks_everything_and_creates_the_marker(demo: DemoWorkspace) -> None:
    result = mark_complete(agent_of(demo.repo, "cart_agent"))
    assert (result.done, result.total) == (4, 4) and result.completed_marker
    text = checklist_of(demo, "cart_agent").read_text()
    assert "[ ]" not in text and text.count("[x]") == 4
    assert (checklist_of(demo, "cart_agent").parent / "COMPLETED").is_file()
    assert agent_of(demo.repo, "cart_agent").status is AgentStatus.COMPLETE


# --- commit --------------------------------------------------------------------------------------------


def head(path: Path, ref: str = "HEAD") -> str:
    return run_git(path, "rev-parse", ref)


def test_commit_is_gated_then_commits_on_the_agent_branch_only(demo: DemoWorkspace) -> None:
    worktree = demo.worktree("auth_agent")
    branch = demo.branch("auth_agent")
    main_head, main_status = head(demo.repo), run_git(demo.repo, "status", "--porcelain")
    agent_head = head(worktree)

    with pytest.raises(
        ActionRefused, match=r"auth_agent: checklist incomplete \(2/4\); remaining: Cart routes"
    ):
        commit_agent(agent_of(demo.repo, "auth_agent"))
    mark_complete(agent_of(demo.repo, "auth_agent"))
    with pytest.raises(ActionRefused, match=r"planned files not created yet: tests/test_tokens\.py"):
        commit_agent(agent_of(demo.repo, "auth_agent"))
    assert head(worktree) == agent_head

    (worktree / "tests" / "test_tokens.py").write_text("def test_tokens():\n    assert 1 < 2\n")
    bookkeeping = worktree / "shared" / "coordination" / "integration-status.yaml"
    bookkeeping.parent.mkdir(parents=True)
    bookkeeping.write_text("integration_ready: true\n")
    result = commit_agent(agent_of(demo.repo, "auth_agent"))

    assert result.branch == branch and head(worktree, branch) == result.sha
    assert run_git(worktree, "rev-parse", f"{result.sha}^") == agent_head
    assert result.files == ("tests/test_tokens.py",)
    assert result.left_out == ("shared/coordination/integration-status.yaml",)
    assert "committed" in result.message and "left out 1 untracked bookkeeping file" in result.message
    assert head(demo.repo) == main_head and head(demo.repo, "main") == main_head
    assert run_git(demo.repo, "status", "--porcelain") == main_status
    assert (
        run_git(worktree, "status", "--porcelain", "-uall")
        == "?? shared/coordination/integration-status.yaml"
    )
    tree = run_git(worktree, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    assert not any(p.startswith(("workspaces/", "shared/coordination/integration")) for p in tree)

    body = run_git(worktree, "log", "-1", "--format=%B")
    assert body.splitlines()[0] == "feat(auth_agent): Order history, catalog search and signed sessions"
    assert "✅ Passwords are hashed with 600,000 PBKDF2 iterations" in body
    assert "✅ tests/test_tokens.py passes" in body
    assert "Agent role: Authentication & Authorization" in body
    assert "Files: 4 created, 1 modified" in body and "Task: SHOP-42" in body  # requirements.txt too

    with pytest.raises(ActionRefused, match=r"nothing to commit .*only untracked cdev bookkeeping files"):
        commit_agent(agent_of(demo.repo, "auth_agent"))


def test_commit_with_a_message_and_allow_incomplete(demo: DemoWorkspace) -> None:
    worktree = demo.worktree("cart_agent")
    agent = agent_of(demo.repo, "cart_agent")
    assert commit_message(agent).startswith("feat(cart_agent): ")
    result = commit_agent(agent, message="  wip: cart totals\n", allow_incomplete=True)
    assert result.subject == "wip: cart totals"
    assert run_git(worktree, "log", "-1", "--format=%B") == "wip: cart totals"
    assert set(result.files) == {
        "src/shopfront/catalog/pricing.py",
        "src/shopfront/cart/cart.py",
        "src/shopfront/cart/checkout.py",
    }
    assert run_git(worktree, "status", "--porcelain") == ""
    with pytest.raises(CdevError, match="cart_agent: the commit message is empty"):
        commit_agent(agent_of(demo.repo, "cart_agent"), message="  ", allow_incomplete=True)


def test_a_failing_hook_leaves_the_index_exactly_as_it_was(demo: DemoWorkspace) -> None:
    worktree = demo.worktree("cart_agent")
    run_git(worktree, "add", "src/shopfront/cart/cart.py")
    (worktree / "src" / "shopfront" / "cart" / "cart.py").write_text("# edited after staging\n")
    before = run_git(worktree, "status", "--porcelain")
    staged = run_git(worktree, "diff", "--cached")
    hook = gitops.common_dir(demo.repo) / "hooks" / "pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\necho 'checklist has open items' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(ActionRefused, match=r"cart_agent: nothing committed, .*checklist has open items"):
        commit_agent(agent_of(demo.repo, "cart_agent"), allow_incomplete=True)
    assert run_git(worktree, "status", "--porcelain") == before
    assert run_git(worktree, "diff", "--cached") == staged


def test_commit_refuses_a_worktree_on_another_branch(demo: DemoWorkspace) -> None:
    worktree = demo.worktree("cart_agent")
    agent = agent_of(demo.repo, "cart_agent")
    run_git(worktree, "switch", "-q", "-c", "elsewhere")
    with pytest.raises(ActionRefused, match="is on elsewhere, not the agent branch SHOP-42-cart_agent"):
        commit_agent(agent, allow_incomplete=True)
    run_git(worktree, "switch", "-q", "--detach")
    with pytest.raises(ActionRefused, match="detached HEAD"):
        commit_agent(agent, allow_incomplete=True)


def test_workspace_files_are_not_staged_when_the_project_does_not_ignore_them(repo: Path) -> None:
    worktree = repo.parent / "project-work-trees" / "T-1-solo_agent"
    run_git(repo, "worktree", "add", "-q", "-b", "T-1-solo_agent", str(worktree))
    plan = {"taskId": "T-1", "taskTitle": "Solo work", "parallelAgents": []}
    entry = {"agentId": "solo_agent", "agentRole": "Solo", "filesToCreate": ["src/new.py"]}
    entry["validationCriteria"] = ["new module exists"]
    context = agent_context(plan, entry, branch="T-1-solo_agent", worktree=worktree, created_at="2026-01-01")
    write_agent_workspace(worktree, context)
    mark_complete(agent_of(repo, "solo_agent"))
    (worktree / "src" / "new.py").write_text("VALUE = 1\n")
    result = commit_agent(agent_of(repo, "solo_agent"))
    assert result.files == ("src/new.py",)
    assert all(p.startswith("workspaces/solo_agent/") for p in result.left_out) and len(result.left_out) >= 5
    assert "feat(solo_agent): Solo work" in run_git(worktree, "log", "-1", "--format=%s")
    assert "workspaces/" not in run_git(worktree, "ls-tree", "-r", "--name-only", "HEAD")


# --- cleanup -------------------------------------------------------------------------------------------


def test_remove_refuses_dirty_without_force_and_never_loses_the_branch(demo: DemoWorkspace) -> None:
    cart = agent_of(demo.repo, "cart_agent")
    cart_head = head(demo.worktree("cart_agent"))
    with pytest.raises(ActionRefused, match=r"cart_agent: .* has 3 uncommitted change\(s\)"):
        remove_worktree(cart, confirm=True)
    assert demo.worktree("cart_agent").is_dir()

    catalog = agent_of(demo.repo, "catalog_agent")
    with pytest.raises(NeedsConfirmation):
        remove_worktree(catalog, confirm=False)
    assert demo.worktree("catalog_agent").is_dir()
    result = remove_worktree(catalog, confirm=True)
    assert not demo.worktree("catalog_agent").exists()
    assert "branch SHOP-42-catalog_agent kept" in result.message
    assert gitops.ref_exists(demo.repo, "refs/heads/SHOP-42-catalog_agent")

    result = remove_worktree(cart, confirm=True, force=True)
    assert result.forced and "discarding 3 uncommitted change(s)" in result.message
    assert head(demo.repo, "SHOP-42-cart_agent") == cart_head
    listed = [w.path for w in gitops.list_worktrees(demo.repo)]
    assert demo.worktree("cart_agent") not in listed


def test_remove_refuses_locked_and_unspawned(demo: DemoWorkspace) -> None:
    run_git(demo.repo, "worktree", "lock", str(demo.worktree("db_agent")))
    with pytest.raises(ActionRefused, match="is locked"):
        remove_worktree(agent_of(demo.repo, "db_agent"), confirm=True, force=True)
    assert demo.worktree("db_agent").is_dir()
    planned = Agent(AgentFacts("ghost", PlanAgent("ghost")), AgentStatus.PLANNED)
    with pytest.raises(CdevError, match="ghost: has no worktree"):
        remove_worktree(planned, confirm=True)


def test_delete_branch_only_when_merged(demo: DemoWorkspace) -> None:
    for agent_id in ("db_agent", "catalog_agent"):
        remove_worktree(agent_of(demo.repo, agent_id), confirm=True)
    catalog_branch = demo.branch("catalog_agent")
    with pytest.raises(ActionRefused, match=r"not merged into main \(3 commit\(s\) would be lost\)"):
        delete_branch(demo.repo, catalog_branch, "main", confirm=True)
    assert gitops.ref_exists(demo.repo, f"refs/heads/{catalog_branch}")
    with pytest.raises(ActionRefused, match=r"checked out in .*SHOP-42-api_agent"):
        delete_branch(demo.repo, demo.branch("api_agent"), "main", confirm=True)
    with pytest.raises(ActionRefused, match="is the target branch itself"):
        delete_branch(demo.repo, "main", "main", confirm=True)
    with pytest.raises(CdevError, match="no branch 'nope'"):
        delete_branch(demo.repo, "nope", "main", confirm=True)

    db_branch = demo.branch("db_agent")
    sha = head(demo.repo, db_branch)
    with pytest.raises(NeedsConfirmation):
        delete_branch(demo.repo, db_branch, "main", confirm=False)
    assert gitops.ref_exists(demo.repo, f"refs/heads/{db_branch}")
    result = delete_branch(demo.repo, db_branch, "main", confirm=True)
    assert result.sha == sha and sha[:8] in result.message
    assert not gitops.ref_exists(demo.repo, f"refs/heads/{db_branch}")
    run_git(demo.repo, "merge-base", "--is-ancestor", sha, "main")  # its commits are in main


def test_prune_reports_what_it_pruned(demo: DemoWorkspace) -> None:
    assert prune_worktrees(demo.repo).pruned == ()
    shutil.rmtree(demo.worktree("catalog_agent"))
    result = prune_worktrees(demo.repo)
    assert len(result.pruned) == 1 and result.pruned[0].startswith("SHOP-42-catalog_agent")
    assert result.message == "pruned 1 stale worktree(s): SHOP-42-catalog_agent"
    assert demo.worktree("catalog_agent") not in [w.path for w in gitops.list_worktrees(demo.repo)]
    assert gitops.ref_exists(demo.repo, f"refs/heads/{demo.branch('catalog_agent')}")


# --- open ----------------------------------------------------------------------------------------------


def test_open_command_outside_tmux(demo: DemoWorkspace) -> None:
    agent = agent_of(demo.repo, "api_agent")
    worktree = str(demo.worktree("api_agent"))
    env = {"EDITOR": "code --wait", "SHELL": "/bin/zsh"}
    assert open_command(agent, "editor", Config(), env) == ["code", "--wait", worktree]
    assert open_command(agent, "shell", Config(), env) == ["/bin/zsh"]
    assert open_command(agent, "agent", Config(), env) == ["claude"]
    assert open_command(agent, "agent", Config(agent_command="claude --model 'opus 4'"), env) == [
        "claude",
        "--model",
        "opus 4",
    ]
    assert open_command(agent, "editor", Config(), {}) == ["vi", worktree]
    assert open_command(agent, "shell", Config(), {}) == ["/bin/sh"]


def test_open_command_inside_tmux_opens_a_window_in_the_worktree(demo: DemoWorkspace) -> None:
    agent = agent_of(demo.repo, "api_agent")
    worktree = str(demo.worktree("api_agent"))
    env = {"TMUX": "/tmp/tmux-1000/default,4242,0", "EDITOR": "nvim"}
    argv = open_command(agent, "editor", Config(), env)
    assert argv[:6] == ["tmux", "new-window", "-c", worktree, "-n", "api_agent"]
    assert shlex.split(argv[6]) == ["nvim", worktree]
    assert open_command(agent, "agent", Config(), env)[6] == "claude"


def test_open_command_bad_input(demo: DemoWorkspace) -> None:
    agent = agent_of(demo.repo, "api_agent")
    with pytest.raises(CdevError, match="cannot open 'browser'"):
        open_command(agent, "browser", Config(), {})  # type: ignore[arg-type]
    with pytest.raises(CdevError, match="agent_command 'claude \"oops': No closing quotation"):
        open_command(agent, "agent", Config(agent_command='claude "oops'), {})


def test_commit_on_a_small_repo_counts_deletions_and_renames(repo: Path) -> None:
    commit_files(repo, {"src/old.py": "OLD = 1\n", "src/gone.py": "GONE = 1\n"}, "base")
    worktree = repo.parent / "project-work-trees" / "T-2-mover_agent"
    run_git(repo, "worktree", "add", "-q", "-b", "T-2-mover_agent", str(worktree))
    run_git(worktree, "mv", "src/old.py", "src/new.py")
    (worktree / "src" / "gone.py").unlink()
    agent = agent_of(repo, "T-2-mover_agent")  # a plain worktree: id = branch
    result = commit_agent(agent, message="move and delete", allow_incomplete=True)
    assert set(result.files) == {"src/old.py", "src/new.py", "src/gone.py"}
    assert run_git(worktree, "status", "--porcelain") == ""
