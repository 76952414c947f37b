"""CI workflows that run cdev-tui's checks: the secret scan (SARIF), conflicts on agent branches, the tests.

Textual-free. The workflows call the same commands a developer runs: ``cdev-tui scan --format sarif``,
``cdev-tui conflicts --check`` with the agent branches seen as remote agents (``CDEV_TUI_REMOTE_AGENTS``),
and the project's test command.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PLATFORMS = {"github": Path(".github/workflows/cdev-tui.yml"), "gitlab": Path(".gitlab-ci.yml")}
"""Where each platform reads its workflow, relative to the repository root."""
DEFAULT_INSTALL = "pip install cdev-tui"


@dataclass(frozen=True)
class CiSettings:
    """What the workflow runs."""

    agents: tuple[str, ...]
    """Remote agent branch patterns (``origin/SHOP-42-*``) whose pull requests are checked for conflicts."""
    target: str
    test_command: str | None
    install: str = DEFAULT_INSTALL
    python: str = "3.12"


def _q(text: str) -> str:
    """A YAML scalar in double quotes (JSON strings are valid YAML)."""
    return json.dumps(text)


def github_workflow(settings: CiSettings) -> str:
    """A GitHub Actions workflow: scan (uploaded to code scanning), conflicts on agent PRs, tests."""
    agents = ",".join(settings.agents)
    tests = (
        f"      - name: Tests\n        run: {_q(settings.test_command)}\n"
        if settings.test_command
        else "      # No test_command in .cdev/config.toml: add the project's tests here.\n"
    )
    return f"""# Written by `cdev-tui ci init github`: cdev-tui's checks on every push and pull request.
name: cdev-tui
on:
  push:
    branches: [{_q(settings.target)}]
  pull_request:
permissions:
  contents: read
  security-events: write
jobs:
  checks:
    runs-on: ubuntu-latest
    env:
      CDEV_TUI_TARGET_BRANCH: {_q(settings.target)}
      CDEV_TUI_REMOTE_AGENTS: {_q(agents)}
      CDEV_TUI_REMOTE_FETCH_MINUTES: "0"
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: {_q(settings.python)}
      - name: Install cdev-tui
        run: {_q(settings.install)}
      - name: Secret scan
        id: scan
        continue-on-error: true
        run: cdev-tui scan --format sarif > cdev-tui.sarif
      - name: Upload the findings to code scanning
        if: always()
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: cdev-tui.sarif
          category: cdev-tui
      - name: Conflicts between agent branches and with the target
        if: github.event_name == 'pull_request'
        run: cdev-tui conflicts --check
{tests}      - name: Fail when the scan found secrets
        if: steps.scan.outcome == 'failure'
        run: exit 1
"""


def gitlab_workflow(settings: CiSettings) -> str:
    """A GitLab CI pipeline: scan (SARIF kept as an artifact), conflicts on merge requests, tests."""
    agents = ",".join(settings.agents)
    tests = (
        f"""
tests:
  stage: test
  script:
    - {_q(settings.install)}
    - {_q(settings.test_command)}
"""
        if settings.test_command
        else "\n# No test_command in .cdev/config.toml: add a job for the project's tests here.\n"
    )
    return f"""# Written by `cdev-tui ci init gitlab`: cdev-tui's checks on every push and merge request.
image: python:{settings.python}
variables:
  GIT_DEPTH: "0"
  CDEV_TUI_TARGET_BRANCH: {_q(settings.target)}
  CDEV_TUI_REMOTE_AGENTS: {_q(agents)}
  CDEV_TUI_REMOTE_FETCH_MINUTES: "0"
stages: [test]

secret-scan:
  stage: test
  script:
    - {_q(settings.install)}
    - cdev-tui scan --format sarif > cdev-tui.sarif
  artifacts:
    when: always
    paths: [cdev-tui.sarif]

conflicts:
  stage: test
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - {_q(settings.install)}
    - git fetch origin "+refs/heads/*:refs/remotes/origin/*"
    - cdev-tui conflicts --check
{tests}"""


WRITERS = {"github": github_workflow, "gitlab": gitlab_workflow}
