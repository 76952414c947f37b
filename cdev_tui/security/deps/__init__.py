"""Dependency-vulnerability scanning against a local OSV database (Textual-free).

Pipeline: list each root's files (:mod:`cdev_tui.security.walk`), pick the lock files and manifests
(:mod:`.lockfiles`; readers in :mod:`.python` and :mod:`.npm`), read each distinct content once into
:class:`Dependency` records, load the advisories of the packages found from osv.dev's exports
(:mod:`.osv`, :mod:`.advisory`; downloads in :mod:`.update`), and evaluate their version ranges
(:mod:`.match`) into a :class:`DepsReport` (:mod:`.scan`).
"""

from cdev_tui.security.deps.advisory import (
    Advisory,
    AdvisoryError,
    AffectedPackage,
    VersionRange,
    parse_advisory,
)
from cdev_tui.security.deps.lockfiles import KINDS, LockfileKind, lockfile_kind, read_lockfile
from cdev_tui.security.deps.match import Match, affected_fix, matches
from cdev_tui.security.deps.model import (
    ECOSYSTEMS,
    Dependency,
    DepSeverity,
    DepsReport,
    Ecosystem,
    VulnerableDependency,
)
from cdev_tui.security.deps.osv import OsvDatabase, default_db_dir
from cdev_tui.security.deps.parsed import LockfileError, Manifest, ParsedFile, ReadContext
from cdev_tui.security.deps.scan import LockfileCache, read_root, scan_dependencies
from cdev_tui.security.deps.update import OSV_BASE_URL, update_db
from cdev_tui.security.deps.versions import normalise_name, parse_version

__all__ = [
    "ECOSYSTEMS",
    "KINDS",
    "OSV_BASE_URL",
    "Advisory",
    "AdvisoryError",
    "AffectedPackage",
    "DepSeverity",
    "Dependency",
    "DepsReport",
    "Ecosystem",
    "LockfileCache",
    "LockfileError",
    "LockfileKind",
    "Manifest",
    "Match",
    "OsvDatabase",
    "ParsedFile",
    "ReadContext",
    "VersionRange",
    "VulnerableDependency",
    "affected_fix",
    "default_db_dir",
    "lockfile_kind",
    "matches",
    "normalise_name",
    "parse_advisory",
    "parse_version",
    "read_lockfile",
    "read_root",
    "scan_dependencies",
    "update_db",
]
