"""Dependency-vulnerability scanning: every lock-file format on real files, discovery in real git repositories
and worktrees, matching against the hand-written OSV fixture (tests/data/osv) in both database layouts,
broken inputs, and the database download against a real local HTTP server."""

from __future__ import annotations

import http.server
import io
import json
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cdev_tui.errors import CdevError
from cdev_tui.security.deps import (
    KINDS,
    Dependency,
    DepsReport,
    OsvDatabase,
    ReadContext,
    default_db_dir,
    lockfile_kind,
    matches,
    parse_advisory,
    read_lockfile,
    read_root,
    scan_dependencies,
    update_db,
)
from cdev_tui.security.deps.advisory import advisory_severity
from cdev_tui.security.deps.archive import catalog_path
from cdev_tui.security.deps.parsed import LockfileError, Manifest
from tests.conftest import commit_files, run_git

FIXTURE_DB = Path(__file__).parent / "data" / "osv"


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


def read(kind: str, text: str, path: str | None = None, context: ReadContext | None = None):
    return read_lockfile(KINDS[kind], text.encode(), path or kind, context or ReadContext())


def pins(deps: list[Dependency] | tuple[Dependency, ...]) -> set[tuple[str, str]]:
    return {(d.name, d.version) for d in deps}


def by_name(deps, name: str) -> Dependency:
    [dep] = [d for d in deps if d.name == name]
    return dep


@pytest.fixture
def osv_dir(tmp_path: Path) -> Path:
    """The fixture database, unpacked, copied into tmp_path."""
    return Path(shutil.copytree(FIXTURE_DB, tmp_path / "osv"))


def zip_db(dest: Path, source: Path = FIXTURE_DB) -> Path:
    """osv.dev's layout: one ``<Ecosystem>/all.zip`` holding one advisory per JSON file."""
    for folder in sorted(p for p in source.iterdir() if p.is_dir()):
        (dest / folder.name).mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest / folder.name / "all.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(folder.glob("*.json")):
                archive.write(file, file.name)
    return dest


# --- requirements*.txt -------------------------------------------------------------------------------------

REQUIREMENTS = """\
# production pins
-i https://pypi.org/simple
--extra-index-url https://pypi.example.com/simple
-r requirements/base.txt
-c constraints.txt

Django==4.2.3 ; python_version >= "3.8"
requests[socks,security]==2.28.1 \\
    --hash=sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \\
    --hash=sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
urllib3>=1.26  # a range: cannot be checked
flask
numpy==1.26.*
Zope.Interface===5.5.2
-e git+https://github.com/pallets/click.git#egg=click
git+https://github.com/psf/black@main#egg=black
httpx @ https://files.example.com/httpx-0.27.0-py3-none-any.whl
./vendor/localpkg
https://files.example.com/attrs-23.1.0.tar.gz
"""


def test_requirements_pins_with_hashes_markers_extras_and_includes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "requirements.txt": REQUIREMENTS,
            "requirements/base.txt": "PyYAML==5.3.1\nsix==1.16.0    # via -r requirements.in\n",
        },
    )
    deps, unpinned, problems, files_read = read_root(tmp_path)
    assert problems == []
    assert pins(deps) == {
        ("django", "4.2.3"),
        ("requests", "2.28.1"),
        ("zope-interface", "5.5.2"),
        ("pyyaml", "5.3.1"),
        ("six", "1.16.0"),
    }
    assert unpinned == 3  # urllib3>=1.26, flask, numpy==1.26.*
    assert files_read == 2  # the include is also a requirements file of its own: read once
    assert by_name(deps, "django").line == 7
    assert by_name(deps, "requests").line == 8
    assert by_name(deps, "pyyaml").path == "requirements/base.txt"
    assert by_name(deps, "pyyaml").line == 1
    assert all(d.ecosystem == "PyPI" and d.direct for d in deps)


def test_requirements_include_found_only_through_r(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "requirements-dev.txt": "--requirement=ci/pins.in\npytest==8.0.0\n",
            "ci/pins.in": "-r ../requirements-dev.txt\ncoverage==7.4.0\n",  # a loop back: read once
        },
    )
    deps, _, problems, _ = read_root(tmp_path)
    assert problems == []
    assert pins(deps) == {("pytest", "8.0.0"), ("coverage", "7.4.0")}
    assert by_name(deps, "coverage").path == "ci/pins.in"


def test_requirements_missing_include_and_bad_line_are_problems_the_rest_is_read(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "-r missing.txt\n-r ../../outside.txt\nfoo=1.0\nattrs==23.1.0\n"})
    deps, _, problems, _ = read_root(tmp_path)
    assert pins(deps) == {("attrs", "23.1.0")}
    path = (tmp_path / "requirements.txt").as_posix()
    assert (path, "line 1: included file missing.txt not found") in problems
    assert (path, "line 2: include ../../outside.txt lies outside the root: not read") in problems
    assert (path, "line 3: not a requirement: 'foo=1.0'") in problems


def test_pip_compile_via_notes_tell_transitive_pins() -> None:
    text = """\
#
# This file is autogenerated by pip-compile with Python 3.11
#
certifi==2024.2.2
    # via requests
charset-normalizer==3.3.2
    # via
    #   requests
    #   httpx
requests==2.31.0
    # via
    #   -r requirements.in
    #   my-sdk
my-project-helper==1.0.0
    # via my-project (pyproject.toml)
"""
    parsed = read_lockfile(
        lockfile_kind("requirements.txt"), text.encode(), "requirements.txt", ReadContext()
    )
    direct = {d.name: d.direct for d in parsed.dependencies}
    assert direct == {
        "certifi": False,
        "charset-normalizer": False,
        "requests": True,
        "my-project-helper": True,
    }


# --- poetry.lock, uv.lock, Pipfile.lock, pyproject.toml ----------------------------------------------------

POETRY_PYPROJECT = """\
[tool.poetry]
name = "shop"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.11"
Django = "4.2.3"
requests = {version = "^2.28", extras = ["socks"]}
mylib = {path = "../mylib", develop = true}

[tool.poetry.group.dev.dependencies]
pytest = "==8.0.0"
"""

POETRY_LOCK = """\
# This file is automatically @generated by Poetry 1.8.2 and should not be changed by hand.

[[package]]
name = "asgiref"
version = "3.7.2"
description = "ASGI specs, helper code, and adapters"
optional = false
python-versions = ">=3.7"
files = [
    {file = "asgiref-3.7.2-py3-none-any.whl", hash = "sha256:89b2ef2247e3b562a16eef663bc0e2e703ec6468e2fa8a5cd61cd449786d4f6e"},
]

[[package]]
name = "Django"
version = "4.2.3"
description = "A high-level Python web framework"
optional = false
python-versions = ">=3.8"
files = []

[package.dependencies]
asgiref = ">=3.6.0,<4"

[[package]]
name = "mylib"
version = "0.3.0"
description = ""
optional = false
python-versions = "*"
files = []
develop = true

[package.source]
type = "directory"
url = "../mylib"

[[package]]
name = "requests"
version = "2.28.1"
description = "Python HTTP for Humans."
optional = false
python-versions = ">=3.7, <4"
files = []

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "0123456789abcdef"
"""


def test_poetry_lock_with_direct_deps_from_pyproject(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": POETRY_PYPROJECT, "poetry.lock": POETRY_LOCK})
    deps, unpinned, problems, _ = read_root(tmp_path)
    assert problems == []
    lock = [d for d in deps if d.path == "poetry.lock"]
    assert pins(lock) == {("asgiref", "3.7.2"), ("django", "4.2.3"), ("requests", "2.28.1")}
    assert {d.name for d in lock if d.direct} == {"django", "requests"}
    assert POETRY_LOCK.splitlines()[by_name(lock, "django").line - 1] == 'name = "Django"'
    # The pyproject's exact pins are dependencies too; its ranges are not "unpinned" beside a lock file.
    assert pins(d for d in deps if d.path == "pyproject.toml") == {("django", "4.2.3"), ("pytest", "8.0.0")}
    assert unpinned == 0


UV_LOCK = """\
version = 1
requires-python = ">=3.11"

[[package]]
name = "anyio"
version = "4.4.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "idna" },
    { name = "sniffio" },
]
sdist = { url = "https://files.pythonhosted.org/packages/anyio-4.4.0.tar.gz", hash = "sha256:5aadc6a1bbb7cdb0bede386cac5e2940f5e2ff3aa20277e991cf028e0585ce94", size = 163930 }

[[package]]
name = "idna"
version = "3.7"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "shop"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "anyio" },
]

[package.optional-dependencies]
yaml = [
    { name = "pyyaml" },
]

[package.dev-dependencies]
dev = [
    { name = "pytest" },
]

[[package]]
name = "PyYAML"
version = "5.3.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "sniffio"
version = "1.3.1"
source = { git = "https://github.com/python-trio/sniffio?rev=v1.3.1#abc" }
"""


def test_uv_lock_skips_the_project_and_marks_its_deps_direct() -> None:
    deps = read("uv.lock", UV_LOCK).dependencies
    assert pins(deps) == {("anyio", "4.4.0"), ("idna", "3.7"), ("pyyaml", "5.3.1"), ("sniffio", "1.3.1")}
    assert {d.name for d in deps if d.direct} == {"anyio", "pyyaml"}
    lines = UV_LOCK.splitlines()
    assert lines[by_name(deps, "anyio").line - 1] == 'name = "anyio"'
    assert lines[by_name(deps, "pyyaml").line - 1] == 'name = "PyYAML"'


PIPFILE = """\
[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
requests = "*"
flask = {version = "==0.12.2"}

[dev-packages]
pytest = "*"
"""

PIPFILE_LOCK = {
    "_meta": {
        "hash": {"sha256": "0" * 64},
        "pipfile-spec": 6,
        "requires": {"python_version": "3.11"},
        "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}],
    },
    "default": {
        "certifi": {
            "hashes": ["sha256:" + "1" * 64],
            "markers": "python_version >= '3.6'",
            "version": "==2024.2.2",
        },
        "flask": {"hashes": [], "index": "pypi", "version": "==0.12.2"},
        "mytool": {"editable": True, "git": "https://github.com/example/mytool.git", "ref": "abc123"},
        "requests": {"hashes": [], "index": "pypi", "version": "==2.28.1"},
    },
    "develop": {"pytest": {"hashes": [], "index": "pypi", "version": "==8.0.0"}},
}


def test_pipfile_lock_default_and_develop_with_direct_from_pipfile(tmp_path: Path) -> None:
    write(tmp_path, {"Pipfile": PIPFILE, "Pipfile.lock": json.dumps(PIPFILE_LOCK, indent=4) + "\n"})
    deps, _, problems, _ = read_root(tmp_path)
    assert problems == []
    assert pins(deps) == {
        ("certifi", "2024.2.2"),
        ("flask", "0.12.2"),
        ("requests", "2.28.1"),
        ("pytest", "8.0.0"),
    }
    assert {d.name for d in deps if d.direct} == {"flask", "requests", "pytest"}
    lines = (tmp_path / "Pipfile.lock").read_text().splitlines()
    assert lines[by_name(deps, "pytest").line - 1].strip() == '"pytest": {'
    assert lines[by_name(deps, "pytest").line - 2].strip() == '"develop": {'
    assert lines[by_name(deps, "flask").line - 1].strip() == '"flask": {'


PEP621 = """\
[build-system]
requires = ["setuptools>=68"]

[project]
name = "shop"
version = "1.0.0"
dependencies = [
    "requests==2.28.1",
    'PyYAML>=5.1',
    "aiohttp[speedups]==3.8.0; python_version >= '3.8'",
    "mylib @ file:///srv/mylib",
]

[project.optional-dependencies]
templates = ["Jinja2==2.10"]

[dependency-groups]
test = ["pytest==8.0.0", {include-group = "lint"}]
lint = ["ruff>=0.5"]
"""


def test_pyproject_pins_and_unpinned_count(tmp_path: Path) -> None:
    parsed = read("pyproject.toml", PEP621)
    assert pins(parsed.dependencies) == {
        ("requests", "2.28.1"),
        ("aiohttp", "3.8.0"),
        ("jinja2", "2.10"),
        ("pytest", "8.0.0"),
    }
    assert by_name(parsed.dependencies, "aiohttp").line == 10
    assert by_name(parsed.dependencies, "jinja2").line == 15
    assert parsed.unpinned == 2  # PyYAML>=5.1, ruff>=0.5
    assert read("pyproject.toml", PEP621, context=ReadContext(locked=True)).unpinned == 0


# --- package-lock.json -------------------------------------------------------------------------------------

PACKAGE_JSON = {
    "name": "web",
    "version": "1.0.0",
    "dependencies": {"lodash": "^4.17.20", "@babel/traverse": "^7.22.0", "colors": "npm:evil-colors@1.4.2"},
    "devDependencies": {"minimist": "1.2.5"},
}

PACKAGE_LOCK_V1 = {
    "name": "web",
    "version": "1.0.0",
    "lockfileVersion": 1,
    "requires": True,
    "dependencies": {
        "@babel/traverse": {
            "version": "7.22.0",
            "resolved": "https://registry.npmjs.org/@babel/traverse/-/traverse-7.22.0.tgz",
            "integrity": "sha512-AAAA",
            "requires": {"debug": "^4.1.0"},
            "dependencies": {
                "debug": {"version": "4.3.4", "requires": {"ms": "2.1.2"}},
                "ms": {"version": "2.1.2"},
            },
        },
        "colors": {"version": "npm:evil-colors@1.4.2"},
        "debug": {
            "version": "2.6.9",
            "requires": {"ms": "2.0.0"},
            "dependencies": {"ms": {"version": "0.7.1"}},
        },
        "local-thing": {"version": "file:../local-thing"},
        "lodash": {
            "version": "4.17.20",
            "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz",
        },
        "minimist": {"version": "1.2.5", "dev": True},
        "ms": {"version": "2.0.0"},
    },
}


def test_package_lock_v1_tree_nested_scoped_and_aliased(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "package.json": json.dumps(PACKAGE_JSON, indent=2),
            "package-lock.json": json.dumps(PACKAGE_LOCK_V1, indent=2),
        },
    )
    deps, _, problems, _ = read_root(tmp_path)
    assert problems == []
    assert sorted((d.name, d.version) for d in deps) == [
        ("@babel/traverse", "7.22.0"),
        ("debug", "2.6.9"),
        ("debug", "4.3.4"),
        ("evil-colors", "1.4.2"),
        ("lodash", "4.17.20"),
        ("minimist", "1.2.5"),
        ("ms", "0.7.1"),
        ("ms", "2.0.0"),
        ("ms", "2.1.2"),
    ]
    assert {(d.name, d.version) for d in deps if d.direct} == {
        ("@babel/traverse", "7.22.0"),
        ("evil-colors", "1.4.2"),
        ("lodash", "4.17.20"),
        ("minimist", "1.2.5"),
    }
    lines = {(d.name, d.version): d.line for d in deps}
    text = (tmp_path / "package-lock.json").read_text().splitlines()
    assert text[lines[("ms", "0.7.1")] - 1].strip() == '"ms": {'
    assert lines[("ms", "0.7.1")] > lines[("debug", "2.6.9")]  # the nested one, not the first "ms"
    assert text[lines[("@babel/traverse", "7.22.0")] - 1].strip() == '"@babel/traverse": {'


PACKAGE_LOCK_V3 = {
    "name": "web",
    "version": "1.0.0",
    "lockfileVersion": 3,
    "requires": True,
    "packages": {
        "": {
            "name": "web",
            "version": "1.0.0",
            "workspaces": ["packages/ui"],
            "dependencies": {"lodash": "^4.17.20", "colors": "npm:evil-colors@1.4.2"},
            "devDependencies": {"@babel/traverse": "^7.22.0"},
        },
        "node_modules/@babel/traverse": {"version": "7.22.0", "dev": True, "license": "MIT"},
        "node_modules/@babel/traverse/node_modules/debug": {"version": "4.3.4", "dev": True},
        "node_modules/colors": {"name": "evil-colors", "version": "1.4.2"},
        "node_modules/lodash": {
            "version": "4.17.20",
            "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz",
        },
        "node_modules/semver": {"version": "7.5.1"},
        "node_modules/ui": {"resolved": "packages/ui", "link": True},
        "node_modules/webpack/node_modules/semver": {"version": "6.1.0"},
        "packages/ui": {"name": "ui", "version": "0.1.0", "dependencies": {"semver": "^7.5.0"}},
        "packages/ui/node_modules/minimist": {"version": "1.2.5"},
    },
}


def test_package_lock_v3_packages_nested_node_modules_and_workspaces() -> None:
    text = json.dumps(PACKAGE_LOCK_V3, indent=2)
    deps = read("package-lock.json", text).dependencies
    assert sorted((d.name, d.version) for d in deps) == [
        ("@babel/traverse", "7.22.0"),
        ("debug", "4.3.4"),
        ("evil-colors", "1.4.2"),
        ("lodash", "4.17.20"),
        ("minimist", "1.2.5"),
        ("semver", "6.1.0"),
        ("semver", "7.5.1"),
    ]
    assert {(d.name, d.version) for d in deps if d.direct} == {
        ("@babel/traverse", "7.22.0"),
        ("evil-colors", "1.4.2"),
        ("lodash", "4.17.20"),
        ("semver", "7.5.1"),  # the workspace package's own dependency
    }
    lines = text.splitlines()
    for dep in deps:
        assert "node_modules/" in lines[dep.line - 1]
    assert (
        lines[by_name(deps, "debug").line - 1]
        .strip()
        .startswith('"node_modules/@babel/traverse/node_modules/debug"')
    )


# --- pnpm-lock.yaml ----------------------------------------------------------------------------------------

PNPM_V5 = """\
lockfileVersion: 5.4

specifiers:
  '@babel/traverse': ^7.22.0
  lodash: ^4.17.20
  react-dom: ^18.2.0

dependencies:
  lodash: 4.17.20
  react-dom: 18.2.0_react@18.2.0

devDependencies:
  '@babel/traverse': 7.22.0

packages:

  /@babel/traverse/7.22.0:
    resolution: {integrity: sha512-AAAA}
    engines: {node: '>=6.9.0'}
    dev: true

  /lodash/4.17.20:
    resolution: {integrity: sha512-BBBB}
    dev: false

  /minimist/1.2.5:
    resolution: {integrity: sha512-CCCC}
    dev: false

  /react-dom/18.2.0_react@18.2.0:
    resolution: {integrity: sha512-DDDD}
    peerDependencies:
      react: ^18.2.0
    dev: false
"""

PNPM_V6 = """\
lockfileVersion: '6.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

dependencies:
  lodash:
    specifier: ^4.17.20
    version: 4.17.20
  react-dom:
    specifier: ^18.2.0
    version: 18.2.0(react@18.2.0)

devDependencies:
  '@babel/traverse':
    specifier: ^7.22.0
    version: 7.22.0

packages:

  /@babel/traverse@7.22.0:
    resolution: {integrity: sha512-AAAA}
    engines: {node: '>=6.9.0'}
    dev: true

  /lodash@4.17.20:
    resolution: {integrity: sha512-BBBB}
    dev: false

  /minimist@1.2.5:
    resolution: {integrity: sha512-CCCC}
    dev: false

  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-DDDD}
    peerDependencies:
      react: ^18.2.0
    dev: false
"""

PNPM_V9 = """\
lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      lodash:
        specifier: ^4.17.20
        version: 4.17.20
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)
    devDependencies:
      '@babel/traverse':
        specifier: ^7.22.0
        version: 7.22.0

  packages/ui:
    dependencies:
      minimist:
        specifier: 1.2.5
        version: 1.2.5

packages:

  '@babel/traverse@7.22.0':
    resolution: {integrity: sha512-AAAA}
    engines: {node: '>=6.9.0'}

  lodash@4.17.20:
    resolution: {integrity: sha512-BBBB}

  minimist@1.2.5:
    resolution: {integrity: sha512-CCCC}

  react-dom@18.2.0:
    resolution: {integrity: sha512-DDDD}
    peerDependencies:
      react: ^18.2.0

  tarball-pkg@https://codeload.github.com/example/tarball-pkg/tar.gz/abc123:
    resolution: {tarball: https://codeload.github.com/example/tarball-pkg/tar.gz/abc123}
    name: tarball-pkg
    version: 2.0.1

snapshots:

  '@babel/traverse@7.22.0': {}

  lodash@4.17.20: {}
"""


@pytest.mark.parametrize("text", [PNPM_V5, PNPM_V6, PNPM_V9], ids=["v5", "v6", "v9"])
def test_pnpm_lock_keys_of_each_version(text: str) -> None:
    deps = read("pnpm-lock.yaml", text).dependencies
    expected = {
        ("@babel/traverse", "7.22.0"),
        ("lodash", "4.17.20"),
        ("minimist", "1.2.5"),
        ("react-dom", "18.2.0"),
    }
    if text is PNPM_V9:
        expected.add(("tarball-pkg", "2.0.1"))
    assert pins(deps) == expected
    direct = {d.name for d in deps if d.direct}
    assert {"@babel/traverse", "lodash", "react-dom"} <= direct
    assert ("minimist" in direct) == (text is PNPM_V9)  # only v9 lists it, under the packages/ui importer
    lines = text.splitlines()
    for dep in deps:
        assert dep.name in lines[dep.line - 1], dep


# --- yarn.lock ---------------------------------------------------------------------------------------------

YARN_V1 = """\
# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/traverse@^7.22.0", "@babel/traverse@^7.4.5":
  version "7.22.0"
  resolved "https://registry.yarnpkg.com/@babel/traverse/-/traverse-7.22.0.tgz#abc"
  integrity sha512-AAAA
  dependencies:
    "@babel/code-frame" "^7.21.4"
    debug "^4.1.0"

colors@npm:evil-colors@1.4.2:
  version "1.4.2"
  resolved "https://registry.yarnpkg.com/evil-colors/-/evil-colors-1.4.2.tgz#def"

lodash@^4.17.20, lodash@~4.17.0:
  version "4.17.20"
  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.20.tgz#123"
  integrity sha512-BBBB

minimist@1.2.5:
  version "1.2.5"
  resolved "https://registry.yarnpkg.com/minimist/-/minimist-1.2.5.tgz#456"

minimist@^1.2.6:
  version "1.2.8"
  resolved "https://registry.yarnpkg.com/minimist/-/minimist-1.2.8.tgz#789"

"mytool@git+https://github.com/example/mytool.git#v1":
  version "1.0.0"
  resolved "git+https://github.com/example/mytool.git#abc"
"""

YARN_BERRY = """\
# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

"@babel/traverse@npm:^7.22.0, @babel/traverse@npm:^7.4.5":
  version: 7.22.0
  resolution: "@babel/traverse@npm:7.22.0"
  dependencies:
    "@babel/code-frame": "npm:^7.21.4"
    debug: "npm:^4.1.0"
  checksum: 10c0/aaaa
  languageName: node
  linkType: hard

"colors@npm:evil-colors@1.4.2":
  version: 1.4.2
  resolution: "evil-colors@npm:1.4.2"
  checksum: 10c0/bbbb
  languageName: node
  linkType: hard

"lodash@npm:^4.17.20":
  version: 4.17.20
  resolution: "lodash@npm:4.17.20"
  checksum: 10c0/cccc
  languageName: node
  linkType: hard

"resolve@patch:resolve@npm%3A^1.22.1#optional!builtin<compat/resolve>":
  version: 1.22.8
  resolution: "resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8&hash=c3c19d"
  languageName: node
  linkType: hard

"web@workspace:.":
  version: 0.0.0-use.local
  resolution: "web@workspace:."
  dependencies:
    lodash: "npm:^4.17.20"
  languageName: unknown
  linkType: soft
"""


def test_yarn_classic_multi_specifier_headers_scoped_alias_and_direct() -> None:
    manifest = Manifest(
        frozenset({"@babel/traverse", "lodash", "minimist", "colors"}),
        frozenset(
            {"@babel/traverse@^7.22.0", "lodash@^4.17.20", "minimist@1.2.5", "colors@npm:evil-colors@1.4.2"}
        ),
    )
    deps = read("yarn.lock", YARN_V1, context=ReadContext(manifest=manifest)).dependencies
    assert sorted((d.name, d.version, d.line, d.direct) for d in deps) == [
        ("@babel/traverse", "7.22.0", 5, True),
        ("evil-colors", "1.4.2", 13, True),
        ("lodash", "4.17.20", 17, True),
        ("minimist", "1.2.5", 22, True),
        ("minimist", "1.2.8", 26, False),  # a transitive copy of a direct package
    ]


def test_yarn_berry_skips_workspace_and_patch_entries(tmp_path: Path) -> None:
    write(tmp_path, {"package.json": json.dumps(PACKAGE_JSON), "yarn.lock": YARN_BERRY})
    deps, _, problems, _ = read_root(tmp_path)
    assert problems == []
    assert sorted((d.name, d.version, d.line, d.direct) for d in deps) == [
        ("@babel/traverse", "7.22.0", 8, True),
        ("evil-colors", "1.4.2", 18, True),
        ("lodash", "4.17.20", 25, True),
    ]


def test_yarn_malformed() -> None:
    with pytest.raises(LockfileError, match="line 1: indented line before any entry"):
        read("yarn.lock", '  version "1.0.0"\n')
    with pytest.raises(LockfileError, match="entry 'lodash@\\^4' has no version"):
        read("yarn.lock", 'lodash@^4:\n  resolved "https://x"\n')


# --- discovery: git work trees, worktrees, walks, broken files ----------------------------------------------


def test_discovery_in_git_follows_git_ls_files(repo: Path) -> None:
    commit_files(
        repo,
        {
            ".gitignore": "node_modules/\nbuild/\n",
            "requirements.txt": "requests==2.28.1\n",
            "web/package.json": json.dumps(PACKAGE_JSON),
            "web/package-lock.json": json.dumps(PACKAGE_LOCK_V3, indent=2),
            "vendor/node_modules/leftpad/package-lock.json": json.dumps(
                PACKAGE_LOCK_V3
            ),  # tracked, still skipped
        },
        "deps",
    )
    write(
        repo,
        {
            "services/api/uv.lock": UV_LOCK,  # untracked, not ignored: read
            "build/requirements.txt": "django==1.0\n",  # ignored: not read
            "web/node_modules/lodash/package-lock.json": "{}",  # ignored and under node_modules
        },
    )
    deps, _, problems, files_read = read_root(repo, "main")
    assert problems == []
    assert {d.path for d in deps} == {"requirements.txt", "web/package-lock.json", "services/api/uv.lock"}
    assert files_read == 3
    assert all(d.root_label == "main" for d in deps)


def test_walk_outside_git_skips_node_modules(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/requirements-prod.txt": "flask==0.12.2\n",
            "app/node_modules/x/yarn.lock": YARN_V1,
            ".venv/lib/requirements.txt": "django==1.0\n",
        },
    )
    deps, _, _, _ = read_root(tmp_path)
    assert pins(deps) == {("flask", "0.12.2")}
    assert lockfile_kind("app/node_modules/x/yarn.lock") is None
    assert lockfile_kind("requirements/dev.txt") is not None
    assert lockfile_kind("docs/notes.txt") is None


def test_worktrees_share_lock_file_contents(repo: Path, tmp_path: Path, osv_dir: Path) -> None:
    commit_files(
        repo,
        {
            "requirements.txt": "requests==2.28.1\nPyYAML==5.3.1\n",
            "web/package-lock.json": json.dumps(PACKAGE_LOCK_V3),
        },
        "deps",
    )
    worktrees = []
    for name in ("agent-1", "agent-2"):
        wt = tmp_path / "wt" / name
        run_git(repo, "worktree", "add", "-q", "-b", name, str(wt))
        worktrees.append((name, wt))
    write(worktrees[1][1], {"requirements.txt": "requests==2.31.0\nPyYAML==5.3.1\n"})  # agent-2 upgraded
    report = scan_dependencies([("main", repo), *worktrees], osv_dir)
    assert report.files_read == 3  # one package-lock content, two requirements contents
    per_root = {
        label: {(d.name, d.version) for d in report.dependencies if d.root_label == label}
        for label in report.roots
    }
    assert ("requests", "2.28.1") in per_root["agent-1"]
    assert ("requests", "2.31.0") in per_root["agent-2"]
    vulnerable_requests = {
        v.dependency.root_label for v in report.vulnerable if v.dependency.name == "requests"
    }
    assert vulnerable_requests == {"main", "agent-1"}


MALFORMED = {
    "package-lock.json": '{"lockfileVersion": 3, "packages": {',
    "poetry.lock": "[[package]]\nname = 'x'\nversion = \n",
    "Pipfile.lock": "[]",
    "uv.lock": "version = 1\n[[package]\n",
    "pnpm-lock.yaml": "lockfileVersion: '9.0'\npackages:\n  foo@1.0.0: [unclosed\n",
    "yarn.lock": 'lodash@^4.17.20\n  version "4.17.20"\n',
    "pyproject.toml": "[project\nname = 'x'\n",
    "sub/requirements.txt": b"requests==2.28.1\n\xff\xfe\n",
}


def test_malformed_lock_files_are_problems_naming_the_file_the_others_are_read(
    tmp_path: Path, osv_dir: Path
) -> None:
    for rel, content in MALFORMED.items():
        target = tmp_path / "proj" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
    write(tmp_path / "proj", {"web/yarn.lock": YARN_V1, "api/requirements.txt": "PyYAML==5.3.1\n"})
    report = scan_dependencies([("proj", tmp_path / "proj")], osv_dir)
    reasons = dict(report.problems)
    base = (tmp_path / "proj").as_posix()
    assert set(reasons) == {f"{base}/{rel}" for rel in MALFORMED}
    assert reasons[f"{base}/package-lock.json"].startswith("invalid JSON: ")
    assert reasons[f"{base}/poetry.lock"].startswith("invalid TOML: ")
    assert reasons[f"{base}/Pipfile.lock"] == "invalid JSON: the top level is not an object"
    assert reasons[f"{base}/pnpm-lock.yaml"].startswith("invalid YAML: ")
    assert reasons[f"{base}/yarn.lock"] == "line 1: not a yarn.lock entry header: 'lodash@^4.17.20'"
    assert reasons[f"{base}/sub/requirements.txt"] == "not UTF-8 text (byte 17)"
    assert reasons[f"{base}/pnpm-lock.yaml"].endswith("(line 4, column 1)")  # the unclosed list meets the end
    assert all("\n" not in reason for reason in reasons.values())
    assert len(report.problems) == len(reasons)  # pyproject.toml is also poetry.lock's manifest: said once
    assert {d.path for d in report.dependencies} == {"web/yarn.lock", "api/requirements.txt"}
    assert {v.advisory_id for v in report.vulnerable} >= {"PYSEC-2021-142", "GHSA-35jh-r3h4-6jhm"}


def test_missing_root_is_a_problem(tmp_path: Path, osv_dir: Path) -> None:
    report = scan_dependencies([("gone", tmp_path / "nope")], osv_dir)
    assert report.problems == [((tmp_path / "nope").as_posix(), "root gone: no such directory")]


# --- OSV matching ------------------------------------------------------------------------------------------

CASES = [
    # (ecosystem, name, version, advisory id or None, fixed)
    ("PyPI", "requests", "2.28.1", "GHSA-j8r2-6x86-q33q", "2.31.0"),
    ("PyPI", "requests", "2.31.0", None, None),  # the fixed version itself
    ("PyPI", "requests", "2.2.1", None, None),  # before introduced
    ("PyPI", "Django", "4.2.3", "GHSA-7h5p-mmpp-hgmm", "4.2.8"),
    ("PyPI", "django", "5.0", "GHSA-7h5p-mmpp-hgmm", "5.0.1"),  # second range: its own fix
    ("PyPI", "django", "4.2.10", None, None),
    ("PyPI", "pyyaml", "5.3.1", "PYSEC-2021-142", None),  # last_affected: included
    ("PyPI", "PyYAML", "5.3.2", None, None),  # just past last_affected
    ("PyPI", "pyyaml", "3.10", "PYSEC-2021-142", None),  # introduced "0"
    ("PyPI", "urllib3", "1.24.0", None, None),  # withdrawn
    ("PyPI", "Jinja2", "2.10.0", "PYSEC-2019-217", None),  # explicit versions list, PEP 440 equality
    ("PyPI", "jinja2", "2.11", None, None),
    ("PyPI", "flask", "0.12.2", "GHSA-562c-5r94-xh97", None),  # below limit
    ("PyPI", "flask", "1.0", None, None),  # at limit
    ("npm", "lodash", "4.17.20", "GHSA-35jh-r3h4-6jhm", "4.17.21"),
    ("npm", "lodash", "4.17.21", None, None),
    ("npm", "@babel/traverse", "7.22.0", "GHSA-67hx-6x53-jw92", "7.23.2"),
    ("npm", "@babel/traverse", "8.0.0-alpha.3", "GHSA-67hx-6x53-jw92", "8.0.0-alpha.4"),
    ("npm", "@babel/traverse", "8.0.0-alpha.4", None, None),
    ("npm", "minimist", "1.2.5", "GHSA-xvch-5gv4-984h", None),  # last_affected boundary
    ("npm", "minimist", "1.2.6", None, None),
    ("npm", "semver", "6.1.0", "GHSA-c2qf-rxjj-qqgw", "6.3.1"),  # lowest fix above, not 5.7.2
    ("npm", "semver", "7.5.1", "GHSA-c2qf-rxjj-qqgw", "7.5.2"),
    ("npm", "semver", "5.7.2", None, None),
    ("npm", "ms", "0.7.1", "GHSA-w9mr-4mfr-499f", "2.0.0"),  # ECOSYSTEM range on npm
    ("npm", "debug", "2.0.0", None, None),  # withdrawn
    ("npm", "evil-colors", "1.4.2", "MAL-2024-0001", None),  # explicit versions
    ("npm", "evil-colors", "1.4.3", None, None),
    ("npm", "node-fetch", "3.0.5", "GHSA-vh95-rmgr-6w4m", None),  # below limit
    ("npm", "node-fetch", "3.1.0", None, None),  # at limit
]


@pytest.fixture(scope="module")
def fixture_db() -> OsvDatabase:
    return OsvDatabase(FIXTURE_DB)


@pytest.mark.parametrize(("ecosystem", "name", "version", "advisory", "fixed"), CASES)
def test_osv_range_evaluation(
    fixture_db: OsvDatabase, ecosystem: str, name: str, version: str, advisory: str | None, fixed: str | None
) -> None:
    found = matches(fixture_db.advisories(ecosystem, name), ecosystem, name, version)
    assert [(m.advisory.id, m.fixed) for m in found] == ([(advisory, fixed)] if advisory else [])


def test_aliases_merge_pysec_into_ghsa_and_severity(fixture_db: OsvDatabase) -> None:
    assert {a.id for a in fixture_db.advisories("PyPI", "requests")} == {
        "GHSA-j8r2-6x86-q33q",
        "PYSEC-2023-74",
    }
    [match] = matches(fixture_db.advisories("PyPI", "requests"), "PyPI", "requests", "2.30.0")
    assert match.advisory.id == "GHSA-j8r2-6x86-q33q"
    assert match.advisory.aliases == ("CVE-2023-32681", "PYSEC-2023-74")
    assert match.advisory.severity == "medium"  # GHSA's MODERATE
    assert fixture_db.problems == []


def test_severity_from_database_then_cvss_then_unknown() -> None:
    base = {"id": "X-1", "affected": []}
    v3 = {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
    v3_low = {"type": "CVSS_V3", "score": "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"}
    v4 = {"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N"}
    assert (
        advisory_severity({**base, "database_specific": {"severity": "MODERATE"}, "severity": [v3]})
        == "medium"
    )
    assert advisory_severity({**base, "severity": [v3_low, v3]}) == "critical"
    assert advisory_severity({**base, "severity": [v3_low]}) == "low"
    assert advisory_severity({**base, "severity": [v4]}) == "high"
    assert (
        advisory_severity({**base, "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/garbage"}]})
        == "unknown"
    )
    assert advisory_severity(base) == "unknown"
    assert parse_advisory({**base, "summary": "", "details": "First line.\nMore."}).summary == "First line."


# --- the database: layouts, corruption, absence -------------------------------------------------------------


def project(tmp_path: Path) -> Path:
    return write(
        tmp_path / "project",
        {
            "requirements.txt": "requests==2.28.1\nPyYAML==5.3.1\nJinja2==2.10\naiohttp==3.8.0\nurllib3==1.24.0\n",
            "web/package.json": json.dumps(PACKAGE_JSON),
            "web/package-lock.json": json.dumps(PACKAGE_LOCK_V3, indent=2),
        },
    )


def summary(report: DepsReport) -> list[tuple]:
    return [
        (v.dependency.name, v.dependency.version, v.advisory_id, v.severity, v.fixed)
        for v in report.vulnerable
    ]


EXPECTED = [
    ("@babel/traverse", "7.22.0", "GHSA-67hx-6x53-jw92", "critical", "7.23.2"),
    ("evil-colors", "1.4.2", "MAL-2024-0001", "critical", None),
    ("pyyaml", "5.3.1", "PYSEC-2021-142", "critical", None),
    ("aiohttp", "3.8.0", "GHSA-8qpw-xqxj-h4r2", "high", "3.9.4"),
    ("lodash", "4.17.20", "GHSA-35jh-r3h4-6jhm", "high", "4.17.21"),
    ("minimist", "1.2.5", "GHSA-xvch-5gv4-984h", "critical", None),
    ("requests", "2.28.1", "GHSA-j8r2-6x86-q33q", "medium", "2.31.0"),
    ("semver", "6.1.0", "GHSA-c2qf-rxjj-qqgw", "medium", "6.3.1"),
    ("semver", "7.5.1", "GHSA-c2qf-rxjj-qqgw", "medium", "7.5.2"),
    ("jinja2", "2.10", "PYSEC-2019-217", "unknown", None),
]


def test_scan_with_unpacked_database(tmp_path: Path, osv_dir: Path) -> None:
    report = scan_dependencies([("project", project(tmp_path))], osv_dir)
    assert report.db_present and report.problems == [] and report.notices == []
    assert sorted(summary(report)) == sorted(EXPECTED)
    ranks = [("critical", "high", "medium", "low", "unknown").index(v.severity) for v in report.vulnerable]
    assert ranks == sorted(ranks)  # worst first
    lodash = next(v for v in report.vulnerable if v.dependency.name == "lodash")
    assert lodash.url == "https://osv.dev/vulnerability/GHSA-35jh-r3h4-6jhm"
    assert lodash.aliases == ("CVE-2021-23337",)
    assert lodash.summary == "Command Injection in lodash"
    assert lodash.dependency.path == "web/package-lock.json" and lodash.dependency.direct


def test_scan_with_zip_database_and_its_catalogue(tmp_path: Path) -> None:
    db = zip_db(tmp_path / "osv")
    root = project(tmp_path)
    first = scan_dependencies([("project", root)], db)
    assert sorted(summary(first)) == sorted(EXPECTED)
    assert first.problems == []
    assert catalog_path(db / "npm" / "all.zip").is_file()  # kept for the next run
    second = scan_dependencies([("project", root)], db)  # from the catalogue: same answer
    assert summary(second) == summary(first)
    catalog_path(db / "npm" / "all.zip").write_text('{"format": 2, "stamp": "garbage"')  # damaged: rebuilt
    assert summary(scan_dependencies([("project", root)], db)) == summary(first)


def test_lazy_loading_reads_only_needed_ecosystems(tmp_path: Path) -> None:
    db = zip_db(tmp_path / "osv")
    (db / "npm" / "all.zip").write_bytes(b"this is not a zip")
    root = write(tmp_path / "py", {"requirements.txt": "requests==2.28.1\n"})
    report = scan_dependencies([("py", root)], db)
    assert report.problems == []  # the broken npm export was never opened
    assert [v.advisory_id for v in report.vulnerable] == ["GHSA-j8r2-6x86-q33q"]


def test_corrupt_zip_is_a_problem_and_the_other_ecosystem_still_matches(tmp_path: Path) -> None:
    db = zip_db(tmp_path / "osv")
    (db / "npm" / "all.zip").write_bytes(b"PK\x03\x04 truncated garbage")
    report = scan_dependencies([("project", project(tmp_path))], db)
    zip_path = (db / "npm" / "all.zip").as_posix()
    assert [p for p, _ in report.problems] == [zip_path]
    assert report.problems[0][1].startswith("not a readable zip archive: ")
    assert {v.dependency.ecosystem for v in report.vulnerable} == {"PyPI"}


def test_corrupt_zip_member_is_a_problem_naming_zip_and_member(tmp_path: Path) -> None:
    db = zip_db(tmp_path / "osv")
    zip_path = db / "npm" / "all.zip"
    data = bytearray(zip_path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("GHSA-35jh-r3h4-6jhm.json")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 5 : start + 25] = b"\x00" * 20  # damage the deflated lodash advisory
    zip_path.write_bytes(bytes(data))
    report = scan_dependencies([("project", project(tmp_path))], db)
    [(path, reason)] = report.problems
    assert path == zip_path.as_posix()
    assert reason.startswith("GHSA-35jh-r3h4-6jhm.json: unreadable: ")
    assert "lodash" not in {v.dependency.name for v in report.vulnerable}
    assert "minimist" in {v.dependency.name for v in report.vulnerable}


def test_corrupt_and_unknown_json_files_are_problems(tmp_path: Path, osv_dir: Path) -> None:
    (osv_dir / "npm" / "GHSA-zzzz-trun-cate.json").write_text(
        '{"id": "GHSA-zzzz-trun-cate", "affected": [{"package": {"ecosystem": "npm", "name": "lodash"'
    )
    (osv_dir / "npm" / "notes.json").write_text("not json at all")
    future = json.loads((osv_dir / "npm" / "GHSA-35jh-r3h4-6jhm.json").read_text())
    (osv_dir / "npm" / "FUTURE-1.json").write_text(
        json.dumps({**future, "id": "FUTURE-1", "schema_version": "2.0.0"})
    )
    broken = {
        **future,
        "id": "BROKEN-1",
        "affected": [{"package": {"ecosystem": "npm", "name": "lodash"}, "ranges": "x"}],
    }
    (osv_dir / "npm" / "BROKEN-1.json").write_text(json.dumps(broken))
    report = scan_dependencies([("project", project(tmp_path))], osv_dir)
    reasons = {Path(p).name: r for p, r in report.problems}
    assert set(reasons) == {"GHSA-zzzz-trun-cate.json", "notes.json", "FUTURE-1.json", "BROKEN-1.json"}
    assert reasons["GHSA-zzzz-trun-cate.json"].startswith("invalid JSON: ")
    assert reasons["notes.json"].startswith("invalid JSON: ")
    assert reasons["FUTURE-1.json"] == "unsupported OSV schema_version 2.0.0"
    assert reasons["BROKEN-1.json"] == "not an OSV advisory: affected[].ranges[] needs a type and events"
    assert sorted(summary(report)) == sorted(EXPECTED)  # the good advisories still match


def test_missing_database_is_a_notice(tmp_path: Path) -> None:
    root = project(tmp_path)
    report = scan_dependencies([("project", root)], tmp_path / "no-db")
    assert not report.db_present
    assert report.vulnerable == [] and report.problems == []
    assert len(report.dependencies) > 0
    assert report.notices == [
        f"no OSV database at {(tmp_path / 'no-db').as_posix()}: dependencies were not checked (download one first)"
    ]


def test_database_without_one_ecosystem_is_a_notice(tmp_path: Path, osv_dir: Path) -> None:
    shutil.rmtree(osv_dir / "npm")
    report = scan_dependencies([("project", project(tmp_path))], osv_dir)
    assert report.notices == [
        f"no npm advisories in {osv_dir.as_posix()} (npm/all.zip or npm/*.json): npm dependencies were not checked"
    ]
    assert {v.dependency.ecosystem for v in report.vulnerable} == {"PyPI"}


def test_default_db_dir_follows_xdg_cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_db_dir() == tmp_path / "cache" / "cdev-tui" / "osv"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_db_dir() == Path.home() / ".cache" / "cdev-tui" / "osv"


# --- update_db ---------------------------------------------------------------------------------------------


def test_update_db_without_network_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "osv"
    with pytest.raises(CdevError) as caught:
        update_db(dest, ecosystems=("PyPI",), timeout=5, base_url="http://127.0.0.1:9")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("cannot download the PyPI OSV database from http://127.0.0.1:9/PyPI/all.zip: ")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on localhost serving ``tmp_path/www``."""
    www = tmp_path / "www"
    www.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(www), **kwargs)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", www
    finally:
        server.shutdown()
        server.server_close()


def test_update_db_downloads_atomically_and_catalogues(tmp_path: Path, served: tuple[str, Path]) -> None:
    url, www = served
    zip_db(www)
    dest = tmp_path / "cache" / "osv"
    progress: list[tuple[str, int]] = []
    written = update_db(dest, timeout=10, base_url=url, progress=lambda eco, n: progress.append((eco, n)))
    assert written == [dest / "PyPI" / "all.zip", dest / "npm" / "all.zip"]
    assert (dest / "npm" / "all.zip").read_bytes() == (www / "npm" / "all.zip").read_bytes()
    assert catalog_path(dest / "npm" / "all.zip").is_file()
    assert {eco for eco, _ in progress} == {"PyPI", "npm"}
    assert sorted(p.name for p in (dest / "npm").iterdir()) == [".all.zip.catalog.json", "all.zip"]

    # A bad download (not a zip, then a 404) keeps the previous database and leaves no partial file.
    before = (dest / "npm" / "all.zip").read_bytes()
    (www / "npm" / "all.zip").write_text("<html>maintenance</html>")
    with pytest.raises(CdevError, match=r"^cannot update the npm OSV database from .*: not a zip archive$"):
        update_db(dest, ecosystems=("npm",), timeout=10, base_url=url)
    (www / "npm" / "all.zip").unlink()
    with pytest.raises(CdevError, match=r"^cannot download the npm OSV database from .*: HTTP 404 .*$"):
        update_db(dest, ecosystems=("npm",), timeout=10, base_url=url)
    assert (dest / "npm" / "all.zip").read_bytes() == before
    assert sorted(p.name for p in (dest / "npm").iterdir()) == [".all.zip.catalog.json", "all.zip"]
    with pytest.raises(CdevError, match="unsupported ecosystem 'Maven'"):
        update_db(dest, ecosystems=("Maven",), base_url=url)


def test_core_import_stays_textual_free() -> None:
    code = "import sys, cdev_tui.security.deps; print(sorted({'textual', 'git', 'cvss'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"
