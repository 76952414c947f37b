"""SARIF 2.1.0 output of a scan, for code-scanning tools such as GitHub's: secrets (masked; never a raw
secret), hygiene issues and vulnerable dependencies, each result under a rule with help text, a
``security-severity`` and stable ``partialFingerprints``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cdev_tui import __version__
from cdev_tui.security.model import Finding, ScanReport
from cdev_tui.security.rules.base import Rule
from cdev_tui.security.ruleset import DEFAULT_RULESET, RuleSet

if TYPE_CHECKING:
    from cdev_tui.security.deps.model import DepsReport

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "unknown": "warning"}
# GitHub reads properties.security-severity (a CVSS-like score) to rank security alerts.
_SCORE = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0", "unknown": "5.0"}
_SECRET_HELP = (
    "A credential committed to source control must be treated as leaked: revoke or rotate it with the "
    "provider, then remove it from the code (and from history if it was pushed). Load it from the "
    "environment or a secret manager instead. If this is not a real secret, accept it in the baseline "
    "(.cdev/secrets-baseline.json) with a reason, or add a `cdev: allow-secret` comment on the line."
)


def _base_id(label: str) -> str:
    return label or "ROOT"


def _location(path: str, label: str, line: int | None = None, column: int | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(path), "uriBaseId": _base_id(label)}}
    if line is not None:
        region: dict[str, Any] = {"startLine": line}
        if column is not None:
            region["startColumn"] = column
        physical["region"] = region
    return {"physicalLocation": physical}


def _secret_rule(finding: Finding, rule: Rule | None) -> dict[str, Any]:
    """The driver rule of a secret finding (from the finding alone if its rule is not in the rule set)."""
    text = f"{rule.help} {_SECRET_HELP}" if rule is not None and rule.help else _SECRET_HELP
    return {
        "id": finding.rule_id,
        "name": "".join(part.title() for part in finding.rule_id.split("-")),
        "shortDescription": {"text": finding.description},
        "fullDescription": {"text": f"{finding.description} found in the source."},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        "properties": {
            "tags": ["security", "secret"],
            "security-severity": _SCORE[finding.severity],
            "precision": "medium" if rule is None or rule.generic else "high",
        },
    }


class _Rules:
    """The driver's rules, added as results first refer to them."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}

    def ref(self, rule_id: str, make: Any) -> int:
        if rule_id not in self.index:
            self.index[rule_id] = len(self.entries)
            self.entries.append(make())
        return self.index[rule_id]


def findings_to_sarif(
    report: ScanReport, ruleset: RuleSet = DEFAULT_RULESET, deps: DepsReport | None = None
) -> dict[str, object]:
    """A SARIF 2.1.0 log of the report's findings and hygiene issues, and of ``deps``' vulnerabilities."""
    rules = _Rules()
    results: list[dict[str, object]] = []
    for f in report.findings:
        index = rules.ref(f.rule_id, lambda f=f: _secret_rule(f, ruleset.by_id.get(f.rule_id)))
        where = f" (commit {f.commit[:12]}, {f.author_date})" if f.commit else ""
        results.append(
            {
                "ruleId": f.rule_id,
                "ruleIndex": index,
                "level": _LEVEL[f.severity],
                "message": {"text": f"{f.description}: {f.masked}{where}"},
                "locations": [_location(f.path, f.root_label, f.line, f.column)],
                "partialFingerprints": {"cdevSecretFingerprint/v1": f.fingerprint},
            }
        )
    for issue in report.hygiene:
        rule_id = f"hygiene/{issue.check}"
        index = rules.ref(
            rule_id,
            lambda issue=issue, rule_id=rule_id: {
                "id": rule_id,
                "name": "".join(part.title() for part in issue.check.split("-")),
                "shortDescription": {"text": f"Repository hygiene: {issue.check}"},
                "help": {"text": issue.message, "markdown": issue.message},
                "defaultConfiguration": {"level": _LEVEL[issue.severity]},
                "properties": {"tags": ["security", "hygiene"], "security-severity": _SCORE[issue.severity]},
            },
        )
        results.append(
            {
                "ruleId": rule_id,
                "ruleIndex": index,
                "level": _LEVEL[issue.severity],
                "message": {"text": issue.message},
                "locations": [_location(issue.path, issue.root_label)],
                "partialFingerprints": {"cdevHygiene/v1": f"{issue.check}:{issue.path}"},
            }
        )
    roots = dict(report.root_paths)
    for vuln in deps.vulnerable if deps is not None else []:
        dep = vuln.dependency
        fix = f"Upgrade {dep.name} to {vuln.fixed} or later." if vuln.fixed else "No fixed version is known."
        index = rules.ref(
            vuln.advisory_id,
            lambda vuln=vuln, fix=fix: {
                "id": vuln.advisory_id,
                "name": vuln.advisory_id.replace("-", ""),
                "shortDescription": {"text": vuln.summary or vuln.advisory_id},
                "help": {
                    "text": f"{vuln.summary} {fix} Aliases: {', '.join(vuln.aliases) or 'none'}. {vuln.url}",
                    "markdown": f"{vuln.summary}\n\n{fix}\n\n[{vuln.advisory_id}]({vuln.url})",
                },
                "helpUri": vuln.url,
                "defaultConfiguration": {"level": _LEVEL[vuln.severity]},
                "properties": {
                    "tags": ["security", "dependency"],
                    "security-severity": _SCORE[vuln.severity],
                },
            },
        )
        results.append(
            {
                "ruleId": vuln.advisory_id,
                "ruleIndex": index,
                "level": _LEVEL[vuln.severity],
                "message": {
                    "text": f"{dep.name} {dep.version} ({dep.ecosystem}) is affected by {vuln.advisory_id}. {fix}"
                },
                "locations": [_location(dep.path, dep.root_label, dep.line)],
                "partialFingerprints": {
                    "cdevDependency/v1": f"{dep.ecosystem}:{dep.name}:{dep.version}:{vuln.advisory_id}"
                },
            }
        )
    if deps is not None:
        roots.update({label: roots.get(label, "") for label in deps.roots})
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cdev-tui",
                        "version": __version__,
                        "rules": rules.entries,
                    }
                },
                "originalUriBaseIds": {
                    _base_id(label): {"uri": Path(path).as_uri() + "/"}
                    for label, path in roots.items()
                    if path
                },
                "results": results,
            }
        ],
    }
