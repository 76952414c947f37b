"""Python lock files and manifests: requirements*.txt, poetry.lock, uv.lock, Pipfile.lock, pyproject.toml."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import InvalidRequirement, Requirement

from cdev_tui.security.deps.model import Dependency
from cdev_tui.security.deps.parsed import (
    Lines,
    LockfileError,
    Manifest,
    ParsedFile,
    ReadContext,
    as_dict,
    as_list,
    load_json_object,
)
from cdev_tui.security.deps.versions import normalise_name

_COMMENT = re.compile(r"(^|\s)#.*$")
_OPTION = re.compile(r"\s+--?[A-Za-z]")  # per-requirement options such as --hash=sha256:…
_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s*=\s*|\s+|(?=\S))(\S+)")
_VIA_START = re.compile(r"^\s*#\s*via\b\s*(.*)$")
_VIA_MORE = re.compile(r"^\s*#\s{2,}(\S.*)$")
_ARCHIVE = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2")
_LOCAL_SOURCES = {"editable", "virtual", "directory", "path"}


def _dep(name: str, version: str, path: str, line: int, direct: bool) -> Dependency:
    return Dependency("PyPI", normalise_name("PyPI", name), version, path, line, direct)


def pinned_version(req: Requirement) -> str | None:
    """The exact version ``req`` pins with ``==``/``===`` (no wildcard), else None."""
    for spec in req.specifier:
        if spec.operator in ("==", "===") and "*" not in spec.version:
            return spec.version
    return None


def _load_toml(text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LockfileError(f"invalid TOML: {exc}") from None


def _logical_lines(text: str) -> list[tuple[int, str, str]]:
    """(first line number, line without comment, raw text) for each line, joining ``\\`` continuations."""
    out: list[tuple[int, str, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        stripped = _COMMENT.sub("", raw).rstrip()
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        out.append((start, " ".join(pending).strip(), raw))
        pending = []
    if pending:
        out.append((start, " ".join(pending).strip(), ""))
    return out


def read_requirements(text: str, path: str, context: ReadContext) -> ParsedFile:
    """A pip requirements file: ``==`` pins become dependencies, other requirements count as unpinned.

    ``-r`` includes are returned for the caller to read; options, hashes, markers and extras are ignored;
    URL, VCS and local-path requirements are skipped. pip-compile's ``# via`` notes tell transitive pins
    from direct ones.
    """
    deps: list[Dependency] = []
    via: dict[int, list[str]] = {}
    includes: list[tuple[str, int]] = []
    problems: list[str] = []
    unpinned = 0
    collecting: int | None = None  # index in deps of the pin whose "# via" block is being read
    for number, line, raw in _logical_lines(text):
        if not line:
            if collecting is not None and (m := _VIA_START.match(raw)):
                via.setdefault(collecting, []).extend(filter(None, [m.group(1).strip()]))
            elif collecting is not None and (m := _VIA_MORE.match(raw)) and collecting in via:
                via[collecting].append(m.group(1).strip())
            elif raw.strip() and not raw.lstrip().startswith("#"):
                collecting = None
            continue
        collecting = None
        if line.startswith("-"):
            if m := _INCLUDE.match(line):
                includes.append((m.group(1), number))
            continue  # -c constraints, -e editables, index options
        if "://" in line or line.startswith((".", "/", "~")) or line.lower().endswith(_ARCHIVE):
            continue
        spec = _OPTION.split(line, maxsplit=1)[0]
        try:
            req = Requirement(spec)
        except InvalidRequirement:
            problems.append(f"line {number}: not a requirement: {spec[:60]!r}")
            continue
        if req.url:
            continue
        version = pinned_version(req)
        if version is None:
            unpinned += 1
            continue
        collecting = len(deps)
        deps.append(_dep(req.name, version, path, number, True))
    for index, sources in via.items():
        if sources and not any(
            s.startswith("-r ") or s.endswith((".toml)", ".py)", ".cfg)")) for s in sources
        ):
            deps[index] = _replace_direct(deps[index], False)
    return ParsedFile(tuple(deps), unpinned, tuple(includes), tuple(problems))


def _replace_direct(dep: Dependency, direct: bool) -> Dependency:
    return Dependency(dep.ecosystem, dep.name, dep.version, dep.path, dep.line, direct, dep.root_label)


def _lock_packages(data: dict, lines: Lines) -> list[tuple[dict, int]]:
    """The ``[[package]]`` tables of a TOML lock file with the line of each one's ``name =``."""
    packages = as_list(data.get("package"))
    starts = [m.start() for m in re.finditer(r"(?m)^\[\[package\]\]\s*$", lines.text)]
    out: list[tuple[dict, int]] = []
    for i, package in enumerate(packages):
        if not isinstance(package, dict):
            raise LockfileError("a [[package]] entry is not a table")
        line = lines.find("name", lines.line_of(starts[i])) if i < len(starts) else 1
        out.append((package, line))
    return out


def _name_version(package: dict) -> tuple[str, str] | None:
    name, version = package.get("name"), package.get("version")
    if isinstance(name, str) and isinstance(version, str) and name and version:
        return name, version
    return None


def read_poetry_lock(text: str, path: str, context: ReadContext) -> ParsedFile:
    """poetry.lock: every ``[[package]]`` except local directories and files; direct from pyproject.toml."""
    lines = Lines(text)
    direct = context.manifest.names if context.manifest else frozenset()
    deps: list[Dependency] = []
    for package, line in _lock_packages(_load_toml(text), lines):
        if as_dict(package.get("source")).get("type") in ("directory", "file"):
            continue
        if pair := _name_version(package):
            name = normalise_name("PyPI", pair[0])
            deps.append(_dep(name, pair[1], path, line, name in direct))
    return ParsedFile(tuple(deps))


def read_uv_lock(text: str, path: str, context: ReadContext) -> ParsedFile:
    """uv.lock: every registry, git or URL ``[[package]]``; direct ones are those the project's own
    (editable or virtual) packages list, else those pyproject.toml declares."""
    lines = Lines(text)
    packages = _lock_packages(_load_toml(text), lines)
    direct: set[str] = set()
    has_local = False
    for package, _ in packages:
        if _LOCAL_SOURCES.isdisjoint(as_dict(package.get("source"))):
            continue
        has_local = True
        groups = [as_list(package.get("dependencies"))]
        for key in ("optional-dependencies", "dev-dependencies"):
            groups.extend(as_list(v) for v in as_dict(package.get(key)).values())
        direct.update(
            normalise_name("PyPI", d["name"])
            for group in groups
            for d in group
            if isinstance(d, dict) and isinstance(d.get("name"), str)
        )
    if not has_local and context.manifest:
        direct = set(context.manifest.names)
    deps: list[Dependency] = []
    for package, line in packages:
        if not _LOCAL_SOURCES.isdisjoint(as_dict(package.get("source"))):
            continue
        if pair := _name_version(package):
            name = normalise_name("PyPI", pair[0])
            deps.append(_dep(name, pair[1], path, line, name in direct))
    return ParsedFile(tuple(deps))


def read_pipfile_lock(text: str, path: str, context: ReadContext) -> ParsedFile:
    """Pipfile.lock: ``default`` and ``develop`` entries pinned ``==x``; direct ones from the Pipfile."""
    data = load_json_object(text)
    if "default" not in data and "develop" not in data:
        raise LockfileError('no "default" or "develop" section')
    lines = Lines(text)
    direct = context.manifest.names if context.manifest else frozenset()
    deps: list[Dependency] = []
    for section in ("default", "develop"):
        lines.json_key(section)
        for name, entry in as_dict(data.get(section)).items():
            line = lines.json_key(name)
            version = as_dict(entry).get("version")
            if isinstance(version, str) and version.startswith("==") and "*" not in version:
                norm = normalise_name("PyPI", name)
                deps.append(_dep(norm, version[2:].strip(), path, line, norm in direct))
    return ParsedFile(tuple(deps))


_POETRY_EXACT = re.compile(r"^\s*(?:==?\s*)?v?(\d[\w.!+-]*)\s*$")
_POETRY_LOCAL = ("git", "path", "url", "file")


def _poetry_tables(data: dict) -> list[tuple[str, dict]]:
    """(TOML section name, table) for every Poetry dependency table of a pyproject.toml."""
    poetry = as_dict(as_dict(data.get("tool")).get("poetry"))
    tables = [
        ("tool.poetry.dependencies", as_dict(poetry.get("dependencies"))),
        ("tool.poetry.dev-dependencies", as_dict(poetry.get("dev-dependencies"))),
    ]
    for group, table in as_dict(poetry.get("group")).items():
        tables.append(
            (f"tool.poetry.group.{group}.dependencies", as_dict(as_dict(table).get("dependencies")))
        )
    return tables


def _pep508_strings(data: dict) -> list[str]:
    project = as_dict(data.get("project"))
    strings = list(as_list(project.get("dependencies")))
    for extra in as_dict(project.get("optional-dependencies")).values():
        strings.extend(as_list(extra))
    for group in as_dict(data.get("dependency-groups")).values():
        strings.extend(as_list(group))  # {include-group = …} tables are filtered below
    return [s for s in strings if isinstance(s, str)]


def read_pyproject(text: str, path: str, context: ReadContext) -> ParsedFile:
    """pyproject.toml: ``==`` pins of ``[project]`` dependencies, optional dependencies and dependency groups,
    and exact versions in Poetry's dependency tables. Ranges count as unpinned unless a lock file sits
    beside it."""
    data = _load_toml(text)
    lines = Lines(text)
    deps: list[Dependency] = []
    problems: list[str] = []
    unpinned = 0
    for spec in _pep508_strings(data):
        line = lines.find(f'"{spec}"')
        if line == 1:
            line = lines.find(f"'{spec}'")
        try:
            req = Requirement(spec)
        except InvalidRequirement:
            problems.append(f"line {line}: not a requirement: {spec[:60]!r}")
            continue
        if req.url:
            continue
        if (version := pinned_version(req)) is not None:
            deps.append(_dep(req.name, version, path, line, True))
        else:
            unpinned += 1
    for section, table in _poetry_tables(data):
        header = lines.find(f"[{section}]")
        for name, value in table.items():
            if name.lower() == "python":
                continue
            line = _toml_key_line(lines, name, header)
            constraint = value.get("version") if isinstance(value, dict) else value
            if isinstance(value, dict) and any(key in value for key in _POETRY_LOCAL):
                continue
            if (
                isinstance(constraint, str)
                and "*" not in constraint
                and (m := _POETRY_EXACT.match(constraint))
            ):
                deps.append(_dep(name, m.group(1), path, line, True))
            else:
                unpinned += 1
    return ParsedFile(tuple(deps), 0 if context.locked else unpinned, problems=tuple(problems))


def _toml_key_line(lines: Lines, key: str, start_line: int) -> int:
    """The line of ``key = …`` at or after ``start_line`` (the first anywhere, else ``start_line``)."""
    pattern = re.compile(rf"(?m)^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    found = [lines.line_of(m.start()) for m in pattern.finditer(lines.text)]
    return next((n for n in found if n >= start_line), found[0] if found else start_line)


def pyproject_manifest(text: str) -> Manifest:
    """The package names a pyproject.toml declares (PEP 621, dependency groups and Poetry tables)."""
    data = _load_toml(text)
    names: set[str] = set()
    for spec in _pep508_strings(data):
        try:
            names.add(normalise_name("PyPI", Requirement(spec).name))
        except InvalidRequirement:
            continue
    for _, table in _poetry_tables(data):
        names.update(normalise_name("PyPI", name) for name in table if name.lower() != "python")
    return Manifest(frozenset(names))


def pipfile_manifest(text: str) -> Manifest:
    """The package names a Pipfile declares in ``[packages]`` and ``[dev-packages]``."""
    data = _load_toml(text)
    names = {
        normalise_name("PyPI", n) for key in ("packages", "dev-packages") for n in as_dict(data.get(key))
    }
    return Manifest(frozenset(names))
