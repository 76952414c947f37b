"""What the Security pane lists, without Textual: one row per secret with every place, grouping, filtering,
dependency rows, and the masked context lines of the detail view."""

from __future__ import annotations

from pathlib import Path

from cdev_tui.demo import fake_github_token
from cdev_tui.security import scan_roots
from cdev_tui.security.context import MAX_SHOWN, finding_context
from cdev_tui.security.deps import Dependency, VulnerableDependency
from cdev_tui.security.rows import at_or_above, dedupe, dependency_rows, grouped

TOKEN = fake_github_token("rows")
KEY = "AKIA" + "QX7RZ2M4T6V5W3Y5"


def worktrees(tmp_path: Path) -> list[tuple[str, Path]]:
    """Three worktrees: the token in two of them, an AWS key id in one."""
    roots = []
    for label, files in {
        "main": {"README.md": "# p\n"},
        "api_agent": {"a/settings.py": f'TOKEN = "{TOKEN}"\n', "b/aws.py": f'AWS_ACCESS_KEY_ID = "{KEY}"\n'},
        "auth_agent": {"auth/tokens.py": f'\n\nGITHUB_TOKEN = "{TOKEN}"\n'},
    }.items():
        root = tmp_path / label
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        roots.append((label, root))
    return roots


def test_one_row_per_secret_with_every_place_worst_first(tmp_path: Path) -> None:
    report = scan_roots(worktrees(tmp_path))
    rows = dedupe(report.findings)
    token = next(r for r in rows if r.rule_id == "github-token")
    assert token.agents == ("api_agent", "auth_agent")
    assert [p.where for p in token.places] == ["a/settings.py:1", "auth/tokens.py:3"]
    assert len(rows) == 2 and [r.severity for r in rows] == sorted(
        (r.severity for r in rows), key="high".__ne__
    )


def test_grouping_search_and_severity_floor(tmp_path: Path) -> None:
    rows = dedupe(scan_roots(worktrees(tmp_path)).findings)
    by_agent = grouped(rows, "agent")
    assert [name for name, _ in by_agent] == ["api_agent", "api_agent, auth_agent"]
    by_rule = dict(grouped(rows, "rule"))
    assert set(by_rule) == {r.description for r in rows}
    assert [r.rule_id for _, group in grouped(rows, "none", text="auth/") for r in group] == ["github-token"]
    assert grouped(rows, "agent", text=TOKEN[:12]) == []  # the search never looks at the secret
    assert at_or_above("high", "medium") and not at_or_above("low", "medium") and at_or_above("low", "all")


def test_vulnerable_dependencies_fold_by_package_version_and_advisory() -> None:
    def vuln(root: str, advisory: str, severity: str) -> VulnerableDependency:
        dep = Dependency("PyPI", "requests", "2.19.1", "requirements.txt", 3, True, root)
        return VulnerableDependency(dep, advisory, (), "summary", severity, "2.20.0", "https://osv.dev")

    rows = dependency_rows(
        [
            vuln("auth_agent", "GHSA-1", "medium"),
            vuln("api_agent", "GHSA-1", "medium"),
            vuln("api_agent", "GHSA-2", "high"),
        ]
    )
    assert [(r.advisory, r.severity, r.agents) for r in rows] == [
        ("GHSA-2", "high", ("api_agent",)),
        ("GHSA-1", "medium", ("api_agent", "auth_agent")),
    ]


def test_context_lines_are_masked_unless_revealed(tmp_path: Path) -> None:
    roots = worktrees(tmp_path)
    report = scan_roots(roots)
    finding = next(f for f in report.findings if f.root_label == "auth_agent")
    root = dict(roots)["auth_agent"]
    lines = finding_context(root, finding)
    assert [(line.number, line.is_finding) for line in lines] == [(1, False), (2, False), (3, True)]
    assert lines[2].text == 'GITHUB_TOKEN = "ghp_********"' and TOKEN not in str(lines)
    assert finding_context(root, finding, reveal=True)[2].text == f'GITHUB_TOKEN = "{TOKEN}"'
    (root / "auth/tokens.py").unlink()
    assert finding_context(root, finding) == []  # gone since the scan: nothing to show


def test_context_masks_private_key_bodies_and_clips_long_lines(tmp_path: Path) -> None:
    header = "-----BEGIN RSA " + "PRIVATE KEY-----"
    body = ["MIIEow" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/" * 2 for _ in range(3)]
    (tmp_path / "id_rsa").write_text("\n".join([header, *body, "-----END RSA " + "PRIVATE KEY-----", ""]))
    minified = "var a=1;" * 200 + f'var t="{TOKEN}";' + "var b=2;" * 200
    (tmp_path / "app.min.js").write_text(minified + "\n")
    report = scan_roots([("r", tmp_path)])
    pem = next(f for f in report.findings if f.path == "id_rsa")
    shown = "\n".join(line.text for line in finding_context(tmp_path, pem, radius=4))
    assert not any(row in shown for row in body) and "-----END RSA" in shown
    js = next(f for f in report.findings if f.path == "app.min.js")
    (line,) = finding_context(tmp_path, js)
    assert len(line.text) <= MAX_SHOWN + 2 and "ghp_****" in line.text and TOKEN not in line.text


def test_a_name_value_pair_is_masked_on_its_value_line_everywhere_it_is_shown(tmp_path: Path) -> None:
    from cdev_tui.conflicts.learned import contains_secret
    from cdev_tui.llm import redact_text
    from cdev_tui.security import text_masked
    from cdev_tui.voice.speak import speakable

    password = "Zq7" + "rLm2Vx9Tp4Kw8Nb"
    manifest = (
        f"env:\n  - name: SMTP_PASSWORD\n    value: {password}\n  - name: LOG_LEVEL\n    value: debug\n"
    )
    (tmp_path / "deploy.yaml").write_text(manifest)
    report = scan_roots([("r", tmp_path)])
    (finding,) = report.findings
    assert (finding.path, finding.line) == ("deploy.yaml", 3)
    shown = [line.text for line in finding_context(tmp_path, finding)]
    assert shown[finding.line - 1] == "    value: " + password[:4] + "********" and password not in str(shown)
    for masked in (text_masked(manifest), redact_text(manifest), speakable(manifest)):
        assert password not in masked and "debug" in masked
    assert contains_secret(manifest) and not contains_secret("env:\n  - name: LOG_LEVEL\n    value: debug\n")
