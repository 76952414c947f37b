"""SARIF 2.1.0 output of a scan, for code-scanning tools (masked; never a raw secret)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from cdev_tui import __version__
from cdev_tui.security.model import ScanReport
from cdev_tui.security.rules import RULES

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
