"""Writers of cdev's on-disk formats: agent workspaces, checklists, coordination status, plans."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from cdev_tui import workspace_files as wf
from cdev_tui.checklist import read_checklist
from cdev_tui.errors import CdevError
from cdev_tui.plan import load_plan

CONTEXT_KEYS = [
    "agentId",
    "taskId",
    "taskTitle",
    "branchName",
    "workTreePath",
    "agentInstances",
    "dependencies",
    "allFilesToCreate",
    "allFilesToModify",
    "allTestContracts",
    "allValidationCriteria",
    "canStartImmediately",
    "estimatedTime",
    "createdAt",
]


def make_plan() -> dict[str, Any]:
    return {
        "taskId": "AOJ-63",
        "taskTitle": "Auth and forms",
        "parallelAgents": [
            {
                "agentId": "auth_agent",
                "agentRole": "Authentication & Authorization",
                "focusArea": "Authentication",
                "dependencies": [],
                "filesToCreate": ["lib/auth/token.ts", "types/auth.ts"],
                "filesToModify": ["pages/index.tsx"],
                "testContracts": ["auth.test.ts"],
                "validationCriteria": ["Auth files created", "Auth tests pass"],
                "estimatedTime": 35,
                "canStartImmediately": True,
            },
            {
                "agentId": "forms_agent",
                "agentRole": "Form Components & Validation",
                "dependencies": ["auth_agent"],
                "filesToCreate": ["components/Form.tsx", "lib/validate.ts"],
                "filesToModify": [],
                "testContracts": ["Form.test.tsx"],
                "validationCriteria": ["Forms render", "Forms validate", "Form tests pass"],
                "estimatedTime": "25 minutes",
                "canStartImmediately": False,
            },
            {
                "agentId": "forms_agent",
                "agentRole": "Form Components & Validation",
                "dependencies": ["auth_agent", "api_agent"],
                "allFilesToCreate": ["lib/validate.ts", "hooks/useForm.ts"],
                "allValidationCriteria": ["Forms validate", "Hook is typed"],
                "estimatedTime": 10,
            },
        ],
        "integrationPlan": {"mergeOrder": ["auth_agent", "forms_agent"], "validationSteps": ["Run tests"]},
    }


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def test_iso_utc_is_utc_with_milliseconds_and_z() -> None:
    assert wf.iso_utc(datetime(2025, 7, 10, 0, 46, 40, 365_123)) == "2025-07-10T00:46:40.365Z"
    cest = timezone(timedelta(hours=2))
    assert wf.iso_utc(datetime(2025, 7, 10, 2, 0, tzinfo=cest)) == "2025-07-10T00:00:00.000Z"
    assert wf.iso_utc().endswith("Z")


def test_names() -> None:
    assert wf.branch_name("AOJ-63", "forms_agent") == "AOJ-63-forms_agent"
    assert wf.plan_file_name("AOJ-63") == "aoj-63-deployment-plan.json"


def test_agent_context_has_the_cdev_keys_in_order() -> None:
    plan = make_plan()
    context = wf.agent_context(
        plan, plan["parallelAgents"][0], branch="AOJ-63-auth_agent", worktree=Path("/w/x"), created_at="T"
    )
    assert list(context) == CONTEXT_KEYS
    assert context["agentInstances"] == [plan["parallelAgents"][0]]
    assert context["allFilesToCreate"] == ["lib/auth/token.ts", "types/auth.ts"]
    assert context["canStartImmediately"] is True
    assert context["estimatedTime"] == 35
    assert context["workTreePath"] == "/w/x"


def test_agent_context_merges_every_instance_of_an_agent() -> None:
    plan = make_plan()
    context = wf.agent_context(
        plan, plan["parallelAgents"][1], branch="AOJ-63-forms_agent", worktree=Path("/w"), created_at="T"
    )
    assert len(context["agentInstances"]) == 2
    assert context["dependencies"] == ["auth_agent", "api_agent"]
    assert context["allFilesToCreate"] == ["components/Form.tsx", "lib/validate.ts", "hooks/useForm.ts"]
    assert context["allValidationCriteria"] == [
        "Forms render",
        "Forms validate",
        "Form tests pass",
        "Hook is typed",
    ]
    assert context["estimatedTime"] == 35
    assert context["canStartImmediately"] is False


@pytest.mark.parametrize("bad", ["", "../escape", "a/b", None])
def test_agent_context_rejects_unsafe_agent_ids(bad: str | None) -> None:
    with pytest.raises(CdevError):
        wf.agent_context({}, {"agentId": bad}, branch="b", worktree=Path("/w"), created_at="T")


def test_write_agent_workspace(tmp_path: Path) -> None:
    plan = make_plan()
    agent = plan["parallelAgents"][0]
    context = wf.agent_context(plan, agent, branch="AOJ-63-auth_agent", worktree=tmp_path, created_at="T")
    folder = wf.write_agent_workspace(
        tmp_path,
        context,
        files_to_create=["b.py", "a.py", "b.py"],
        files_to_modify=["z.py", "a.py"],
        test_contracts=["test_a.py", "test_b.py"],
        validation_criteria=["First", "Second", "First"],
    )
    assert folder == tmp_path / "workspaces" / "auth_agent"
    as_yaml = yaml.safe_load((folder / "agent_context.yaml").read_text())
    as_json = json.loads((folder / "agent_context.json").read_text())
    assert as_yaml == as_json == context
    assert list(as_json) == CONTEXT_KEYS
    assert (
        folder / "files_to_work_on.txt"
    ).read_text() == "CREATE: b.py\nCREATE: a.py\nMODIFY: z.py\nMODIFY: a.py\n"
    assert (folder / "test_contracts.txt").read_text() == "test_a.py\ntest_b.py\n"
    assert (folder / "validation_checklist.txt").read_text() == "1. [ ] First\n2. [ ] Second\n"
    assert temp_files(tmp_path) == []


def test_write_agent_workspace_defaults_to_the_context_lists(tmp_path: Path) -> None:
    plan = make_plan()
    context = wf.agent_context(
        plan, plan["parallelAgents"][1], branch="AOJ-63-forms_agent", worktree=tmp_path, created_at="T"
    )
    folder = wf.write_agent_workspace(tmp_path, context)
    lines = (folder / "files_to_work_on.txt").read_text().splitlines()
    assert lines == ["CREATE: components/Form.tsx", "CREATE: lib/validate.ts", "CREATE: hooks/useForm.ts"]
    checklist = read_checklist(folder / "validation_checklist.txt")
    assert checklist is not None
    assert (checklist.done, checklist.total) == (0, 4)


def test_yaml_keeps_timestamp_strings_as_strings(tmp_path: Path) -> None:
    data = {"createdAt": "2025-07-10T00:46:40.365Z", "n": None, "yes": "yes", "when": "2025-07-10"}
    yaml_path, json_path = wf.write_yaml_and_json(tmp_path / "doc", data)
    assert yaml.safe_load(yaml_path.read_text()) == json.loads(json_path.read_text()) == data


def test_set_checklist_ticks_in_place(tmp_path: Path) -> None:
    path = tmp_path / "validation_checklist.txt"
    path.write_bytes(b"# notes stay\n1. [ ] One\n2. [X] Two\n3. [ ] Three")
    assert wf.set_checklist(path, [1, 3]) == (2, 3)
    assert path.read_bytes() == b"# notes stay\n1. [x] One\n2. [ ] Two\n3. [x] Three"
    assert wf.set_checklist(path, [2], exclusive=False) == (3, 3)
    assert path.read_bytes() == b"# notes stay\n1. [x] One\n2. [x] Two\n3. [x] Three"
    checklist = read_checklist(path)
    assert checklist is not None and checklist.complete


def test_set_checklist_keeps_crlf_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "validation_checklist.txt"
    path.write_bytes(b"1. [ ] One\r\n2. [ ] Two\r\n")
    wf.set_checklist(path, [2])
    assert path.read_bytes() == b"1. [ ] One\r\n2. [x] Two\r\n"


def test_set_checklist_rejects_unknown_items_and_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "validation_checklist.txt"
    path.write_text("1. [ ] One\n")
    with pytest.raises(CdevError, match="no checklist item 2"):
        wf.set_checklist(path, [1, 2])
    assert path.read_text() == "1. [ ] One\n"
    with pytest.raises(CdevError, match="not found"):
        wf.set_checklist(tmp_path / "missing.txt", [1])


def test_completed_marker(tmp_path: Path) -> None:
    marker = wf.set_completed_marker(tmp_path)
    assert marker.read_bytes() == b""
    wf.set_completed_marker(tmp_path, completed=False)
    assert not marker.exists()


def test_coordination_status(tmp_path: Path) -> None:
    plan = make_plan()
    states = [wf.AgentState("auth_agent", "complete", "2025-07-10T00:00:00.000Z", "2025-07-10T01:00:00.000Z")]
    status = wf.coordination_status(plan, states, created_at="C", last_updated="L")
    assert list(status) == ["taskId", "taskTitle", "totalAgents", "agents", "createdAt", "lastUpdated"]
    assert status["totalAgents"] == 2
    auth, forms = status["agents"]
    assert list(auth) == [
        "agentId",
        "branchName",
        "status",
        "canStartImmediately",
        "dependencies",
        "startedAt",
        "completedAt",
    ]
    assert auth["status"] == "complete" and auth["completedAt"] == "2025-07-10T01:00:00.000Z"
    assert forms == {
        "agentId": "forms_agent",
        "branchName": "AOJ-63-forms_agent",
        "status": "spawned",
        "canStartImmediately": False,
        "dependencies": ["auth_agent", "api_agent"],
        "startedAt": None,
        "completedAt": None,
    }
    yaml_path, json_path = wf.write_coordination_status(tmp_path / "coordination", status)
    assert yaml_path.name == "parallel-agent-status.yaml" and json_path.name == "parallel-agent-status.json"
    assert yaml.safe_load(yaml_path.read_text()) == json.loads(json_path.read_text()) == status
    assert wf.coordination_status(plan, created_at="C")["lastUpdated"] == "C"


def test_write_plan_json_adds_integration_order(tmp_path: Path) -> None:
    path = wf.write_plan_json(
        tmp_path / "shared" / "deployment-plans" / "aoj-63-deployment-plan.json", make_plan()
    )
    data = json.loads(path.read_text())
    assert data["integration_order"] == ["auth_agent", "forms_agent"]
    assert list(data)[-1] == "integration_order"
    assert path.read_text().endswith("}\n")
    assert load_plan(path).merge_order == ("auth_agent", "forms_agent")
    kept = wf.write_plan_json(tmp_path / "p.json", {**make_plan(), "integration_order": ["x"]})
    assert json.loads(kept.read_text())["integration_order"] == ["x"]


def test_write_linear_cache(tmp_path: Path) -> None:
    path = wf.write_linear_cache(tmp_path, {"identifier": "AOJ-63", "title": "T", "project": None})
    assert path == tmp_path / ".linear-cache" / "AOJ-63.json"
    assert json.loads(path.read_text())["project"] is None


def test_atomic_write_keeps_mode_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    wf.atomic_write_text(path, "one")
    assert path.read_text() == "one\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    path.chmod(0o600)
    wf.atomic_write_text(path, "two\n")
    assert path.read_text() == "two\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["status.json"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "agent_context.json"
    path.write_text("old\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        wf.atomic_write_text(path, "new")
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agent_context.json"]


def test_utc_helper_accepts_the_utc_constant() -> None:
    assert wf.iso_utc(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2025-01-02T03:04:05.000Z"
