"""Plans in every historical variant read into one model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdev_tui.errors import CdevError
from cdev_tui.plan import critical_path, find_plans, load_plan, parse_minutes

PATTERN_PLAN = {
    "taskId": "AOJ-63",
    "taskTitle": "Auth and forms",
    "decompositionStrategy": "exclusive_ownership",
    "parallelAgents": [
        {
            "agentId": "auth_agent",
            "agentRole": "Authentication & Authorization",
            "focusArea": "Authentication",
            "dependencies": [],
            "filesToCreate": ["lib/auth/authentication.ts"],
            "filesToModify": [],
            "testContracts": ["authentication.test.ts"],
            "validationCriteria": ["All auth files are created successfully"],
            "estimatedTime": 35,
            "canStartImmediately": True,
        },
        {
            "agentId": "forms_agent",
            "agentRole": "Form Components & Validation",
            "dependencies": ["auth_agent"],
            "filesToCreate": ["components/forms/DynamicForm.tsx"],
            "estimatedTime": 25,
            "canStartImmediately": False,
        },
    ],
    "integrationPlan": {"mergeOrder": ["auth_agent", "forms_agent"]},
}


def test_pattern_plan_json(tmp_path: Path) -> None:
    path = tmp_path / "aoj-63-deployment-plan.json"
    path.write_text(json.dumps(PATTERN_PLAN))
    plan = load_plan(path)
    assert plan.task_id == "AOJ-63" and plan.merge_order == ("auth_agent", "forms_agent")
    auth, forms = plan.agents
    assert auth.owned_files == ("lib/auth/authentication.ts",)
    assert forms.dependencies == ("auth_agent",) and forms.can_start_immediately is False
    assert plan.owners() == {
        "lib/auth/authentication.ts": ["auth_agent"],
        "components/forms/DynamicForm.tsx": ["forms_agent"],
    }


def test_yaml_variant_with_all_keys_and_string_estimates(tmp_path: Path) -> None:
    path = tmp_path / "aoj-101-deployment-plan.yaml"
    path.write_text(
        "taskId: AOJ-101\n"
        "parallelAgents:\n"
        "- agentId: cli_agent\n"
        "  allFilesToCreate: [src/cli.js]\n"
        "  allValidationCriteria: [works]\n"
        "  estimatedTime: 30 minutes\n"
        "- agentId: cli_agent\n"
        "  filesToModify: [package.json]\n"
        "  estimatedTime: '1.5 hours'\n"
    )
    plan = load_plan(path)
    (agent,) = plan.agents  # two instances of one agent merge, as cdev's spawn did
    assert agent.files_to_create == ("src/cli.js",) and agent.files_to_modify == ("package.json",)
    assert agent.validation_criteria == ("works",)
    assert agent.estimated_minutes == 120


def test_trailing_shell_debris_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "x-deployment-plan.json"
    path.write_text(json.dumps(PATTERN_PLAN, indent=2) + "\nEOF < /dev/null\n")
    assert load_plan(path).task_id == "AOJ-63"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "expected a mapping at the top level"),
        ('{"taskId": "X"}', "no parallelAgents list"),
        ('{"integration_order": ["a"], "agents": {}}', "per-agent deployment plan"),
        ('{"parallelAgents": [{"agentRole": "no id"}]}', "parallelAgents[0]: agent entry has no agentId"),
        ('{"parallelAgents": [', "invalid JSON at line 1"),
    ],
)
def test_bad_plans_are_one_line_errors_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad-deployment-plan.json"
    path.write_text(content)
    with pytest.raises(CdevError) as error:
        load_plan(path)
    assert str(path) in str(error.value) and message in str(error.value)
    assert "\n" not in str(error.value)


def test_binary_plan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bin-deployment-plan.yaml"
    path.write_bytes(b"\x00\x01\x02")
    with pytest.raises(CdevError, match="binary file"):
        load_plan(path)


def test_minutes_parsing() -> None:
    assert parse_minutes(25) == 25
    assert parse_minutes("30 minutes") == 30
    assert parse_minutes("2h") == 120
    assert parse_minutes("soon") is None
    assert parse_minutes(None) is None


def test_critical_path(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(PATTERN_PLAN))
    chain, minutes = critical_path(load_plan(path).agents)
    assert chain == ["auth_agent", "forms_agent"] and minutes == 60


def test_find_plans(repo: Path) -> None:
    folder = repo / "shared" / "deployment-plans"
    folder.mkdir(parents=True)
    (folder / "a-deployment-plan.json").write_text("{}")
    (folder / "notes.md").write_text("x")
    assert [p.name for p in find_plans(repo)] == ["a-deployment-plan.json"]
