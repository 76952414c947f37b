"""Which files are lock files or manifests, which reader reads each, and which sibling tells its direct deps."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from cdev_tui.security.deps import npm, python
from cdev_tui.security.deps.model import Ecosystem
from cdev_tui.security.deps.parsed import LockfileError, Manifest, ParsedFile, ReadContext
from cdev_tui.security.walk import SKIP_DIRS

Reader = Callable[[str, str, ReadContext], ParsedFile]


@dataclass(frozen=True)
class LockfileKind:
    """One lock-file or manifest format."""

    name: str
    ecosystem: Ecosystem
    reader: Reader
    manifest: str | None = None  # sibling file naming the direct deps, for formats that do not mark them


REQUIREMENTS = LockfileKind("requirements", "PyPI", python.read_requirements)
KINDS: dict[str, LockfileKind] = {
    kind.name: kind
    for kind in (
        LockfileKind("poetry.lock", "PyPI", python.read_poetry_lock, "pyproject.toml"),
        LockfileKind("uv.lock", "PyPI", python.read_uv_lock, "pyproject.toml"),
        LockfileKind("Pipfile.lock", "PyPI", python.read_pipfile_lock, "Pipfile"),
        LockfileKind("pyproject.toml", "PyPI", python.read_pyproject),
        LockfileKind("package-lock.json", "npm", npm.read_package_lock, "package.json"),
        LockfileKind("npm-shrinkwrap.json", "npm", npm.read_package_lock, "package.json"),
        LockfileKind("pnpm-lock.yaml", "npm", npm.read_pnpm_lock),
        LockfileKind("yarn.lock", "npm", npm.read_yarn_lock, "package.json"),
    )
}
MANIFEST_READERS: dict[str, Callable[[str], Manifest]] = {
    "package.json": npm.package_json_manifest,
    "pyproject.toml": python.pyproject_manifest,
    "Pipfile": python.pipfile_manifest,
}
PYTHON_LOCKS = ("poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock")  # a pyproject.toml beside one is locked
_REQUIREMENTS_NAME = re.compile(r"^requirements.*\.txt$", re.IGNORECASE)


def lockfile_kind(path: str) -> LockfileKind | None:
    """The format of the file at POSIX ``path``, or None when it is not one we read.

    Requirements files are ``requirements*.txt`` and any ``.txt`` in a ``requirements/`` folder. Files
    inside ``node_modules``, ``.venv`` and the like are never read.
    """
    parts = path.split("/")
    if not SKIP_DIRS.isdisjoint(parts[:-1]):
        return None
    name = parts[-1]
    if name in KINDS:
        return KINDS[name]
    if _REQUIREMENTS_NAME.match(name) or (
        name.endswith(".txt") and len(parts) > 1 and parts[-2] == "requirements"
    ):
        return REQUIREMENTS
    return None


def decode(data: bytes) -> str:
    """Lock-file bytes as text (UTF-8, an optional BOM dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LockfileError(f"not UTF-8 text (byte {exc.start})") from None


def read_lockfile(kind: LockfileKind, data: bytes, path: str, context: ReadContext) -> ParsedFile:
    """Parse one lock file's bytes; a malformed file raises :class:`LockfileError` saying what is wrong."""
    return kind.reader(decode(data), path, context)


def include_path(including: str, written: str) -> str | None:
    """The root-relative POSIX path of a ``-r`` include, or None when it leaves the root."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(including), written))
    return None if joined.startswith("../") or joined == ".." or joined.startswith("/") else joined
