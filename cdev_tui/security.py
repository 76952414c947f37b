"""Secret scanner and repository hygiene checks.

Pipeline: list each root's files (git's view of a work tree: tracked plus untracked-not-ignored), read each
file once, skip binary and oversized files with a reason, find the lines that hold a rule keyword in the
lower-cased bytes, and run the regexes of those rules on those lines only. :func:`find_candidate_lines` and
:func:`match_line` are the hot loop; compiled twins can replace them without touching the rest.

A raw secret never leaves this module: a :class:`Finding` holds a sha256 fingerprint and a masked form.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from cdev_tui import __version__
from cdev_tui.errors import CdevError
from cdev_tui.gitops import git

Severity = Literal["high", "medium", "low"]

DEFAULT_SIZE_LIMIT = 1024 * 1024
BINARY_SNIFF_BYTES = 8192
SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "__pycache__"})

_MASK_STARS = "********"
_PEM_WINDOW = 16 * 1024
_PEM_MIN_BODY = 64
_PROGRESS_EVERY = 64


@dataclass(frozen=True)
class Rule:
    """One detector: keywords gate the line, the regex finds the secret in group ``secret_group``."""

    id: str
    description: str
    severity: Severity
    keywords: tuple[str, ...]  # lower-case; the regex runs only on lines holding one of them
    pattern: re.Pattern[str]
    secret_group: int
    min_entropy: float = 0.0  # Shannon bits per character of the secret
    mixed: bool = False  # the secret must hold both a letter and a digit
    generic: bool = False  # key=value heuristic: extra false-positive filters on key name and value
    block: bool = False  # PEM block: the secret is the body that follows the header


@dataclass(frozen=True)
class Finding:
    """A detected secret, without the secret: ``fingerprint`` identifies it, ``masked`` displays it."""

    rule_id: str
    description: str
    severity: Severity
    path: str  # POSIX, relative to the scanned root
    line: int  # 1-based
    column: int  # 1-based, in characters
    fingerprint: str
    masked: str
    root_label: str = ""


@dataclass(frozen=True)
class HygieneIssue:
    """A repository hygiene problem: an exposed env or credential file, or a file too large to scan."""

    check: str
    severity: Severity
    path: str
    message: str
    root_label: str = ""


@dataclass(frozen=True)
class ScanReport:
    """Everything one scan found, with what it could not scan and why."""

    roots: list[str]  # labels, in scan order
    files_scanned: int
    bytes_scanned: int
    findings: list[Finding]
    hygiene: list[HygieneIssue]
    skipped: list[tuple[str, str]]  # (absolute path, reason)
    seconds: float
    cancelled: bool = False
    root_paths: dict[str, str] = field(default_factory=dict)  # label -> absolute root path


def merge_reports(base: ScanReport, fresh: ScanReport) -> ScanReport:
    """``base`` with everything about ``fresh``'s roots replaced by ``fresh`` (a rescan of a few worktrees).

    File and byte counts stay those of ``base``: they describe the last full scan.
    """
    labels = set(fresh.roots)
    fresh_paths = tuple(path.rstrip("/") + "/" for label, path in fresh.root_paths.items() if label in labels)
    return ScanReport(
        roots=base.roots + [label for label in fresh.roots if label not in base.roots],
        files_scanned=base.files_scanned,
        bytes_scanned=base.bytes_scanned,
        findings=[f for f in base.findings if f.root_label not in labels] + fresh.findings,
        hygiene=[h for h in base.hygiene if h.root_label not in labels] + fresh.hygiene,
        skipped=[s for s in base.skipped if not s[0].startswith(fresh_paths)] + fresh.skipped,
        seconds=base.seconds,
        cancelled=fresh.cancelled,
        root_paths={**base.root_paths, **fresh.root_paths},
    )


# --- rules -------------------------------------------------------------------------------------------------

# Key names for the generic assignment rules (regex fragment) and the matching line keywords.
_SECRET_WORDS = (
    r"passw(?:or)?d|pwd|passphrase|secret|token|credentials?|api[_-]?key|access[_-]?key|auth[_-]?key"
    r"|private[_-]?key"
)
# Every match of _SECRET_WORDS holds one of these (lower-cased).
_GENERIC_KEYWORDS = (
    "passw",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "credential",
    "_key",
    "-key",
    "apikey",
    "accesskey",
    "authkey",
    "privatekey",
)
# Left and right edges of a token: not preceded/followed by a character that could extend it.
_L = r"(?<![A-Za-z0-9_-])"
_R = r"(?![A-Za-z0-9_-])"


def _rule(
    rule_id: str,
    description: str,
    severity: Severity,
    keywords: tuple[str, ...],
    pattern: str,
    secret_group: int = 1,
    *,
    min_entropy: float = 0.0,
    mixed: bool = False,
    generic: bool = False,
    block: bool = False,
) -> Rule:
    return Rule(
        rule_id,
        description,
        severity,
        keywords,
        re.compile(pattern),
        secret_group,
        min_entropy,
        mixed,
        generic,
        block,
    )


# Order matters: when two rules claim overlapping text on a line, the earlier rule wins, so specific
# formats come before the generic key=value rules (and Anthropic before the broader OpenAI shape).
RULES: tuple[Rule, ...] = (
    _rule(
        "private-key",
        "Private key block",
        "high",
        ("private key",),
        r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:\s|\\[nr])*"
        r"([A-Za-z0-9+/=](?:[A-Za-z0-9+/=\s]|\\[nr]){0,8192})?",
        block=True,
    ),
    _rule(
        "aws-access-key-id",
        "AWS access key ID",
        "high",
        ("akia", "asia"),
        r"(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z2-7]{16})(?![A-Z0-9])",
        min_entropy=3.0,
    ),
    _rule(
        "aws-secret-access-key",
        "AWS secret access key",
        "high",
        ("secret",),
        r"(?i)(?:aws[_.-]?secret(?:[_.-]?access)?[_.-]?key|secret[_.-]?access[_.-]?key)[\"']?\s*"
        r"(?:=>|:=|[:=])\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        min_entropy=3.5,
    ),
    _rule(
        "github-token",
        "GitHub token",
        "high",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        _L + r"(gh[pousr]_[A-Za-z0-9]{36,251})" + _R,
        min_entropy=3.0,
    ),
    _rule(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        "high",
        ("github_pat_",),
        _L + r"(github_pat_[A-Za-z0-9_]{80,255})" + _R,
        min_entropy=3.0,
    ),
    _rule(
        "gitlab-pat",
        "GitLab personal access token",
        "high",
        ("glpat-",),
        _L + r"(glpat-[A-Za-z0-9_-]{20,255}(?:\.[A-Za-z0-9_-]{1,64}){0,3})" + _R,
        min_entropy=3.0,
    ),
    _rule(
        "slack-token",
        "Slack token",
        "high",
        ("xox",),
        _L + r"(xox[baprs]-(?=[0-9A-Za-z-]{20})[0-9A-Za-z]{1,64}(?:-[0-9A-Za-z]{1,64}){1,6})" + _R,
        min_entropy=3.0,
        mixed=True,
    ),
    _rule(
        "slack-webhook",
        "Slack webhook URL",
        "high",
        ("hooks.slack.com",),
        r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/"
        r"((?:[A-Za-z0-9_-]{6,64}/){1,3}[A-Za-z0-9_-]{16,64})",
        min_entropy=3.0,
    ),
    _rule(
        "stripe-live-key",
        "Stripe live secret or restricted key",
        "high",
        ("_live_",),
        _L + r"((?:sk|rk)_live_[A-Za-z0-9]{20,247})" + _R,
        min_entropy=3.0,
    ),
    _rule(
        "google-api-key",
        "Google API key",
        "high",
        ("aiza",),
        _L + r"(AIza[A-Za-z0-9_-]{35})" + _R,
        min_entropy=3.0,
    ),
    _rule(
        "anthropic-api-key",
        "Anthropic API key",
        "high",
        ("sk-",),
        _L + r"(sk-ant-[a-z]{2,8}[0-9]{2}-[A-Za-z0-9_-]{32,200})" + _R,
        min_entropy=3.5,
    ),
    _rule(
        "openai-api-key",
        "OpenAI-style API key",
        "high",
        ("sk-",),
        _L + r"(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,200})" + _R,
        min_entropy=3.5,
        mixed=True,
    ),
    _rule(
        "linear-api-key",
        "Linear API key",
        "high",
        ("lin_api_",),
        _L + r"(lin_api_[A-Za-z0-9]{32,64})" + _R,
        min_entropy=3.0,
    ),
    _rule(
        "npm-token",
        "npm access token",
        "high",
        ("npm_",),
        _L + r"(npm_[A-Za-z0-9]{36})" + _R,
        min_entropy=3.0,
        mixed=True,
    ),
    _rule(
        "pypi-token",
        "PyPI upload token",
        "high",
        ("pypi-",),
        _L + r"(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,512})" + _R,
        min_entropy=3.0,
    ),
    _rule(
        "jwt",
        "JSON Web Token",
        "medium",
        ("eyj",),
        _L + r"(eyJ[A-Za-z0-9_-]{10,4096}\.eyJ[A-Za-z0-9_-]{10,8192}\.[A-Za-z0-9_-]{10,1024})" + _R,
        min_entropy=3.0,
    ),
    _rule(
        "url-credentials",
        "Credentials embedded in a URL",
        "medium",
        ("://",),
        r"://[^\s:/?#@\"'<>\[\]{},]{0,128}:([^\s/?#@\"'<>\[\]{},]{6,128})@[A-Za-z0-9_.\[\]:-]{1,255}",
    ),
    _rule(
        "generic-secret-assignment",
        "Hard-coded password, secret, token or API key",
        "medium",
        _GENERIC_KEYWORDS,
        r"(?i)(?P<key>(?:" + _SECRET_WORDS + r")[A-Za-z0-9_.-]{0,40})[\"']?\s*"
        r"(?::\s*[A-Za-z_][\w.\[\], |]{0,40}?\s*)?"  # a type annotation: `password: str = "..."`
        r"(?:=>|:=|[:=])\s*(?:[bruf]{1,2})?([\"'])(?P<value>[^\"'\s\\]{8,256})\2",
        secret_group=3,
        min_entropy=3.0,
        mixed=True,
        generic=True,
    ),
    _rule(
        "env-secret-assignment",
        "Secret in an environment-style assignment",
        "medium",
        _GENERIC_KEYWORDS,
        r"(?i)^\s*(?:export\s+)?(?P<key>[A-Za-z0-9_]{0,40}(?:" + _SECRET_WORDS + r")[A-Za-z0-9_]{0,40})="
        r"(?P<value>[A-Za-z0-9_.~+/=:@%!^*?&-]{8,256})\s*$",
        secret_group=2,
        min_entropy=3.0,
        mixed=True,
        generic=True,
    ),
)


def _compile_gates(
    rules: Sequence[Rule],
) -> tuple[tuple[bytes | re.Pattern[bytes], dict[bytes, tuple[int, ...]]], ...]:
    """Keyword searchers over lower-cased bytes, each with keyword -> indexes of the rules it gates.

    Keywords that share their first character are searched as one regex: the engine's literal-prefix scan
    makes that pass about as cheap as one ``bytes.find``, and the number of passes is the cost of the gate
    (14 passes instead of 32 here, a third less time).
    """
    owners: dict[bytes, tuple[int, ...]] = {}
    for index, rule in enumerate(rules):
        for keyword in rule.keywords:
            if keyword != keyword.lower():
                raise ValueError(f"rule {rule.id}: keyword {keyword!r} must be lower-case")
            owners[keyword.encode()] = (*owners.get(keyword.encode(), ()), index)
    groups: dict[bytes, list[bytes]] = {}
    for keyword in owners:
        groups.setdefault(keyword[:1], []).append(keyword)
    gates: list[tuple[bytes | re.Pattern[bytes], dict[bytes, tuple[int, ...]]]] = []
    for members in groups.values():
        searcher: bytes | re.Pattern[bytes] = members[0]
        if len(members) > 1:
            searcher = re.compile(b"|".join(re.escape(k) for k in sorted(members, key=len, reverse=True)))
        gates.append((searcher, {k: owners[k] for k in members}))
    return tuple(gates)


_GATES = _compile_gates(RULES)
_ALL_RULES = frozenset(range(len(RULES)))

# Substrings that mark a value as a template or a placeholder rather than a secret.
_PLACEHOLDER_MARKERS = (
    "changeme",
    "change_me",
    "change-me",
    "example",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "yoursecret",
    "yourtoken",
    "xxxx",
    "****",
    "...",
    "<",
    ">",
    "{",
    "}",
    "$(",
    "%(",
    "%s",
    "dummy",
    "redacted",
    "sample",
    "password",
    "secret",
)
_PLACEHOLDER_VALUES = frozenset(
    {
        "passwd",
        "pass",
        "pwd",
        "token",
        "changeit",
        "null",
        "none",
        "undefined",
        "foobar",
        "test1234",
        "admin123",
    }
)
# Generic key names ending like this name something about a secret, not the secret itself.
_KEY_STOP_SUFFIXES = (
    "file",
    "path",
    "dir",
    "name",
    "type",
    "url",
    "uri",
    "endpoint",
    "field",
    "label",
    "prefix",
    "suffix",
    "header",
    "length",
    "len",
    "size",
    "count",
    "id",
    "pattern",
    "regex",
    "format",
    "env",
    "var",
)
_ENV_NAME_VALUE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")  # e.g. MY_APP_SECRET: names a variable
# A character class, escape or group flag: the value is a regex, not a secret.
_REGEX_LIKE = re.compile(r"\[[^\]]*\]|\\[dswDSW]|\(\?")
_KEY_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
_HAS_DIGIT = re.compile(r"[0-9]")
_HAS_ALPHA = re.compile(r"[A-Za-z]")
_PEM_ROW = re.compile(r"[A-Za-z0-9+/=]{16,}")
_PEM_HEADER_FIELD = re.compile(r"[A-Za-z-]+: ?.*")


def shannon_entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    n = len(value)
    if not n:
        return 0.0
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def mask_secret(secret: str) -> str:
    """Display form of a secret: at most its first 4 characters, then a fixed run of stars."""
    return secret[: min(4, len(secret) // 4)] + _MASK_STARS


def fingerprint(rule_id: str, secret: str) -> str:
    """Stable identity of a secret for baselines: sha256 of ``rule_id:secret``."""
    return hashlib.sha256(f"{rule_id}:{secret}".encode("utf-8", "replace")).hexdigest()


def _accept(rule: Rule, match: re.Match[str], secret: str) -> bool:
    lowered = secret.lower()
    if lowered in _PLACEHOLDER_VALUES or any(m in lowered for m in _PLACEHOLDER_MARKERS):
        return False
    if rule.mixed and not (_HAS_DIGIT.search(secret) and _HAS_ALPHA.search(secret)):
        return False
    if rule.min_entropy and shannon_entropy(secret) < rule.min_entropy:
        return False
    if rule.generic:
        if secret.startswith("$") or _ENV_NAME_VALUE.fullmatch(secret) or _REGEX_LIKE.search(secret):
            return False
        key_start = match.start("key")
        head = match.string[max(0, key_start - 40) : key_start]
        key = (head[len(head.rstrip(_KEY_CHARS)) :] + match.group("key")).lower().rstrip("_.-")
        if "public" in key or key.endswith(_KEY_STOP_SUFFIXES):
            return False
    return True


LineMatch = tuple[int, int, int, int]  # (rule index, match start, secret start, secret end)


def match_line(line: str, rule_indexes: Iterable[int] = _ALL_RULES) -> list[LineMatch]:
    """Run the given rules over one line and return their accepted matches, earliest rule first.

    This is the per-line kernel: the caller has already checked the keywords. A match whose secret overlaps
    one already taken by an earlier rule is dropped, so one secret yields one finding.
    """
    found: list[LineMatch] = []
    for index in sorted(rule_indexes):
        rule = RULES[index]
        for match in rule.pattern.finditer(line):
            start, end = match.span(rule.secret_group)
            if rule.block:
                if start < 0:
                    start = end = match.end()
            elif start < 0 or not _accept(rule, match, match.group(rule.secret_group)):
                continue
            if any(start < taken_end and taken_start < end for _, _, taken_start, taken_end in found):
                continue
            found.append((index, match.start(), start, end))
    return found


def line_masked(line: str) -> str:
    """``line`` with every secret the rules find on it replaced by its mask, for showing context."""
    spans = sorted(((s, e) for _, _, s, e in match_line(line) if e > s), reverse=True)
    for start, end in spans:
        line = line[:start] + mask_secret(line[start:end]) + line[end:]
    return line


def _pem_body(after_header: str) -> str:
    """The base64 rows that follow a PEM header, up to the END line; "" when none follow (code, docs)."""
    rows: list[str] = []
    for raw in after_header.replace("\\n", "\n").replace("\\r", "\n").split("\n"):
        row = raw.strip()
        if row.endswith("+") and row[:-1].rstrip()[-1:] in ("'", '"'):
            row = row[:-1]  # string concatenation in source code; a bare "+" may end a base64 row
        row = row.strip().strip("\"',;")
        if not row:
            continue
        if row.startswith("-----END") or not _PEM_ROW.fullmatch(row):
            if rows or not _PEM_HEADER_FIELD.fullmatch(row):
                break
            continue  # Proc-Type: / DEK-Info: of an encrypted legacy key
        rows.append(row)
    return "".join(rows)


def find_candidate_lines(lowered: bytes) -> list[tuple[int, int, int, set[int]]]:
    """Lines of ``lowered`` (a file's lower-cased bytes) that hold a rule keyword.

    Returns ``(line index, start offset, end offset, rule indexes)`` in line order. With :func:`match_line`
    this is the hot loop; it stops at the first hit per keyword group and line.
    """
    hits: list[tuple[int, tuple[int, ...]]] = []
    for searcher, owners in _GATES:
        if isinstance(searcher, bytes):
            pos = lowered.find(searcher)
            while pos >= 0:
                hits.append((pos, owners[searcher]))
                newline = lowered.find(b"\n", pos)
                pos = -1 if newline < 0 else lowered.find(searcher, newline + 1)
        else:
            # Members of a group may gate different rules, so keep searching the rest of the line.
            match = searcher.search(lowered)
            while match:
                hits.append((match.start(), owners[match.group()]))
                match = searcher.search(lowered, match.end())
    if not hits:
        return []
    hits.sort()
    # Newlines are counted once, between consecutive hits.
    lines: dict[int, tuple[int, int, int, set[int]]] = {}
    line_no = counted_to = 0
    for pos, rule_indexes in hits:
        line_no += lowered.count(b"\n", counted_to, pos)
        counted_to = pos
        entry = lines.get(line_no)
        if entry is None:
            end = lowered.find(b"\n", pos)
            entry = lines[line_no] = (
                line_no,
                lowered.rfind(b"\n", 0, pos) + 1,
                len(lowered) if end < 0 else end,
                set(),
            )
        entry[3].update(rule_indexes)
    return list(lines.values())


def _scan_bytes(data: bytes, path: str, root_label: str) -> list[Finding]:
    """Scan one file's raw content (already known not to be binary)."""
    findings: list[Finding] = []
    for line_no, start, end, rule_indexes in find_candidate_lines(data.lower()):
        line = data[start:end].decode("utf-8", "replace")
        for index, match_start, secret_start, secret_end in match_line(line, rule_indexes):
            rule = RULES[index]
            if rule.block:
                following = data[end : end + _PEM_WINDOW].decode("utf-8", "replace")
                secret = _pem_body(line[secret_start:] + following)
                if len(secret) < _PEM_MIN_BODY:
                    continue
                column = match_start + 1
            else:
                secret = line[secret_start:secret_end]
                column = secret_start + 1
            findings.append(
                Finding(
                    rule_id=rule.id,
                    description=rule.description,
                    severity=rule.severity,
                    path=path,
                    line=line_no + 1,
                    column=column,
                    fingerprint=fingerprint(rule.id, secret),
                    masked=mask_secret(secret),
                    root_label=root_label,
                )
            )
    findings.sort(key=lambda f: (f.line, f.column))
    return findings


def scan_text(text: str, path: str, root_label: str = "") -> list[Finding]:
    """Scan one file's text and return its findings in line order."""
    return _scan_bytes(text.encode("utf-8", "replace"), path, root_label)


# --- file listing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Listing:
    files: list[str]
    in_git: bool  # the root lies inside a git work tree (even when git's listing was not used)


def _git_prefix(root: Path) -> str | None:
    """The root's path inside its work tree ("" at the top), or None outside any work tree."""
    result = git(root, "rev-parse", "--is-inside-work-tree", "--show-prefix", ok_codes=(0, 128), strip=False)
    lines = result.stdout.split("\n")
    if result.code != 0 or lines[0] != "true":
        return None
    return lines[1] if len(lines) > 1 else ""


def _walk(root: Path) -> list[str]:
    files: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        rel_dir = os.path.relpath(dirpath, root)
        prefix = "" if rel_dir == "." else Path(rel_dir).as_posix() + "/"
        files.extend(prefix + name for name in sorted(filenames))
    return files


def _list(root: Path) -> _Listing:
    if not root.is_dir():
        raise CdevError(f"{root}: no such directory")
    prefix = _git_prefix(root)
    if prefix is None:
        return _Listing(_walk(root), in_git=False)
    # A root inside an ignored directory (say a vendored tree) is scanned as plain files.
    if prefix and git(root, "check-ignore", "-q", ".", ok_codes=(0, 1)).code == 0:
        return _Listing(_walk(root), in_git=True)
    out = git(root, "ls-files", "-z", "-co", "--exclude-standard", strip=False).stdout
    return _Listing(sorted(set(filter(None, out.split("\0")))), in_git=True)


def list_scan_files(root: Path) -> list[str]:
    """Files to scan under ``root`` as sorted POSIX relative paths.

    In a git work tree (a linked worktree too): tracked plus untracked-not-ignored files, from one
    ``git ls-files`` call. Elsewhere: a walk that skips ``.git``, ``node_modules``, ``.venv``, ``__pycache__``.
    """
    return _list(Path(root)).files


# --- hygiene -----------------------------------------------------------------------------------------------

_ENV_TEMPLATES = frozenset({".env.example", ".env.sample", ".env.template"})
_SSH_KEY_NAMES = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"})
_NPM_AUTH = re.compile(rb"_authToken\s*=\s*(?!\$\{)\S")
_PYPIRC_PASSWORD = re.compile(rb"(?im)^\s*password\s*[:=]\s*\S")
_HEAD_BYTES = 64 * 1024


def _is_env_file(name: str) -> bool:
    return (name == ".env" or name.startswith(".env.")) and name not in _ENV_TEMPLATES


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(_HEAD_BYTES)
    except OSError:
        return b""


def _credential_problem(root: Path, rel: str) -> tuple[Severity, str] | None:
    """Severity and description when ``rel`` is a private key or credential file, else None."""
    name = rel.rsplit("/", 1)[-1]
    suffix = os.path.splitext(name)[1].lower()
    if name in _SSH_KEY_NAMES:
        return "high", "SSH private key file"
    if suffix in (".p12", ".pfx"):
        return "high", "PKCS#12 key store"
    if suffix in (".pem", ".key"):
        if b"PRIVATE KEY" in _read_head(root / rel):
            return "high", "private key file"
        return ("medium", "key file") if suffix == ".key" else None
    if name == ".npmrc":
        return (
            ("high", "npm config with a literal auth token")
            if _NPM_AUTH.search(_read_head(root / rel))
            else None
        )
    if name == ".pypirc":
        if _PYPIRC_PASSWORD.search(_read_head(root / rel)):
            return "high", "PyPI config with a password"
        return "low", "PyPI config file"
    if name == ".git-credentials":
        return "high", "git credential store"
    return None


def _git_paths(root: Path, paths: list[str], *args: str) -> set[str]:
    """Run a NUL-separated ``--stdin`` git command over ``paths`` and return the paths it prints."""
    encodable = [p for p in paths if _utf8_ok(p)]
    if not encodable:
        return set()
    out = git(root, *args, input="\0".join(encodable) + "\0", ok_codes=(0, 1), strip=False).stdout
    return set(filter(None, out.split("\0")))


def _utf8_ok(path: str) -> bool:
    try:
        path.encode()
    except UnicodeEncodeError:  # undecodable bytes in a file name (surrogate-escaped by GitPython)
        return False
    return True


def _tracked(root: Path, paths: list[str]) -> set[str]:
    out = git(root, "ls-files", "-z", "-c", strip=False).stdout
    return set(paths).intersection(out.split("\0"))


def _file_issues(root: Path, listing: _Listing, label: str) -> list[HygieneIssue]:
    """Env-file and credential-file issues for one root."""
    env_files = [p for p in listing.files if _is_env_file(p.rsplit("/", 1)[-1])]
    credentials = {p: problem for p in listing.files if (problem := _credential_problem(root, p))}
    if not env_files and not credentials:
        return []
    watched = sorted({*env_files, *credentials})
    tracked: set[str] = set()
    ignored: set[str] = set()
    if listing.in_git:
        tracked = _tracked(root, watched)
        # --no-index: evaluate the ignore rules themselves, also for files that are already tracked.
        ignored = _git_paths(root, watched, "check-ignore", "--stdin", "-z", "--no-index")

    issues: list[HygieneIssue] = []
    for path in env_files:
        if not listing.in_git:
            issues.append(HygieneIssue("env-file", "low", path, "env file outside a git work tree", label))
        elif path in tracked:
            advice = (
                "git rm --cached it" if path in ignored else "git rm --cached it and add it to .gitignore"
            )
            issues.append(
                HygieneIssue(
                    "env-file-tracked", "high", path, f"env file is committed to git: {advice}", label
                )
            )
        elif path not in ignored:
            issues.append(
                HygieneIssue(
                    "env-file-not-ignored",
                    "high",
                    path,
                    "env file is not ignored by git: add it to .gitignore",
                    label,
                )
            )
    for path, (severity, what) in sorted(credentials.items()):
        if path in ignored and path not in tracked:
            continue
        where = (
            "committed to git" if path in tracked else "not ignored by git" if listing.in_git else "present"
        )
        issues.append(HygieneIssue("credential-file", severity, path, f"{what}, {where}", label))
    return issues


def _large_file_issue(path: str, size: int, limit: int, label: str) -> HygieneIssue:
    return HygieneIssue(
        "large-file",
        "low",
        path,
        f"{size / 1048576:.1f} MiB is over the {limit / 1048576:g} MiB limit: not scanned for secrets",
        label,
    )


def hygiene_checks(root: Path, size_limit: int = DEFAULT_SIZE_LIMIT, label: str = "") -> list[HygieneIssue]:
    """Env files that git does not ignore or that are tracked, credential files, and files too large to scan."""
    root = Path(root)
    listing = _list(root)
    issues = _file_issues(root, listing, label)
    for rel in listing.files:
        try:
            st = os.lstat(root / rel)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_size > size_limit:
            issues.append(_large_file_issue(rel, st.st_size, size_limit, label))
    return issues


# --- driver ------------------------------------------------------------------------------------------------


def scan_roots(
    roots: Sequence[tuple[str, Path]],
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
    size_limit: int = DEFAULT_SIZE_LIMIT,
) -> ScanReport:
    """Scan each ``(label, path)`` root for secrets and hygiene issues.

    ``cancel`` is checked before every file; ``progress(done, total)`` is called every few dozen files and
    at the end. A missing root becomes a ``skipped`` entry; so does each binary, oversized, unreadable or
    symlinked file.
    """
    started = time.perf_counter()
    skipped: list[tuple[str, str]] = []
    plans: list[tuple[str, Path, _Listing]] = []
    for label, raw_path in roots:
        path = Path(raw_path).absolute()
        if not path.is_dir():
            reason = "not a directory" if path.exists() else "no such directory"
            skipped.append((path.as_posix(), f"root {label or path.name}: {reason}"))
            continue
        try:
            plans.append((label, path, _list(path)))
        except CdevError as exc:
            skipped.append((path.as_posix(), f"root {label or path.name}: {exc}"))

    total = sum(len(listing.files) for _, _, listing in plans)
    done = files_scanned = bytes_scanned = 0
    findings: list[Finding] = []
    hygiene: list[HygieneIssue] = []
    cancelled = False
    if progress:
        progress(0, total)
    for label, root, listing in plans:
        hygiene.extend(_file_issues(root, listing, label))
        base = str(root) + os.sep
        for rel in listing.files:
            if cancel and cancel():
                cancelled = True
                break
            done += 1
            if progress and done % _PROGRESS_EVERY == 0:
                progress(done, total)
            full = base + rel
            if rel.endswith("/"):  # git lists an untracked nested repository or worktree as a directory
                skipped.append((Path(full).as_posix(), "nested git repository: scan it as its own root"))
                continue
            try:
                st = os.lstat(full)
            except FileNotFoundError:
                continue  # deleted in the work tree but still in the index: nothing on disk to leak
            except OSError as exc:
                skipped.append((Path(full).as_posix(), f"unreadable: {exc.strerror}"))
                continue
            if stat.S_ISLNK(st.st_mode):
                skipped.append((Path(full).as_posix(), "symlink: not followed"))
                continue
            if not stat.S_ISREG(st.st_mode):
                skipped.append((Path(full).as_posix(), "not a regular file"))
                continue
            if st.st_size > size_limit:
                skipped.append((Path(full).as_posix(), f"larger than {size_limit} bytes"))
                hygiene.append(_large_file_issue(rel, st.st_size, size_limit, label))
                continue
            try:
                with open(full, "rb") as fh:
                    data = fh.read(size_limit + 1)
            except OSError as exc:
                skipped.append((Path(full).as_posix(), f"unreadable: {exc.strerror}"))
                continue
            if len(data) > size_limit:  # grew since lstat
                skipped.append((Path(full).as_posix(), f"larger than {size_limit} bytes"))
                hygiene.append(_large_file_issue(rel, len(data), size_limit, label))
                continue
            if data.find(b"\0", 0, BINARY_SNIFF_BYTES) >= 0:
                skipped.append((Path(full).as_posix(), "binary"))
                continue
            files_scanned += 1
            bytes_scanned += len(data)
            findings.extend(_scan_bytes(data, rel, label))
        if cancelled:
            break
    if progress and not cancelled:
        progress(done, total)
    return ScanReport(
        roots=[label for label, _ in roots],
        files_scanned=files_scanned,
        bytes_scanned=bytes_scanned,
        findings=findings,
        hygiene=hygiene,
        skipped=skipped,
        seconds=time.perf_counter() - started,
        cancelled=cancelled,
        root_paths={label: path.as_posix() for label, path, _ in plans},
    )


# --- SARIF -------------------------------------------------------------------------------------------------

_SARIF_LEVEL = {"high": "error", "medium": "warning", "low": "note"}
_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _base_id(label: str) -> str:
    return label or "ROOT"


def findings_to_sarif(report: ScanReport) -> dict[str, object]:
    """A minimal SARIF 2.1.0 log of the findings and hygiene issues (masked; never a raw secret)."""
    rules: list[dict[str, object]] = [
        {
            "id": rule.id,
            "name": rule.id.title().replace("-", ""),
            "shortDescription": {"text": rule.description},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        }
        for rule in RULES
    ]
    rule_index = {rule.id: i for i, rule in enumerate(RULES)}
    results: list[dict[str, object]] = []
    for f in report.findings:
        results.append(
            {
                "ruleId": f.rule_id,
                "ruleIndex": rule_index[f.rule_id],
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f"{f.description}: {f.masked}"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": quote(f.path), "uriBaseId": _base_id(f.root_label)},
                            "region": {"startLine": f.line, "startColumn": f.column},
                        }
                    }
                ],
                "partialFingerprints": {"cdevSecretFingerprint/v1": f.fingerprint},
            }
        )
    for issue in report.hygiene:
        rule_id = f"hygiene/{issue.check}"
        if rule_id not in rule_index:
            rule_index[rule_id] = len(rules)
            rules.append(
                {
                    "id": rule_id,
                    "name": issue.check.title().replace("-", ""),
                    "shortDescription": {"text": f"Repository hygiene: {issue.check}"},
                    "defaultConfiguration": {"level": _SARIF_LEVEL[issue.severity]},
                }
            )
        results.append(
            {
                "ruleId": rule_id,
                "ruleIndex": rule_index[rule_id],
                "level": _SARIF_LEVEL[issue.severity],
                "message": {"text": issue.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {
                                "uri": quote(issue.path),
                                "uriBaseId": _base_id(issue.root_label),
                            }
                        }
                    }
                ],
            }
        )
    return {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cdev-tui",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {
                    _base_id(label): {"uri": Path(path).as_uri() + "/"}
                    for label, path in report.root_paths.items()
                },
                "results": results,
            }
        ],
    }
