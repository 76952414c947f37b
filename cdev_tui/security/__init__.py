"""The secret scanner and repository hygiene checks (Textual-free).

Pipeline: list each root's files (:mod:`.walk`), read each file once, skip binary and oversized files with a
reason (:mod:`.scan`), find the lines that hold a rule keyword and run those rules' regexes there
(:mod:`.engine`, rules in :mod:`.rules`, false-positive control in :mod:`.filters`). Hygiene checks in
:mod:`.hygiene`, SARIF in :mod:`.sarif`. A raw secret never leaves the engine.

The names below load their module on first use, so that importing one small module of the package (the
data model, for the Security pane) does not compile the whole rule set in the app's first frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdev_tui.lazy_exports import lazy_exports

_WHERE = {
    "find_candidate_lines": "engine",
    "fingerprint": "engine",
    "line_masked": "engine",
    "mask_at": "engine",
    "mask_secret": "engine",
    "match_line": "engine",
    "scan_bytes": "engine",
    "scan_text": "engine",
    "text_masked": "engine",
    "shannon_entropy": "filters",
    "DEFAULT_SIZE_LIMIT": "hygiene",
    "hygiene_checks": "hygiene",
    "Finding": "model",
    "HygieneIssue": "model",
    "ScanReport": "model",
    "Severity": "model",
    "merge_reports": "model",
    "RULES": "rules",
    "Rule": "rules",
    "findings_to_sarif": "sarif",
    "scan_roots": "scan",
    "SKIP_DIRS": "walk",
    "list_scan_files": "walk",
}

__all__ = [
    "DEFAULT_SIZE_LIMIT",
    "RULES",
    "SKIP_DIRS",
    "Finding",
    "HygieneIssue",
    "Rule",
    "ScanReport",
    "Severity",
    "find_candidate_lines",
    "findings_to_sarif",
    "fingerprint",
    "hygiene_checks",
    "line_masked",
    "list_scan_files",
    "mask_at",
    "mask_secret",
    "match_line",
    "merge_reports",
    "scan_bytes",
    "scan_roots",
    "scan_text",
    "shannon_entropy",
    "text_masked",
]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE)

if TYPE_CHECKING:
    from cdev_tui.security.engine import (
        find_candidate_lines,
        fingerprint,
        line_masked,
        mask_at,
        mask_secret,
        match_line,
        scan_bytes,
        scan_text,
        text_masked,
    )
    from cdev_tui.security.filters import shannon_entropy
    from cdev_tui.security.hygiene import DEFAULT_SIZE_LIMIT, hygiene_checks
    from cdev_tui.security.model import Finding, HygieneIssue, ScanReport, Severity, merge_reports
    from cdev_tui.security.rules import RULES, Rule
    from cdev_tui.security.sarif import findings_to_sarif
    from cdev_tui.security.scan import scan_roots
    from cdev_tui.security.walk import SKIP_DIRS, list_scan_files
