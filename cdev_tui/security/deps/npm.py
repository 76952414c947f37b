"""npm lock files and the package.json manifest: package-lock.json (and npm-shrinkwrap.json), pnpm-lock.yaml,
yarn.lock (classic v1 and berry)."""

from __future__ import annotations

import re

import yaml

from cdev_tui.security.deps.model import Dependency
from cdev_tui.security.deps.parsed import (
    Lines,
    LockfileError,
    Manifest,
    ParsedFile,
    ReadContext,
    as_dict,
    load_json_object,
)

_DEP_KEYS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
_VERSION = re.compile(r"^v?\d+\.\d+\.\d+[\w.+-]*$")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _dep(name: str, version: str, path: str, line: int, direct: bool) -> Dependency:
    return Dependency("npm", name.strip(), version.strip(), path, line, direct)


def _is_version(text: object) -> bool:
    return isinstance(text, str) and _VERSION.match(text) is not None


def split_spec(spec: str) -> tuple[str, str]:
    """``name@range`` (``@scope/name@range`` too) as (name, range); range "" when there is none."""
    at = spec.find("@", 1)
    return (spec, "") if at < 0 else (spec[:at], spec[at + 1 :])


def _alias(version: str) -> tuple[str, str] | None:
    """``npm:real-name@1.2.3`` (an aliased install) as (real name, version)."""
    if version.startswith("npm:"):
        name, real_version = split_spec(version[4:])
        if name and _is_version(real_version):
            return name, real_version
    return None


def package_json_manifest(text: str) -> Manifest:
    """The packages a package.json declares, with their declared ranges."""
    data = load_json_object(text)
    names: set[str] = set()
    specs: set[str] = set()
    for key in _DEP_KEYS:
        for name, spec in as_dict(data.get(key)).items():
            names.add(name)
            if isinstance(spec, str):
                specs.add(f"{name}@{spec}")
    return Manifest(frozenset(names), frozenset(specs))


def read_package_lock(text: str, path: str, context: ReadContext) -> ParsedFile:
    """package-lock.json / npm-shrinkwrap.json: lockfileVersion 2 and 3 ``packages`` (every
    ``node_modules/…`` key, nested ones too), else version 1's ``dependencies`` tree."""
    data = load_json_object(text)
    lines = Lines(text)
    packages = data.get("packages")
    if isinstance(packages, dict) and packages:
        return ParsedFile(tuple(_packages_v2(packages, lines, path)))
    if "dependencies" in data or "lockfileVersion" in data:
        direct = context.manifest.names if context.manifest else frozenset()
        return ParsedFile(tuple(_dependencies_v1(as_dict(data.get("dependencies")), lines, path, direct, 0)))
    raise LockfileError('no "packages" or "dependencies" section')


def _packages_v2(packages: dict, lines: Lines, path: str) -> list[Dependency]:
    # Keys without node_modules/ are the project and its workspaces: their declared deps are the direct ones.
    direct: set[str] = set()
    for key, entry in packages.items():
        if "node_modules/" not in key and isinstance(entry, dict):
            for dep_key in _DEP_KEYS:
                direct.update(as_dict(entry.get(dep_key)))
    deps: list[Dependency] = []
    lines.json_key("packages")
    for key, entry in packages.items():
        if "node_modules/" not in key:
            continue
        line = lines.json_key(key)
        entry = as_dict(entry)
        if entry.get("link"):
            continue  # a symlink to a workspace package
        installed_as = key.rsplit("node_modules/", 1)[1]
        name = entry.get("name") if isinstance(entry.get("name"), str) else installed_as
        version = entry.get("version")
        if not _is_version(version):
            continue
        top_level = key.count("node_modules/") == 1
        deps.append(_dep(name, version, path, line, top_level and installed_as in direct))
    return deps


def _dependencies_v1(
    tree: dict, lines: Lines, path: str, direct: frozenset[str], depth: int
) -> list[Dependency]:
    deps: list[Dependency] = []
    for installed_as, entry in tree.items():
        line = lines.json_key(installed_as)
        entry = as_dict(entry)
        version = entry.get("version")
        name = installed_as
        if isinstance(version, str) and (alias := _alias(version)):
            name, version = alias
        if _is_version(version):
            deps.append(_dep(name, version, path, line, depth == 0 and installed_as in direct))
        nested = entry.get("dependencies")
        if isinstance(nested, dict):
            deps.extend(_dependencies_v1(nested, lines, path, direct, depth + 1))
    return deps


def _pnpm_key(key: str, slash_format: bool) -> tuple[str, str] | None:
    """(name, version) of a pnpm ``packages`` key: ``/name/1.0.0_peer@2`` (v5), ``/name@1.0.0(peer@2)``
    (v6) or ``name@1.0.0`` (v9); scoped names too."""
    key = key.split("(", 1)[0]
    if slash_format:
        parts = key.lstrip("/").split("/")
        if len(parts) < 2:
            return None
        name = "/".join(parts[:-1])
        version = parts[-1].split("_", 1)[0]
    else:
        name, version = split_spec(key.lstrip("/"))
    return (name, version) if name and _is_version(version) else None


def _pnpm_version(value: object) -> str | None:
    """A resolved version from an importer entry: ``1.0.0``, ``1.0.0(peer@2)``, ``1.0.0_peer@2`` or
    ``{specifier, version}``."""
    if isinstance(value, dict):
        value = value.get("version")
    if not isinstance(value, str):
        return None
    return re.split(r"[(_]", value, maxsplit=1)[0]


def read_pnpm_lock(text: str, path: str, context: ReadContext) -> ParsedFile:
    """pnpm-lock.yaml: the ``packages`` section of lockfile v5 (``/name/version``), v6 (``/name@version``)
    and v9 (``name@version``); direct ones are those the importers (or v5/v6 top-level sections) list."""
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise LockfileError(f"invalid YAML: {_yaml_reason(exc)}") from None
    if not isinstance(data, dict) or "lockfileVersion" not in data:
        raise LockfileError("not a pnpm lock file: no lockfileVersion")
    try:
        major = int(str(data["lockfileVersion"]).split(".", 1)[0])
    except ValueError:
        raise LockfileError(f"unknown lockfileVersion {data['lockfileVersion']!r}") from None
    importers = [as_dict(v) for v in as_dict(data.get("importers")).values()] or [data]
    direct: set[tuple[str, str]] = set()
    for importer in importers:
        for dep_key in ("dependencies", "devDependencies", "optionalDependencies"):
            for name, value in as_dict(importer.get(dep_key)).items():
                if (version := _pnpm_version(value)) is not None:
                    direct.add((name, version))
    key_lines = _pnpm_key_lines(text)
    deps: list[Dependency] = []
    for key, entry in as_dict(data.get("packages")).items():
        entry = as_dict(entry)
        parsed = _pnpm_key(str(key), slash_format=major < 6)
        if isinstance(entry.get("name"), str) and _is_version(entry.get("version")):
            parsed = (entry["name"], entry["version"])  # tarball and git installs spell them out
        if parsed is None:
            continue
        deps.append(_dep(parsed[0], parsed[1], path, key_lines.get(str(key), 1), parsed in direct))
    return ParsedFile(tuple(deps))


def _yaml_reason(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return " ".join(f"{problem}{where}".split())


def _pnpm_key_lines(text: str) -> dict[str, int]:
    """Line of each key directly under the top-level ``packages:`` mapping."""
    out: dict[str, int] = {}
    inside = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw and not raw[0].isspace():
            inside = raw.rstrip() == "packages:"
            continue
        if inside and (m := re.match(r"^  (?! )(['\"]?)(.+?)\1:(\s|$)", raw)):
            out.setdefault(m.group(2), number)
    return out


_YARN_VERSION = re.compile(r"""^\s+version:?\s+["']?([^"'\s]+)["']?\s*$""")
_YARN_RESOLUTION = re.compile(r"""^\s+resolution:?\s+["']?([^"'\s]+)["']?\s*$""")
_YARN_SKIP_PROTOCOLS = (
    "workspace:",
    "patch:",
    "link:",
    "portal:",
    "file:",
    "exec:",
    "git",
    "http",
    "github:",
)


def read_yarn_lock(text: str, path: str, context: ReadContext) -> ParsedFile:
    """yarn.lock, classic (``"name@^1.0.0", name@~1.1:`` then ``version "x"``) or berry
    (``"name@npm:^1.0.0":`` then ``version: x``). Workspace, patch, link and git entries are skipped;
    direct ones are those whose specifier package.json declares."""
    specs_declared = context.manifest.specs if context.manifest else frozenset()
    entries: list[tuple[int, list[str], str | None, str | None]] = []  # (line, specs, version, resolution)
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw[0].isspace():
            if not raw.rstrip().endswith(":"):
                raise LockfileError(f"line {number}: not a yarn.lock entry header: {raw[:60]!r}")
            header = raw.rstrip()[:-1]
            specs = [s.strip().strip("\"'") for s in header.split(",")]
            entries.append((number, specs, None, None))
            continue
        if not entries:
            raise LockfileError(f"line {number}: indented line before any entry")
        line, specs, version, resolution = entries[-1]
        if raw.startswith("  ") and not raw.startswith("   "):  # the entry's own fields, not nested ones
            if version is None and (m := _YARN_VERSION.match(raw)):
                entries[-1] = (line, specs, m.group(1), resolution)
            elif resolution is None and (m := _YARN_RESOLUTION.match(raw)):
                entries[-1] = (line, specs, version, m.group(1))
    deps: list[Dependency] = []
    for line, specs, version, resolution in entries:
        if specs == ["__metadata"]:
            continue
        if version is None:
            raise LockfileError(f"line {line}: entry {specs[0]!r} has no version")
        name, spec_range = split_spec(specs[0])
        if spec_range.startswith("npm:"):
            spec_range = spec_range[4:]
        if spec_range.startswith(_YARN_SKIP_PROTOCOLS) or not _is_version(version):
            continue
        if resolution and "@npm:" in resolution:
            name = split_spec(resolution)[0]  # berry spells the real package of an alias here
        elif "@" in spec_range and (real := split_spec(spec_range)[0]):
            name = real  # classic alias: alias@npm:real@^1.0.0
        direct = any(s in specs_declared or s.replace("@npm:", "@", 1) in specs_declared for s in specs)
        deps.append(_dep(name, version, path, line, direct))
    return ParsedFile(tuple(deps))
