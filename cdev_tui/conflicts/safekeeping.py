"""What keeps a resolution safe until the operation ends: each file's conflicted original, kept before its
first write, and the journal of choices not written yet.

Both live in the worktree's own git directory (``cdev-resolve/<operation key>/``), never in the worktree,
and go when the operation is concluded or aborted. Every file here is written atomically.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from pathlib import Path

from cdev_tui.conflicts.choices import Choice, FileState
from cdev_tui.workspace_files import atomic_write_bytes

FOLDER = "cdev-resolve"


class Safekeeping:
    """Originals and the journal for one operation."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _name(self, path: str) -> Path:
        return self.root / "originals" / hashlib.sha1(path.encode()).hexdigest()

    def keep_original(self, path: str, data: bytes | None) -> None:
        """Keep ``path``'s conflicted content, the first time only (a later write must not replace it)."""
        target = self._name(path)
        if target.exists():
            return
        atomic_write_bytes(target, data if data is not None else b"")
        manifest = self.root / "originals.json"
        known = json.loads(manifest.read_text()) if manifest.is_file() else {}
        known[path] = {"file": target.name, "missing": data is None}
        atomic_write_bytes(manifest, json.dumps(known, indent=1).encode())

    def original(self, path: str) -> bytes | None:
        """The kept original of ``path`` (None when it was never written)."""
        target = self._name(path)
        return target.read_bytes() if target.is_file() else None

    def save_journal(self, states: Iterable[FileState]) -> None:
        """Record the choices of every file not written yet."""
        pending = {
            state.path: {
                "disk_hash": state.disk_hash,
                "choices": {str(i): [c.result, c.how, c.source, c.proven] for i, c in state.choices.items()},
                "action": state.action,
            }
            for state in states
            if not state.written and (state.choices or state.action)
        }
        journal = self.root / "journal.json"
        if pending or journal.exists():
            atomic_write_bytes(journal, json.dumps({"files": pending}).encode())

    def restore_journal(self, states: Iterable[FileState]) -> int:
        """Put back journalled choices on files unchanged since; returns how many came back."""
        journal = self.root / "journal.json"
        try:
            data = json.loads(journal.read_text()) if journal.is_file() else {}
        except (OSError, ValueError):
            return 0
        restored = 0
        for state in states:
            saved = data.get("files", {}).get(state.path)
            if not saved or saved.get("disk_hash") != state.disk_hash:
                continue
            known = {h.index for h in state.hunks}
            for key, (result, how, source, proven) in saved.get("choices", {}).items():
                if int(key) in known:
                    state.choices[int(key)] = Choice(result, how, source, proven)
                    restored += 1
            action = saved.get("action")
            if action in state.conflict.actions:
                state.action = action
                restored += 1
        return restored

    def discard(self) -> None:
        """Forget everything kept for this operation."""
        shutil.rmtree(self.root, ignore_errors=True)
