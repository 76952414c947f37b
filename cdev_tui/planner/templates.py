"""Workflow templates: named plan shapes in TOML, applied to a task to give a normal :class:`Plan`.

Two templates ship with cdev-tui (``feature-api-ui-tests``, ``refactor-in-slices``); a repository adds its
own, or replaces a built-in one of the same name, as ``.cdev/templates/<name>.toml``::

    description = "Feature with API + UI + tests"      # shown in the listings

    [[agents]]                                          # one step; steps are claimed in this order
    id = "db"                                           # the step's id, for depends_on
    agent = "{slug}_db_agent"                           # agent id (default "<id>_agent")
    role = "Schema and migrations for {title}"
    focus = "Database"
    files = ["*.sql", "**/migrations/**"]                # of the files the task is about, these
    owns = ["db/seed.py"]                               # every tracked file matching, whatever the task
    create = ["db/migrations/{slug}.sql"]               # new files (an existing one is modified instead)
    depends_on = []                                     # other step ids
    estimate_minutes = 30                               # default: from the files, as `plan` estimates
    validation = ["Migrations apply and roll back"]     # added to the default criteria
    test_contracts = ["tests/test_{slug}_schema.py"]    # default: the test files it owns
    # split = "folder"                                  # one agent per folder ({area} in agent then)
    when.touches = ["*.sql", "**/migrations/**"]        # keep the step only if the task's files match...
    when.mentions = ["database", "schema"]              # ...or the task says one of these words

"The files the task is about" are what ``cdev-tui plan`` finds for the task's text: existing files to modify
and proposed new files to create. Globs match repository paths: ``*`` and ``?`` within a name, ``**`` across
folders, a glob without ``/`` matches the file name anywhere, and a glob starting with ``!`` takes away what
the others matched. A step with ``when`` is kept when any of its conditions holds. A file claimed by two
steps goes to the first; a step left without files is dropped, and so is a step whose ``when`` fails; the
steps that depended on a dropped step depend on its own dependencies instead. Placeholders: ``{slug}``
(``invoice_pdf``), ``{kebab}`` (``invoice-pdf``), ``{pascal}`` (``InvoicePdf``), ``{task_id}``, and in texts
also ``{title}``. Anything malformed is a :class:`CdevError` naming the file and the key.

This module reads and checks templates; :mod:`~cdev_tui.planner.template_plan` applies one to a task.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from cdev_tui.errors import CdevError
from cdev_tui.plan import PlanAgent
from cdev_tui.planner.graph import find_cycles
from cdev_tui.structured import read_user_file

TEMPLATES_DIR = Path(".cdev") / "templates"
"""Where a repository keeps its own templates (relative to its root)."""
BUILTIN_DIR = Path(__file__).with_name("builtin_templates")
MAX_TEMPLATE_BYTES = 256 * 1024
LIST = "list"
"""Not a template name: ``--template list`` lists them."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_STEP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_PATH_WORDS = ("slug", "kebab", "pascal", "task_id")
_TOP_KEYS = ("agents", "description", "name")
_STEP_KEYS = (
    "agent", "create", "depends_on", "estimate_minutes", "files", "focus", "id", "owns", "role",
    "split", "test_contracts", "validation", "when",
)  # fmt: skip
_WHEN_KEYS = ("mentions", "touches")
_MAX_MINUTES = 100_000


@dataclass(frozen=True)
class TemplateStep:
    """One ``[[agents]]`` step of a template, as written (placeholders not yet filled in)."""

    step_id: str
    agent: str
    role: str = ""
    focus: str = ""
    files: tuple[str, ...] = ()
    owns: tuple[str, ...] = ()
    create: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    estimate_minutes: int | None = None
    validation: tuple[str, ...] = ()
    test_contracts: tuple[str, ...] = ()
    split: str | None = None
    touches: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    key: str = ""
    """Where it is written (``agents[2]``), for messages."""

    @property
    def conditional(self) -> bool:
        """Whether the step has ``when`` conditions."""
        return bool(self.touches or self.mentions)


@dataclass(frozen=True)
class Template:
    """A named plan shape: its steps in claiming order."""

    name: str
    description: str
    steps: tuple[TemplateStep, ...]
    path: Path
    builtin: bool


@dataclass(frozen=True)
class TemplateInfo:
    """A template as listed: its name, what it is for and where it comes from."""

    name: str
    description: str
    source: str
    """``built-in``, or the repository file that defines it."""
    path: Path
    overrides_builtin: bool = False


# -- finding and reading ---------------------------------------------------------------------------------


def _template_files(repo: Path | None) -> dict[str, tuple[Path, bool]]:
    """Template name → (file, built-in); a repository file replaces the built-in one of its name."""
    found = {p.stem: (p, True) for p in sorted(BUILTIN_DIR.glob("*.toml"))}
    folder = Path(repo) / TEMPLATES_DIR if repo is not None else None
    if folder is not None and folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            if path.stem == LIST or not _NAME.match(path.stem):
                raise CdevError(
                    f"{path}: not a usable template name: use letters, digits, '.', '_' or '-' (and not 'list')"
                )
            found[path.stem] = (path, False)
    return found


def list_templates(repo: Path | None) -> list[TemplateInfo]:
    """Every template ``repo`` can use, by name; a malformed one is a CdevError naming its file and key."""
    builtin = {p.stem for p in BUILTIN_DIR.glob("*.toml")}
    result = []
    for name, (path, is_builtin) in sorted(_template_files(repo).items()):
        template = read_template(path, builtin=is_builtin)
        source = "built-in" if is_builtin else _shown(path, repo)
        result.append(
            TemplateInfo(name, template.description, source, path, not is_builtin and name in builtin)
        )
    return result


def _shown(path: Path, repo: Path | None) -> str:
    """``path`` relative to the repository when it is inside it."""
    try:
        return path.resolve().relative_to(Path(repo).resolve()).as_posix() if repo is not None else str(path)
    except ValueError:
        return str(path)


def load_template(repo: Path | None, name: str) -> Template:
    """The template called ``name``: the repository's ``.cdev/templates/<name>.toml``, else the built-in one."""
    files = _template_files(repo)
    if name not in files:
        known = ", ".join(sorted(files)) or "none"
        raise CdevError(f"unknown template {name!r} (known: {known})")
    path, builtin = files[name]
    return read_template(path, builtin=builtin)


def read_template(path: Path, *, builtin: bool = False) -> Template:
    """Read and check one template file."""
    raw = read_user_file(path, limit=MAX_TEMPLATE_BYTES, expected="a TOML template")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CdevError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise CdevError(f"{path}: invalid TOML: {exc}") from None
    return parse_template(data, path, builtin=builtin)


# -- checking ----------------------------------------------------------------------------------------------


class _Checker:
    """Turns parsed TOML into typed steps; every complaint names the file and the key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, message: str) -> CdevError:
        return CdevError(f"{self.path}: {message}")

    def keys(self, table: Mapping[str, Any], known: Sequence[str], where: str) -> None:
        for key in table:
            if key not in known:
                prefix = f"{where}: " if where else ""
                raise self.fail(f"{prefix}unknown key {key!r} (known: {', '.join(known)})")

    def text(self, value: Any, key: str, words: Sequence[str] = ()) -> str:
        if not isinstance(value, str):
            raise self.fail(f"{key} must be a string")
        self.placeholders(value, key, words)
        return value

    def texts(self, value: Any, key: str, what: str, words: Sequence[str] = ()) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"{key} must be a list of {what}")
        for item in value:
            self.placeholders(item, key, words)
        return tuple(value)

    def globs(self, value: Any, key: str) -> tuple[str, ...]:
        globs = self.texts(value, key, "globs")
        for glob in globs:
            self.relative(glob.removeprefix("!"), key)
        return globs

    def relative(self, path: str, key: str) -> None:
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or "\\" in path or not path.strip():
            raise self.fail(f"{key}: {path!r} must be a path relative to the repository, inside it")

    def placeholders(self, value: str, key: str, words: Sequence[str]) -> None:
        for match in _PLACEHOLDER.finditer(value):
            if match.group(1) not in words:
                known = ", ".join("{" + w + "}" for w in words) or "none"
                raise self.fail(f"{key}: unknown placeholder {match.group(0)} (known: {known})")


def parse_template(data: Any, path: Path, *, builtin: bool = False) -> Template:
    """A :class:`Template` from parsed TOML; raises a one-line CdevError naming ``path`` and the key."""
    check = _Checker(path)
    if not isinstance(data, Mapping):
        raise check.fail("expected a TOML table at the top level")
    check.keys(data, _TOP_KEYS, "")
    name = check.text(data.get("name", path.stem), "name")
    if name != path.stem:
        raise check.fail(f"name {name!r} must match the file name ({path.stem})")
    description = check.text(data.get("description", ""), "description")
    entries = data.get("agents")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, Mapping) for e in entries):
        raise check.fail("agents must be a list of [[agents]] tables (at least one)")
    steps = [_parse_step(check, entry, f"agents[{i}]") for i, entry in enumerate(entries)]
    seen: dict[str, str] = {}
    for step in steps:
        if step.step_id in seen:
            raise check.fail(f"{step.key}.id: {step.step_id!r} is also the id of {seen[step.step_id]}")
        seen[step.step_id] = step.key
    for step in steps:
        for dep in step.depends_on:
            if dep not in seen:
                raise check.fail(f"{step.key}.depends_on: unknown step {dep!r} (steps: {', '.join(seen)})")
            if dep == step.step_id:
                raise check.fail(f"{step.key}.depends_on: a step cannot depend on itself")
    shapes = [PlanAgent(s.step_id, dependencies=s.depends_on) for s in steps]
    for cycle in find_cycles(shapes):
        raise check.fail("agents: dependency cycle " + " → ".join(cycle))
    return Template(name, description, tuple(steps), path, builtin)


def _parse_step(check: _Checker, entry: Mapping[str, Any], key: str) -> TemplateStep:
    check.keys(entry, _STEP_KEYS, key)
    step_id = entry.get("id")
    if not isinstance(step_id, str) or not _STEP_ID.match(step_id):
        raise check.fail(f"{key}.id must be a short name of letters, digits, '_' or '-'")
    split = entry.get("split")
    if split is not None and split != "folder":
        raise check.fail(f'{key}.split must be "folder" (one agent per folder)')
    path_words = (*_PATH_WORDS, "area") if split else _PATH_WORDS
    text_words = (*path_words, "title")
    agent = check.text(entry.get("agent", f"{step_id}_agent"), f"{key}.agent", path_words)
    if split and "{area}" not in agent:
        raise check.fail(f"{key}.agent must contain {{area}}: a split step has one agent per folder")
    minutes = entry.get("estimate_minutes")
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= _MAX_MINUTES
    ):
        raise check.fail(f"{key}.estimate_minutes must be a whole number of minutes from 1 to {_MAX_MINUTES}")
    when = entry.get("when", {})
    if not isinstance(when, Mapping):
        raise check.fail(f"{key}.when must be a table (when.touches, when.mentions)")
    check.keys(when, _WHEN_KEYS, f"{key}.when")
    create = check.texts(entry.get("create", []), f"{key}.create", "paths", path_words)
    for path in create:
        check.relative(path, f"{key}.create")
    step = TemplateStep(
        step_id=step_id,
        agent=agent,
        role=check.text(entry.get("role", ""), f"{key}.role", text_words),
        focus=check.text(entry.get("focus", ""), f"{key}.focus", text_words),
        files=check.globs(entry.get("files", []), f"{key}.files"),
        owns=check.globs(entry.get("owns", []), f"{key}.owns"),
        create=create,
        depends_on=check.texts(entry.get("depends_on", []), f"{key}.depends_on", "step ids"),
        estimate_minutes=minutes,
        validation=check.texts(entry.get("validation", []), f"{key}.validation", "texts", text_words),
        test_contracts=check.texts(
            entry.get("test_contracts", []), f"{key}.test_contracts", "paths", path_words
        ),
        split=split,
        touches=check.globs(when.get("touches", []), f"{key}.when.touches"),
        mentions=check.texts(when.get("mentions", []), f"{key}.when.mentions", "words"),
        key=key,
    )
    if not (step.files or step.owns or step.create):
        raise check.fail(f"{key}: a step needs files, owns or create to say what it works on")
    return step
