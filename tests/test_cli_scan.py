"""``cdev-tui scan`` end to end: exit codes, JSON, SARIF against the official schema, configs, baselines,
git modes, the pre-commit hook, bad input, and no raw secret in any output.

Secret-looking values are built at run time from fixed seeds, never written as literals.
"""

from __future__ import annotations

import json
import random
import shlex
import string
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cdev_tui.cli import main
from tests.conftest import commit_files, run_git

PROJECT = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = PROJECT.parent / "shared" / "reference" / "sarif-schema-2.1.0.json"
EXE = Path(sys.executable).with_name("cdev-tui")


def rand(n: int, seed: str) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


TOKEN = "gh" + "p_" + rand(36, "cli")
STRIPE = "sk" + "_live_" + rand(24, "cli-stripe")


def scan(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, "scan", *args], capture_output=True, text=True, cwd=cwd)


def assert_no_secret(text: str) -> None:
    for secret in (TOKEN, STRIPE):
        assert secret not in text and secret[4:20] not in text


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    (root / "settings.py").write_text(f"GITHUB = '{TOKEN}'\nDEBUG = True\n")
    (root / "billing.py").write_text(f"stripe.api_key = '{STRIPE}'\n")
    (root / "clean.py").write_text("print('hello')\n")
    return root


def test_json_findings_and_exit_codes(project: Path) -> None:
    result = scan(str(project), "--format", "json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert sorted((f["path"], f["line"], f["rule"]) for f in document["findings"]) == [
        ("billing.py", 1, "stripe-live-key"),
        ("settings.py", 1, "github-token"),
    ]
    assert all(f["masked"].endswith("********") for f in document["findings"])
    assert_no_secret(result.stdout + result.stderr)

    (project / "settings.py").write_text("GITHUB = os.environ['GITHUB_TOKEN']\n")
    (project / "billing.py").unlink()
    clean = scan(str(project), "--format", "json")
    assert clean.returncode == 0 and json.loads(clean.stdout)["findings"] == []


def test_the_second_scan_answers_from_the_cache_and_no_cache_scans_again(project: Path) -> None:
    first = json.loads(scan(str(project), "--format", "json").stdout)
    second = json.loads(scan(str(project), "--format", "json").stdout)
    fresh = json.loads(scan(str(project), "--format", "json", "--no-cache").stdout)
    assert (first["files_from_cache"], second["files_from_cache"], fresh["files_from_cache"]) == (0, 3, 0)
    assert first["findings"] == second["findings"] == fresh["findings"]


@pytest.mark.skipif(not SARIF_SCHEMA.is_file(), reason=f"the SARIF schema is not at {SARIF_SCHEMA}")
def test_sarif_validates_against_the_official_schema(project: Path) -> None:
    import jsonschema

    (project / ".env").write_text("DEBUG=1\n")
    result = scan(str(project), "--format", "sarif")
    assert result.returncode == 1
    sarif = json.loads(result.stdout)
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    assert_no_secret(result.stdout)
    (run,) = sarif["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert {"github-token", "stripe-live-key", "hygiene/env-file"} <= rules.keys()
    for rule in rules.values():
        assert rule["help"]["text"] and float(rule["properties"]["security-severity"]) > 0
    assert all(result["partialFingerprints"] for result in run["results"])


def test_a_gitleaks_config_at_the_root_is_picked_up(project: Path) -> None:
    (project / ".gitleaks.toml").write_text(
        "[extend]\nuseDefault = true\n[[allowlists]]\nregexTarget = \"line\"\nregexes = ['''stripe\\.api_key''']\n"
    )
    document = json.loads(scan(str(project), "--format", "json").stdout)
    assert [f["rule"] for f in document["findings"]] == ["github-token"]
    assert document["rules"] == "built-in rules extended by .gitleaks.toml"


def test_a_baseline_file_accepts_findings_and_json_says_why(project: Path, tmp_path: Path) -> None:
    document = json.loads(scan(str(project), "--format", "json").stdout)
    accepted = {
        "format": "cdev-tui secrets baseline",
        "version": 1,
        "accepted": [
            {"fingerprint": f["fingerprint"], "rule": f["rule"], "reason": "revoked"}
            for f in document["findings"]
        ],
    }
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(accepted))
    result = scan(str(project), "--format", "json", "--baseline", str(baseline))
    assert result.returncode == 0
    again = json.loads(result.stdout)
    assert again["findings"] == [] and {a["reason"] for a in again["accepted"]} == {"baseline: revoked"}


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (
            lambda p: (p / ".gitleaks.toml").write_text("[[rules]]\nid = 'x'\nregex = '(('\n"),
            [],
            "rule 'x': invalid regex",
        ),
        (lambda p: (p / "b.json").write_text("{"), ["--baseline", "{root}/b.json"], "b.json: not valid JSON"),
        (lambda p: None, ["--diff", "nope..HEAD"], "not a git repository"),
        (
            lambda p: None,
            ["--config", "{root}/missing.toml"],
            "missing.toml: cannot read the gitleaks config",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_changes(
    project: Path, setup, args: list[str], message: str
) -> None:
    setup(project)
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    result = scan(str(project), *[a.format(root=project) for a in args])
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


def test_history_and_diff_from_the_command_line(repo: Path) -> None:
    added = commit_files(repo, {"conf.py": f"T = '{TOKEN}'\n"}, "oops")
    commit_files(repo, {"conf.py": "T = None\n"}, "remove it")
    assert scan(cwd=repo).returncode in (0, 1)  # the work tree no longer holds it...
    assert scan(str(repo), "--format", "json").returncode == 0
    history = scan("--history", "--format", "json", cwd=repo)
    assert history.returncode == 1  # ...but the history does
    (finding,) = json.loads(history.stdout)["findings"]
    assert (finding["path"], finding["commit"]) == ("conf.py", added) and finding["author_date"]
    assert_no_secret(history.stdout)
    assert scan("--diff", "HEAD~1..HEAD", str(repo)).returncode == 0
    assert scan("--diff", "HEAD~2..HEAD~1", str(repo), "--format", "json").returncode == 1


def test_the_pre_commit_hook_refuses_a_staged_secret(repo: Path) -> None:
    (hook,) = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    assert hook["pass_filenames"] is False
    command = shlex.split(hook["entry"])
    assert command[0] == "cdev-tui"
    run = [str(EXE), *command[1:]]

    (repo / "ok.py").write_text("x = 1\n")
    run_git(repo, "add", "ok.py")
    assert subprocess.run(run, cwd=repo, capture_output=True).returncode == 0
    (repo / "leak.py").write_text(f"T = '{TOKEN}'\n")
    run_git(repo, "add", "leak.py")
    refused = subprocess.run(run, cwd=repo, capture_output=True, text=True)
    assert refused.returncode == 1 and "leak.py" in refused.stdout
    assert_no_secret(refused.stdout + refused.stderr)


def test_workspace_scan_finds_the_demo_token_in_the_right_worktree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cdev_tui.demo import build_demo, fake_github_token

    demo = build_demo(tmp_path / "demo")
    capsys.readouterr()
    code = main(["scan", "--repo", str(demo.repo), "--db", str(tmp_path / "c.db"), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 1
    token = fake_github_token()
    assert token not in out
    line = next(i for i, text in enumerate(demo.secret_file.read_text().splitlines(), 1) if token in text)
    findings = [f for f in json.loads(out)["findings"] if f["rule"] == "github-token"]
    assert [(f["root"], f["path"], f["line"]) for f in findings] == [
        ("auth_agent", "src/shopfront/auth/tokens.py", line)
    ]
