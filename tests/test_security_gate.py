"""The security merge gate on real git: the demo's auth_agent adds a token and pins a vulnerable ``requests``;
integration refuses it until both are accepted in the baseline, or an explicit override is recorded."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cdev_tui.cli import main
from cdev_tui.config import load_config
from cdev_tui.demo import DemoWorkspace, build_demo, fake_github_token
from cdev_tui.integrate import preflight
from cdev_tui.integrate.gate import SecurityGate, meets
from cdev_tui.service import open_service
from tests.apptools import FROZEN_NOW
from tests.conftest import commit_files, run_git

TOKEN_ADVISORIES = {"GHSA-x84v-xcm2-53pg", "GHSA-j8r2-6x86-q33q"}


@pytest.fixture
def demo(tmp_path: Path) -> DemoWorkspace:
    return build_demo(tmp_path / "demo", now=FROZEN_NOW)


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def security_problems(service, agents: list[str]) -> list:
    snapshot = service.load()
    problems = preflight(
        snapshot, agents=agents, allow_incomplete=True, allow_violations=True, gate=service.security_gate()
    )
    return [p for p in problems if p.kind == "security"]


def test_the_gate_refuses_the_token_and_the_vulnerable_pin_naming_them_masked(
    demo: DemoWorkspace, tmp_path: Path
) -> None:
    service = open_service(demo.repo, db=tmp_path / "c.db")
    problems = security_problems(service, ["auth_agent", "catalog_agent"])
    assert [p.agent for p in problems] == ["auth_agent"]  # catalog_agent adds nothing the gate refuses
    message = problems[0].message
    assert "adds 1 secret not in the baseline (GitHub token ghp_****" in message
    assert "src/shopfront/auth/tokens.py:16" in message
    assert "requests 2.19.1: GHSA-x84v-xcm2-53pg high, fixed in 2.20.0" in message
    assert "security gate: medium and above" in message
    assert fake_github_token() not in message
    assert set(problems[0].files) == {"src/shopfront/auth/tokens.py", "requirements.txt"}


def test_accepting_both_in_the_baseline_opens_the_gate(demo: DemoWorkspace, tmp_path: Path) -> None:
    service = open_service(demo.repo, db=tmp_path / "c.db")
    report = service.scan(service.load())
    token = [f for f in report.findings if f.root_label == "auth_agent" and f.rule_id == "github-token"]
    service.accept_findings(token, "public demo token")
    still = security_problems(service, ["auth_agent"])
    assert len(still) == 1 and "secret" not in still[0].message and "GHSA-x84v-xcm2-53pg" in still[0].message
    for advisory in TOKEN_ADVISORIES:
        service.accept_advisory(advisory, "requests", "no http redirects in the key fetcher")
    assert security_problems(service, ["auth_agent"]) == []


def test_the_threshold_decides_what_blocks(demo: DemoWorkspace, tmp_path: Path) -> None:
    service = open_service(demo.repo, db=tmp_path / "c.db")
    ruleset, suppressions = service.security_setup()
    branch = demo.branch("auth_agent")

    def verdict(threshold: str):
        gate = SecurityGate(threshold, ruleset, suppressions, service.osv_db())
        return gate.check_branch(demo.repo, "main", branch, "auth_agent")

    assert {v.advisory_id for v in verdict("medium").vulnerable} == TOKEN_ADVISORIES
    high = verdict("high")
    assert [v.advisory_id for v in high.vulnerable] == ["GHSA-x84v-xcm2-53pg"] and high.findings
    critical = verdict("critical")
    assert critical.passed  # neither a secret nor these advisories are critical
    assert verdict("off").passed and service.config.security_gate == "medium"
    assert meets("unknown", "medium") and not meets("unknown", "high")


def test_a_vulnerable_pin_already_on_the_target_does_not_block_an_agent(tmp_path: Path) -> None:
    repo = tmp_path / "project"
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "main")
    commit_files(repo, {"requirements.txt": "requests==2.19.1\n"}, "pin requests")
    run_git(repo, "switch", "-q", "-c", "feature")
    commit_files(repo, {"requirements.txt": "requests==2.19.1\nidna==3.7\n", "app.py": "x = 1\n"}, "feature")
    osv = Path(__file__).resolve().parents[1] / "assets" / "demo" / "osv"
    gate = SecurityGate("low", osv_db=osv)
    assert gate.check_branch(repo, "main", "feature", "feature").passed
    run_git(repo, "switch", "-q", "main")
    run_git(repo, "switch", "-q", "-c", "downgrade")
    commit_files(repo, {"requirements.txt": "requests==2.2.0\n"}, "older")  # before 2.3.0: one advisory
    blocked = gate.check_branch(repo, "main", "downgrade", "downgrade")
    assert [(v.dependency.version, v.advisory_id) for v in blocked.vulnerable] == [
        ("2.2.0", "GHSA-x84v-xcm2-53pg")
    ]


def test_a_staged_merge_into_the_target_is_checked_before_it_is_concluded(tmp_path: Path) -> None:
    repo = tmp_path / "project"
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "main")
    commit_files(repo, {"README.md": "# p\n"}, "initial")
    run_git(repo, "switch", "-q", "-c", "agent")
    commit_files(repo, {"deploy.py": f'TOKEN = "{fake_github_token("gate")}"\n'}, "deploy")
    run_git(repo, "switch", "-q", "main")
    run_git(repo, "merge", "--no-ff", "--no-commit", "agent")
    gate = SecurityGate("medium")
    verdict = gate.check_staged(repo, "merge of agent")
    assert not verdict.passed and verdict.findings[0].path == "deploy.py"
    assert fake_github_token("gate") not in verdict.describe()


def integrate_argv(demo: DemoWorkspace, db: Path, *extra: str) -> list[str]:
    return [
        *("integrate", "--repo", str(demo.repo), "--db", str(db)),
        *("--agents", "auth_agent", "--allow-incomplete", "--allow-violations"),
        *("--yes", "--test-cmd", "true", "--format", "json", *extra),
    ]


def test_cli_integration_refuses_until_overridden_and_records_the_override(
    demo: DemoWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "c.db"
    code = main(integrate_argv(demo, db))
    captured = capsys.readouterr()
    assert code == 1
    data = json.loads(captured.out)
    assert [p["kind"] for p in data["problems"]] == ["security"]
    assert "nothing was changed" in captured.err
    assert run_git(demo.repo, "branch", "--list", "integration-*") == ""

    code = main(integrate_argv(demo, db, "--override-security-gate"))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "security gate overridden: auth_agent: adds 1 secret" in captured.err
    service = open_service(demo.repo, db=db, config=load_config(demo.repo))
    events = [e for e in service.store.events() if e.kind == "security.gate-override"]
    assert len(events) == 1 and events[0].message.startswith("integrate: auth_agent: adds 1 secret")
    assert fake_github_token() not in events[0].message
    service.close()
