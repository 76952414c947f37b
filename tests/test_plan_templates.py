"""Workflow templates (``plan --template``) and estimates calibrated from history, on real repositories."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cdev_tui.cli import main
from cdev_tui.plan import Plan, PlanAgent, load_plan
from cdev_tui.planner import FinishedAgent, calibrate_estimates, finished_history
from cdev_tui.status import AgentStatus
from cdev_tui.structured import load_structured
from cdev_tui.workspace import Agent, AgentFacts
from cdev_tui.workspace_files import iso_utc, set_checklist, write_coordination_status
from tests.conftest import commit_files, run_git

STACK_FILES = {
    ".gitignore": "workspaces/\n",
    "README.md": "# stack\n",
    "api/__init__.py": "",
    "api/orders.py": "def list_orders():\n    return []\n\n\ndef create_order(lines):\n    return lines\n",
    "api/invoices.py": "def render_invoice(order):\n    return str(order)\n",
    "ui/OrderList.tsx": "export function OrderList() {\n  return null\n}\n",
    "ui/InvoicePage.tsx": "export function InvoicePage() {\n  return null\n}\n",
    "ui/InvoicePage.test.tsx": "import { InvoicePage } from './InvoicePage'\n",
    "tests/test_orders.py": "from api.orders import list_orders\n",
    "tests/test_invoices.py": "from api.invoices import render_invoice\n",
    "db/migrations/001_orders.sql": "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n",
}
"""A small full-stack project: an API, a UI, tests and SQL migrations."""

INVOICE_TASK = "Invoice PDF\n- Render invoices as PDF in the API\n- Show a PDF link on the invoice page"
"""Touches the API, the UI and their tests, no SQL."""
ORDER_TASK = (
    "Order status\n- Store the order status in the orders migration\n- Show the status in the order list"
)
"""Touches the orders migration too."""


def stack_repo(tmp_path: Path) -> Path:
    """A real repository ``tmp_path/stack`` holding :data:`STACK_FILES`, one commit on main."""
    repo = tmp_path / "stack"
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "main")
    commit_files(repo, STACK_FILES, "stack")
    return repo


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def plan_json(capsys: pytest.CaptureFixture[str], repo: Path, *argv: str) -> dict:
    code, out, err = run(capsys, "plan", "--repo", str(repo), *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def agents_of(data: dict) -> dict[str, dict]:
    return {a["agentId"]: a for a in data["parallelAgents"]}


def test_the_feature_template_gives_api_ui_and_tests_agents_owning_the_task_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = stack_repo(tmp_path)
    data = plan_json(capsys, repo, "--template", "feature-api-ui-tests", "--text", INVOICE_TASK)
    agents = agents_of(data)
    assert list(agents) == ["api_agent", "ui_agent", "tests_agent"]
    assert agents["api_agent"]["filesToModify"] == ["api/invoices.py"]
    assert agents["ui_agent"]["filesToModify"] == ["ui/InvoicePage.tsx"]  # its test goes to the tests agent
    assert agents["tests_agent"]["filesToModify"] == ["tests/test_invoices.py", "ui/InvoicePage.test.tsx"]
    assert agents["tests_agent"]["testContracts"] == ["tests/test_invoices.py", "ui/InvoicePage.test.tsx"]
    assert agents["ui_agent"]["dependencies"] == ["api_agent"]
    assert agents["tests_agent"]["dependencies"] == ["api_agent", "ui_agent"]
    assert agents["api_agent"]["agentRole"] == "API for: Invoice PDF"
    assert data["integrationPlan"]["mergeOrder"] == ["api_agent", "ui_agent", "tests_agent"]
    assert data["decompositionStrategy"] == "template:feature-api-ui-tests"
    assert data["problems"] == []
    assert data["exclusiveOwnership"]["validated"] is True


def test_a_task_touching_no_sql_drops_the_database_step_and_its_dependency_edges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = stack_repo(tmp_path)
    invoice = plan_json(capsys, repo, "--template", "feature-api-ui-tests", "--text", INVOICE_TASK)
    assert "db_agent" not in agents_of(invoice)
    assert agents_of(invoice)["api_agent"]["dependencies"] == []
    assert agents_of(invoice)["api_agent"]["canStartImmediately"] is True
    assert "touches none of *.sql" in invoice["template"]["droppedSteps"]["db"]

    orders = agents_of(plan_json(capsys, repo, "--template", "feature-api-ui-tests", "--text", ORDER_TASK))
    assert orders["db_agent"]["filesToModify"] == ["db/migrations/001_orders.sql"]
    assert orders["api_agent"]["dependencies"] == ["db_agent"]

    code, out, _ = run(
        capsys, "plan", "--repo", str(repo), "--template", "feature-api-ui-tests", "--text", INVOICE_TASK
    )
    assert code == 0
    assert "Template feature-api-ui-tests (built-in)" in out
    assert "left out db: the task touches none of *.sql" in " ".join(out.split())


def test_a_left_out_step_hands_its_dependencies_on_and_a_mention_keeps_a_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = stack_repo(tmp_path)
    folder = repo / ".cdev" / "templates"
    folder.mkdir(parents=True)
    (folder / "chain.toml").write_text(
        'description = "api, then docs only on request, then ui"\n'
        '[[agents]]\nid = "api"\nfiles = ["api/**"]\n'
        '[[agents]]\nid = "docs"\nowns = ["README.md"]\nwhen.mentions = ["readme"]\ndepends_on = ["api"]\n'
        '[[agents]]\nid = "ui"\nagent = "{slug}_ui"\nfiles = ["ui/**"]\ndepends_on = ["docs"]\n'
    )
    plain = agents_of(plan_json(capsys, repo, "--template", "chain", "--text", INVOICE_TASK))
    assert list(plain) == ["api_agent", "invoice_pdf_ui"]
    assert plain["invoice_pdf_ui"]["dependencies"] == ["api_agent"]  # through the left-out docs step
    asked = agents_of(
        plan_json(
            capsys, repo, "--template", "chain", "--text", INVOICE_TASK + "\n- Mention the PDF in the readme"
        )
    )
    assert asked["docs_agent"]["filesToModify"] == ["README.md"]
    assert asked["invoice_pdf_ui"]["dependencies"] == ["docs_agent"]


def test_repository_templates_add_to_and_override_the_builtin_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = stack_repo(tmp_path)
    folder = repo / ".cdev" / "templates"
    folder.mkdir(parents=True)
    (folder / "feature-api-ui-tests.toml").write_text(
        'description = "Our own: everything in one agent"\n'
        '[[agents]]\nid = "all"\nagent = "{slug}_agent"\nfiles = ["**"]\nestimate_minutes = 90\n'
    )
    (folder / "slices.toml").write_text(
        'description = "One agent per folder, plus notes"\n'
        '[[agents]]\nid = "slice"\nagent = "{area}_slice"\nsplit = "folder"\nfiles = ["**", "!tests/**"]\n'
        'create = ["notes/{kebab}.md"]\nvalidation = ["{area} still works"]\n'
        '[[agents]]\nid = "tests"\nfiles = ["tests/**"]\ndepends_on = ["slice"]\n'
    )
    listing = plan_json(capsys, repo, "--template", "list")["templates"]
    by_name = {t["name"]: t for t in listing}
    assert set(by_name) == {"feature-api-ui-tests", "refactor-in-slices", "slices"}
    assert by_name["feature-api-ui-tests"]["source"] == ".cdev/templates/feature-api-ui-tests.toml"
    assert by_name["feature-api-ui-tests"]["overridesBuiltin"] is True
    assert by_name["refactor-in-slices"]["source"] == "built-in"
    code, out, _ = run(capsys, "plan", "--repo", str(repo), "--template", "list")
    assert code == 0 and "built-in" in out and "refactor-in-slices" in out and "slices" in out

    overridden = agents_of(
        plan_json(capsys, repo, "--template", "feature-api-ui-tests", "--text", INVOICE_TASK)
    )
    assert list(overridden) == ["invoice_pdf_agent"]
    assert overridden["invoice_pdf_agent"]["estimatedTime"] == 90

    sliced = agents_of(plan_json(capsys, repo, "--template", "slices", "--text", INVOICE_TASK))
    assert sliced["api_slice"]["filesToModify"] == ["api/invoices.py"]
    assert sliced["ui_slice"]["filesToModify"] == ["ui/InvoicePage.test.tsx", "ui/InvoicePage.tsx"]
    assert sliced["notes_slice"]["filesToCreate"] == ["notes/invoice-pdf.md"]
    assert "ui still works" in sliced["ui_slice"]["validationCriteria"]
    assert sliced["tests_agent"]["dependencies"] == ["api_slice", "notes_slice", "ui_slice"]


BAD_TEMPLATES = [
    ("agents = [", "invalid TOML"),
    ('colour = "red"\n[[agents]]\nid = "a"\nfiles = ["**"]\n', "unknown key 'colour'"),
    ('[[agents]]\nid = "a"\nfiles = ["**"]\nowner = "me"\n', "agents[0]: unknown key 'owner'"),
    (
        '[[agents]]\nid = "a"\nfiles = ["**"]\n[[agents]]\nid = "b"\nfiles = ["**"]\nwhen.touches = "api/**"\n',
        "agents[1].when.touches must be a list of globs",
    ),
    ('[[agents]]\nid = "a"\nfiles = ["**"]\nwhen.unless = ["x"]\n', "agents[0].when: unknown key 'unless'"),
    (
        '[[agents]]\nid = "a"\nfiles = ["**"]\nestimate_minutes = "soon"\n',
        "agents[0].estimate_minutes must be",
    ),
    (
        '[[agents]]\nid = "a"\nfiles = ["**"]\ndepends_on = ["nope"]\n',
        "agents[0].depends_on: unknown step 'nope'",
    ),
    (
        '[[agents]]\nid = "a"\nfiles = ["**"]\ndepends_on = ["b"]\n'
        '[[agents]]\nid = "b"\nfiles = ["x"]\ndepends_on = ["a"]\n',
        "agents: dependency cycle a → b → a",
    ),
    (
        '[[agents]]\nid = "a"\nagent = "{sluggo}_agent"\nfiles = ["**"]\n',
        "agents[0].agent: unknown placeholder {sluggo}",
    ),
    ('[[agents]]\nid = "a"\nfiles = ["../up/**"]\n', "agents[0].files: '../up/**' must be a path relative"),
    ('[[agents]]\nid = "a"\n', "agents[0]: a step needs files, owns or create"),
    ('description = "no steps"\n', "agents must be a list of [[agents]] tables"),
    ('[[agents]]\nid = "a"\nsplit = "file"\nfiles = ["**"]\n', 'agents[0].split must be "folder"'),
]


@pytest.mark.parametrize(("text", "message"), BAD_TEMPLATES, ids=[m for _t, m in BAD_TEMPLATES])
def test_a_malformed_template_is_one_line_naming_the_file_and_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    repo = stack_repo(tmp_path)
    path = repo / ".cdev" / "templates" / "x.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    code, out, err = run(
        capsys, "plan", "--repo", str(repo), "--template", "x", "--text", INVOICE_TASK, "--write"
    )
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{path}: " in err and message in err
    assert not (repo / "shared").exists()
    assert run_git(repo, "status", "--porcelain") == "?? .cdev/"


def test_an_unknown_template_names_the_known_ones_and_template_list_takes_no_task(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = stack_repo(tmp_path)
    code, _, err = run(capsys, "plan", "--repo", str(repo), "--template", "featur", "--text", INVOICE_TASK)
    assert code == 2
    assert "unknown template 'featur' (known: feature-api-ui-tests, refactor-in-slices)" in err
    code, _, err = run(capsys, "plan", "--repo", str(repo), "--template", "list", "--text", INVOICE_TASK)
    assert code == 2 and "--template list lists the templates" in err
    code, _, err = run(
        capsys, "plan", "--repo", str(repo), "--template", "refactor-in-slices", "--ai", "--text", "x"
    )
    assert code == 2 and "--template and --ai do not go together" in err


def test_a_template_plan_is_written_and_spawned_for_real(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = stack_repo(tmp_path)
    code, _, err = run(
        capsys,
        "plan",
        "--repo",
        str(repo),
        "--template",
        "feature-api-ui-tests",
        "--text",
        ORDER_TASK,
        "--write",
    )
    assert code == 0, err
    path = repo / "shared" / "deployment-plans" / "order-status-deployment-plan.json"
    assert f"wrote {path}" in err
    plan = load_plan(path)
    assert [a.agent_id for a in plan.agents] == ["db_agent", "api_agent", "ui_agent", "tests_agent"]
    code, _, err = run(capsys, "spawn", "--repo", str(repo), str(path))
    assert code == 0, err
    worktrees = run_git(repo, "worktree", "list")
    assert all(f"order-status-{a.agent_id}" in worktrees for a in plan.agents)
    files = tmp_path / "stack-work-trees" / "order-status-db_agent" / "workspaces" / "db_agent"
    assert "db/migrations/001_orders.sql" in (files / "files_to_work_on.txt").read_text()


# -- calibrated estimates ------------------------------------------------------------------------------


def test_estimates_scale_by_the_median_of_real_over_estimated_time() -> None:
    history = [
        FinishedAgent("a", real_minutes=60, estimated_minutes=30),  # 2.0
        FinishedAgent("b", real_minutes=45, estimated_minutes=30),  # 1.5
        FinishedAgent("c", real_minutes=20, estimated_minutes=20),  # 1.0
        FinishedAgent("d", real_minutes=0, estimated_minutes=10),  # no time measured: not counted
    ]
    estimates, calibration = calibrate_estimates({"x": 30, "y": 45, "z": None}, history)
    assert calibration is not None and calibration.ratio == 1.5 and calibration.finished == 3
    assert estimates == {"x": 45, "y": 68, "z": None}  # 67.5 rounds up
    assert calibration.note == "estimates ×1.5 from 3 finished agents"
    assert calibrate_estimates({"x": 30}, []) == ({"x": 30}, None)


def test_a_finished_agent_is_compared_with_its_estimate_as_first_made() -> None:
    calibrated = Plan("T-1", "t", (), extras={"estimateCalibration": {"ratio": 2.0, "finishedAgents": 4}})
    spec = PlanAgent("api_agent", estimated_minutes=60)  # 30 as planned, doubled by the last calibration
    done = Agent(AgentFacts("api_agent", spec, task_id="T-1"), AgentStatus.COMPLETE, elapsed_minutes=90)
    running = Agent(AgentFacts("ui_agent", spec, task_id="T-1"), AgentStatus.IN_PROGRESS, elapsed_minutes=200)
    assert finished_history([done, running], [calibrated]) == [FinishedAgent("api_agent", 90.0, 30.0)]


def finish_an_agent_at_twice_its_estimate(repo: Path, capsys: pytest.CaptureFixture[str]) -> int:
    """Plan and spawn one agent for real, then record that it finished after twice its estimate; returns the
    estimate."""
    code, _, err = run(
        capsys, "plan", "--repo", str(repo), "--text", "Invoice PDF\n- Render invoices as PDF", "--write"
    )
    assert code == 0, err
    path = repo / "shared" / "deployment-plans" / "invoice-pdf-deployment-plan.json"
    (agent,) = load_plan(path).agents
    assert run(capsys, "spawn", "--repo", str(repo), str(path))[0] == 0
    root = repo.parent / f"{repo.name}-work-trees"
    checklist = (
        root / f"invoice-pdf-{agent.agent_id}" / "workspaces" / agent.agent_id / "validation_checklist.txt"
    )
    set_checklist(checklist, range(1, len(checklist.read_text().splitlines()) + 1))
    status = load_structured(root / "coordination" / "parallel-agent-status.yaml")
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    status["agents"][0].update(
        status="complete",
        startedAt=iso_utc(started),
        completedAt=iso_utc(started + timedelta(minutes=2 * agent.estimated_minutes)),
    )
    write_coordination_status(root / "coordination", status)
    return agent.estimated_minutes


def test_the_next_plan_doubles_its_estimates_after_an_agent_took_twice_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = stack_repo(tmp_path)
    finish_an_agent_at_twice_its_estimate(repo, capsys)
    for source in (["--text", ORDER_TASK], ["--template", "feature-api-ui-tests", "--text", ORDER_TASK]):
        raw = agents_of(plan_json(capsys, repo, *source, "--no-calibrate"))
        calibrated = plan_json(capsys, repo, *source)
        assert {a: e["estimatedTime"] * 2 for a, e in raw.items()} == {
            a: e["estimatedTime"] for a, e in agents_of(calibrated).items()
        }
        assert calibrated["estimateCalibration"] == {
            "ratio": 2.0,
            "finishedAgents": 1,
            "note": "estimates ×2.0 from 1 finished agent",
        }
    code, out, _ = run(capsys, "plan", "--repo", str(repo), "--text", ORDER_TASK)
    assert code == 0 and "Estimates ×2.0 from 1 finished agent" in out
