"""A resolution session: one worktree's conflicts, the user's choices with undo and redo, and safe writes.

Textual-free; the merge editor and ``cdev-tui resolve`` both drive it. Choosing is in memory and instant;
:meth:`ResolveSession.load`, :meth:`~ResolveSession.write`, :meth:`~ResolveSession.conclude` and
:meth:`~ResolveSession.abort` run git and belong in a worker thread.

Nothing reaches the worktree before :meth:`~ResolveSession.write`. The first write of a file keeps its
conflicted original under the worktree's git directory until the operation is concluded or aborted, every
write is atomic, and the choices not yet written are journalled there too, so a crash loses nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdev_tui.conflicts.choices import (
    PICKS,
    ChangedOnDisk,
    Choice,
    FileState,
    MarkersLeft,
    Step,
    WriteResult,
    digest,
    join_sides,
    read_bytes,
)
from cdev_tui.conflicts.hunks import Hunk, has_markers
from cdev_tui.conflicts.operation import Concluded, Operation, abort, conclude, detect_operation
from cdev_tui.conflicts.safekeeping import FOLDER, Safekeeping
from cdev_tui.conflicts.stages import SUBMODULE as SUBMODULE_MODE
from cdev_tui.conflicts.stages import FileConflict, classify
from cdev_tui.conflicts.suggestions import SAFE_SOURCES, HunkContext, Suggestion, best_safe, suggest
from cdev_tui.errors import CdevError
from cdev_tui.gitops import git
from cdev_tui.workspace_files import atomic_write_bytes

if TYPE_CHECKING:
    from cdev_tui.conflicts.learned import LearnedStore

__all__ = ["PICKS", "ChangedOnDisk", "Choice", "FileState", "MarkersLeft", "ResolveSession", "WriteResult"]

_ANY = tuple(range(-255, 256))


class ResolveSession:
    """The conflicts of one worktree and what the user has chosen for them."""

    def __init__(
        self,
        worktree: Path,
        *,
        learned: LearnedStore | None = None,
        only: Sequence[str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.worktree = Path(worktree)
        self.learned = learned
        self.only = tuple(only) if only else None
        self.clock = clock
        self.operation: Operation | None = None
        self.files: list[FileState] = []
        self.restored = 0
        """Choices brought back from the journal of an earlier session on the same conflicts."""
        self._undo: list[list[Step]] = []
        self._redo: list[list[Step]] = []

    # -- reading ---------------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the operation and every conflicted file, with suggestions (blocking: git and the store)."""
        operation = detect_operation(self.worktree)
        entries = operation.entries
        if self.only is not None:
            entries = tuple(e for e in entries if e.path in self.only)
        self.operation = operation
        self.worktree = operation.worktree
        if self.learned is not None and (operation.common_dir / "rr-cache").is_dir():
            self.learned.import_rerere(operation.common_dir)  # git rerere's resolutions, once each
        conflicts = classify(operation.worktree, entries)
        conflicts = self._exact_bases(conflicts)
        self.files = [FileState(c, digest(read_bytes(operation.worktree / c.path))) for c in conflicts]
        for state in self.files:
            self._suggest(state)
        self._undo.clear()
        self._redo.clear()
        self.restored = self.safekeeping.restore_journal(self.files)

    def _exact_bases(self, conflicts: list[FileConflict]) -> list[FileConflict]:
        from cdev_tui.conflicts.merge_bases import bases_from_merge_tree

        assert self.operation is not None
        return bases_from_merge_tree(self.operation, conflicts)

    def reload(self, path: str) -> None:
        """Read one file again from disk and the index (its choices are dropped)."""
        assert self.operation is not None
        entries = [e for e in detect_operation(self.worktree).entries if e.path == path]
        index = self._index(path)
        if not entries:
            self.files[index].written = True
            return
        (conflict,) = self._exact_bases(classify(self.worktree, entries))
        state = FileState(conflict, digest(read_bytes(self.worktree / path)))
        self._suggest(state)
        self.files[index] = state
        self._undo = [[s for s in steps if s[0] != path] for steps in self._undo]
        self._undo = [steps for steps in self._undo if steps]
        self._redo.clear()

    def _suggest(self, state: FileState) -> None:
        state.suggestions = {
            h.index: suggest(h, self.context(state, h.index), self.learned) for h in state.hunks
        }

    def context(self, state: FileState, index: int) -> HunkContext:
        """The text around a hunk, other hunks taken as ours (for structural checks)."""
        assert state.conflict.text is not None
        text = state.conflict.text
        ours = {h.index: h.ours for h in state.hunks}
        before: list[str] = []
        after: list[str] = []
        seen = False
        for part in text.parts:
            if not isinstance(part, str) and part.index == index:
                seen = True
                continue
            (after if seen else before).append(part if isinstance(part, str) else part.ours)
        return HunkContext(
            state.path, "".join(before), "".join(after), lambda result: text.render({**ours, index: result})
        )

    # -- looking ---------------------------------------------------------------------------------------

    def _index(self, path: str) -> int:
        for n, state in enumerate(self.files):
            if state.path == path:
                return n
        raise CdevError(f"{path}: not a conflicted file of this session")

    def file(self, path: str) -> FileState:
        """The state of one file."""
        return self.files[self._index(path)]

    def remaining(self) -> tuple[int, int]:
        """(hunks or file actions still to choose, files not written yet)."""
        return (
            sum(f.unresolved for f in self.files),
            sum(1 for f in self.files if not f.written),
        )

    def suggestions(self, path: str, index: int) -> list[Suggestion]:
        """The suggestions for one hunk."""
        return self.file(path).suggestions.get(index, [])

    def disk_changed(self, path: str) -> bool:
        """Whether the file on disk is no longer what the session read or last wrote."""
        state = self.file(path)
        return digest(read_bytes(self.worktree / path)) != state.disk_hash

    # -- choosing (in memory, undoable) ----------------------------------------------------------------

    def pick(self, path: str, index: int, how: str) -> Choice:
        """Resolve a hunk from its own sections (see :data:`PICKS`)."""
        hunk = self._hunk(path, index)
        if how == "base" and hunk.base is None:
            raise CdevError(f"{path}: the base of hunk {index + 1} is not known")
        newline = self.file(path).conflict.text.newline  # type: ignore[union-attr]
        results = {
            "ours": hunk.ours,
            "theirs": hunk.theirs,
            "both": join_sides(hunk.ours, hunk.theirs, newline),
            "both-reversed": join_sides(hunk.theirs, hunk.ours, newline),
            "base": hunk.base or "",
        }
        if how not in results:
            raise CdevError(f"unknown pick {how!r} (one of {', '.join(PICKS)})")
        return self._set(path, index, Choice(results[how], how))

    def accept(self, path: str, index: int, suggestion: Suggestion) -> Choice:
        """Resolve a hunk with one of its suggestions."""
        self._hunk(path, index)
        return self._set(
            path, index, Choice(suggestion.result, "suggestion", suggestion.source, suggestion.safe)
        )

    def edit(self, path: str, index: int, text: str) -> Choice:
        """Resolve a hunk with text the user typed (line endings follow the file's)."""
        state = self.file(path)
        hunk = self._hunk(path, index)
        newline = state.conflict.text.newline if state.conflict.text else "\n"  # type: ignore[union-attr]
        if text and hunk.after and not text.endswith("\n"):
            text += "\n"  # the line after the hunk starts on a line of its own
        if newline == "\r\n":
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        return self._set(path, index, Choice(text, "edit"))

    def clear(self, path: str, index: int) -> None:
        """Take a hunk's choice back (it shows its conflict again)."""
        self._set(path, index, None)

    def accept_safe(self, path: str | None = None, sources: tuple[str, ...] = SAFE_SOURCES) -> int:
        """Resolve every open hunk (of ``path``, or of every file) that has an agreed safe suggestion.

        One undo step takes all of them back. Returns how many hunks were resolved.
        """
        steps: list[Step] = []
        for state in self.files if path is None else [self.file(path)]:
            if state.written:
                continue
            for hunk in state.hunks:
                if hunk.index in state.choices:
                    continue
                chosen = best_safe(state.suggestions.get(hunk.index, []), sources)
                if chosen is not None:
                    new = Choice(chosen.result, "suggestion", chosen.source, True)
                    steps.append((state.path, hunk.index, None, new))
                    state.choices[hunk.index] = new
        if steps:
            self._undo.append(steps)
            self._redo.clear()
        return len(steps)

    def choose_action(self, path: str, action: str) -> None:
        """Settle a file that is not resolved hunk by hunk (take a side, keep or delete it)."""
        state = self.file(path)
        if action not in state.conflict.actions:
            raise CdevError(f"{path}: {action!r} is not possible here ({', '.join(state.conflict.actions)})")
        self._record([(path, -1, state.action, action)])
        state.action = action

    def set_content(self, path: str, content: bytes) -> None:
        """Use whole-file content edited outside the session (for a file that is not parsed into hunks)."""
        state = self.file(path)
        self._record([(path, -2, state.content, content)])
        state.content = content

    def _hunk(self, path: str, index: int) -> Hunk:
        state = self.file(path)
        if state.written:
            raise CdevError(f"{path}: already written; reload it to change it again")
        for hunk in state.hunks:
            if hunk.index == index:
                return hunk
        raise CdevError(f"{path}: no hunk {index + 1}")

    def _set(self, path: str, index: int, choice: Choice | None) -> Choice:
        state = self.file(path)
        before = state.choices.get(index)
        self._record([(path, index, before, choice)])
        if choice is None:
            state.choices.pop(index, None)
        else:
            state.choices[index] = choice
        return choice  # type: ignore[return-value]

    def _record(self, steps: list[Step]) -> None:
        self._undo.append(steps)
        self._redo.clear()

    def undo(self) -> tuple[str, int] | None:
        """Take back the last change; returns where it was (path, hunk index), None when nothing is left."""
        return self._replay(self._undo, self._redo, backwards=True)

    def redo(self) -> tuple[str, int] | None:
        """Make the last undone change again."""
        return self._replay(self._redo, self._undo, backwards=False)

    def _replay(
        self, source: list[list[Step]], target: list[list[Step]], backwards: bool
    ) -> tuple[str, int] | None:
        while source:
            steps = source.pop()
            live = [s for s in steps if not self.file(s[0]).written]
            if not live:
                continue
            for path, index, before, after in reversed(live) if backwards else live:
                value = before if backwards else after
                state = self.file(path)
                if index == -1:
                    state.action = value
                elif index == -2:
                    state.content = value
                elif value is None:
                    state.choices.pop(index, None)
                else:
                    state.choices[index] = value
            target.append(live)
            path, index = live[0][0], live[0][1]
            return path, max(index, 0)
        return None

    # -- writing ---------------------------------------------------------------------------------------

    def write(
        self, path: str, *, allow_markers: bool = False, force: bool = False, stage: bool = True
    ) -> WriteResult:
        """Write one file atomically and stage it; the conflicted original is kept first.

        Raises :class:`MarkersLeft` while hunks are open (unless ``allow_markers``) and
        :class:`ChangedOnDisk` when someone else changed the file since it was read (unless ``force``).
        With ``stage=False`` the file stays unmerged in the index and is read again, its open hunks
        (with their bases) still to resolve.
        """
        assert self.operation is not None
        state = self.file(path)
        if state.written:
            return WriteResult(path, True, 0, 0, 0)
        started = time.perf_counter()
        result = self._write(state, allow_markers=allow_markers, force=force, stage=stage)
        if self.learned is not None:
            self.learned.record_accepted(
                self.operation.key, path, _accepted_sources(state), time.perf_counter() - started
            )
        return result

    def _write(self, state: FileState, *, allow_markers: bool, force: bool, stage: bool) -> WriteResult:
        assert self.operation is not None
        path = state.path
        if not self.worktree.is_dir():
            raise CdevError(f"{self.worktree}: the worktree is gone; nothing was written")
        if not force and self.disk_changed(path):
            raise ChangedOnDisk(path)
        target = self.worktree / path
        if state.content is not None:
            self._backup(state)
            atomic_write_bytes(target, state.content)
            self._git("add", "--", path)
            return self._written(state, WriteResult(path, True, 0, 0, 0))
        if not state.conflict.is_text:
            return self._apply_action(state)
        open_hunks = state.unresolved
        text = state.rendered()
        if open_hunks and not allow_markers:
            raise MarkersLeft(path, open_hunks)
        self._backup(state)
        atomic_write_bytes(target, text.encode("utf-8"))
        if stage:
            self._git("add", "--", path)
        learned = not_learned = 0
        if self.learned is not None:
            for hunk in state.hunks:
                choice = state.choices.get(hunk.index)
                if choice is None or choice.proven:
                    continue  # a proven suggestion comes back by itself
                if self.learned.remember(path, hunk.ours, hunk.base, hunk.theirs, choice.result, "editor"):
                    learned += 1
                else:
                    not_learned += 1
        return self._written(
            state, WriteResult(path, True, open_hunks if has_markers(text) else 0, learned, not_learned)
        )

    def _apply_action(self, state: FileState) -> WriteResult:
        action = state.action
        if action is None:
            raise CdevError(f"{state.path}: choose what to do first ({', '.join(state.conflict.actions)})")
        self._backup(state)
        path = state.path
        entry = state.conflict.entry
        if action in ("ours", "theirs"):
            stage = entry.stages.get(2 if action == "ours" else 3)
            if stage is None:
                self._git("rm", "-q", "--ignore-unmatch", "--", path)
            elif stage.mode == SUBMODULE_MODE:
                self._git("update-index", "--cacheinfo", f"{stage.mode},{stage.oid},{path}")
            else:
                self._git("checkout", f"--{action}", "--", path)
                self._git("add", "--", path)
        elif action == "keep":
            self._git("add", "--", path)
        elif action == "delete":
            self._git("rm", "-q", "--ignore-unmatch", "--", path)
        return self._written(state, WriteResult(path, True, 0, 0, 0))

    def _written(self, state: FileState, result: WriteResult) -> WriteResult:
        state.written = True
        state.disk_hash = digest(read_bytes(self.worktree / state.path))
        self.save_journal()
        return result

    def _git(self, *args: str) -> None:
        git(self.worktree, *args)

    # -- originals and the journal --------------------------------------------------------------------

    @property
    def safekeeping(self) -> Safekeeping:
        """Where this operation's originals and journal are kept (inside the worktree's git directory)."""
        assert self.operation is not None
        return Safekeeping(self.operation.git_dir / FOLDER / self.operation.key)

    @property
    def backup_root(self) -> Path:
        """The folder of :attr:`safekeeping`."""
        return self.safekeeping.root

    def _backup(self, state: FileState) -> None:
        self.safekeeping.keep_original(state.path, read_bytes(self.worktree / state.path))

    def original(self, path: str) -> bytes | None:
        """The conflicted file as it was before this session first wrote it (None if not written yet)."""
        return self.safekeeping.original(path)

    def restore_original(self, path: str) -> None:
        """Put a written file back to its conflicted original, conflict entries in the index included."""
        data = self.original(path)
        if data is None:
            raise CdevError(f"{path}: nothing to restore (this session has not written it)")
        git(self.worktree, "checkout", "-m", "--", path, ok_codes=_ANY)  # index stages back from resolve-undo
        atomic_write_bytes(self.worktree / path, data)
        self.reload(path)

    def save_journal(self) -> None:
        """Record the choices not written yet, so that a crash loses none of them."""
        if self.operation is not None:
            self.safekeeping.save_journal(self.files)

    # -- ending ----------------------------------------------------------------------------------------

    def conclude(self) -> Concluded:
        """Commit the merge (or continue the rebase/cherry-pick/revert) once every file is written."""
        assert self.operation is not None
        unwritten = [f.path for f in self.files if not f.written]
        if unwritten:
            raise CdevError(f"write every file first: {', '.join(unwritten[:5])} still open")
        done = conclude(self.operation)
        self.safekeeping.discard()
        if done.stopped_again:
            self.load()
        return done

    def abort(self) -> str:
        """Abort the operation with git (back to the state before it); drops this session's backups."""
        assert self.operation is not None
        message = abort(self.operation)
        self.safekeeping.discard()
        self.files = []
        return message

    # -- reporting -------------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """Every file and hunk with its suggestions (the shape ``cdev-tui resolve --format json`` prints)."""
        from cdev_tui.conflicts.listing import session_json

        return session_json(self)


def _accepted_sources(state: FileState) -> dict[int, str]:
    """Where the written resolutions came from: per resolved hunk, or -1 for a file settled whole."""
    if not state.written:
        return {}
    if state.content is not None:
        return {-1: "hand-edited"}
    if not state.conflict.is_text:
        return {-1: state.action} if state.action else {}
    return {h.index: state.choices[h.index].accepted_from for h in state.hunks if h.index in state.choices}
