"""``cdev-tui ci init``: the workflow it writes is valid YAML, and its steps work in a CI-like fresh clone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cdev_tui.cli import main
from cdev_tui.demo import DemoWorkspace, build_demo
from tests.conftest import run_git


@pytest.fixture
def demo(tmp_path: Path) -> DemoWorkspace:
    return build_demo(tmp_path / "demo")


def ci_clone(demo: DemoWorkspace, tmp_path: Path) -> Path:
    """What a CI runner checks out: a fresh clone of the pushed repository, every branch a remote branch."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    origin = tmp_path / "origin.git"
    run_git(tmp_path, "clone", "-q", "--bare", str(demo.repo), str(origin))
    run_git(tmp_path, "clone", "-q", str(origin), "ci")
    return tmp_path / "ci"


def run_steps(workflow: dict, clone: Path) -> dict[str, int]:
    """Run the job's shell steps as the runner would (cdev-tui already installed): step name → exit code."""
    job = workflow["jobs"]["checks"]
    env = {
        **os.environ,
        **job["env"],
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    codes = {}
    for step in job["steps"]:
        if "run" not in step or step.get("name", "").startswith(("Install", "Tests", "Fail when")):
            continue
        done = subprocess.run(["bash", "-c", step["run"]], cwd=clone, env=env, capture_output=True, text=True)
        codes[step["name"]] = done.returncode
    return codes


def test_the_github_workflow_runs_the_checks_in_a_fresh_clone(
    demo: DemoWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ci", "init", "github", "--repo", str(demo.repo), "--db", str(tmp_path / "c.db")]) == 0
    assert "conflicts on origin/SHOP-42-*" in capsys.readouterr().out
    path = demo.repo / ".github" / "workflows" / "cdev-tui.yml"
    workflow = yaml.safe_load(path.read_text())
    steps = workflow["jobs"]["checks"]["steps"]
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif") for step in steps)
    assert {"Tests": "python -m pytest -q"}.items() <= {s.get("name"): s.get("run") for s in steps}.items()
    run_git(demo.repo, "add", ".github")
    run_git(demo.repo, "commit", "-q", "-m", "ci: cdev-tui checks")

    clone = ci_clone(demo, tmp_path)
    codes = run_steps(workflow, clone)
    # The demo's api_agent and auth_agent both changed routes.py: the pull request's conflict check fails.
    assert codes == {"Secret scan": 0, "Conflicts between agent branches and with the target": 1}
    sarif = json.loads((clone / "cdev-tui.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["tool"]["driver"]["name"] == "cdev-tui"

    # Agent branches that merge cleanly pass it.
    clean = "origin/SHOP-42-db_agent,origin/SHOP-42-cart_agent"
    argv = ["ci", "init", "github", "--force", "--agents", clean, "--repo", str(demo.repo)]
    assert main([*argv, "--db", str(tmp_path / "c.db")]) == 0
    workflow = yaml.safe_load(path.read_text())
    codes = run_steps(workflow, ci_clone(demo, tmp_path / "again"))
    assert codes["Conflicts between agent branches and with the target"] == 0


def test_gitlab_pipeline_and_refusals(
    demo: DemoWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--repo", str(demo.repo), "--db", str(tmp_path / "c.db")]
    assert main(["ci", "init", "gitlab", "--agents", "origin/agent/*", *base]) == 0
    pipeline = yaml.safe_load((demo.repo / ".gitlab-ci.yml").read_text())
    assert pipeline["variables"]["CDEV_TUI_REMOTE_AGENTS"] == "origin/agent/*"
    assert "cdev-tui conflicts --check" in pipeline["conflicts"]["script"]
    assert pipeline["conflicts"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert pipeline["secret-scan"]["artifacts"]["paths"] == ["cdev-tui.sarif"]
    capsys.readouterr()
    assert main(["ci", "init", "gitlab", *base]) == 2  # never overwritten without --force
    assert "already there (pass --force to replace it)" in capsys.readouterr().err
    assert main(["ci", "init", "github", "--agents", "agent", *base]) == 2
    assert "give remote/branch-pattern values" in capsys.readouterr().err
