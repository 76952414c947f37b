"""Repository hygiene: env files git does not ignore or that are committed, credential files, oversized files."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from cdev_tui.gitops import git
from cdev_tui.security.model import HygieneIssue, Severity
from cdev_tui.security.walk import Listing, list_root

DEFAULT_SIZE_LIMIT = 1024 * 1024


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


def file_issues(root: Path, listing: Listing, label: str) -> list[HygieneIssue]:
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


def large_file_issue(path: str, size: int, limit: int, label: str) -> HygieneIssue:
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
    listing = list_root(root)
    issues = file_issues(root, listing, label)
    for rel in listing.files:
        try:
            st = os.lstat(root / rel)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_size > size_limit:
            issues.append(large_file_issue(rel, st.st_size, size_limit, label))
    return issues
