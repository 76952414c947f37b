"""Whether an advisory affects a version: OSV range evaluation (introduced, fixed, last_affected, limit) and
explicit version lists, per ecosystem ordering."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from cdev_tui.security.deps.advisory import Advisory, AffectedPackage, VersionRange
from cdev_tui.security.deps.model import SEVERITY_RANK, Dependency, VulnerableDependency
from cdev_tui.security.deps.versions import index_key, parse_version, same_version

_ORDERED_RANGES = ("ECOSYSTEM", "SEMVER")  # GIT ranges name commits, not versions
_KIND_ORDER = {"introduced": 0, "last_affected": 1, "limit": 2, "fixed": 3}
_ID_PREFERENCE = ("GHSA-", "PYSEC-", "CVE-")


@dataclass(frozen=True)
class Match:
    """An advisory that affects one version, with the lowest fixed version above it."""

    advisory: Advisory
    fixed: str | None


def _range_match(rng: VersionRange, ecosystem: str, version: Any) -> tuple[bool, list[tuple[Any, str]]]:
    """(affected?, fixed events above ``version`` as (parsed, text)) for one range."""
    events: list[tuple[tuple, str, str]] = []
    for kind, text in rng.events:
        if kind == "introduced" and text == "0":
            events.append(((0,), kind, text))
            continue
        if kind == "limit" and text == "*":
            continue
        parsed = parse_version(ecosystem, text)
        if parsed is None:
            return False, []  # an event we cannot order: do not guess
        events.append(((1, parsed, _KIND_ORDER[kind]), kind, text))
    events.sort(key=lambda e: e[0])
    affected = False
    for key, kind, _ in events:
        reached = key == (0,) or version >= key[1]
        if kind == "introduced" and reached:
            affected = True
        elif reached and (kind == "fixed" or (kind == "last_affected" and version != key[1])):
            affected = False
    limits = [key[1] for key, kind, _ in events if kind == "limit"]
    if limits and not any(version < limit for limit in limits):
        affected = False
    fixes = [(key[1], text) for key, kind, text in events if kind == "fixed" and key[1] > version]
    return affected, fixes


def affected_fix(entry: AffectedPackage, ecosystem: str, version: str) -> tuple[bool, str | None]:
    """(does ``entry`` affect ``version``?, the lowest fixed version above it)."""
    parsed = parse_version(ecosystem, version)
    affected = any(same_version(ecosystem, v, version) for v in entry.versions)
    fixes: list[tuple[Any, str]] = []
    if parsed is not None:
        for rng in entry.ranges:
            if rng.type.upper() not in _ORDERED_RANGES:
                continue
            hit, rng_fixes = _range_match(rng, ecosystem, parsed)
            affected = affected or hit
            fixes.extend(rng_fixes)
    fixed = min(fixes, key=lambda f: f[0])[1] if fixes else None
    return affected, fixed if affected else None


def matches(advisories: Iterable[Advisory], ecosystem: str, name: str, version: str) -> list[Match]:
    """The advisories among ``advisories`` that affect ``name`` at ``version``, one per vulnerability:
    advisories that alias each other (PYSEC and GHSA records of one CVE) are merged, the GHSA one kept."""
    key = index_key(ecosystem, name)
    found: list[Match] = []
    for advisory in advisories:
        if advisory.withdrawn:
            continue
        hit, fixes = False, []
        for entry in advisory.affected:
            if entry.ecosystem != ecosystem or index_key(ecosystem, entry.name) != key:
                continue
            entry_hit, fixed = affected_fix(entry, ecosystem, version)
            if entry_hit:
                hit = True
                if fixed is not None:
                    fixes.append(fixed)
        if hit:
            lowest = min(fixes, key=lambda f: parse_version(ecosystem, f)) if fixes else None
            found.append(Match(advisory, lowest))
    return _merge_aliases(found)


def _preference(advisory: Advisory) -> tuple[int, str]:
    rank = next((i for i, p in enumerate(_ID_PREFERENCE) if advisory.id.startswith(p)), len(_ID_PREFERENCE))
    return rank, advisory.id


def _merge_aliases(found: list[Match]) -> list[Match]:
    groups: list[tuple[set[str], list[Match]]] = []
    for match in found:
        ids = {match.advisory.id, *match.advisory.aliases}
        joined = [g for g in groups if not g[0].isdisjoint(ids)]
        for group in joined:
            groups.remove(group)
            ids |= group[0]
        groups.append((ids, [match, *(m for g in joined for m in g[1])]))
    merged: list[Match] = []
    for ids, members in groups:
        members.sort(key=lambda m: _preference(m.advisory))
        best = members[0]
        severity = next((m.advisory.severity for m in members if m.advisory.severity != "unknown"), "unknown")
        fixed = best.fixed or next((m.fixed for m in members if m.fixed), None)
        aliases = tuple(sorted(ids - {best.advisory.id}))
        summary = next((m.advisory.summary for m in members if m.advisory.summary), "")
        advisory = replace(best.advisory, aliases=aliases, summary=summary, severity=severity)
        merged.append(Match(advisory, fixed))
    return merged


def vulnerable(dep: Dependency, found: Iterable[Match]) -> list[VulnerableDependency]:
    """One :class:`VulnerableDependency` per match."""
    return [
        VulnerableDependency(
            dependency=dep,
            advisory_id=m.advisory.id,
            aliases=m.advisory.aliases,
            summary=m.advisory.summary,
            severity=m.advisory.severity,
            fixed=m.fixed,
            url=m.advisory.url,
        )
        for m in found
    ]


def severity_order(item: VulnerableDependency) -> tuple:
    """Sort key: worst severity first, then root, file, line, package and advisory."""
    d = item.dependency
    return SEVERITY_RANK[item.severity], d.root_label, d.path, d.line, d.name, item.advisory_id
