"""Writers of cdev's on-disk formats: agent workspaces, coordination status, task plans, Linear caches.

Every file is written atomically (temporary file in the same folder, fsync, ``os.replace``), text files end
with a newline, structured files are written as YAML *and* JSON with identical content where cdev's readers
disagree on the format (see the compatibility matrix in the workflow reference, §2.17). Timestamps are
ISO-8601 UTC with a ``Z`` suffix and milliseconds, as the JS-era cdev scripts wrote them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cdev_tui.cext.linescan import checklist_items
from cdev_tui.errors import CdevError
from cdev_tui.plan import parse_minutes

CONTEXT_NAME = "agent_context"
FILES_LIST_NAME = "files_to_work_on.txt"
CONTRACTS_NAME = "test_contracts.txt"
CHECKLIST_NAME = "validation_checklist.txt"
COMPLETED_MARKER = "COMPLETED"
COORDINATION_STATUS_NAME = "parallel-agent-status"

AGENT_STATUSES = ("spawned", "ready", "blocked", "in_progress", "complete", "committed", "merged")
"""Values written to ``agents[].status`` of the coordination status (cdev's spawn wrote only ``spawned``)."""

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_BOX = re.compile(r"\[([ xX])\]")
_DEFAULT_FILE_MODE = 0o644


def iso_utc(when: datetime | None = None) -> str:
    """``when`` (default: now) as ``YYYY-MM-DDTHH:MM:SS.mmmZ``; a naive datetime is taken as UTC."""
    when = datetime.now(UTC) if when is None else when
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def branch_name(task_id: str, agent_id: str) -> str:
    """cdev's agent branch (and worktree folder) name: ``<taskId>-<agentId>``."""
    return f"{task_id}-{agent_id}"


def plan_file_name(task_id: str) -> str:
    """The task plan's file name: ``<taskId lower>-deployment-plan.json``."""
    return f"{task_id.lower()}-deployment-plan.json"


# --- atomic writes -------------------------------------------------------------------------------------


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Replace ``path`` with ``data`` atomically; an existing file keeps its permissions. Returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = _DEFAULT_FILE_MODE
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` atomically, adding a final newline when it has none (unless empty)."""
    if text and not text.endswith("\n"):
        text += "\n"
    return atomic_write_bytes(path, text.encode("utf-8"))


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not every platform/filesystem allows opening a directory.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def dump_yaml(data: Any) -> str:
    """YAML in the key order given (as cdev's ``yaml.dump(sort_keys=False)``), block style."""
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=110)


def dump_json(data: Any) -> str:
    """Indented JSON in the key order given, ending with a newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_yaml_and_json(stem: Path, data: Mapping[str, Any]) -> tuple[Path, Path]:
    """Write ``<stem>.yaml`` and ``<stem>.json`` with identical content; returns both paths."""
    yaml_path = atomic_write_text(stem.with_name(stem.name + ".yaml"), dump_yaml(dict(data)))
    json_path = atomic_write_text(stem.with_name(stem.name + ".json"), dump_json(dict(data)))
    return yaml_path, json_path


# --- agent context and workspace -----------------------------------------------------------------------


def _check_id(value: Any, what: str) -> str:
    text = str(value or "")
    if not _SAFE_ID.match(text) or ".." in text:
        raise CdevError(f"invalid {what} {text!r}: use letters, digits, '.', '_' or '-'")
    return text


def _union(lists: Iterable[Iterable[Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for items in lists:
        for item in items or ():
            if item is not None and str(item).strip():
                seen.setdefault(str(item), None)
    return list(seen)


def _entry_list(entry: Mapping[str, Any], *keys: str) -> list[Any]:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, str):
            return [value]
        if isinstance(value, Sequence):
            return list(value)
    return []


def agent_instances(plan: Mapping[str, Any], agent_id: str) -> list[dict[str, Any]]:
    """The plan's ``parallelAgents`` entries for ``agent_id`` (cdev merges duplicates into one workspace)."""
    entries = plan.get("parallelAgents") or []
    return [dict(e) for e in entries if isinstance(e, Mapping) and str(e.get("agentId")) == agent_id]


def agent_context(
    plan: Mapping[str, Any],
    agent: Mapping[str, Any],
    *,
    branch: str,
    worktree: Path,
    created_at: str,
) -> dict[str, Any]:
    """The §2.4 agent context for ``agent`` (a ``parallelAgents`` entry of ``plan``).

    Every plan entry with the same ``agentId`` becomes one of ``agentInstances``; the ``all*`` lists are their
    de-duplicated union in plan order (``allFilesToCreate``-style entry keys are accepted too), ``estimatedTime``
    is the sum and ``canStartImmediately`` holds when no instance has dependencies.
    """
    agent_id = _check_id(agent.get("agentId"), "agentId")
    instances = agent_instances(plan, agent_id) or [dict(agent)]
    dependencies = _union(_entry_list(i, "dependencies") for i in instances)
    return {
        "agentId": agent_id,
        "taskId": str(plan.get("taskId") or "unknown"),
        "taskTitle": str(plan.get("taskTitle") or ""),
        "branchName": branch,
        "workTreePath": str(worktree),
        "agentInstances": instances,
        "dependencies": dependencies,
        "allFilesToCreate": _union(_entry_list(i, "filesToCreate", "allFilesToCreate") for i in instances),
        "allFilesToModify": _union(_entry_list(i, "filesToModify", "allFilesToModify") for i in instances),
        "allTestContracts": _union(_entry_list(i, "testContracts", "allTestContracts") for i in instances),
        "allValidationCriteria": _union(
            _entry_list(i, "validationCriteria", "allValidationCriteria") for i in instances
        ),
        "canStartImmediately": not dependencies,
        "estimatedTime": sum(parse_minutes(i.get("estimatedTime")) or 0 for i in instances),
        "createdAt": created_at,
    }


def files_to_work_on_text(files_to_create: Iterable[str], files_to_modify: Iterable[str]) -> str:
    """``CREATE: p`` lines then ``MODIFY: p`` lines, each in the given order, without duplicates."""
    lines = [f"CREATE: {p}" for p in _union([files_to_create])]
    lines += [f"MODIFY: {p}" for p in _union([files_to_modify])]
    return "\n".join(lines) + "\n" if lines else ""


def checklist_text(criteria: Iterable[str], checked: Iterable[int] = ()) -> str:
    """``N. [ ] criterion`` lines numbered from 1; items whose number is in ``checked`` get ``[x]``."""
    ticked = set(checked)
    lines = [f"{n}. [{'x' if n in ticked else ' '}] {text}" for n, text in enumerate(_union([criteria]), 1)]
    return "\n".join(lines) + "\n" if lines else ""


def write_agent_workspace(
    worktree: Path,
    context: Mapping[str, Any],
    *,
    files_to_create: Iterable[str] | None = None,
    files_to_modify: Iterable[str] | None = None,
    test_contracts: Iterable[str] | None = None,
    validation_criteria: Iterable[str] | None = None,
) -> Path:
    """Write ``<worktree>/workspaces/<agentId>/`` and return that folder.

    Files: ``agent_context.yaml`` and ``.json`` (identical), ``files_to_work_on.txt``, ``test_contracts.txt``
    and a fresh (unticked) ``validation_checklist.txt``. A list left as None is taken from the context's
    ``all*`` key. Existing files are replaced.
    """
    agent_id = _check_id(context.get("agentId"), "agentId")

    def pick(given: Iterable[str] | None, key: str) -> list[str]:
        return _union([given if given is not None else context.get(key) or ()])

    folder = Path(worktree) / "workspaces" / agent_id
    folder.mkdir(parents=True, exist_ok=True)
    write_yaml_and_json(folder / CONTEXT_NAME, context)
    atomic_write_text(
        folder / FILES_LIST_NAME,
        files_to_work_on_text(
            pick(files_to_create, "allFilesToCreate"), pick(files_to_modify, "allFilesToModify")
        ),
    )
    contracts = pick(test_contracts, "allTestContracts")
    atomic_write_text(folder / CONTRACTS_NAME, "\n".join(contracts) + "\n" if contracts else "")
    atomic_write_text(
        folder / CHECKLIST_NAME, checklist_text(pick(validation_criteria, "allValidationCriteria"))
    )
    return folder


def set_checklist(path: Path, checked: Iterable[int], *, exclusive: bool = True) -> tuple[int, int]:
    """Tick checklist items in place and return ``(done, total)``.

    ``checked`` holds 1-based item numbers (the N-th ``[ ]``/``[x]`` line, which is ``N`` in cdev's
    ``N. [ ] text`` format). With ``exclusive`` the other items are unticked, otherwise they keep their state.
    Everything else in the file is kept byte for byte; ticks are written as lowercase ``[x]``.
    """
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise CdevError(f"{path}: checklist not found") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise CdevError(f"{path}: cannot read the checklist ({exc})") from None
    items = checklist_items(text)
    wanted = set(checked)
    unknown = sorted(n for n in wanted if not 1 <= n <= len(items))
    if unknown:
        raise CdevError(f"{path}: no checklist item {unknown[0]} (it has {len(items)})")
    lines = text.split("\n")
    done = 0
    for number, (index, was_checked, _item) in enumerate(items, 1):
        tick = number in wanted or (was_checked and not exclusive)
        done += tick
        lines[index] = _BOX.sub("[x]" if tick else "[ ]", lines[index], count=1)
    new_text = "\n".join(lines)
    if new_text != text:
        atomic_write_bytes(path, new_text.encode("utf-8"))
    return done, len(items)


def set_completed_marker(workspace: Path, completed: bool = True) -> Path:
    """Create (empty) or remove the ``COMPLETED`` marker in an agent workspace folder; returns its path."""
    marker = Path(workspace) / COMPLETED_MARKER
    if completed:
        if not marker.exists():
            atomic_write_bytes(marker, b"")
    else:
        marker.unlink(missing_ok=True)
    return marker


# --- coordination status -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentState:
    """What the coordination status records about one agent's progress."""

    agent_id: str
    status: str = "spawned"
    started_at: str | None = None
    completed_at: str | None = None


def coordination_status(
    plan: Mapping[str, Any],
    states: Iterable[AgentState] = (),
    *,
    created_at: str,
    last_updated: str | None = None,
) -> dict[str, Any]:
    """The §2.9 ``parallel-agent-status`` document for every agent of ``plan`` (in plan order).

    Agents without a state in ``states`` are ``spawned`` with no start or completion time.
    """
    by_id = {state.agent_id: state for state in states}
    task_id = str(plan.get("taskId") or "unknown")
    agent_ids = _union(
        [[e.get("agentId") for e in plan.get("parallelAgents") or [] if isinstance(e, Mapping)]]
    )
    agents = []
    for agent_id in agent_ids:
        instances = agent_instances(plan, agent_id)
        dependencies = _union(_entry_list(i, "dependencies") for i in instances)
        state = by_id.get(agent_id, AgentState(agent_id))
        agents.append(
            {
                "agentId": agent_id,
                "branchName": branch_name(task_id, agent_id),
                "status": state.status,
                "canStartImmediately": not dependencies,
                "dependencies": dependencies,
                "startedAt": state.started_at,
                "completedAt": state.completed_at,
            }
        )
    return {
        "taskId": task_id,
        "taskTitle": str(plan.get("taskTitle") or ""),
        "totalAgents": len(agents),
        "agents": agents,
        "createdAt": created_at,
        "lastUpdated": last_updated or created_at,
    }


def write_coordination_status(coord_dir: Path, status: Mapping[str, Any]) -> tuple[Path, Path]:
    """Write ``parallel-agent-status.yaml`` and ``.json`` (identical) into ``coord_dir``."""
    return write_yaml_and_json(Path(coord_dir) / COORDINATION_STATUS_NAME, status)


# --- plans and caches ----------------------------------------------------------------------------------


def write_plan_json(path: Path, plan: Mapping[str, Any]) -> Path:
    """Write a task-level plan (§2.2) as JSON, adding ``integration_order`` = ``integrationPlan.mergeOrder``.

    The extra key keeps the plan readable by cdev's integrate-parallel-work.py; an existing value is kept.
    """
    data = dict(plan)
    integration = data.get("integrationPlan")
    if "integration_order" not in data and isinstance(integration, Mapping) and "mergeOrder" in integration:
        data["integration_order"] = list(integration["mergeOrder"])
    return atomic_write_text(Path(path), dump_json(data))


def write_linear_cache(repo: Path, issue: Mapping[str, Any]) -> Path:
    """Write a Linear issue (§2.1) to ``<repo>/.linear-cache/<identifier>.json`` and return the path."""
    identifier = _check_id(issue.get("identifier"), "Linear issue identifier")
    return atomic_write_text(Path(repo) / ".linear-cache" / f"{identifier}.json", dump_json(dict(issue)))
