"""A session as data: every conflicted file and hunk with its suggestions (``cdev-tui resolve --format json``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cdev_tui.conflicts.choices import FileState

if TYPE_CHECKING:
    from cdev_tui.conflicts.session import ResolveSession


def session_json(session: ResolveSession) -> dict[str, Any]:
    """The operation, what is left, and each file with its hunks and suggestions."""
    operation = session.operation
    assert operation is not None
    hunks_left, files_left = session.remaining()
    return {
        "worktree": str(session.worktree),
        "operation": operation.kind or None,
        "describe": operation.describe(),
        "head": operation.head,
        "other": operation.other,
        "remaining": {"hunks": hunks_left, "files": files_left},
        "files": [file_json(state) for state in session.files],
    }


def file_json(state: FileState) -> dict[str, Any]:
    """One file: its kind and, for text, every hunk with ours/base/theirs and the suggestions."""
    conflict = state.conflict
    data: dict[str, Any] = {
        "path": state.path,
        "kind": conflict.kind,
        "status": conflict.code,
        "written": state.written,
    }
    if not conflict.is_text:
        data["actions"] = list(conflict.actions)
        data["problem"] = conflict.describe()
        return data
    data["hunks"] = [
        {
            "index": hunk.index,
            "line": hunk.start_line + 1,
            "ours": hunk.ours,
            "base": hunk.base,
            "theirs": hunk.theirs,
            "base_source": hunk.base_source,
            "resolved": hunk.index in state.choices,
            "suggestions": [s.to_json() for s in state.suggestions.get(hunk.index, [])],
        }
        for hunk in state.hunks
    ]
    return data
