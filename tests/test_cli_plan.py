"""``cdev-tui plan`` and ``cdev-tui plan fetch``: output, files written and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cdev_tui.cli import main
from cdev_tui.plan import load_plan
from tests.test_planner import SHOP, SHOP_TASK, FakeServer, ai_agent, chat_reply, linear_issue, make_repo


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "shop", SHOP)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    yield fake
    fake.close()


@pytest.fixture(autouse=True)
def no_service_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LINEAR_API_KEY", "LINEAR_API_URL", "OPENAI_BASE_URL", "CDEV_TUI_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_plan_from_markdown_as_json(shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    task = tmp_path / "task.md"
    task.write_text(SHOP_TASK)
    code, out, err = run(capsys, "plan", "--repo", str(shop), "--from", str(task), "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["taskId"] == "SHOP-7"
    assert [a["agentId"] for a in data["parallelAgents"]] == [
        "cart_agent",
        "catalog_agent",
        "api_agent",
        "basket_agent",
        "money_agent",
    ]
    assert data["integration_order"] == data["integrationPlan"]["mergeOrder"]
    assert data["problems"] == []
    assert not (shop / "shared").exists()  # printing never writes


def test_plan_table_shows_agents_merge_order_and_critical_path(
    shop: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = run(capsys, "plan", "--repo", str(shop), "--text", SHOP_TASK)
    assert code == 0
    assert "cart_agent" in out and "src/shop/cart/coupon_codes.py" in out
    assert "Merge order: catalog_agent → cart_agent → api_agent → money_agent → basket_agent" in out
    assert "Critical path: catalog_agent → cart_agent → api_agent" in out


def test_plan_write_and_out(shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "plan", "--repo", str(shop), "--text", SHOP_TASK, "--write")
    default = shop / "shared" / "deployment-plans" / "shop-7-deployment-plan.json"
    assert code == 0 and f"wrote {default}" in err
    assert load_plan(default).merge_order[0] == "catalog_agent"
    out_path = tmp_path / "elsewhere" / "plan.json"
    code, _, _ = run(
        capsys,
        "plan",
        "--repo",
        str(shop),
        "--text",
        "Add coupon codes",
        "--id",
        "X-1",
        "--out",
        str(out_path),
    )
    assert code == 0 and json.loads(out_path.read_text())["taskId"] == "X-1"


def test_plan_from_an_invalid_plan_file_exits_1_and_writes_nothing(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "cyclic-deployment-plan.json"
    bad.write_text(
        json.dumps(
            {
                "taskId": "T-5",
                "parallelAgents": [
                    {"agentId": "a_agent", "filesToModify": ["README.md"], "dependencies": ["b_agent"]},
                    {"agentId": "b_agent", "filesToModify": ["README.md"], "dependencies": ["a_agent"]},
                ],
            }
        )
    )
    code, out, err = run(
        capsys, "plan", "--repo", str(shop), "--from", str(bad), "--write", "--format", "json"
    )
    assert code == 1
    problems = json.loads(out)["problems"]
    assert {
        "severity": "error",
        "agent": "a_agent",
        "message": "dependency cycle: a_agent → b_agent → a_agent",
    } in problems
    assert any("README.md is owned by a_agent and b_agent" in p["message"] for p in problems)
    assert "plan not written" in err
    assert not (shop / "shared").exists()


def test_plan_from_a_historical_plan_is_normalised_and_written(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "aoj-101-deployment-plan.yaml"
    old.write_text(
        "taskId: AOJ-101\ntaskTitle: Old\nparallelAgents:\n- agentId: x_agent\n  allFilesToCreate: [docs/x.md]\n"
        "  estimatedTime: 30 minutes\n"
    )
    code, out, _ = run(capsys, "plan", "--repo", str(shop), "--from", str(old), "--write", "--format", "json")
    assert code == 0 and json.loads(out)["problems"] == []
    written = json.loads((shop / "shared" / "deployment-plans" / "aoj-101-deployment-plan.json").read_text())
    assert written["parallelAgents"][0]["filesToCreate"] == ["docs/x.md"]
    assert written["parallelAgents"][0]["estimatedTime"] == 30
    assert written["integration_order"] == ["x_agent"]


def test_plan_from_a_cached_issue(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = shop / ".linear-cache" / "SHOP-63.yaml"
    cache.parent.mkdir()
    cache.write_text(
        "identifier: SHOP-63\ntitle: Coupons\ndescription: |-\n  1. Add coupon codes to the cart\nassignee:\n"
    )
    code, out, _ = run(capsys, "plan", "--repo", str(shop), "--issue", "SHOP-63", "--format", "json")
    assert code == 0
    assert [a["agentId"] for a in json.loads(out)["parallelAgents"]] == ["cart_agent"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plan"], "say what to plan"),
        (["plan", "--from", "{tmp}/missing.md"], "missing.md: file not found"),
        (["plan", "--from", "{tmp}/bin.txt"], "bin.txt: binary file"),
        (["plan", "--issue", "NOPE-1"], "no cached issue NOPE-1"),
        (["plan", "--text", "Add coupons", "--id", "../up"], "invalid task id"),
        (["plan", "AOJ-1"], None),  # argparse: not an action
        (["plan", "fetch"], "plan fetch needs an issue id"),
        (["plan", "fetch", "SHOP-1"], "LINEAR_API_KEY is not set"),
        (["plan", "--text", "Add coupons", "--ai"], "OPENAI_API_KEY is not set"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str | None
) -> None:
    (tmp_path / "bin.txt").write_bytes(b"\0\1\2")
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv] + ["--repo", str(shop)]
    if message is None:
        with pytest.raises(SystemExit) as exited:
            main(args)
        assert exited.value.code == 2
        return
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and err.startswith("cdev-tui: error: ")
    assert not (shop / "shared").exists() and not (shop / ".linear-cache").exists()


def test_plan_outside_a_repository_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cdev_tui", "plan", "--text", "Add coupons", "--repo", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr == f"cdev-tui: error: {tmp_path}: not a git repository\n"


def test_plan_fetch_writes_the_cache(
    shop: Path, server: FakeServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINEAR_API_KEY", "lin_key")
    monkeypatch.setenv("LINEAR_API_URL", server.url)
    server.reply(200, {"data": {"issue": linear_issue(assignee=None)}})
    code, out, _ = run(capsys, "plan", "fetch", "SHOP-63", "--repo", str(shop), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["cache"] == str(shop / ".linear-cache" / "SHOP-63.json")
    assert data["requirements"] == ["Add coupon codes to the cart", "Search products by name in the catalog"]
    assert server.requests[0]["headers"]["authorization"] == "lin_key"
    code, out, _ = run(capsys, "plan", "fetch", "SHOP-63", "--repo", str(shop))
    assert code == 0 and "assignee: unassigned" in out and "next: cdev-tui plan --issue SHOP-63" in out


def test_plan_fetch_graphql_error_exits_2(
    shop: Path, server: FakeServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINEAR_API_KEY", "lin_key")
    monkeypatch.setenv("LINEAR_API_URL", server.url)
    server.reply(200, {"errors": [{"message": "Entity not found"}], "data": None})
    code, _, err = run(capsys, "plan", "fetch", "SHOP-404", "--repo", str(shop))
    assert code == 2 and "Linear API error for SHOP-404: Entity not found" in err
    assert not (shop / ".linear-cache").exists()


def test_plan_ai_with_a_fake_endpoint(
    shop: Path, server: FakeServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-local-fake-key-0002")
    monkeypatch.setenv("CDEV_TUI_LLM_MODEL", "local-model")
    server.reply(
        200, chat_reply({"parallelAgents": [ai_agent("cart_agent", modify=["src/shop/cart/cart.py"])]})
    )
    code, out, _ = run(
        capsys, "plan", "--repo", str(shop), "--text", "Add coupons", "--ai", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["decompositionStrategy"] == "llm" and data["llmAnalysis"]["model"] == "local-model"
    assert server.requests[0]["json"]["model"] == "local-model"
    server.reply(
        200,
        chat_reply(
            {
                "parallelAgents": [
                    ai_agent("a_agent", modify=["README.md"]),
                    ai_agent("b_agent", modify=["README.md"]),
                ]
            }
        ),
    )
    code, out, err = run(capsys, "plan", "--repo", str(shop), "--text", "Add coupons", "--ai", "--write")
    assert (
        code == 2
        and out == ""
        and "was rejected" in err
        and "README.md is owned by a_agent and b_agent" in err
    )
    assert not (shop / "shared").exists()
