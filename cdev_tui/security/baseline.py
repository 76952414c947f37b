"""Accepted findings: our baseline file (committed and reviewed like code), detect-secrets baselines and
gitleaks' ``.gitleaksignore``, combined into one :class:`Suppressions` that splits a scan's findings into
reported and accepted (with the reason).

Our baseline, ``.cdev/secrets-baseline.json``, records each accepted secret by fingerprint (sha256 of rule
and secret: the same secret is accepted in every worktree and at every line) with who accepted it, when and
why, rules allowed for path globs (test fixtures, say), and dependency advisories accepted for a package. It is written atomically, sorted, one entry per
block, so that a review shows exactly what was accepted.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from cdev_tui.errors import CdevError
from cdev_tui.security.model import Finding

BASELINE_PATH = ".cdev/secrets-baseline.json"
DETECT_SECRETS_BASELINE = ".secrets.baseline"
GITLEAKS_IGNORE = ".gitleaksignore"
BASELINE_FILES = frozenset({BASELINE_PATH, DETECT_SECRETS_BASELINE, GITLEAKS_IGNORE})
"""Files of accepted findings at a root: hashes of secrets by design, so they are not scanned."""
FORMAT = "cdev-tui secrets baseline"
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Accepted:
    """One secret accepted on review, wherever it appears."""

    fingerprint: str
    rule: str
    path: str  # where it was seen when accepted (for the reviewer; matching is by fingerprint)
    reason: str
    by: str = ""
    date: str = ""


@dataclass(frozen=True)
class AcceptedAdvisory:
    """A dependency advisory accepted on review (not exploitable here, fix scheduled), for one package."""

    advisory: str  # the OSV id the scan reports (GHSA-…, PYSEC-…)
    package: str
    reason: str
    by: str = ""
    date: str = ""


@dataclass(frozen=True)
class AllowedRule:
    """A rule switched off for files matching a glob (``**`` crosses folders, ``*`` does not)."""

    rule: str
    glob: str
    reason: str
    by: str = ""
    date: str = ""

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        return glob_pattern(self.glob)

    def covers(self, finding: Finding) -> bool:
        return (self.rule in ("*", finding.rule_id)) and bool(self._pattern.fullmatch(finding.path))


def glob_pattern(glob: str) -> re.Pattern[str]:
    """A path glob as a regex: ``**/`` any folders, ``**`` anything, ``*`` and ``?`` within a name; a glob
    ending in ``/`` covers everything under that folder."""
    if glob.endswith("/"):
        glob += "**"
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out))


@dataclass(frozen=True)
class Baseline:
    """The accepted secrets and allowed rules of one baseline file."""

    accepted: tuple[Accepted, ...] = ()
    allowed: tuple[AllowedRule, ...] = ()
    advisories: tuple[AcceptedAdvisory, ...] = ()

    @cached_property
    def _by_fingerprint(self) -> dict[str, Accepted]:
        return {entry.fingerprint: entry for entry in self.accepted}

    def reason(self, finding: Finding) -> str | None:
        """Why ``finding`` is accepted, or None when it is not."""
        entry = self._by_fingerprint.get(finding.fingerprint)
        if entry is not None:
            return f"baseline: {entry.reason}"
        for allowed in self.allowed:
            if allowed.covers(finding):
                return f"allowed {allowed.rule} in {allowed.glob}: {allowed.reason}"
        return None

    def accept(self, findings: Iterable[Finding], reason: str, by: str = "", date: str = "") -> Baseline:
        """This baseline with ``findings`` accepted (each fingerprint once)."""
        known = dict(self._by_fingerprint)
        for f in findings:
            known.setdefault(f.fingerprint, Accepted(f.fingerprint, f.rule_id, f.path, reason, by, date))
        return replace(
            self, accepted=tuple(sorted(known.values(), key=lambda a: (a.path, a.rule, a.fingerprint)))
        )

    def advisory_reason(self, vulnerable: Any) -> str | None:
        """Why a :class:`~cdev_tui.security.deps.VulnerableDependency` is accepted, or None when it is not."""
        ids = {vulnerable.advisory_id, *vulnerable.aliases}
        for entry in self.advisories:
            if entry.advisory in ids and entry.package == vulnerable.dependency.name:
                return f"baseline: {entry.reason}"
        return None

    def accept_advisory(
        self, advisory: str, package: str, reason: str, by: str = "", date: str = ""
    ) -> Baseline:
        """This baseline with ``advisory`` accepted for ``package``."""
        kept = tuple(a for a in self.advisories if (a.advisory, a.package) != (advisory, package))
        entries = sorted(
            (*kept, AcceptedAdvisory(advisory, package, reason, by, date)),
            key=lambda a: (a.package, a.advisory),
        )
        return replace(self, advisories=tuple(entries))

    def allow(self, rule: str, glob: str, reason: str, by: str = "", date: str = "") -> Baseline:
        """This baseline with ``rule`` allowed in files matching ``glob``."""
        kept = tuple(a for a in self.allowed if (a.rule, a.glob) != (rule, glob))
        return replace(self, allowed=(*kept, AllowedRule(rule, glob, reason, by, date)))


def _text(source: Path, where: str, entry: Mapping[str, Any], key: str, required: bool = True) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value):
        raise CdevError(f"{source}: {where}: {key!r} must be a non-empty string")
    return value


_OPTIONAL = frozenset({"path", "by", "date"})
"""Fields of baseline entries that may be empty; every other field is a required non-empty string."""


def _entries(source: Path, data: Mapping[str, Any], key: str, kind: type) -> list[Any]:
    """The ``key`` list of a baseline document as ``kind`` entries (its fields read as strings)."""
    raw = data.get(key, [])
    if not isinstance(raw, list):
        raise CdevError(f"{source}: {key!r} must be a list")
    entries = []
    for i, entry in enumerate(raw):
        where = f"{key}[{i}]"
        if not isinstance(entry, Mapping):
            raise CdevError(f"{source}: {where}: expected an object")
        values = [_text(source, where, entry, f.name, f.name not in _OPTIONAL) for f in fields(kind)]
        entries.append(kind(*values))
    return entries


def _our_baseline(source: Path, data: Mapping[str, Any]) -> Baseline:
    if data.get("version") != 1:
        raise CdevError(f"{source}: unsupported baseline version {data.get('version')!r} (expected 1)")
    accepted = _entries(source, data, "accepted", Accepted)
    for i, entry in enumerate(accepted):
        if not _FINGERPRINT.fullmatch(entry.fingerprint):
            raise CdevError(f"{source}: accepted[{i}]: fingerprint must be 64 lower-case hex digits")
    allowed = _entries(source, data, "allowed", AllowedRule)
    advisories = _entries(source, data, "advisories", AcceptedAdvisory)
    return Baseline(tuple(accepted), tuple(allowed), tuple(advisories))


def _detect_secrets_entries(source: Path, data: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    results = data.get("results")
    if not isinstance(results, Mapping):
        raise CdevError(f"{source}: not a detect-secrets baseline ('results' must be an object)")
    pairs: set[tuple[str, str]] = set()
    for filename, entries in results.items():
        if not isinstance(entries, list):
            raise CdevError(f"{source}: results[{filename!r}]: expected a list")
        for i, entry in enumerate(entries):
            hashed = entry.get("hashed_secret") if isinstance(entry, Mapping) else None
            if not isinstance(hashed, str):
                raise CdevError(f"{source}: results[{filename!r}][{i}]: no hashed_secret")
            if entry.get("is_secret") is True:
                continue  # audited as a real secret: keep reporting it
            pairs.add((Path(filename).as_posix(), hashed))
    return frozenset(pairs)


def _read_json(source: Path) -> Mapping[str, Any]:
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CdevError(f"{source}: cannot read the baseline ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CdevError(f"{source}: not valid JSON ({exc})") from None
    if not isinstance(data, Mapping):
        raise CdevError(f"{source}: expected a JSON object")
    return data


def load_baseline(source: Path) -> Baseline:
    """Our baseline file; an absent file is an empty baseline."""
    if not source.exists():
        return Baseline()
    data = _read_json(source)
    if data.get("format") != FORMAT:
        raise CdevError(f'{source}: not a cdev-tui secrets baseline (no "format": "{FORMAT}")')
    return _our_baseline(source, data)


def save_baseline(baseline: Baseline, target: Path) -> None:
    """Write ``baseline`` to ``target`` atomically: a crash leaves the old file or the new one, never half."""
    document = {
        "format": FORMAT,
        "version": 1,
        "accepted": [{k: v for k, v in asdict(a).items() if v} for a in baseline.accepted],
        "allowed": [{k: v for k, v in asdict(a).items() if v} for a in baseline.allowed],
    }
    if baseline.advisories:
        document["advisories"] = [{k: v for k, v in asdict(a).items() if v} for a in baseline.advisories]
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".secrets-baseline.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_gitleaks_ignore(source: Path) -> frozenset[str]:
    """The finding fingerprints of a ``.gitleaksignore`` (``[commit:]path:rule:line``, ``#`` comments)."""
    if not source.is_file():
        return frozenset()
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CdevError(f"{source}: cannot read ({exc})") from None
    entries = {line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")}
    for entry in entries:
        if entry.count(":") < 2:
            raise CdevError(f"{source}: {entry!r} is not a fingerprint ([commit:]path:rule-id:line)")
    return frozenset(entries)


@dataclass(frozen=True)
class Suppressions:
    """Everything that accepts findings, for one repository."""

    baseline: Baseline = field(default_factory=Baseline)
    detect_secrets: frozenset[tuple[str, str]] = frozenset()  # (path, sha1 of the secret)
    gitleaks_ignore: frozenset[str] = frozenset()
    sources: tuple[str, ...] = ()  # the files these came from, for the user

    def reason(self, finding: Finding) -> str | None:
        """Why ``finding`` is not reported, or None when it must be."""
        why = self.baseline.reason(finding)
        if why is not None:
            return why
        if finding.secret_hash and (finding.path, finding.secret_hash) in self.detect_secrets:
            return "detect-secrets baseline"
        if self.gitleaks_ignore:
            key = f"{finding.path}:{finding.rule_id}:{finding.line}"
            if key in self.gitleaks_ignore or f"{finding.commit}:{key}" in self.gitleaks_ignore:
                return ".gitleaksignore"
        return None

    def split_vulnerable(self, vulnerable: Sequence[Any]) -> tuple[list[Any], list[tuple[Any, str]]]:
        """Vulnerable dependencies as (reported, accepted with the reason)."""
        reported: list[Any] = []
        accepted: list[tuple[Any, str]] = []
        for vuln in vulnerable:
            why = self.baseline.advisory_reason(vuln)
            if why is None:
                reported.append(vuln)
            else:
                accepted.append((vuln, why))
        return reported, accepted

    def split(self, findings: Sequence[Finding]) -> tuple[list[Finding], list[tuple[Finding, str]]]:
        """``findings`` as (reported, accepted with the reason)."""
        reported: list[Finding] = []
        accepted: list[tuple[Finding, str]] = []
        for finding in findings:
            why = self.reason(finding)
            if why is None:
                reported.append(finding)
            else:
                accepted.append((finding, why))
        return reported, accepted


def load_any_baseline(source: Path) -> Suppressions:
    """A baseline given on the command line: ours or detect-secrets' (told apart by their content)."""
    if not source.is_file():
        raise CdevError(f"{source}: no such baseline file")
    data = _read_json(source)
    if data.get("format") == FORMAT:
        return Suppressions(baseline=_our_baseline(source, data), sources=(str(source),))
    if "results" in data and ("plugins_used" in data or "version" in data):
        return Suppressions(detect_secrets=_detect_secrets_entries(source, data), sources=(str(source),))
    raise CdevError(f"{source}: neither a cdev-tui nor a detect-secrets baseline")


def suppressions_for(root: Path, extra: Path | None = None) -> Suppressions:
    """What accepts findings under ``root``: its baseline, detect-secrets baseline and ``.gitleaksignore``,
    plus ``extra`` (a ``--baseline`` file) when given."""
    ours_path = root / BASELINE_PATH
    ours = load_baseline(ours_path)
    sources = [BASELINE_PATH] if ours_path.exists() else []
    detect: frozenset[tuple[str, str]] = frozenset()
    detect_path = root / DETECT_SECRETS_BASELINE
    if detect_path.is_file():
        detect = _detect_secrets_entries(detect_path, _read_json(detect_path))
        sources.append(DETECT_SECRETS_BASELINE)
    ignore = load_gitleaks_ignore(root / GITLEAKS_IGNORE)
    if ignore:
        sources.append(GITLEAKS_IGNORE)
    combined = Suppressions(ours, detect, ignore, tuple(sources))
    if extra is None:
        return combined
    more = load_any_baseline(extra)
    return Suppressions(
        baseline=Baseline(
            (*combined.baseline.accepted, *more.baseline.accepted),
            (*combined.baseline.allowed, *more.baseline.allowed),
            (*combined.baseline.advisories, *more.baseline.advisories),
        ),
        detect_secrets=combined.detect_secrets | more.detect_secrets,
        gitleaks_ignore=combined.gitleaks_ignore,
        sources=(*combined.sources, *more.sources),
    )
