"""Package names and versions per ecosystem: PEP 503 names and PEP 440 ordering for PyPI, SemVer for npm."""

from __future__ import annotations

from typing import Any

import semver
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def normalise_name(ecosystem: str, name: str) -> str:
    """The name as the ecosystem compares it: PEP 503 for PyPI; npm names stay as written."""
    name = name.strip()
    return canonicalize_name(name) if ecosystem == "PyPI" else name


def index_key(ecosystem: str, name: str) -> str:
    """The key advisories are indexed by (npm's legacy mixed-case names compare case-insensitively)."""
    return normalise_name(ecosystem, name).lower()


def parse_version(ecosystem: str, text: str) -> Any | None:
    """An ordered version object for ``text`` in ``ecosystem``, or None when it is not a version."""
    text = text.strip()
    if ecosystem == "PyPI":
        try:
            return Version(text)
        except InvalidVersion:
            return None
    text = text.lstrip("=v")
    try:
        return semver.Version.parse(text)
    except ValueError:
        pass
    try:  # advisories sometimes write "1.2" for 1.2.0
        return semver.Version.parse(text, optional_minor_and_patch=True)
    except (ValueError, TypeError):
        return None


def same_version(ecosystem: str, a: str, b: str) -> bool:
    """``a`` and ``b`` name one version (PyPI: ``1.0`` is ``1.0.0``; npm ignores a leading ``v``)."""
    if a == b:
        return True
    pa, pb = parse_version(ecosystem, a), parse_version(ecosystem, b)
    return pa is not None and pb is not None and pa == pb
