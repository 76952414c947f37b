"""Plan editing: every operation returns a new, consistent plan or refuses with a clear error."""

from __future__ import annotations

import pytest

from cdev_tui.errors import CdevError
from cdev_tui.plan import Plan, PlanAgent, plan_from_dict
from cdev_tui.plan_edit import (
    add_agent,
    move_file,
    recompute,
    remove_agent,
    rename_agent,
    set_contracts,
    set_criteria,
    set_dependencies,
    set_estimate,
)
from cdev_tui.planner import plan_to_dict, validate_plan


@pytest.fixture
def plan() -> Plan:
    return recompute(
        Plan(
            "T-1",
            "Editing",
            (
                PlanAgent(
                    "db_agent",
                    files_to_modify=("src/db.py",),
                    test_contracts=("tests/test_db.py",),
                    files_to_create=("tests/test_db.py",),
                    estimated_minutes=20,
                ),
                PlanAgent("api_agent", files_to_modify=("src/api.py",), dependencies=("db_agent",)),
                PlanAgent("ui_agent", files_to_create=("src/ui.py",), dependencies=("api_agent", "db_agent")),
            ),
        )
    )


def test_recompute_sets_start_flags_merge_order_and_ownership(plan: Plan) -> None:
    assert plan.merge_order == ("db_agent", "api_agent", "ui_agent")
    assert [a.can_start_immediately for a in plan.agents] == [True, False, False]
    assert plan.extras["exclusiveOwnership"]["agentOwnership"]["api_agent"] == ["src/api.py"]
    assert plan_from_dict(plan_to_dict(plan)) == plan
    assert validate_plan(plan) == []


def test_add_agent_then_give_it_a_file(plan: Plan) -> None:
    added = add_agent(plan, "docs_agent", role="Docs", dependencies=["api_agent"], estimated_minutes=15)
    assert added.agent("docs_agent") == PlanAgent(
        "docs_agent",
        role="Docs",
        dependencies=("api_agent",),
        estimated_minutes=15,
        can_start_immediately=False,
    )
    assert [p.message for p in validate_plan(added)] == ["docs_agent owns no files"]
    done = move_file(added, "docs/guide.md", "docs_agent", kind="create")
    assert done.agent("docs_agent").files_to_create == ("docs/guide.md",)
    assert validate_plan(done) == []
    assert plan.agent("docs_agent") is None  # the original is untouched


@pytest.mark.parametrize(
    ("agent_id", "message"),
    [("db_agent", "already exists"), ("bad id", "invalid agent id"), ("../x", "invalid agent id")],
)
def test_add_agent_refuses_bad_ids(plan: Plan, agent_id: str, message: str) -> None:
    with pytest.raises(CdevError, match=message):
        add_agent(plan, agent_id)


def test_add_agent_refuses_unknown_dependencies(plan: Plan) -> None:
    with pytest.raises(CdevError, match="no agent 'ghost_agent' in plan T-1"):
        add_agent(plan, "x_agent", dependencies=["ghost_agent"])


def test_remove_agent_drops_it_from_dependencies_and_merge_order(plan: Plan) -> None:
    edited = remove_agent(plan, "db_agent")
    assert [a.agent_id for a in edited.agents] == ["api_agent", "ui_agent"]
    assert edited.agent("api_agent").dependencies == ()
    assert edited.agent("api_agent").can_start_immediately is True
    assert edited.agent("ui_agent").dependencies == ("api_agent",)
    assert edited.merge_order == ("api_agent", "ui_agent")
    with pytest.raises(CdevError, match="no agent 'db_agent'"):
        remove_agent(edited, "db_agent")


def test_rename_agent_updates_dependencies_and_merge_order(plan: Plan) -> None:
    edited = rename_agent(plan, "db_agent", "storage_agent")
    assert edited.agent("db_agent") is None
    assert edited.agent("storage_agent").files_to_modify == ("src/db.py",)
    assert edited.agent("ui_agent").dependencies == ("api_agent", "storage_agent")
    assert edited.merge_order == ("storage_agent", "api_agent", "ui_agent")
    assert edited.extras["exclusiveOwnership"]["agentOwnership"]["storage_agent"] == [
        "tests/test_db.py",
        "src/db.py",
    ]
    with pytest.raises(CdevError, match="already exists"):
        rename_agent(plan, "db_agent", "api_agent")


def test_move_file_keeps_ownership_exclusive_and_its_kind(plan: Plan) -> None:
    edited = move_file(plan, "src/db.py", "api_agent")
    assert edited.agent("db_agent").files_to_modify == ()
    assert edited.agent("api_agent").files_to_modify == ("src/api.py", "src/db.py")
    assert all(len(owners) == 1 for owners in edited.owners().values())
    contract = move_file(plan, "tests/test_db.py", "ui_agent")
    assert contract.agent("ui_agent").files_to_create == ("src/ui.py", "tests/test_db.py")
    assert contract.agent("ui_agent").test_contracts == ("tests/test_db.py",)
    assert contract.agent("db_agent").test_contracts == ()
    as_modify = move_file(plan, "src/ui.py", "api_agent", kind="modify")
    assert as_modify.agent("api_agent").files_to_modify == ("src/api.py", "src/ui.py")


def test_move_file_resolves_a_duplicate_owner() -> None:
    clash = Plan(
        "T-2",
        "t",
        (
            PlanAgent("a_agent", files_to_modify=("x.py", "a.py")),
            PlanAgent("b_agent", files_to_modify=("x.py",)),
        ),
    )
    assert any("owned by a_agent and b_agent" in p.message for p in validate_plan(clash))
    fixed = move_file(clash, "x.py", "a_agent")
    assert fixed.owners()["x.py"] == ["a_agent"]


@pytest.mark.parametrize(
    ("path", "agent_id", "kind", "message"),
    [
        ("new.py", "api_agent", None, "not in the plan yet: say whether api_agent creates or modifies it"),
        ("src/db.py", "ghost_agent", None, "no agent 'ghost_agent'"),
        ("../etc/passwd", "api_agent", "modify", "must stay inside the repository"),
        ("/etc/passwd", "api_agent", "modify", "relative to the repository"),
        ("src/db.py", "api_agent", "rewrite", "kind must be 'create' or 'modify'"),
    ],
)
def test_move_file_refuses_bad_moves(
    plan: Plan, path: str, agent_id: str, kind: str | None, message: str
) -> None:
    with pytest.raises(CdevError, match=message):
        move_file(plan, path, agent_id, kind=kind)  # type: ignore[arg-type]


def test_set_dependencies_recomputes_order_and_refuses_cycles(plan: Plan) -> None:
    edited = set_dependencies(plan, "db_agent", [])
    assert edited == plan
    flipped = set_dependencies(set_dependencies(plan, "ui_agent", []), "api_agent", ["ui_agent"])
    assert flipped.merge_order == ("db_agent", "ui_agent", "api_agent")
    assert flipped.agent("ui_agent").can_start_immediately is True
    with pytest.raises(CdevError, match="dependency cycle: api_agent → db_agent → api_agent"):
        set_dependencies(plan, "db_agent", ["api_agent"])
    with pytest.raises(CdevError, match="cannot depend on itself"):
        set_dependencies(plan, "db_agent", ["db_agent"])
    with pytest.raises(CdevError, match="no agent 'nope'"):
        set_dependencies(plan, "db_agent", ["nope"])
    with pytest.raises(CdevError, match="a list of strings"):
        set_dependencies(plan, "api_agent", "db_agent")


def test_set_criteria_contracts_and_estimate(plan: Plan) -> None:
    edited = set_criteria(plan, "api_agent", ["  Routes   respond ", "", "Routes respond", "Docs updated"])
    assert edited.agent("api_agent").validation_criteria == ("Routes respond", "Docs updated")
    edited = set_contracts(edited, "api_agent", ["./tests/test_api.py", "tests/test_api.py"])
    assert edited.agent("api_agent").test_contracts == ("tests/test_api.py",)
    edited = set_estimate(edited, "api_agent", 45)
    assert edited.agent("api_agent").estimated_minutes == 45
    assert set_estimate(edited, "api_agent", None).agent("api_agent").estimated_minutes is None
    assert plan_from_dict(plan_to_dict(edited)) == edited


@pytest.mark.parametrize(
    ("minutes", "message"), [(-5, "between 0 and"), (2.5, "whole number"), (True, "whole number")]
)
def test_set_estimate_refuses_bad_values(plan: Plan, minutes: object, message: str) -> None:
    with pytest.raises(CdevError, match=message):
        set_estimate(plan, "api_agent", minutes)  # type: ignore[arg-type]


def test_set_contracts_refuses_paths_outside_the_repository(plan: Plan) -> None:
    with pytest.raises(CdevError, match="inside the repository"):
        set_contracts(plan, "api_agent", ["../../x_test.py"])
