"""The repository index: tracked files (``git ls-files``) with language, size, symbols and resolved imports.

Given the object cache, the index of a worktree whose tracked files are as HEAD has them is kept under
HEAD's commit id and read back instead of every file the next time.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from cdev_tui.gitops import STATUS_V2, git

if TYPE_CHECKING:
    from cdev_tui.object_cache import ObjectCache

REPO_INDEX = "planner.repo-index"
"""Cache kind: ``<format>:<HEAD commit>`` of a worktree without changes to tracked files → its index."""
_INDEX_FORMAT = "1"
"""Changes whenever what the index holds or how it is worked out changes, so older entries are not used."""

_LANGUAGE = {
    ".py": "python", ".pyi": "python", ".js": "javascript", ".jsx": "javascript", ".mjs": "javascript",
    ".cjs": "javascript", ".ts": "typescript", ".tsx": "typescript", ".mts": "typescript", ".go": "go",
    ".rs": "rust", ".java": "java", ".kt": "kotlin", ".rb": "ruby", ".php": "php", ".c": "c", ".h": "c",
    ".cc": "cpp", ".cpp": "cpp", ".hpp": "cpp", ".cs": "csharp", ".swift": "swift", ".scala": "scala",
    ".sh": "shell", ".vue": "vue", ".svelte": "svelte", ".css": "css", ".scss": "css", ".html": "html",
    ".sql": "sql", ".md": "markdown", ".rst": "text", ".txt": "text", ".toml": "config", ".yaml": "config",
    ".yml": "config", ".json": "config", ".ini": "config", ".cfg": "config",
}  # fmt: skip
_SPECIAL_NAMES = {"Dockerfile": "config", "Makefile": "config"}
_NOT_CODE = frozenset({"markdown", "text", "config", "css", "html", "sql"})
_JS_EXTS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts")
_SKIP_PREFIXES = ("shared/", "workspaces/", ".linear-cache/", ".cdev/")
_LOCKFILES = frozenset(
    {"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "uv.lock", "Cargo.lock", "go.sum"}
)
_TEST_DIRS = frozenset({"tests", "test", "__tests__", "spec", "specs", "testing"})


MAX_INDEX_FILE_BYTES = 512 * 1024

_PY_SYMBOL = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)", re.M)
_PY_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w., \t]+)", re.M)
_PY_FROM = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)", re.M)
_JS_SYMBOL = re.compile(
    r"\bexport[ \t]+(?:default[ \t]+)?(?:async[ \t]+)?(?:const|let|var|function\*?|class|interface|type|enum"
    r"|abstract[ \t]+class)[ \t]+([A-Za-z_$][\w$]*)"
    r"|\bfunction\*?[ \t]+([A-Za-z_$][\w$]*)|\bclass[ \t]+([A-Za-z_$][\w$]*)"
    r"|\b(?:const|let)[ \t]+([A-Za-z_$][\w$]*)[ \t]*=[ \t]*(?:async[ \t]*)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)[ \t]*=>"
)
_JS_IMPORT = re.compile(
    r"""(?:\bimport|\bexport)\s+(?:[^'";]*?\s+from\s+)?['"]([^'"\n]+)['"]"""
    r"""|\brequire\(\s*['"]([^'"\n]+)['"]\s*\)|\bimport\(\s*['"]([^'"\n]+)['"]\s*\)"""
)
_OTHER_SYMBOL = re.compile(
    r"^[ \t]*(?:pub(?:\([^)]*\))?[ \t]+)?(?:func|fn|struct|enum|trait|type|interface|class|def|module)[ \t]+"
    r"(?:\([^)]*\)[ \t]*)?([A-Za-z_]\w*)",
    re.M,
)


@dataclass(frozen=True)
class RepoFile:
    """One tracked file as the planner sees it."""

    path: str
    language: str
    lines: int
    symbols: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()  # repository paths this file imports
    is_test: bool = False

    @property
    def is_code(self) -> bool:
        """Whether the file holds program code (not docs or configuration)."""
        return self.language not in _NOT_CODE


@dataclass(frozen=True)
class RepoIndex:
    """The repository's files (``git ls-files``) with languages, symbols and resolved imports."""

    root: Path
    files: tuple[RepoFile, ...]
    by_path: Mapping[str, RepoFile] = field(repr=False, compare=False, default_factory=dict)

    def languages(self) -> dict[str, int]:
        """Code language → number of files, most common first."""
        counts = Counter(f.language for f in self.files if f.is_code)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def is_test_path(path: str) -> bool:
    """Whether ``path`` is a test by its folder or name (``tests/``, ``test_x.py``, ``x.test.ts``...)."""
    parts = PurePosixPath(path).parts
    name = parts[-1]
    stem = name.split(".", 1)[0]
    if any(p in _TEST_DIRS for p in parts[:-1]):
        return True
    return (
        stem.startswith("test_")
        or stem.endswith("_test")
        or ".test." in name
        or ".spec." in name
        or (name.endswith((".java", ".kt", ".cs")) and stem.endswith(("Test", "Tests")))
    )


def _language_of(path: str) -> str | None:
    name = PurePosixPath(path).name
    if name in _SPECIAL_NAMES:
        return _SPECIAL_NAMES[name]
    return _LANGUAGE.get(PurePosixPath(path).suffix.lower())


def _symbols(language: str, text: str) -> tuple[str, ...]:
    if language == "python":
        found = _PY_SYMBOL.findall(text)
    elif language in ("javascript", "typescript", "vue", "svelte"):
        found = [next(g for g in m if g) for m in _JS_SYMBOL.findall(text)]
    elif language in _NOT_CODE:
        found = []
    else:
        found = _OTHER_SYMBOL.findall(text)
    return tuple(dict.fromkeys(s for s in found if not s.startswith("__")))


def _python_modules(paths: Iterable[str], package_dirs: set[str]) -> dict[str, list[str]]:
    """Dotted module name → files, for the full path and for every suffix below a non-package folder."""
    names: dict[str, list[str]] = {}
    for path in paths:
        parts = list(PurePosixPath(path).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if not parts:
            continue
        for start in range(len(parts)):
            names.setdefault(".".join(parts[start:]), []).append(path)
            folder = "/".join(parts[: start + 1])
            if folder in package_dirs:
                break  # below a real package, only the name from the top of the package is importable
    return names


def _resolve_python(path: str, text: str, modules: Mapping[str, list[str]]) -> list[str]:
    own = list(PurePosixPath(path).with_suffix("").parts)
    package = own[:-1]  # the package a module (or a package's __init__) lives in
    found: list[str] = []
    for match in _PY_IMPORT.finditer(text):
        for name in match.group(1).split(","):
            dotted = name.strip().split()[0] if name.strip() else ""
            if dotted and (hit := _lookup_module(dotted, modules)):
                found.append(hit)
    for match in _PY_FROM.finditer(text):
        source, names = match.group(1), match.group(2).strip("() \t\n")
        level = len(source) - len(source.lstrip("."))
        base = source.lstrip(".")
        if level:
            anchor = package[: len(package) - (level - 1)] if level - 1 <= len(package) else []
            base = ".".join([*anchor, *([base] if base else [])])
        members = [n.strip().split()[0] for n in names.replace("\n", " ").split(",") if n.strip()]
        # ``from pkg import mod``: the submodules when members are modules, else the module itself
        submodules = [
            hits[0]
            for m in members
            if m != "*" and len(hits := modules.get(f"{base}.{m}" if base else m, [])) == 1
        ]
        if submodules:
            found += submodules
        elif base and (hit := _lookup_module(base, modules)):
            found.append(hit)
    return [f for f in dict.fromkeys(found) if f != path]


def _lookup_module(dotted: str, modules: Mapping[str, list[str]]) -> str | None:
    """The one file a dotted name (or its longest known prefix) refers to; None when unknown or ambiguous."""
    parts = [p for p in dotted.split(".") if p]
    for n in range(len(parts), 0, -1):
        hits = modules.get(".".join(parts[:n]))
        if hits:
            return hits[0] if len(hits) == 1 else None
    return None


def _resolve_js(path: str, text: str, known: set[str]) -> list[str]:
    folder = posixpath.dirname(path)
    found: list[str] = []
    for match in _JS_IMPORT.finditer(text):
        spec = next(g for g in match.groups() if g)
        if spec.startswith("."):
            base = posixpath.normpath(posixpath.join(folder, spec))
        elif spec.startswith(("@/", "~/")):
            base = posixpath.normpath("src/" + spec[2:])
        else:
            continue
        stem, ext = posixpath.splitext(base)
        candidates = [base]
        if ext in (".js", ".jsx", ".mjs"):
            candidates += [stem + ".ts", stem + ".tsx"]
        candidates += [base + e for e in _JS_EXTS] + [f"{base}/index{e}" for e in _JS_EXTS]
        hit = next((c for c in candidates if c in known), None)
        if hit and hit != path:
            found.append(hit)
    return list(dict.fromkeys(found))


def index_repo(repo: Path, cache: ObjectCache | None = None) -> RepoIndex:
    """Index the tracked files of ``repo``: language, size, symbols (def/class/function/export) and imports.

    With ``cache``, a worktree whose tracked files are unchanged from HEAD gets the index kept for HEAD's
    commit (one ``git status``, no file read); with changes it is worked out afresh and not kept.
    """
    repo = Path(repo)
    key = _clean_head_key(repo) if cache is not None else None
    if cache is not None and key is not None:
        index = index_from_json(repo, cache.get(REPO_INDEX, key))
        if index is not None:
            return index
    index = _index(repo)
    if cache is not None and key is not None:
        cache.put(REPO_INDEX, key, index_to_json(index))
    return index


def _clean_head_key(repo: Path) -> str | None:
    """The cache key of ``repo``'s HEAD when no tracked file differs from it (staged or not), else None."""
    result = git(
        repo,
        *STATUS_V2,
        "--untracked-files=no",
        "--ignore-submodules=none",
        strip=False,
        ok_codes=tuple(range(0, 256)),
    )
    if result.code != 0:
        return None
    head = None
    for entry in result.stdout.split("\0"):
        if entry.startswith("# branch.oid "):
            head = entry[len("# branch.oid ") :]
        elif entry and not entry.startswith("# "):
            return None  # a changed, staged or conflicted tracked file
    if head is None or not re.fullmatch(r"[0-9a-f]{40}(?:[0-9a-f]{24})?", head):
        return None  # an unborn branch
    return f"{_INDEX_FORMAT}:{head}"


def index_to_json(index: RepoIndex) -> dict[str, Any]:
    """The index's files as JSON (the root is where it is read back)."""
    return {
        "files": [
            [f.path, f.language, f.lines, list(f.symbols), list(f.imports), f.is_test] for f in index.files
        ]
    }


def index_from_json(root: Path, value: Any) -> RepoIndex | None:
    """The index :func:`index_to_json` gave, rooted at ``root``; None when ``value`` is not one."""
    try:
        files = tuple(
            RepoFile(path, language, lines, tuple(symbols), tuple(imports), is_test)
            for path, language, lines, symbols, imports, is_test in value["files"]
        )
    except (KeyError, TypeError, ValueError):
        return None
    for f in files:
        texts = (f.path, f.language, *f.symbols, *f.imports)
        if (
            not all(isinstance(t, str) for t in texts)
            or type(f.lines) is not int
            or type(f.is_test) is not bool
        ):
            return None
    return RepoIndex(root, files, {f.path: f for f in files})


def _index(repo: Path) -> RepoIndex:
    listing = git(repo, "ls-files", "-z", "--cached", strip=False).stdout
    paths = sorted(
        p
        for p in dict.fromkeys(listing.split("\0"))
        if p
        and not p.startswith(_SKIP_PREFIXES)
        and PurePosixPath(p).name not in _LOCKFILES
        and _language_of(p)
    )
    texts: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for path in paths:
        full = repo / path
        try:
            if not full.is_file():
                continue
            size = full.stat().st_size
            data = full.read_bytes() if size <= MAX_INDEX_FILE_BYTES else b""
        except OSError:
            continue
        if b"\0" in data[:8192]:
            continue
        sizes[path] = size
        texts[path] = data.decode("utf-8", errors="replace")
    known = set(texts)
    package_dirs = {posixpath.dirname(p) for p in known if PurePosixPath(p).name == "__init__.py"}
    modules = _python_modules((p for p in sorted(known) if p.endswith(".py")), package_dirs)
    files = []
    for path in sorted(known):
        language = _language_of(path) or "text"
        text = texts[path]
        if path.endswith(".py"):
            imports = _resolve_python(path, text, modules)
        elif path.endswith((*_JS_EXTS, ".vue", ".svelte")):
            imports = _resolve_js(path, text, known)
        else:
            imports = []
        lines = (
            text.count("\n") + (1 if text and not text.endswith("\n") else 0) if text else sizes[path] // 40
        )
        files.append(
            RepoFile(path, language, lines, _symbols(language, text), tuple(imports), is_test_path(path))
        )
    return RepoIndex(repo, tuple(files), {f.path: f for f in files})
