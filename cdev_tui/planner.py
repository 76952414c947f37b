"""Planning: a task (Linear issue, markdown list, text) → a deployment plan with exclusive file ownership.

:func:`decompose` reads the repository's real structure (tracked files, directories, languages, symbols and
imports) and is deterministic; :func:`ai_decompose` asks an OpenAI-compatible model and keeps its answer only
when :func:`validate_plan` finds no errors. :func:`plan_to_dict` and :func:`save_plan` write cdev's §2.2
task-plan JSON (plus ``integration_order``) so that every reader of that format accepts it.
"""

from __future__ import annotations

import heapq
import json
import math
import os
import posixpath
import re
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from cdev_tui.errors import CdevError
from cdev_tui.gitops import git
from cdev_tui.plan import Plan, PlanAgent, critical_path, plan_from_dict
from cdev_tui.structured import load_structured
from cdev_tui.workspace_files import plan_file_name, write_linear_cache, write_plan_json

MAX_TASK_BYTES = 1024 * 1024
DEFAULT_LINEAR_URL = "https://api.linear.app/graphql"
VALIDATION_STEPS = (
    "Validate exclusive file ownership",
    "Run individual agent tests",
    "Integration testing",
    "Full system validation",
)

# --- task inputs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskSpec:
    """What to plan: an id, a title, the full description and the requirements found in it."""

    task_id: str
    title: str
    description: str
    requirements: list[str]
    source: str


_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,3}[.)])[ \t]+(?:\[(?P<box>[ xX])\][ \t]*)?(?P<text>\S.*)$"
)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE_LINE = re.compile(r"^\s*(```|~~~)")
_TICKET = re.compile(r"\b([A-Z][A-Z0-9]{1,9}-\d{1,7})\b")
_SAFE_TASK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_INLINE_MARKUP = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")


def _clean(text: str) -> str:
    return " ".join(_INLINE_MARKUP.sub("", text).split())


@dataclass
class _Item:
    indent: int
    text: str
    context: str
    details: list[str] = field(default_factory=list)

    def requirement(self) -> str:
        body = "; ".join([self.text, *self.details])
        return f"{self.context}: {body}" if self.context else body


def _parse_markdown(text: str) -> tuple[str | None, list[str], list[str]]:
    """(first level-1 heading, open list items with their heading context, plain paragraphs)."""
    title: str | None = None
    headings: dict[int, str] = {}
    items: list[_Item] = []
    paragraphs: list[str] = []
    current: list[str] = []
    in_fence = False
    skipping_indent: int | None = None  # inside a ticked item: its sub-items are done too
    last_was_item = False

    def flush() -> None:
        if current:
            paragraphs.append(" ".join(current))
            current.clear()

    for raw in text.splitlines():
        if _FENCE_LINE.match(raw):
            in_fence = not in_fence
            flush()
            continue
        if in_fence:
            continue
        heading = _HEADING.match(raw)
        if heading:
            flush()
            last_was_item = False
            level, words = len(heading.group(1)), _clean(heading.group(2))
            if level == 1 and title is None:
                title = words
                continue
            headings = {k: v for k, v in headings.items() if k < level}
            headings[level] = words
            continue
        item = _ITEM.match(raw)
        if item:
            flush()
            indent = len(item.group("indent").expandtabs(4))
            words = _clean(item.group("text"))
            if skipping_indent is not None and indent > skipping_indent:
                continue
            skipping_indent = None
            if item.group("box") in ("x", "X"):
                skipping_indent = indent
                last_was_item = False
                continue
            if items and last_was_item and indent > items[-1].indent:
                items[-1].details.append(words)
            else:
                context = " / ".join(headings[k] for k in sorted(headings))
                items.append(_Item(indent, words, context))
            last_was_item = True
            continue
        if not raw.strip():
            flush()
            continue
        if last_was_item and raw[:1] in (" ", "\t") and items:
            target = items[-1]
            if target.details:
                target.details[-1] += " " + _clean(raw)
            else:
                target.text += " " + _clean(raw)
            continue
        last_was_item = False
        skipping_indent = None
        current.append(_clean(raw))
    flush()
    return title, [i.requirement() for i in items if i.text], paragraphs


def _plain_requirements(text: str) -> list[str]:
    """One requirement per paragraph; a text without blank lines gives one per line."""
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    if len(blocks) == 1:
        return [_clean(line) for line in blocks[0].splitlines() if line.strip()]
    return [_clean(" ".join(b.split())) for b in blocks]


def requirements_from_text(text: str) -> list[str]:
    """Requirements of a description: its open list items (numbered or bulleted), else its paragraphs/lines."""
    _title, items, _paragraphs = _parse_markdown(text)
    if items:
        return items
    body = "\n".join(line for line in text.splitlines() if not _HEADING.match(line))
    return [r for r in _plain_requirements(body) if r]


def _slug(text: str, words: int = 5) -> str:
    parts = re.findall(r"[a-z0-9]+", text.lower())[:words]
    return "-".join(parts)[:40].strip("-") or "task"


def _task_id_for(*texts: str, fallback: str) -> str:
    for text in texts:
        match = _TICKET.search(text or "")
        if match:
            return match.group(1)
    return _slug(fallback)


def _check_task_id(task_id: str, where: str) -> str:
    if not _SAFE_TASK_ID.match(task_id) or ".." in task_id:
        raise CdevError(f"{where}: invalid task id {task_id!r}: use letters, digits, '.', '_' or '-'")
    return task_id


def _read_task_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CdevError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise CdevError(f"{path}: is a directory, expected a task file") from None
    except OSError as exc:
        raise CdevError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_TASK_BYTES:
        raise CdevError(f"{path}: too large for a task description ({len(data)} bytes)")
    if b"\0" in data[:8192]:
        raise CdevError(f"{path}: binary file, expected a markdown or text task description")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CdevError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def task_from_issue(issue: Mapping[str, Any], source: str) -> TaskSpec:
    """A task from a Linear issue object (§2.1); null description, assignee or project are fine."""
    if isinstance(issue.get("issue"), Mapping):  # a raw GraphQL ``data`` object
        issue = issue["issue"]
    identifier = str(issue.get("identifier") or issue.get("id") or "").strip()
    if not identifier:
        raise CdevError(f"{source}: the Linear issue has no identifier")
    title = _clean(str(issue.get("title") or "")) or identifier
    description = issue.get("description") or ""
    if not isinstance(description, str):
        raise CdevError(f"{source}: the issue description is not text")
    requirements = requirements_from_text(description) or [title]
    return TaskSpec(_check_task_id(identifier, source), title, description, requirements, source)


def find_linear_cache(repo: Path, issue_id: str) -> Path | None:
    """The cache file of ``issue_id`` in ``<repo>/.linear-cache`` (JSON first, then YAML; any letter case)."""
    folder = Path(repo) / ".linear-cache"
    if not folder.is_dir():
        return None
    suffixes = (".json", ".yaml", ".yml")
    for suffix in suffixes:
        if (folder / f"{issue_id}{suffix}").is_file():
            return folder / f"{issue_id}{suffix}"
    matches = [
        p for p in sorted(folder.iterdir()) if p.suffix in suffixes and p.stem.lower() == issue_id.lower()
    ]
    return min(matches, key=lambda p: suffixes.index(p.suffix)) if matches else None


def load_linear_task(repo: Path, issue_id: str) -> TaskSpec:
    """The task of a cached Linear issue (``.linear-cache/<ID>.json|yaml``)."""
    path = find_linear_cache(repo, issue_id)
    if path is None:
        raise CdevError(
            f"{Path(repo) / '.linear-cache'}: no cached issue {issue_id} (run: cdev-tui plan fetch {issue_id})"
        )
    data = load_structured(path)
    if not isinstance(data, Mapping):
        raise CdevError(f"{path}: expected a Linear issue object")
    return task_from_issue(data, str(path))


def task_from_text(text: str, *, task_id: str | None = None, source: str = "typed") -> TaskSpec:
    """A task from a typed description: its first line is the title."""
    stripped = text.strip()
    if not stripped:
        raise CdevError(f"{source}: the task description is empty")
    first = next(line for line in stripped.splitlines() if line.strip())
    heading, item = _HEADING.match(first), _ITEM.match(first)
    title = _clean(heading.group(2) if heading else item.group("text") if item else first)[:100]
    requirements = requirements_from_text(stripped)
    if not requirements:
        raise CdevError(f"{source}: no requirements found")
    tid = _check_task_id(task_id or _task_id_for(title, fallback=title), source)
    return TaskSpec(tid, title, stripped, requirements, source)


def load_task_file(path: Path, *, task_id: str | None = None) -> TaskSpec:
    """A task from a markdown task list, a plain text file or a Linear issue cache file (JSON/YAML)."""
    path = Path(path)
    if path.suffix.lower() in (".json", ".yaml", ".yml"):
        data = load_structured(path)
        if isinstance(data, Mapping) and ("identifier" in data or isinstance(data.get("issue"), Mapping)):
            task = task_from_issue(data, str(path))
            return replace(task, task_id=_check_task_id(task_id, str(path))) if task_id else task
        raise CdevError(f"{path}: neither a Linear issue nor a task plan")
    text = _read_task_file(path)
    if not text.strip():
        raise CdevError(f"{path}: the file is empty")
    stem_title = " ".join(re.split(r"[-_\s]+", path.stem)).strip() or path.stem
    if path.suffix.lower() in (".md", ".markdown", ".mdown"):
        title, items, paragraphs = _parse_markdown(text)
        requirements = items or [p for p in paragraphs if p]
        source = f"markdown:{path}"
    else:
        title, requirements, source = None, requirements_from_text(text), f"text:{path}"
    if not requirements:
        raise CdevError(f"{path}: no requirements found (expected list items, lines or paragraphs)")
    title = title or stem_title
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    tid = task_id or _task_id_for(title, first_line, fallback=path.stem)
    return TaskSpec(_check_task_id(tid, str(path)), title, text, requirements, source)


# --- Linear -------------------------------------------------------------------------------------------------

LINEAR_QUERY = """query Issue($id: String!) {
  issue(id: $id) {
    id identifier title description priority priorityLabel
    state { name } assignee { name email } team { name } project { name }
    createdAt updatedAt
  }
}"""


def fetch_linear_issue(
    issue_id: str,
    *,
    api_key: str | None,
    url: str | None = None,
    timeout: float = 30.0,
    repo: Path | None = None,
) -> dict[str, Any]:
    """Fetch one issue through Linear's GraphQL API (``Authorization: <key>``, no Bearer).

    ``url`` defaults to ``$LINEAR_API_URL`` or Linear's endpoint. With ``repo`` the issue is also written to
    ``<repo>/.linear-cache/<identifier>.json``. Every failure is a one-line CdevError.
    """
    import urllib.error
    import urllib.request

    issue_id = (issue_id or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", issue_id):
        raise CdevError(f"invalid Linear issue id {issue_id!r}")
    if not api_key or not api_key.strip():
        raise CdevError("LINEAR_API_KEY is not set: create a personal API key in Linear (Settings → API)")
    url = url or os.environ.get("LINEAR_API_URL") or DEFAULT_LINEAR_URL
    body = json.dumps({"query": LINEAR_QUERY, "variables": {"id": issue_id}}).encode()
    try:
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": api_key.strip(),
                "User-Agent": "cdev-tui",
            },
        )
    except ValueError:
        raise CdevError(f"invalid Linear API URL {url!r}") from None
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(MAX_TASK_BYTES * 5)
    except urllib.error.HTTPError as exc:
        detail = _graphql_error(_json_or_none(exc.read(65536)))
        if exc.code in (401, 403):
            raise CdevError(f"Linear rejected the API key (HTTP {exc.code}) at {url}") from None
        raise CdevError(
            f"Linear API at {url} answered HTTP {exc.code}" + (f": {detail}" if detail else "")
        ) from None
    except urllib.error.URLError as exc:
        raise CdevError(f"cannot reach the Linear API at {url}: {exc.reason}") from None
    except TimeoutError:
        raise CdevError(f"the Linear API at {url} did not answer within {timeout:g} s") from None
    except ValueError:
        raise CdevError("LINEAR_API_KEY is not a valid header value") from None
    except OSError as exc:
        raise CdevError(f"cannot reach the Linear API at {url}: {exc.strerror or exc}") from None
    answer = _json_or_none(raw)
    if not isinstance(answer, Mapping):
        raise CdevError(f"the Linear API at {url} did not return a JSON object")
    detail = _graphql_error(answer)
    if detail:
        raise CdevError(f"Linear API error for {issue_id}: {detail}")
    data = answer.get("data")
    issue = data.get("issue") if isinstance(data, Mapping) else None
    if issue is None:
        raise CdevError(f"Linear issue {issue_id} not found")
    if not isinstance(issue, Mapping) or not issue.get("identifier"):
        raise CdevError(f"the Linear API at {url} returned an issue without an identifier")
    issue = dict(issue)
    if repo is not None:
        write_linear_cache(repo, issue)
    return issue


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError:
        return None


def _graphql_error(answer: Any) -> str:
    if not isinstance(answer, Mapping):
        return ""
    errors = answer.get("errors")
    if isinstance(errors, list) and errors:
        first = errors[0]
        message = first.get("message") if isinstance(first, Mapping) else first
        return " ".join(str(message or "unknown error").split())[:300]
    return ""


# --- repository index ---------------------------------------------------------------------------------------

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
_CONTAINER_DIRS = frozenset(
    {"src", "lib", "libs", "app", "apps", "source", "pkg", "packages", "internal", ""}
)
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


def index_repo(repo: Path) -> RepoIndex:
    """Index the tracked files of ``repo``: language, size, symbols (def/class/function/export) and imports."""
    repo = Path(repo)
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


# --- matching requirements to files -------------------------------------------------------------------------

_STOPWORDS = frozenset(
    """a an the and or but nor not no so to of in on at by for from with without into onto over under via per as
    is are be been being was were will would should shall can could may might must do does did done has have had
    it its this that these those there here their them they we our us you your he she his her i me my mine
    all any each every some more most less least many much few other another such same own only also just very
    than then too again once when where which who whom whose what why how if else while until about above below
    between through during before after up down out off both either neither
    add adds added adding implement implements implemented implementing create creates created creating build
    builds built building make makes made making support supports supported supporting update updates updated
    updating fix fixes fixed fixing improve improves improved improving refactor refactored ensure ensures allow
    allows allowed handle handles handling use uses used using need needs needed want wants get gets set sets
    new feature features functionality ability option options proper properly correct correctly better
    work works working change changes changed changing move moved rename renamed remove removes removed delete
    deleted write writes show shows display displays expose exposes let lets provide provides provided enable
    enables enabled introduce introduces introduced include includes included keep keeps bug bugs issue issues
    task tasks todo item items thing things stuff way ways case cases etc e g ie eg please also current existing
    simple basic minor major small large first second third one two three""".split()  # noqa: SIM905 (a word list)
)
_CREATE_VERBS = frozenset(
    {"add", "create", "implement", "build", "introduce", "new", "support", "write", "provide"}
)
_PATH_LIKE = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.[A-Za-z]{1,5}|(?:[\w.-]+/)+[\w.-]+)(?![\w/-])")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _tokens(text: str) -> list[str]:
    """Lower-case, stemmed words of an identifier or phrase (camelCase, snake_case and kebab-case split)."""
    out = []
    for chunk in re.findall(r"[A-Za-z][A-Za-z0-9]*", text):
        for part in _CAMEL.findall(chunk):
            if part.isdigit():
                continue
            word = part.lower()
            if len(word) >= 2:
                out.append(_stem(word))
    return out


@dataclass(frozen=True)
class _Pick:
    """What one requirement needs: existing files to modify and new files to create."""

    index: int
    requirement: str
    modify: tuple[str, ...]
    create: tuple[str, ...]

    @property
    def files(self) -> tuple[str, ...]:
        return (*self.modify, *self.create)


@dataclass(frozen=True)
class _TestLayout:
    pattern: str  # file name with ``{}`` for the module name, e.g. ``test_{}.py``
    placement: Literal["beside", "subdir", "root", "mirror"]
    folder: str  # the tests root (root/mirror) or the sub-folder name (subdir)


class _Matcher:
    """Scores the index's files against requirement words and proposes new files in the repository's style."""

    WEIGHTS = (("stem", 3.0), ("dir", 2.0), ("symbol", 1.0))
    MAX_FILES = 6

    def __init__(self, index: RepoIndex) -> None:
        self.index = index
        self.postings: dict[str, dict[str, set[str]]] = {kind: {} for kind, _ in self.WEIGHTS}
        for f in index.files:
            pure = PurePosixPath(f.path)
            stem = pure.name.split(".", 1)[0]
            for token in _tokens(stem):
                self.postings["stem"].setdefault(token, set()).add(f.path)
            for part in pure.parts[:-1]:
                for token in _tokens(part):
                    self.postings["dir"].setdefault(token, set()).add(f.path)
            for symbol in f.symbols:
                for token in _tokens(symbol):
                    self.postings["symbol"].setdefault(token, set()).add(f.path)
        self.vocab = {kind: sorted(post) for kind, post in self.postings.items()}
        self.total = max(1, len(index.files))
        self.layouts: dict[str, _TestLayout] = {}

    def _matches(self, kind: str, word: str) -> list[tuple[str, float]]:
        post, vocab = self.postings[kind], self.vocab[kind]
        result = {word: 1.0} if word in post else {}
        if len(word) >= 4:
            for i in range(bisect_left(vocab, word), len(vocab)):
                if not vocab[i].startswith(word):
                    break
                result.setdefault(vocab[i], 0.6)
            for cut in range(4, len(word)):
                if word[:cut] in post:
                    result.setdefault(word[:cut], 0.6)
        return sorted(result.items())

    def word_scores(self, word: str) -> dict[str, float]:
        """File → how well ``word`` names it (best of stem, folder and symbol matches), IDF-weighted."""
        best: dict[str, float] = {}
        for kind, weight in self.WEIGHTS:
            for token, strength in self._matches(kind, word):
                for path in self.postings[kind][token]:
                    best[path] = max(best.get(path, 0.0), weight * strength)
        if not best:
            return {}
        idf = math.log((self.total + 1) / len(best))
        return {path: score * idf for path, score in best.items()}

    def pick(self, index: int, requirement: str) -> _Pick:
        """The files ``requirement`` should own: existing ones to modify, new ones to create."""
        words: list[str] = []
        original: dict[str, str] = {}  # stemmed word → the word as written (lower case), for new file names
        for chunk in re.findall(r"[A-Za-z][A-Za-z0-9]*", _PATH_LIKE.sub(" ", requirement)):
            for part in _CAMEL.findall(chunk):
                low = part.lower()
                token = _stem(low)
                if len(low) < 2 or low.isdigit() or low in _STOPWORDS or token in _STOPWORDS:
                    continue
                if token not in original:
                    original[token] = low
                    words.append(token)
        explicit_modify, explicit_create = self._explicit_paths(requirement)
        scores: dict[str, float] = {}
        novel: list[str] = []
        for word in words:
            per_file = self.word_scores(word)
            if not per_file:
                novel.append(word)
            for path, score in per_file.items():
                scores[path] = scores.get(path, 0.0) + score
        by_path = self.index.by_path
        for path in scores:
            if path.endswith("/__init__.py") or path == "__init__.py":
                scores[path] *= 0.5  # package glue: owned only when nothing better names the requirement
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
        primary = [(p, s) for p, s in ranked if not by_path[p].is_test] or ranked
        selected: list[str] = []
        if primary:
            best = primary[0][1]
            selected = [p for p, s in primary if s >= max(1.0, 0.5 * best)][: self.MAX_FILES]
        selected = list(dict.fromkeys([*explicit_modify, *selected]))
        for module in list(explicit_create):
            test = None if is_test_path(module) else self._test_for(module)
            if test and test not in by_path:
                explicit_create.append(test)
        create_intent = any(
            (m := re.match(r"\s*([A-Za-z]+)", part)) and m.group(1).lower() in _CREATE_VERBS
            for part in [requirement, *requirement.split(": ")[1:2]]
        )
        creates = list(explicit_create)
        if novel and not explicit_create and (create_intent or not selected):
            module = self._new_module([original[w] for w in novel[:2]], selected)
            if module in by_path:
                selected.append(module)
            else:
                creates.append(module)
                test = self._test_for(module)
                if test and test not in by_path:
                    creates.append(test)
        modify = set(selected)
        for path in list(selected):
            modify.update(self._companion_tests(path))
        creates = [c for c in dict.fromkeys(creates) if c not in modify]
        return _Pick(index, requirement, tuple(sorted(modify)), tuple(sorted(creates)))

    def _explicit_paths(self, requirement: str) -> tuple[list[str], list[str]]:
        modify, create = [], []
        for match in _PATH_LIKE.finditer(requirement):
            path = match.group(1).removeprefix("./").rstrip(".")
            if path in self.index.by_path:
                modify.append(path)
            elif (
                "/" in path and _language_of(path) and not path.startswith(("/", "http")) and ".." not in path
            ):
                create.append(path)
        return modify, create

    def _companion_tests(self, path: str) -> list[str]:
        """Existing tests named after ``path``'s module, the closest ones by folder."""
        source = self.index.by_path.get(path)
        if source is None or source.is_test:
            return []
        pure = PurePosixPath(path)
        subject = pure.name.split(".", 1)[0]
        if subject in ("__init__", "index", "mod", "main"):
            subject = pure.parent.name
        if not subject:
            return []
        candidates = []
        for f in self.index.files:
            if not f.is_test or PurePosixPath(f.path).suffix not in _family(pure.suffix):
                continue
            stem = PurePosixPath(f.path).name.split(".", 1)[0]
            if _test_subject(stem) == subject:
                shared = _shared_prefix(PurePosixPath(f.path).parts, pure.parts)
                candidates.append((shared, f.path))
        if not candidates:
            return []
        top = max(shared for shared, _ in candidates)
        return sorted(p for shared, p in candidates if shared == top)

    # -- new files in the repository's style --

    def _main_source_dir(self) -> str:
        """The deepest folder holding at least half of the repository's (non-test) code files."""
        code = [f for f in self.index.files if f.is_code and not f.is_test]
        if not code:
            return "src"
        folders = Counter()
        for f in code:
            parts = PurePosixPath(f.path).parts[:-1]
            for depth in range(len(parts) + 1):
                folders["/".join(parts[:depth])] += 1
        eligible = [d for d, n in folders.items() if n * 2 >= len(code)]
        return max(eligible, key=lambda d: (d.count("/") + (1 if d else 0), d))

    def _extension_for(self, folder: str, near: Sequence[str]) -> str:
        def dominant(files: Iterable[RepoFile]) -> str | None:
            counts = Counter(PurePosixPath(f.path).suffix for f in files if f.is_code and not f.is_test)
            return min(counts, key=lambda e: (-counts[e], e)) if counts else None

        in_folder = [f for f in self.index.files if posixpath.dirname(f.path) == folder]
        near_files = [self.index.by_path[p] for p in near if p in self.index.by_path]
        return dominant(in_folder) or dominant(near_files) or dominant(self.index.files) or ".py"

    def _style_name(self, words: Sequence[str], folder: str, extension: str) -> str:
        family = _family(extension)
        same = [f.path for f in self.index.files if PurePosixPath(f.path).suffix in family and not f.is_test]
        local = [p for p in same if posixpath.dirname(p) == folder]
        votes = Counter(_naming_style(PurePosixPath(p).name.split(".", 1)[0]) for p in (local or same))
        votes.pop(None, None)
        default = "snake" if extension in (".py", ".rb", ".rs") else "kebab"
        style = min(votes, key=lambda s: (-votes[s], s)) if votes else default
        clean = [re.sub(r"[^a-z0-9]", "", w.lower()) for w in words if re.sub(r"[^a-z0-9]", "", w.lower())]
        clean = clean or ["module"]
        if style == "kebab":
            return "-".join(clean)
        if style == "camel":
            return clean[0] + "".join(w.title() for w in clean[1:])
        if style == "pascal":
            return "".join(w.title() for w in clean)
        return "_".join(clean)

    def _new_module(self, words: Sequence[str], selected: Sequence[str]) -> str:
        by_path = self.index.by_path
        anchors = [p for p in selected if p in by_path and by_path[p].is_code and not by_path[p].is_test]
        folder = posixpath.dirname(anchors[0]) if anchors else self._main_source_dir()
        extension = self._extension_for(folder, anchors)
        name = self._style_name(words, folder, extension) + extension
        return posixpath.join(folder, name) if folder else name

    def _layout(self, extension: str) -> _TestLayout:
        if extension not in self.layouts:
            self.layouts[extension] = _infer_test_layout(self.index, extension)
        return self.layouts[extension]

    def _test_for(self, module: str) -> str | None:
        pure = PurePosixPath(module)
        if _language_of(module) in _NOT_CODE or _language_of(module) is None:
            return None
        layout = self._layout(pure.suffix)
        name = layout.pattern.replace("{}", pure.name.split(".", 1)[0])
        folder = str(pure.parent) if str(pure.parent) != "." else ""
        if layout.placement == "beside":
            target = folder
        elif layout.placement == "subdir":
            target = posixpath.join(folder, layout.folder) if folder else layout.folder
        elif layout.placement == "mirror" and folder:
            target = posixpath.join(layout.folder, PurePosixPath(folder).name)
        else:
            target = layout.folder
        return posixpath.join(target, name) if target else name


def _family(extension: str) -> tuple[str, ...]:
    if extension in _JS_EXTS:
        return _JS_EXTS
    if extension in (".py", ".pyi"):
        return (".py",)
    return (extension,)


def _naming_style(stem: str) -> str | None:
    if "_" in stem.strip("_"):
        return "snake"
    if "-" in stem:
        return "kebab"
    if stem[:1].isupper() and any(c.islower() for c in stem):
        return "pascal"
    if stem[:1].islower() and any(c.isupper() for c in stem):
        return "camel"
    return None


def _test_subject(stem: str) -> str:
    for prefix in ("test_", "Test"):
        if stem.startswith(prefix) and len(stem) > len(prefix):
            return stem[len(prefix) :]
    for suffix in ("_test", "_spec", "Tests", "Test", "Spec"):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)]
    return stem


def _shared_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    n = 0
    for x, y in zip(a[:-1], b[:-1], strict=False):
        if x != y:
            break
        n += 1
    return n


def _infer_test_layout(index: RepoIndex, extension: str) -> _TestLayout:
    """How this repository names and places tests for ``extension`` files (defaults per language)."""
    tests = [f for f in index.files if f.is_test and PurePosixPath(f.path).suffix == extension]
    sources = {}
    for f in index.files:
        if not f.is_test and PurePosixPath(f.path).suffix == extension:
            sources.setdefault(PurePosixPath(f.path).name.split(".", 1)[0], []).append(f.path)
    patterns: Counter[str] = Counter()
    placements: Counter[tuple[str, str]] = Counter()
    for test in tests:
        pure = PurePosixPath(test.path)
        stem = pure.name.split(".", 1)[0]
        rest = pure.name[len(stem) :]
        subject = _test_subject(stem)
        if ".test." in pure.name or ".spec." in pure.name:
            patterns["{}" + rest] += 1
        elif subject != stem:
            patterns[stem.replace(subject, "{}", 1) + rest] += 1
        test_dir = str(pure.parent) if str(pure.parent) != "." else ""
        homes = sources.get(subject, [])
        home = (
            min(homes, key=lambda p: (-_shared_prefix(PurePosixPath(p).parts, pure.parts), p))
            if homes
            else None
        )
        home_dir = posixpath.dirname(home) if home else None
        if home_dir is not None and test_dir == home_dir:
            placements[("beside", "")] += 1
        elif (
            home_dir is not None
            and posixpath.dirname(test_dir) == home_dir
            and pure.parent.name in _TEST_DIRS
        ):
            placements[("subdir", pure.parent.name)] += 1
        elif home_dir and test_dir and pure.parent.name == PurePosixPath(home_dir).name:
            placements[("mirror", posixpath.dirname(test_dir))] += 1
        else:
            top = next((i for i, part in enumerate(pure.parts[:-1]) if part in _TEST_DIRS), None)
            root = "/".join(pure.parts[: top + 1]) if top is not None else test_dir
            placements[("root", root)] += 1
    if extension == ".py":
        default = _TestLayout("test_{}.py", "root", "tests")
    elif extension in _JS_EXTS:
        default = _TestLayout("{}.test" + extension, "beside", "")
    elif extension == ".go":
        default = _TestLayout("{}_test.go", "beside", "")
    else:
        default = _TestLayout("test_{}" + extension, "root", "tests")
    pattern = min(patterns, key=lambda p: (-patterns[p], p)) if patterns else default.pattern
    if not placements:
        return _TestLayout(pattern, default.placement, default.folder)
    placement, folder = min(placements, key=lambda k: (-placements[k], k))
    return _TestLayout(pattern, placement, folder)  # type: ignore[arg-type]


# --- the deterministic decomposer ---------------------------------------------------------------------------


def decompose(task: TaskSpec, repo: Path) -> Plan:
    """Split ``task`` into agents with exclusive file ownership, from ``repo``'s real structure.

    Each requirement picks the files whose names, folders and symbols match its words (plus their tests) and
    proposes new modules, in the matching folder and the repository's naming and test layout, for words no
    file matches. Requirements sharing a file form one agent; an agent depends on the agents whose files its
    files import (import cycles merge agents). The same input always gives the same plan.
    """
    if not task.requirements:
        raise CdevError(f"{task.source}: the task has no requirements")
    index = index_repo(repo)
    matcher = _Matcher(index)
    picks = [matcher.pick(i, req) for i, req in enumerate(task.requirements)]
    placed = [p for p in picks if p.files]
    groups = _group_by_files(placed)
    groups = _merge_import_cycles(groups, index)
    agents = _build_agents(groups, index)
    extras: dict[str, Any] = {
        "decompositionStrategy": "repository_structure",
        "conflictResolution": "eliminated_by_design",
    }
    unplaced = [p.requirement for p in picks if not p.files]
    if unplaced:
        extras["unplacedRequirements"] = unplaced
    plan = Plan(task_id=task.task_id, task_title=task.title, agents=tuple(agents), extras=extras)
    return with_derived(plan)


def _group_by_files(picks: Sequence[_Pick]) -> list[list[_Pick]]:
    parent = list(range(len(picks)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, pick in enumerate(picks):
        for path in pick.files:
            if path in owner:
                a, b = find(owner[path]), find(i)
                parent[max(a, b)] = min(a, b)
            else:
                owner[path] = i
    groups: dict[int, list[_Pick]] = {}
    for i, pick in enumerate(picks):
        groups.setdefault(find(i), []).append(pick)
    return [groups[k] for k in sorted(groups)]


def _group_edges(groups: Sequence[Sequence[_Pick]], index: RepoIndex) -> list[set[int]]:
    owner = {path: g for g, group in enumerate(groups) for pick in group for path in pick.files}
    edges: list[set[int]] = [set() for _ in groups]
    for g, group in enumerate(groups):
        for pick in group:
            for path in pick.modify:
                source = index.by_path.get(path)
                for imported in source.imports if source else ():
                    other = owner.get(imported)
                    if other is not None and other != g:
                        edges[g].add(other)
    return edges


def _merge_import_cycles(groups: list[list[_Pick]], index: RepoIndex) -> list[list[_Pick]]:
    """Groups whose files import each other (directly or around a cycle) become one group."""
    edges = _group_edges(groups, index)
    components = _strongly_connected(len(groups), edges)
    if all(len(c) == 1 for c in components):
        return groups
    merged = [sorted((p for g in comp for p in groups[g]), key=lambda p: p.index) for comp in components]
    return sorted(merged, key=lambda group: group[0].index)


def _strongly_connected(count: int, edges: Sequence[Iterable[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components, each sorted, in a deterministic order."""
    index_of: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    result: list[list[int]] = []
    counter = 0
    for root in range(count):
        if root in index_of:
            continue
        work: list[tuple[int, Iterable[int]]] = [(root, iter(sorted(edges[root])))]
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index_of:
                    index_of[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index_of[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index_of[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(sorted(component))
    return sorted(result)


def _area_of(paths: Sequence[str]) -> str:
    """The group's area: the most common meaningful folder of its source files, else its main file's stem."""
    sources = [p for p in paths if not is_test_path(p)] or list(paths)
    votes: Counter[str] = Counter()  # insertion order breaks ties: the first file's folder wins
    for path in sources:
        folders = [d for d in PurePosixPath(path).parts[:-1] if d.lower() not in _CONTAINER_DIRS]
        if folders:
            votes[folders[-1]] += 1
    if votes:
        return max(votes, key=lambda d: votes[d])
    stem = PurePosixPath(sources[0]).name.split(".", 1)[0]
    return stem if stem not in ("__init__", "index", "main", "mod") else PurePosixPath(sources[0]).parent.name


def snake_case(text: str) -> str:
    """``text`` as snake_case (``CartView`` → ``cart_view``, ``order-history`` → ``order_history``)."""
    words = [w.lower() for chunk in re.findall(r"[A-Za-z0-9]+", text) for w in _CAMEL.findall(chunk)]
    return "_".join(words) or "task"


def _build_agents(groups: Sequence[Sequence[_Pick]], index: RepoIndex) -> list[PlanAgent]:
    edges = _group_edges(groups, index)
    ids: list[str] = []
    for group in groups:
        modify = sorted({p for pick in group for p in pick.modify})
        create = sorted({p for pick in group for p in pick.create} - set(modify))
        area = snake_case(_area_of([*modify, *create]))
        candidate = f"{area}_agent"
        if candidate in ids:
            first = next((p for p in [*modify, *create] if not is_test_path(p)), "x")
            candidate = f"{area}_{snake_case(PurePosixPath(first).name.split('.', 1)[0])}_agent"
        base, n = candidate, 2
        while candidate in ids:
            candidate = f"{base[: -len('_agent')]}_{n}_agent"
            n += 1
        ids.append(candidate)
    agents = []
    for g, group in enumerate(groups):
        modify = sorted({p for pick in group for p in pick.modify})
        create = sorted({p for pick in group for p in pick.create} - set(modify))
        requirements = [pick.requirement for pick in group]
        tests = [p for p in [*create, *modify] if is_test_path(p)]
        focus = " ".join(w.title() for w in ids[g][: -len("_agent")].split("_"))
        role = (
            requirements[0]
            if len(requirements) == 1
            else f"{requirements[0]} (+{len(requirements) - 1} more)"
        )
        criteria = [f"Done: {r}" for r in requirements]
        modules = [p for p in create if not is_test_path(p)]
        if modules:
            criteria.append("New files exist: " + ", ".join(modules))
        if tests:
            criteria.append("Tests pass: " + ", ".join(tests))
        criteria.append(f"Only files owned by {ids[g]} are changed")
        agents.append(
            PlanAgent(
                agent_id=ids[g],
                role=role[:200],
                focus_area=focus,
                dependencies=tuple(ids[d] for d in sorted(edges[g])),
                files_to_create=tuple(create),
                files_to_modify=tuple(modify),
                test_contracts=tuple(tests),
                validation_criteria=tuple(dict.fromkeys(criteria)),
                estimated_minutes=estimate_minutes(create, modify, index),
            )
        )
    return agents


def estimate_minutes(create: Iterable[str], modify: Iterable[str], index: RepoIndex | None = None) -> int:
    """Minutes for an agent: 10 to start, per modified file 5 plus its size (1 per 40 lines, up to 30),
    20 per new module and 10 per new test."""
    minutes = 10
    for path in modify:
        known = index.by_path.get(path) if index else None
        minutes += 5 + min((known.lines if known else 0) // 40, 30)
    for path in create:
        minutes += 10 if is_test_path(path) else 20
    return minutes


# --- derived fields, validation and serialisation -----------------------------------------------------------


def merge_order(agents: Sequence[PlanAgent]) -> tuple[str, ...]:
    """Topological order of the agents by dependencies (ties by id); agents in a cycle come last, by id."""
    ids = {a.agent_id for a in agents}
    pending = {a.agent_id: {d for d in a.dependencies if d in ids and d != a.agent_id} for a in agents}
    dependents: dict[str, list[str]] = {}
    for agent_id, deps in pending.items():
        for dep in deps:
            dependents.setdefault(dep, []).append(agent_id)
    ready = [agent_id for agent_id, deps in pending.items() if not deps]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        current = heapq.heappop(ready)
        order.append(current)
        for dependent in dependents.get(current, ()):
            pending[dependent].discard(current)
            if not pending[dependent]:
                heapq.heappush(ready, dependent)
    rest = sorted(set(pending) - set(order))
    return (*order, *rest)


def ownership_summary(agents: Sequence[PlanAgent]) -> dict[str, Any]:
    """cdev's ``exclusiveOwnership`` block: validated, totalFiles and each agent's files."""
    owners: dict[str, set[str]] = {}
    for agent in agents:
        for path in agent.owned_files:
            owners.setdefault(path, set()).add(agent.agent_id)
    return {
        "validated": all(len(v) == 1 for v in owners.values()),
        "totalFiles": len(owners),
        "agentOwnership": {a.agent_id: list(a.owned_files) for a in agents},
    }


def with_derived(plan: Plan) -> Plan:
    """``plan`` with canStartImmediately, the merge order and the ownership block recomputed."""
    agents = tuple(replace(a, can_start_immediately=not a.dependencies) for a in plan.agents)
    extras = {**plan.extras, "exclusiveOwnership": ownership_summary(agents)}
    return replace(plan, agents=agents, merge_order=merge_order(agents), extras=extras)


def merge_order_fits(plan: Plan) -> bool:
    """Whether the plan's merge order lists every agent once, each after the dependencies it has in the plan."""
    ids = [a.agent_id for a in plan.agents]
    if sorted(plan.merge_order) != sorted(ids) or len(set(ids)) != len(ids):
        return False
    position = {a: i for i, a in enumerate(plan.merge_order)}
    return all(
        position[d] < position[a.agent_id] for a in plan.agents for d in a.dependencies if d in position
    )


def normalise(plan: Plan) -> Plan:
    """An imported plan with derived fields recomputed; its own merge order is kept when it fits."""
    derived = with_derived(plan)
    return replace(derived, merge_order=plan.merge_order) if merge_order_fits(plan) else derived


@dataclass(frozen=True)
class PlanProblem:
    """One thing wrong with a plan; errors block saving and spawning, warnings are shown."""

    severity: Literal["error", "warning"]
    agent_id: str | None
    message: str


def find_cycles(agents: Sequence[PlanAgent]) -> list[list[str]]:
    """One dependency cycle (as ``[a, b, a]``) per strongly connected group of agents, self-loops included."""
    ids = sorted({a.agent_id for a in agents})
    position = {agent_id: i for i, agent_id in enumerate(ids)}
    deps: dict[str, set[str]] = {}
    for a in agents:
        deps.setdefault(a.agent_id, set()).update(d for d in a.dependencies if d in position)
    edges = [sorted(position[d] for d in deps.get(agent_id, ())) for agent_id in ids]
    cycles = []
    for component in _strongly_connected(len(ids), edges):
        start, members = component[0], set(component)
        if start in edges[start]:
            cycles.append([ids[start], ids[start]])
            continue
        if len(component) == 1:
            continue
        parent: dict[int, int] = {}
        queue, last = deque([start]), None
        while queue and last is None:  # shortest way from start back to start inside the component
            node = queue.popleft()
            for nxt in edges[node]:
                if nxt == start:
                    last = node
                    break
                if nxt in members and nxt not in parent:
                    parent[nxt] = node
                    queue.append(nxt)
        chain = []
        while last is not None and last != start:
            chain.append(last)
            last = parent[last]
        cycles.append([ids[i] for i in [start, *reversed(chain), start]])
    return cycles


def _unsafe_path(path: str) -> str | None:
    if not path.strip():
        return "an empty path"
    pure = PurePosixPath(path)
    if pure.is_absolute() or re.match(r"^[A-Za-z]:[\\/]", path):
        return "an absolute path"
    if ".." in pure.parts or "\\" in path:
        return "a path outside the repository"
    if pure.parts and pure.parts[0] == ".git":
        return "a path inside .git"
    return None


def validate_plan(plan: Plan, repo: Path | None = None) -> list[PlanProblem]:
    """Everything wrong with ``plan``: errors first (in plan order), then warnings.

    Errors: no taskId, no agents, duplicate agent ids, agents without files, unsafe paths, a path owned by two
    agents, unknown dependencies, dependency cycles. Warnings: with ``repo``, MODIFY paths that do not exist and
    CREATE paths that already do; a merge order that misses agents, names unknown ones or breaks dependencies;
    a ``canStartImmediately`` that contradicts the dependencies; requirements the decomposer could not place.
    """
    errors: list[PlanProblem] = []
    warnings: list[PlanProblem] = []

    def error(agent: str | None, message: str) -> None:
        errors.append(PlanProblem("error", agent, message))

    def warn(agent: str | None, message: str) -> None:
        warnings.append(PlanProblem("warning", agent, message))

    if not plan.task_id or plan.task_id == "unknown":
        error(None, "the plan has no taskId")
    if not plan.agents:
        error(None, "the plan has no agents")
    counts = Counter(a.agent_id for a in plan.agents)
    for agent_id in sorted(k for k, n in counts.items() if n > 1):
        error(agent_id, f"agent id {agent_id} is used by {counts[agent_id]} agents")
    known = set(counts)
    owners: dict[str, list[str]] = {}
    for agent in plan.agents:
        if not agent.agent_id.strip():
            error(None, "an agent has an empty agentId")
        if not agent.owned_files:
            error(agent.agent_id, f"{agent.agent_id} owns no files")
        for path in dict.fromkeys(agent.owned_files):
            reason = _unsafe_path(path)
            if reason:
                error(agent.agent_id, f"{agent.agent_id}: {path!r} is {reason}")
            owners.setdefault(path, []).append(agent.agent_id)
        both = sorted(set(agent.files_to_create) & set(agent.files_to_modify))
        for path in both:
            warn(agent.agent_id, f"{agent.agent_id} lists {path} both to create and to modify")
        for dep in agent.dependencies:
            if dep == agent.agent_id:
                continue  # reported as a cycle
            if dep not in known:
                error(agent.agent_id, f"{agent.agent_id} depends on unknown agent {dep}")
    for path, agent_ids in owners.items():
        distinct = list(dict.fromkeys(agent_ids))
        if len(distinct) > 1:
            error(distinct[1], f"{path} is owned by {' and '.join(distinct)} (ownership must be exclusive)")
    for cycle in find_cycles(plan.agents):
        error(cycle[0], "dependency cycle: " + " → ".join(cycle))
    if repo is not None:
        root = Path(repo)
        for agent in plan.agents:
            for path in agent.files_to_modify:
                if not _unsafe_path(path) and not (root / path).exists():
                    warn(agent.agent_id, f"{agent.agent_id} modifies {path}, which does not exist")
            for path in agent.files_to_create:
                if not _unsafe_path(path) and (root / path).exists():
                    warn(agent.agent_id, f"{agent.agent_id} creates {path}, which already exists")
    if plan.merge_order:
        order = list(plan.merge_order)
        for agent_id in order:
            if agent_id not in known:
                warn(agent_id, f"the merge order names unknown agent {agent_id}")
        missing = [a for a in counts if a not in order]
        if missing:
            warn(None, f"the merge order misses {', '.join(missing)}")
        position = {a: i for i, a in enumerate(order)}
        for agent in plan.agents:
            for dep in agent.dependencies:
                if (
                    dep in position
                    and agent.agent_id in position
                    and position[dep] > position[agent.agent_id]
                ):
                    warn(agent.agent_id, f"the merge order puts {agent.agent_id} before its dependency {dep}")
    for agent in plan.agents:
        if agent.can_start_immediately and any(d in known for d in agent.dependencies):
            warn(agent.agent_id, f"{agent.agent_id} is marked to start immediately but has dependencies")
    for requirement in plan.extras.get("unplacedRequirements") or ():
        warn(None, f"no files found for requirement: {requirement}")
    return errors + warnings


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The §2.2 task-plan JSON object (camelCase keys), with ``integration_order`` for cdev's integrate.

    ``exclusiveOwnership`` is always recomputed from the agents; other extra keys are written as they are.
    ``plan_from_dict(plan_to_dict(p)) == p`` for plans whose ownership block is current (see
    :func:`with_derived`).
    """
    head_keys = ("decompositionStrategy", "conflictResolution")
    derived = {"exclusiveOwnership", "integrationPlan", "integration_order", "parallelAgents"}
    data: dict[str, Any] = {"taskId": plan.task_id, "taskTitle": plan.task_title}
    data.update({k: plan.extras[k] for k in head_keys if k in plan.extras})
    data["parallelAgents"] = [_agent_to_dict(a) for a in plan.agents]
    chain, minutes = critical_path(plan.agents) if plan.agents and not find_cycles(plan.agents) else ([], 0)
    data["integrationPlan"] = {
        "mergeOrder": list(plan.merge_order),
        "criticalPath": chain,
        "criticalPathMinutes": minutes,
        "validationSteps": list(VALIDATION_STEPS),
    }
    data.update({k: v for k, v in plan.extras.items() if k not in derived and k not in head_keys})
    data["exclusiveOwnership"] = ownership_summary(plan.agents)
    data["integration_order"] = list(plan.merge_order)
    return data


def _agent_to_dict(agent: PlanAgent) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "agentId": agent.agent_id,
        "agentRole": agent.role,
        "focusArea": agent.focus_area,
        "dependencies": list(agent.dependencies),
        "filesToCreate": list(agent.files_to_create),
        "filesToModify": list(agent.files_to_modify),
        "testContracts": list(agent.test_contracts),
        "validationCriteria": list(agent.validation_criteria),
    }
    if agent.estimated_minutes is not None:
        entry["estimatedTime"] = agent.estimated_minutes
    if agent.can_start_immediately is not None:
        entry["canStartImmediately"] = agent.can_start_immediately
    return entry


def default_plan_path(repo: Path, task_id: str) -> Path:
    """``<repo>/shared/deployment-plans/<task-id-lower>-deployment-plan.json``."""
    return Path(repo) / "shared" / "deployment-plans" / plan_file_name(_check_task_id(task_id, "plan"))


def save_plan(plan: Plan, repo: Path, path: Path | None = None) -> Path:
    """Write ``plan`` as JSON (atomically) to ``path`` or the default location; a plan with errors is refused."""
    target = Path(path) if path is not None else default_plan_path(repo, plan.task_id)
    errors = [p for p in validate_plan(plan) if p.severity == "error"]
    if errors:
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise CdevError(f"{target}: not written, the plan has errors: {errors[0].message}{more}")
    if target.is_dir():
        raise CdevError(f"{target}: is a directory")
    return write_plan_json(target, plan_to_dict(plan))


# --- the AI decomposer --------------------------------------------------------------------------------------

MAX_INDEX_LINES = 600

AI_SYSTEM_PROMPT = """You split a software task into agents that work in parallel git worktrees.
Answer with one JSON object:
{"taskId": str, "taskTitle": str, "reasoning": str,
 "parallelAgents": [{"agentId": "<area>_agent in snake_case", "agentRole": str, "focusArea": str,
   "dependencies": [agentId...], "filesToCreate": [path...], "filesToModify": [path...],
   "testContracts": [test file path...], "validationCriteria": [str...], "estimatedTime": minutes as int}],
 "integrationPlan": {"mergeOrder": [agentId...]}}
Rules: every file path belongs to exactly one agent (exclusive ownership); filesToModify only lists paths from the
repository index; filesToCreate only new paths in the repository's layout and language; an agent depends on the
agents whose files its files import; no dependency cycles; every dependency names an agent of the plan; every
agent owns at least one file; mergeOrder lists every agent after its dependencies."""


def repo_index_text(index: RepoIndex, limit: int = MAX_INDEX_LINES) -> str:
    """A compact listing for a model: ``path  language  lines  symbols  -> imports`` per file."""
    lines = []
    for f in index.files[:limit]:
        symbols = ",".join(f.symbols[:6])
        imports = ",".join(f.imports[:4])
        line = f"{f.path}  {f.language}  {f.lines}"
        line += f"  [{symbols}]" if symbols else ""
        line += f"  -> {imports}" if imports else ""
        lines.append(line[:240])
    if len(index.files) > limit:
        lines.append(f"... and {len(index.files) - limit} more files")
    return "\n".join(lines)


def ai_messages(task: TaskSpec, index: RepoIndex) -> list[dict[str, str]]:
    """The chat messages :func:`ai_decompose` sends (before redaction)."""
    requirements = "\n".join(f"{i}. {r}" for i, r in enumerate(task.requirements, 1))
    user = (
        f"Task {task.task_id}: {task.title}\n\nRequirements:\n{requirements}\n\n"
        f"Description:\n{task.description.strip() or '(none)'}\n\n"
        f"Repository index (path, language, lines, symbols, imports):\n{repo_index_text(index)}"
    )
    return [{"role": "system", "content": AI_SYSTEM_PROMPT}, {"role": "user", "content": user}]


def ai_decompose(
    task: TaskSpec,
    repo: Path,
    *,
    model: str | None = None,
    timeout: float = 120.0,
    client_factory: Callable[[float], Any] | None = None,
) -> Plan:
    """Ask an OpenAI-compatible model for the plan; raise CdevError unless it passes :func:`validate_plan`.

    Secrets are redacted from everything sent (see :mod:`cdev_tui.llm`). Missing estimates are filled in
    from file sizes; canStartImmediately, the merge order and the ownership block are recomputed.
    """
    from cdev_tui import llm

    index = index_repo(repo)
    model = model or llm.default_model()
    answer = llm.chat_json(
        ai_messages(task, index), model=model, timeout=timeout, client_factory=client_factory
    )
    return plan_from_ai_answer(task, answer, index, model=model)


def plan_from_ai_answer(task: TaskSpec, answer: Mapping[str, Any], index: RepoIndex, *, model: str) -> Plan:
    """Check and normalise a model's plan object; errors raise one CdevError naming the first problems."""
    data = dict(answer["plan"]) if isinstance(answer.get("plan"), Mapping) else dict(answer)
    data["taskId"], data["taskTitle"] = task.task_id, task.title
    entries = (
        data.get("parallelAgents") if isinstance(data.get("parallelAgents"), list) else data.get("agents")
    )
    problems: list[PlanProblem] = []
    if isinstance(entries, list):
        ids = Counter(str(e.get("agentId")) for e in entries if isinstance(e, Mapping))
        problems += [
            PlanProblem("error", k, f"agent id {k} is used by {n} agents")
            for k, n in sorted(ids.items())
            if n > 1
        ]
    try:
        parsed = plan_from_dict(data)
    except ValueError as exc:
        raise CdevError(f"the AI plan ({model}) is not a task plan: {exc}") from None
    agents = tuple(
        a
        if a.estimated_minutes is not None
        else replace(a, estimated_minutes=estimate_minutes(a.files_to_create, a.files_to_modify, index))
        for a in parsed.agents
    )
    extras: dict[str, Any] = {
        "decompositionStrategy": "llm",
        "conflictResolution": "validated_exclusive_ownership",
        "llmAnalysis": {
            "model": model,
            "reasoning": " ".join(str(data.get("reasoning") or "").split())[:1000],
        },
    }
    plan = Plan(task.task_id, task.title, agents, parsed.merge_order, None, extras)
    problems += [p for p in validate_plan(plan, index.root) if p.severity == "error"]
    if problems:
        shown = "; ".join(p.message for p in problems[:3])
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        raise CdevError(f"the AI plan ({model}) was rejected: {shown}{more}")
    return with_derived(plan)
