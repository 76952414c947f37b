"""Secret scanner and hygiene checks, on real files and real git repositories with linked worktrees.

Every fake secret is assembled at run time (prefixes split, random bodies from fixed seeds) so that no file of
this repository holds a literal secret-looking string.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

from cdev_tui import security
from cdev_tui.errors import CdevError
from cdev_tui.security import (
    DEFAULT_SIZE_LIMIT,
    RULES,
    Finding,
    findings_to_sarif,
    hygiene_checks,
    line_masked,
    list_scan_files,
    scan_roots,
    scan_text,
)
from tests.conftest import commit_files, run_git

ALNUM = string.ascii_letters + string.digits
DIGITS = string.digits
UPPER_DIGITS = string.ascii_uppercase + DIGITS
STARS = "********"


def rand(n: int, alphabet: str = ALNUM, seed: str = "") -> str:
    """A deterministic random string: same seed, same value, in every run."""
    rng = random.Random(f"{seed}/{n}/{alphabet}")
    return "".join(rng.choice(alphabet) for _ in range(n))


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def pem_body(seed: str) -> str:
    raw = random.Random(seed).randbytes(1190)
    return base64.b64encode(raw).decode()


def pem_block(kind: str, body: str) -> str:
    rows = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join(["-----BEGIN " + kind + "-----", *rows, "-----END " + kind + "-----"])


@dataclass(frozen=True)
class Sample:
    rule_id: str
    text: str  # the line (or block) that holds the secret
    secret: str  # what the rule fingerprints
    column: int  # expected 1-based column

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0]


def sample(rule_id: str, template: str, secret: str) -> Sample:
    text = template.format(S=secret)
    return Sample(rule_id, text, secret, text.index(secret) + 1)


def _samples() -> list[Sample]:
    jwt = ".".join(
        [
            b64url(b'{"alg":"HS256","typ":"JWT"}'),
            b64url(b'{"sub":"1234567890","name":"Agent Smith","iat":1716239022}'),
            rand(43, ALNUM + "_-", "jwt-sig"),
        ]
    )
    body = pem_body("rsa")
    json_body = pem_body("json-key")
    json_key = "-----BEGIN " + "PRIVATE KEY-----\\n" + json_body + "\\n-----END " + "PRIVATE KEY-----\\n"
    return [
        sample(
            "aws-access-key-id",
            "aws_access_key_id = {S}",
            "AK" + "IA" + rand(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        ),
        sample(
            "aws-access-key-id", "key: {S}", "AS" + "IA" + rand(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "s")
        ),
        sample("aws-secret-access-key", "aws_secret_access_key = {S}", rand(40, ALNUM + "/+", "aws")),
        sample("aws-secret-access-key", '  "SecretAccessKey": "{S}",', rand(40, ALNUM + "/+", "aws-json")),
        *[sample("github-token", 'GH = "{S}"', "gh" + p + "_" + rand(36, seed=p)) for p in "pousr"],
        sample("github-fine-grained-pat", "auth: {S}", "github" + "_pat_" + rand(22) + "_" + rand(59)),
        sample("gitlab-pat", "gitlab = {S}", "gl" + "pat-" + rand(20, seed="gl")),
        sample(
            "slack-token", "bot: {S}", "-".join(["xo" + "xb", rand(12, DIGITS), rand(13, DIGITS), rand(24)])
        ),
        sample(
            "slack-webhook",
            "hook = 'https://hooks.slack.com/services/{S}'",
            "T" + rand(8, UPPER_DIGITS) + "/B" + rand(10, UPPER_DIGITS) + "/" + rand(24, seed="hook"),
        ),
        sample("stripe-live-key", "stripe({S})", "sk" + "_live_" + rand(24, seed="stripe")),
        sample("stripe-live-key", "stripe({S})", "rk" + "_live_" + rand(24, seed="stripe-rk")),
        sample("google-api-key", "const maps = '{S}';", "AI" + "za" + rand(35, ALNUM + "_-", "google")),
        sample(
            "anthropic-api-key",
            "client = Anthropic({S})",
            "sk-" + "ant-api03-" + rand(93, ALNUM + "_-", "ant") + "AA",
        ),
        sample("openai-api-key", "llm = OpenAI({S})", "sk-" + "proj-" + rand(56, ALNUM + "_-", "proj")),
        sample("openai-api-key", "llm = OpenAI({S})", "sk-" + rand(48, seed="classic")),
        sample("linear-api-key", "linear: {S}", "lin" + "_api_" + rand(40, seed="linear")),
        sample("npm-token", "npm login {S}", "np" + "m_" + rand(36, seed="npm")),
        sample("pypi-token", "twine -p {S}", "py" + "pi-AgEIcHlwaS5vcmc" + rand(70, ALNUM + "_-", "pypi")),
        sample("jwt", "Authorization: Bearer {S}", jwt),
        sample(
            "postgres-connection-uri",
            "DATABASE = 'postgres://app:{S}@db.internal:5432/app'",
            rand(16, seed="db"),
        ),
        sample("redis-connection-uri", "REDIS_URL = 'redis://:{S}@cache:6379/0'", rand(20, seed="redis")),
        sample(
            "url-credentials", "MIRROR = 'https://deploy:{S}@files.internal/releases'", rand(18, seed="url")
        ),
        sample("generic-secret-assignment", 'password = "{S}"', rand(18, ALNUM + "!#&", "pw")),
        sample("generic-secret-assignment", '  "api_key": "{S}",', rand(32, seed="apikey")),
        sample("generic-secret-assignment", "client_secret: '{S}'", rand(24, seed="yaml")),
        sample("generic-secret-assignment", 'DB_PASSWORD: str = "{S}"', rand(20, seed="annotated")),
        sample("env-secret-assignment", "API_TOKEN={S}", rand(32, seed="env")),
        sample("env-secret-assignment", "export DB_PASSWORD={S}", rand(20, seed="export")),
        Sample("private-key", pem_block("RSA " + "PRIVATE KEY", body), body, 1),
        Sample("private-key", '  "private_key": "' + json_key + '",', json_body, 19),
    ]


SAMPLES = _samples()
SAMPLE_IDS = [f"{s.rule_id}-{i}" for i, s in enumerate(SAMPLES)]


def wrap(text: str) -> str:
    """Put ``text`` on line 3 of an otherwise harmless file."""
    return f"# settings\nname = 'demo'\n{text}\nlast = True\n"


def secret_pieces(secret: str) -> list[str]:
    """Parts of a secret that must never be shown: the whole and a run past the revealed prefix."""
    return [secret, secret[4:20]]


# --- rules -------------------------------------------------------------------------------------------------


def test_samples_name_existing_rules() -> None:
    # Every rule's own examples are checked in test_rules.py; these samples add realistic placements.
    assert {s.rule_id for s in SAMPLES} <= {rule.id for rule in RULES}


@pytest.mark.parametrize("s", SAMPLES, ids=SAMPLE_IDS)
def test_rule_detects_realistic_fake_value(s: Sample) -> None:
    findings = scan_text(wrap(s.text), "conf/settings.txt", root_label="agent-1")

    assert [(f.rule_id, f.line, f.column) for f in findings] == [(s.rule_id, 3, s.column)]
    finding = findings[0]
    assert finding.path == "conf/settings.txt"
    assert finding.root_label == "agent-1"
    assert finding.fingerprint == hashlib.sha256(f"{s.rule_id}:{s.secret}".encode()).hexdigest()
    assert finding.masked == s.secret[:4] + STARS
    for piece in secret_pieces(s.secret):
        assert piece not in repr(findings)
        assert piece not in line_masked(s.first_line)


@pytest.mark.parametrize("s", [s for s in SAMPLES if s.rule_id != "private-key"], ids=lambda s: s.rule_id)
def test_line_masked_shows_the_mask_in_place(s: Sample) -> None:
    masked = line_masked(s.text)
    assert masked == s.text.replace(s.secret, s.secret[:4] + STARS)


def test_line_masked_masks_a_one_line_private_key_body() -> None:
    s = SAMPLES[-1]
    masked = line_masked(s.text)
    assert masked.startswith('  "private_key": "-----BEGIN ')
    assert s.secret[4:40] not in masked
    assert STARS in masked


def test_line_masked_masks_every_secret_on_the_line() -> None:
    token = "gh" + "p_" + rand(36, seed="two-1")
    key = "AI" + "za" + rand(35, seed="two-2")
    line = f"tokens = ['{token}', '{key}']"
    assert line_masked(line) == f"tokens = ['{token[:4]}{STARS}', '{key[:4]}{STARS}']"


def test_short_secret_reveals_fewer_characters() -> None:
    password = rand(8, seed="short") + "7a"
    (finding,) = scan_text(f"url = 'https://bot:{password}@ci.internal/x'\n", "ci.txt")
    assert finding.masked == password[:2] + STARS


@pytest.mark.parametrize(
    "line",
    [
        'password = "changeme"',
        'password = "changeme123"',
        'api_key = "xxxxxxxxxxxxxxxxxxxx"',
        'token = "<your-token>"',
        'secret = "${APP_SECRET}"',
        "API_KEY=your-key-here",
        'api_key = "your-api-key-here"',
        'db_password = "example-pass-42"',
        'auth_token = "{{ vault_token }}"',
        'SECRET_KEY = "MY_APP_SECRET_KEY_2"',
        'password = "aaaaaaa1"',
        'tokenizer_file = "tokenizer-v2.json"',
        'TOKEN_RE = "[A-Za-z0-9_]{36}"',
        'publicKeyToken="1fc8b3b9a1e18e3b"',
        "export API_TOKEN=$(cat token.txt)",
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
        'password: str = os.environ["DB_PASSWORD"]',
        "postgres://user:password@localhost/db",
        "https://admin:${DB_PASS}@db.internal/x",
        "aws_access_key_id = " + "AK" + "IAIOSFODNN7EXAMPLE",
        "token = " + "gh" + "p_" + "x" * 36,
        "github = " + "gh" + "p_" + "A" * 36,
        'PEM_HEADER = "' + "-----BEGIN " + 'PRIVATE KEY-----"',
    ],
)
def test_placeholders_and_lookalikes_are_not_reported(line: str) -> None:
    assert scan_text(wrap(line), "x.py") == []


def test_a_secret_claimed_by_a_specific_rule_is_not_reported_twice() -> None:
    token = "gh" + "p_" + rand(36, seed="dup")
    findings = scan_text(f'GITHUB_TOKEN = "{token}"\nurl = "https://x:{token}@github.com/o/r"\n', "a.py")
    assert [(f.rule_id, f.line) for f in findings] == [("github-token", 1), ("github-token", 2)]


def test_fingerprint_is_stable_across_runs_paths_and_lines() -> None:
    token = "gl" + "pat-" + rand(20, seed="stable")
    first = scan_text(f"a = {token}\n", "one.txt")
    again = scan_text(f"a = {token}\n", "one.txt")
    elsewhere = scan_text(f"\n\n\nb: {token}\n", "deep/two.txt", root_label="agent-2")
    other = scan_text(f"a = {'gl' + 'pat-' + rand(20, seed='other')}\n", "one.txt")

    assert first[0].fingerprint == again[0].fingerprint == elsewhere[0].fingerprint
    assert first[0].fingerprint != other[0].fingerprint
    assert first[0].fingerprint == hashlib.sha256(("gitlab-pat:" + token).encode()).hexdigest()


def test_scanner_source_and_these_tests_hold_no_secret_looking_literals() -> None:
    for path in (*sorted(Path(security.__file__).parent.rglob("*.py")), Path(__file__)):
        assert scan_text(path.read_text(), path.name) == [], path


# --- files, skips and hygiene outside git ------------------------------------------------------------------


def test_binary_oversized_and_invalid_utf8_files(tmp_path: Path) -> None:
    token = "np" + "m_" + rand(36, seed="files")
    line = f"token: {token}\n".encode()
    (tmp_path / "bin.dat").write_bytes(b"\x7fELF\x00\x01" + line)
    (tmp_path / "big.txt").write_bytes(line + b"a" * DEFAULT_SIZE_LIMIT)
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9 cr\xe8me\n" + line)
    (tmp_path / "ok.txt").write_bytes(line)

    report = scan_roots([("plain", tmp_path)])

    assert [(f.path, f.line) for f in report.findings] == [("latin1.txt", 2), ("ok.txt", 1)]
    assert sorted((Path(p).name, reason) for p, reason in report.skipped) == [
        ("big.txt", f"larger than {DEFAULT_SIZE_LIMIT} bytes"),
        ("bin.dat", "binary"),
    ]
    assert [(h.check, h.path) for h in report.hygiene] == [("large-file", "big.txt")]
    assert report.files_scanned == 2
    assert report.bytes_scanned == (tmp_path / "latin1.txt").stat().st_size + len(line)
    assert [(h.check, h.path) for h in hygiene_checks(tmp_path)] == [("large-file", "big.txt")]


def test_walk_outside_git_skips_vendor_and_cache_dirs(tmp_path: Path) -> None:
    for rel in ("src/a.py", "node_modules/x/i.js", ".venv/lib/y.py", "src/__pycache__/a.pyc", ".git/config"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")
    assert list_scan_files(tmp_path) == ["src/a.py"]


def test_missing_root_is_a_skip_entry_not_an_error(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "k.txt").write_text("key = " + "AI" + "za" + rand(35, seed="missing") + "\n")

    report = scan_roots([("ghost", tmp_path / "nope"), ("real", real)])

    assert report.skipped == [((tmp_path / "nope").as_posix(), "root ghost: no such directory")]
    assert [(f.root_label, f.path) for f in report.findings] == [("real", "k.txt")]
    assert report.roots == ["ghost", "real"]
    with pytest.raises(CdevError, match="no such directory"):
        hygiene_checks(tmp_path / "nope")


def test_cancel_stops_between_files(tmp_path: Path) -> None:
    for i in range(30):
        (tmp_path / f"f{i:02}.txt").write_text(f"value {i}\n")
    calls: list[int] = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 5

    report = scan_roots([("main", tmp_path)], cancel=cancel)

    assert report.cancelled
    assert report.files_scanned == 5


def test_progress_reports_done_and_total(tmp_path: Path) -> None:
    for i in range(150):
        (tmp_path / f"f{i:03}.txt").write_text("x\n")
    seen: list[tuple[int, int]] = []

    report = scan_roots([("main", tmp_path)], progress=lambda done, total: seen.append((done, total)))

    assert not report.cancelled
    assert seen[0] == (0, 150) and seen[-1] == (150, 150)
    assert {total for _, total in seen} == {150}
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seen) > 2


# --- git: listing, env files, credential files, worktrees --------------------------------------------------


def test_untracked_not_ignored_files_are_scanned_and_ignored_ones_are_not(repo: Path) -> None:
    tokens = {name: "gh" + "p_" + rand(36, seed=name) for name in ("tracked", "untracked", "build", "log")}
    commit_files(repo, {".gitignore": "build/\n*.log\n", "tracked.py": f"T = '{tokens['tracked']}'\n"}, "add")
    (repo / "notes.md").write_text(f"token {tokens['untracked']}\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.txt").write_text(tokens["build"] + "\n")
    (repo / "debug.log").write_text(tokens["log"] + "\n")

    files = list_scan_files(repo)
    report = scan_roots([("main", repo)])

    assert "notes.md" in files and "tracked.py" in files
    assert "build/out.txt" not in files and "debug.log" not in files
    assert {f.path for f in report.findings} == {"tracked.py", "notes.md"}
    expected = {
        hashlib.sha256(f"github-token:{tokens[k]}".encode()).hexdigest() for k in ("tracked", "untracked")
    }
    assert {f.fingerprint for f in report.findings} == expected


@pytest.mark.parametrize(
    ("gitignore", "expected"),
    [
        (None, [("env-file-not-ignored", ".env"), ("env-file-not-ignored", "backend/.env.production")]),
        (".env\n", [("env-file-not-ignored", "backend/.env.production")]),
        # A line that merely mentions .env ignores nothing: cdev's substring test got this wrong.
        (
            "!.env.example\n.envrc\n",
            [("env-file-not-ignored", ".env"), ("env-file-not-ignored", "backend/.env.production")],
        ),
        (".env\n.env.*\n!.env.example\n", []),
    ],
)
def test_env_files_are_judged_by_gits_ignore_rules(repo: Path, gitignore: str | None, expected: list) -> None:
    if gitignore is not None:
        (repo / ".gitignore").write_text(gitignore)
    (repo / ".env").write_text("DEBUG=1\n")
    (repo / ".env.example").write_text("API_KEY=\n")
    (repo / "backend").mkdir()
    (repo / "backend" / ".env.production").write_text("DEBUG=0\n")

    issues = hygiene_checks(repo)

    assert [(i.check, i.path) for i in issues] == expected
    assert all(i.severity == "high" for i in issues)


def test_tracked_env_file_is_reported_even_when_ignored_later(repo: Path) -> None:
    (repo / ".env").write_text("DEBUG=1\n")
    run_git(repo, "add", ".env")
    run_git(repo, "commit", "-q", "-m", "oops")
    (repo / ".gitignore").write_text(".env\n")

    (issue,) = hygiene_checks(repo)

    assert (issue.check, issue.path, issue.severity) == ("env-file-tracked", ".env", "high")
    assert "git rm --cached" in issue.message


def test_credential_files(repo: Path) -> None:
    key = pem_block("OPENSSH " + "PRIVATE KEY", pem_body("ssh")) + "\n"
    cert = pem_block("CERTIFICATE", pem_body("cert")) + "\n"
    npm_literal = "//registry.npmjs.org/:_authToken=" + "np" + "m_" + rand(36, seed="npmrc") + "\n"
    files = {
        "deploy/id_ed25519": key,
        "tls/server.key": key,
        "tls/server.pem": cert,
        "tls/bundle.p12": "binary-ish\n",
        ".npmrc": "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
        "web/.npmrc": npm_literal,
        ".pypirc": "[pypi]\nusername = __token__\npassword = " + rand(20, seed="pypirc") + "\n",
        ".git-credentials": "https://bot:" + rand(20, seed="gitcred") + "@github.com\n",
        "ignored/id_rsa": key,
    }
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    (repo / ".gitignore").write_text("ignored/\n")

    issues = {i.path: i for i in hygiene_checks(repo) if i.check == "credential-file"}

    assert sorted(issues) == [
        ".git-credentials",
        ".pypirc",
        "deploy/id_ed25519",
        "tls/bundle.p12",
        "tls/server.key",
        "web/.npmrc",
    ]
    assert all(i.severity == "high" for i in issues.values())
    assert "not ignored by git" in issues["tls/server.key"].message


def test_nested_repository_is_skipped_with_a_reason(repo: Path) -> None:
    nested = repo / "experiments"
    nested.mkdir()
    run_git(nested, "init", "-q")
    (nested / "notes.txt").write_text("lin" + "_api_" + rand(40, seed="nested") + "\n")

    report = scan_roots([("main", repo)])

    assert report.findings == []
    assert report.skipped == [
        ((repo / "experiments").as_posix(), "nested git repository: scan it as its own root")
    ]


def test_root_inside_an_ignored_directory_is_walked(repo: Path) -> None:
    token = "lin" + "_api_" + rand(40, seed="vendor")
    (repo / ".gitignore").write_text("vendor/\n")
    (repo / "vendor" / "lib").mkdir(parents=True)
    (repo / "vendor" / "lib" / "conf.txt").write_text(f"linear {token}\n")
    (repo / "vendor" / ".env").write_text("DEBUG=1\n")

    report = scan_roots([("vendor", repo / "vendor")])

    assert [f.path for f in report.findings] == ["lib/conf.txt"]
    assert report.hygiene == []  # the .env there is ignored by the repository's rules


def test_linked_worktree_is_scanned_with_its_own_files_and_label(repo: Path, tmp_path: Path) -> None:
    main_token = "AI" + "za" + rand(35, seed="main")
    agent_token = "sk" + "_live_" + rand(24, seed="agent")
    scratch_token = "xo" + "xb-" + rand(12, DIGITS) + "-" + rand(24, seed="scratch")
    commit_files(repo, {"config.py": f"MAPS = '{main_token}'\n"}, "config")
    wt = tmp_path / "project-work-trees" / "agent-1"
    run_git(repo, "worktree", "add", "-q", "-b", "agent-1", str(wt))
    commit_files(wt, {"billing.py": f"STRIPE = '{agent_token}'\n"}, "billing")
    (wt / "scratch.txt").write_text(scratch_token + "\n")
    (wt / ".env").write_text("DEBUG=1\n")

    report = scan_roots([("main", repo), ("agent-1", wt)])

    assert [(f.root_label, f.path, f.rule_id) for f in report.findings] == [
        ("main", "config.py", "google-api-key"),
        ("agent-1", "billing.py", "stripe-live-key"),
        ("agent-1", "config.py", "google-api-key"),
        ("agent-1", "scratch.txt", "slack-token"),
    ]
    assert [(h.root_label, h.check, h.path) for h in report.hygiene] == [
        ("agent-1", "env-file-not-ignored", ".env")
    ]
    assert report.root_paths == {"main": repo.absolute().as_posix(), "agent-1": wt.absolute().as_posix()}
    assert ".git" not in list_scan_files(wt)
    assert "scratch.txt" not in list_scan_files(repo)


# --- SARIF -------------------------------------------------------------------------------------------------


def test_sarif_is_minimal_valid_and_never_holds_a_secret(tmp_path: Path) -> None:
    for i, s in enumerate(SAMPLES):
        (tmp_path / f"s{i:02}.txt").write_text(wrap(s.text))
    (tmp_path / ".env").write_text("DEBUG=1\n")
    report = scan_roots([("agent-1", tmp_path)])
    assert len(report.findings) == len(SAMPLES)

    sarif = findings_to_sarif(report)
    dumped = json.dumps(sarif)

    for s in SAMPLES:
        for piece in secret_pieces(s.secret):
            assert piece not in dumped
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "cdev-tui"
    assert run["originalUriBaseIds"]["agent-1"]["uri"] == tmp_path.absolute().as_uri() + "/"
    results = run["results"]
    finding_results = [r for r in results if "cdevSecretFingerprint/v1" in r["partialFingerprints"]]
    assert len(finding_results) == len(SAMPLES)
    for result, finding in zip(finding_results, report.findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule_id
        assert result["level"] == {"high": "error", "medium": "warning", "low": "note"}[finding.severity]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": finding.path, "uriBaseId": "agent-1"}
        assert location["region"] == {"startLine": finding.line, "startColumn": finding.column}
        assert result["partialFingerprints"]["cdevSecretFingerprint/v1"] == finding.fingerprint
        assert finding.masked in result["message"]["text"]
    hygiene = [r for r in results if r["ruleId"].startswith("hygiene/")]
    assert [r["ruleId"] for r in hygiene] == ["hygiene/env-file"]
    assert rules[hygiene[0]["ruleIndex"]]["id"] == "hygiene/env-file"


def test_finding_is_frozen() -> None:
    finding = scan_text("k = " + "AI" + "za" + rand(35, seed="frozen") + "\n", "a")[0]
    assert isinstance(finding, Finding)
    with pytest.raises(AttributeError):
        finding.path = "b"  # type: ignore[misc]


def test_encrypted_legacy_pem_and_header_in_code() -> None:
    body = pem_body("legacy")
    rows = [body[i : i + 64] for i in range(0, len(body), 64)]
    kind = "RSA " + "PRIVATE KEY"
    head = [
        "-----BEGIN " + kind + "-----",
        "Proc-Type: 4,ENCRYPTED",
        "DEK-Info: AES-128-CBC,0A1B2C3D4E5F6A7B",
    ]
    legacy = "\n".join([*head, "", *rows, "-----END " + kind + "-----"])
    code = (
        "if line.startswith('"
        + "-----BEGIN "
        + kind
        + "-----'):\n"
        + "    load_key_material(line, strict=True)\n" * 40
    )

    (finding,) = scan_text(legacy + "\n", "legacy.pem")
    assert scan_text(code, "parse.py") == []
    assert finding.fingerprint == hashlib.sha256(f"private-key:{body}".encode()).hexdigest()


def test_merge_reports_replaces_only_the_rescanned_roots() -> None:
    from cdev_tui.security import Finding, HygieneIssue, ScanReport, merge_reports

    def finding(label: str, path: str) -> Finding:
        return Finding("github-token", "GitHub token", "high", path, 1, 1, "f" * 64, "ghp_********", label)

    base = ScanReport(
        roots=["main", "a", "b"],
        files_scanned=10,
        bytes_scanned=100,
        findings=[finding("a", "old.py"), finding("b", "keep.py")],
        hygiene=[HygieneIssue("env-file", "high", ".env", "not ignored", "a")],
        skipped=[("/w/a/big.bin", "binary"), ("/w/b/huge.txt", "too large")],
        seconds=1.0,
        root_paths={"main": "/w/main", "a": "/w/a", "b": "/w/b"},
    )
    fresh = ScanReport(
        roots=["a"],
        files_scanned=3,
        bytes_scanned=30,
        findings=[finding("a", "new.py")],
        hygiene=[],
        skipped=[],
        seconds=0.1,
        root_paths={"a": "/w/a"},
    )
    merged = merge_reports(base, fresh)
    assert [(f.root_label, f.path) for f in merged.findings] == [("b", "keep.py"), ("a", "new.py")]
    assert merged.hygiene == []
    assert merged.skipped == [("/w/b/huge.txt", "too large")]
    assert merged.roots == ["main", "a", "b"] and merged.files_scanned == 10
