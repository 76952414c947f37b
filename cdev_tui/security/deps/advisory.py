"""OSV advisories (https://ossf.github.io/osv-schema/): the parts a dependency check needs, and their severity."""

from __future__ import annotations

from dataclasses import dataclass

from cdev_tui.security.deps.model import DepSeverity

SUPPORTED_SCHEMA_MAJOR = "1"
_LEVELS: dict[str, DepSeverity] = {
    "CRITICAL": "critical",
    "HIGH": "high",
    "MODERATE": "medium",
    "MEDIUM": "medium",
    "LOW": "low",
}
_EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")


class AdvisoryError(ValueError):
    """A file that is not an OSV advisory we understand; the message says why."""


@dataclass(frozen=True)
class VersionRange:
    """One ``affected[].ranges[]`` entry: its type and (kind, version) events as written."""

    type: str  # ECOSYSTEM, SEMVER or GIT
    events: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AffectedPackage:
    """One ``affected[]`` entry: a package, its affected ranges and explicit versions."""

    ecosystem: str  # without a ":suffix" (OSV writes e.g. "Debian:11")
    name: str
    ranges: tuple[VersionRange, ...]
    versions: tuple[str, ...]


@dataclass(frozen=True)
class Advisory:
    """One OSV record."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: DepSeverity
    withdrawn: str | None
    affected: tuple[AffectedPackage, ...]

    @property
    def url(self) -> str:
        return f"https://osv.dev/vulnerability/{self.id}"


def _fail(reason: str) -> AdvisoryError:
    return AdvisoryError(f"not an OSV advisory: {reason}")


def _affected(entry: object) -> AffectedPackage | None:
    if not isinstance(entry, dict):
        raise _fail("an affected[] entry is not an object")
    package = entry.get("package")
    if not isinstance(package, dict):
        return None  # a GIT-only entry, no package to match
    ecosystem, name = package.get("ecosystem"), package.get("name")
    if not isinstance(ecosystem, str) or not isinstance(name, str):
        raise _fail("affected[].package needs an ecosystem and a name")
    ranges: list[VersionRange] = []
    for raw in entry.get("ranges") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("events"), list):
            raise _fail("affected[].ranges[] needs a type and events")
        events: list[tuple[str, str]] = []
        for event in raw["events"]:
            if not isinstance(event, dict):
                raise _fail("a range event is not an object")
            for kind in _EVENT_KINDS:
                if isinstance(event.get(kind), str):
                    events.append((kind, event[kind]))
        ranges.append(VersionRange(str(raw.get("type", "")), tuple(events)))
    versions = tuple(v for v in entry.get("versions") or [] if isinstance(v, str))
    return AffectedPackage(ecosystem.split(":", 1)[0], name, tuple(ranges), versions)


def parse_advisory(data: object) -> Advisory:
    """The :class:`Advisory` in one decoded OSV JSON document; :class:`AdvisoryError` when it is not one."""
    if not isinstance(data, dict):
        raise _fail("the top level is not an object")
    schema = data.get("schema_version")
    if isinstance(schema, str) and schema.split(".", 1)[0] != SUPPORTED_SCHEMA_MAJOR:
        raise AdvisoryError(f"unsupported OSV schema_version {schema}")
    advisory_id = data.get("id")
    if not isinstance(advisory_id, str) or not advisory_id:
        raise _fail("no id")
    affected_raw = data.get("affected") or []
    if not isinstance(affected_raw, list):
        raise _fail("affected is not a list")
    affected = tuple(a for a in map(_affected, affected_raw) if a is not None)
    summary = data.get("summary") if isinstance(data.get("summary"), str) else ""
    if not summary and isinstance(data.get("details"), str):
        summary = data["details"].strip().split("\n", 1)[0][:200]
    withdrawn = data.get("withdrawn")
    return Advisory(
        id=advisory_id,
        aliases=tuple(a for a in data.get("aliases") or [] if isinstance(a, str)),
        summary=summary.strip(),
        severity=advisory_severity(data),
        withdrawn=withdrawn if isinstance(withdrawn, str) and withdrawn else None,
        affected=affected,
    )


def _database_level(container: object) -> DepSeverity | None:
    if not isinstance(container, dict):
        return None
    for key in ("database_specific", "ecosystem_specific"):
        level = container.get(key)
        level = level.get("severity") if isinstance(level, dict) else None
        if isinstance(level, str) and level.upper() in _LEVELS:
            return _LEVELS[level.upper()]
    return None


def cvss_level(vector: str) -> DepSeverity | None:
    """The qualitative severity of a CVSS v3.x or v4.0 vector, None when it does not parse."""
    from cvss import CVSS3, CVSS4  # lazy: only advisories without a database severity need it
    from cvss.exceptions import CVSSError

    try:
        if vector.startswith("CVSS:4"):
            rating = CVSS4(vector).severity
        elif vector.startswith("CVSS:3"):
            rating = CVSS3(vector).severities()[0]
        else:
            return None
    except (CVSSError, ValueError, KeyError, IndexError):
        return None
    return _LEVELS.get(rating.upper(), "low")  # "None" (score 0.0) is the lowest we report


def advisory_severity(data: dict) -> DepSeverity:
    """The advisory's severity: its ``database_specific.severity`` (GHSA's CRITICAL/HIGH/MODERATE/LOW), else
    that of an affected entry, else the worst CVSS v3/v4 vector in ``severity``, else "unknown"."""
    if level := _database_level(data):
        return level
    affected = data.get("affected") if isinstance(data.get("affected"), list) else []
    for entry in affected:
        if level := _database_level(entry):
            return level
    order: list[DepSeverity] = ["critical", "high", "medium", "low"]
    found: list[DepSeverity] = []
    scores = [data.get("severity")] + [e.get("severity") for e in affected if isinstance(e, dict)]
    for score_list in scores:
        for score in score_list if isinstance(score_list, list) else []:
            is_cvss = isinstance(score, dict) and str(score.get("type", "")).startswith("CVSS_V")
            if is_cvss and (level := cvss_level(str(score.get("score", "")))) is not None:
                found.append(level)
    return min(found, key=order.index) if found else "unknown"
