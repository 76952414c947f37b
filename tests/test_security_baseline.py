"""Accepting findings: our baseline file, detect-secrets baselines, ``.gitleaksignore`` and inline comments.

Secret-looking values are built at run time from fixed seeds, never written as literals.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
from pathlib import Path

import pytest

from cdev_tui.errors import CdevError
from cdev_tui.security import scan_roots, scan_text
from cdev_tui.security.baseline import (
    BASELINE_PATH,
    Baseline,
    glob_pattern,
    load_any_baseline,
    load_baseline,
    load_gitleaks_ignore,
    save_baseline,
    suppressions_for,
)


def rand(n: int, seed: str) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


TOKEN = "gh" + "p_" + rand(36, "baseline")
OTHER = "gl" + "pat-" + rand(20, "other")


def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "tests" / "fixtures").mkdir(parents=True)
    (root / "settings.py").write_text(f"TOKEN = '{TOKEN}'\nGITLAB = '{OTHER}'\n")
    (root / "tests" / "fixtures" / "auth.py").write_text(f"FAKE = '{TOKEN}'\n")
    return root


def test_accepting_a_secret_clears_it_at_every_place_it_appears(tmp_path: Path) -> None:
    root = project(tmp_path)
    report = scan_roots([("app", root)])
    assert len(report.findings) == 3
    token_finding = next(
        f for f in report.findings if f.path == "settings.py" and f.rule_id == "github-token"
    )

    target = root / BASELINE_PATH
    save_baseline(
        load_baseline(target).accept([token_finding], "revoked on 2026-11-01", "Ada", "2026-11-30"), target
    )
    again = scan_roots([("app", root)], suppressions=suppressions_for(root))

    assert [(f.path, f.rule_id) for f in again.findings] == [("settings.py", "gitlab-pat")]
    assert sorted((f.path, why) for f, why in again.accepted) == [
        ("settings.py", "baseline: revoked on 2026-11-01"),
        ("tests/fixtures/auth.py", "baseline: revoked on 2026-11-01"),
    ]


def test_the_baseline_file_is_reviewable_and_never_holds_the_secret(tmp_path: Path) -> None:
    root = project(tmp_path)
    findings = scan_roots([("app", root)]).findings
    target = root / BASELINE_PATH
    save_baseline(
        Baseline().accept(findings, "test data", "Ada", "2026-11-30").allow("*", "docs/", "docs"), target
    )
    text = target.read_text()
    assert TOKEN not in text and OTHER not in text and TOKEN[4:20] not in text
    document = json.loads(text)
    assert document["format"] == "cdev-tui secrets baseline" and document["version"] == 1
    assert {e["fingerprint"] for e in document["accepted"]} == {f.fingerprint for f in findings}
    assert document["accepted"][0].keys() == {"fingerprint", "rule", "path", "reason", "by", "date"}
    assert document["allowed"] == [{"rule": "*", "glob": "docs/", "reason": "docs"}]
    assert load_baseline(target) == Baseline().accept(findings, "test data", "Ada", "2026-11-30").allow(
        "*", "docs/", "docs"
    )
    assert not list(target.parent.glob(".secrets-baseline.*")), "no temporary file left behind"


def test_allowing_a_rule_for_a_path_glob(tmp_path: Path) -> None:
    root = project(tmp_path)
    target = root / BASELINE_PATH
    save_baseline(Baseline().allow("github-token", "tests/**", "fake tokens in fixtures"), target)
    report = scan_roots([("app", root)], suppressions=suppressions_for(root))
    assert sorted((f.path, f.rule_id) for f in report.findings) == [
        ("settings.py", "github-token"),
        ("settings.py", "gitlab-pat"),
    ]
    assert [why for _, why in report.accepted] == [
        "allowed github-token in tests/**: fake tokens in fixtures"
    ]


@pytest.mark.parametrize(
    ("glob", "path", "covered"),
    [
        ("tests/**", "tests/a/b.py", True),
        ("tests/", "tests/a/b.py", True),
        ("tests/*.py", "tests/a/b.py", False),
        ("**/fixtures/*.json", "a/b/fixtures/x.json", True),
        ("**/fixtures/*.json", "fixtures/x.json", True),
        ("*.md", "docs/readme.md", False),
        ("docs/?.md", "docs/a.md", True),
    ],
)
def test_glob_patterns(glob: str, path: str, covered: bool) -> None:
    assert bool(glob_pattern(glob).fullmatch(path)) is covered


def test_a_detect_secrets_baseline_is_honoured_by_file_and_hashed_secret(tmp_path: Path) -> None:
    root = project(tmp_path)
    sha1 = hashlib.sha1(TOKEN.encode()).hexdigest()
    baseline = {
        "version": "1.5.0",
        "plugins_used": [{"name": "GitHubTokenDetector"}],
        "results": {
            "settings.py": [
                {"type": "GitHub Token", "filename": "settings.py", "hashed_secret": sha1, "line_number": 1}
            ],
            "tests/fixtures/auth.py": [
                {"type": "GitHub Token", "hashed_secret": sha1, "line_number": 1, "is_secret": True}
            ],
        },
    }
    (root / ".secrets.baseline").write_text(json.dumps(baseline))
    report = scan_roots([("app", root)], suppressions=suppressions_for(root))
    # Audited as a real secret in the fixture: still reported there.
    assert sorted((f.path, f.rule_id) for f in report.findings) == [
        ("settings.py", "gitlab-pat"),
        ("tests/fixtures/auth.py", "github-token"),
    ]
    assert [(f.path, why) for f, why in report.accepted] == [("settings.py", "detect-secrets baseline")]
    assert load_any_baseline(root / ".secrets.baseline").detect_secrets == {("settings.py", sha1)}


def test_gitleaksignore_fingerprints(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / ".gitleaksignore").write_text("# reviewed\nsettings.py:gitlab-pat:2\nabc123:tests/x.py:jwt:4\n")
    report = scan_roots([("app", root)], suppressions=suppressions_for(root))
    assert ("settings.py", "gitlab-pat") not in {(f.path, f.rule_id) for f in report.findings}
    assert [why for _, why in report.accepted] == [".gitleaksignore"]


def test_inline_allow_comments_silence_that_line_only() -> None:
    text = f"a = '{TOKEN}'  # cdev: allow-secret\nb = '{TOKEN}'  // gitleaks:allow\nc = '{TOKEN}'\n"
    assert [f.line for f in scan_text(text, "x.py")] == [3]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": "something else"}', "not a cdev-tui secrets baseline"),
        ('{"format": "cdev-tui secrets baseline", "version": 7}', "unsupported baseline version 7"),
        (
            '{"format": "cdev-tui secrets baseline", "version": 1, "accepted": [{"fingerprint": "abc", '
            '"rule": "x", "reason": "y"}]}',
            "accepted[0]: fingerprint must be 64 lower-case hex digits",
        ),
        (
            '{"format": "cdev-tui secrets baseline", "version": 1, "allowed": [{"rule": "x", "glob": "a"}]}',
            "allowed[0]: 'reason' must be a non-empty string",
        ),
        (
            '{"format": "cdev-tui secrets baseline", "version": 1, "advisories": [{"advisory": "GHSA-1", '
            '"package": "requests"}]}',
            "advisories[0]: 'reason' must be a non-empty string",
        ),
        (
            '{"format": "cdev-tui secrets baseline", "version": 1, "advisories": {}}',
            "'advisories' must be a list",
        ),
    ],
)
def test_a_malformed_baseline_is_one_line_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / BASELINE_PATH
    path.parent.mkdir()
    path.write_text(content)
    with pytest.raises(CdevError) as caught:
        load_baseline(path)
    assert str(caught.value).startswith(str(path) + ":") and message in str(caught.value)
    assert path.read_text() == content


def test_malformed_detect_secrets_baseline_and_gitleaksignore(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text('{"version": "1", "results": {"a.py": [{"line_number": 1}]}}')
    with pytest.raises(CdevError, match=r"results\['a.py'\]\[0\]: no hashed_secret"):
        load_any_baseline(bad)
    ignore = tmp_path / ".gitleaksignore"
    ignore.write_text("just-a-word\n")
    with pytest.raises(CdevError, match="is not a fingerprint"):
        load_gitleaks_ignore(ignore)
    with pytest.raises(CdevError, match="no such baseline file"):
        load_any_baseline(tmp_path / "missing.json")
