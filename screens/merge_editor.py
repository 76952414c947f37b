"""The merge editor: resolve a worktree's conflicts hunk by hunk from the keyboard.

Files on the left, the current hunk as ours | base | theirs with its result and suggestions on the right.
Choosing is instant and undoable; nothing reaches the worktree before ``w``. Reading, writing, concluding
and aborting run git in workers; results come back as messages. The screen dismisses with True when the
operation was concluded, False when it was aborted, None when the user left.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.worker import Worker, WorkerState

from cdev_tui.commands import scoped
from cdev_tui.errors import CdevError
from cdev_tui.widgets.conflict_files import ConflictFileList, file_panel
from cdev_tui.widgets.hunk_view import HunkShown, HunkView, SidePanel
from cdev_tui.widgets.voice_indicator import VoiceIndicator

if TYPE_CHECKING:
    from cdev_tui.conflicts.session import FileState, ResolveSession
    from cdev_tui.service import WorkspaceService


class MergeEditorScreen(Screen[bool | None]):
    """Resolve the conflicts of one worktree (merge, rebase, cherry-pick, revert or stash)."""

    COMMAND_SCOPE = "merge-editor"
    BINDINGS = [
        Binding(c.keys, c.action, c.title, show=c.show_in_footer, id=c.id, key_display=None)
        for c in scoped("merge-editor")
    ]

    class Loaded(Message):
        """The session was read (``error`` says why not)."""

        def __init__(self, error: str | None = None) -> None:
            super().__init__()
            self.error = error

    class Finished(Message):
        """A git job ended: ``what`` is write, conclude, abort, restore or reload."""

        def __init__(self, what: str, message: str, *, path: str | None = None, ok: bool = True) -> None:
            super().__init__()
            self.what = what
            self.message = message
            self.path = path
            self.ok = ok

    class Suggested(Message):
        """An on-demand suggestion (the LLM's) for one hunk."""

        def __init__(self, path: str, index: int, suggestion: Any) -> None:
            super().__init__()
            self.path = path
            self.index = index
            self.suggestion = suggestion

    def __init__(
        self,
        service: WorkspaceService,
        worktree: Path,
        *,
        only: list[str] | None = None,
        purpose: str = "",
        session: ResolveSession | None = None,
        leave_note: str = "They are kept and come back when you open the merge editor on this worktree again.",
        gate: bool | None = None,
    ) -> None:
        super().__init__()
        from cdev_tui.conflicts.session import ResolveSession

        self.service = service
        self.session = session or ResolveSession(worktree, only=only)
        self.purpose = purpose
        """What the editor was opened for, shown in the header (e.g. ``integration step 2 of 4``)."""
        self.leave_note = leave_note
        """What happens to choices not written when the user leaves (said in the confirmation)."""
        self.gate = gate
        """Check the security gate before concluding: None decides by the branch (the target is gated); the
        integration screen passes False, its pre-flight has gated the agents already."""
        self.file_at = 0
        self.hunk_at = 0
        self.busy = False
        self.loaded = False

    # -- layout ----------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Reading the conflicts…", id="merge-status", classes="pane-summary")
        with Horizontal(id="merge-body"):
            yield ConflictFileList(id="merge-files")
            with VerticalScroll(id="merge-main"):
                yield Static("", id="merge-file-panel")
                yield HunkView(id="merge-hunk")
        yield VoiceIndicator(id="voice-indicator")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Merge editor"
        self.sub_title = str(self.session.worktree) + (f" · {self.purpose}" if self.purpose else "")
        self.query_one("#merge-hunk").display = False
        self._load()

    @work(
        thread=True, exclusive=True, group="merge-load", exit_on_error=False, description="Reading conflicts"
    )
    def _load(self) -> None:
        from cdev_tui.conflicts.learned import LearnedStore

        try:
            if self.session.learned is None:
                self.session.learned = LearnedStore(self.service.store)
            self.session.load()
        except CdevError as exc:
            self.post_message(self.Loaded(str(exc)))
            return
        self.post_message(self.Loaded())

    @on(Loaded)
    def _on_loaded(self, message: Loaded) -> None:
        if message.error:
            self.query_one("#merge-status", Static).update(Text(message.error, style="bold red"))
            return
        self.loaded = True
        operation = self.session.operation
        assert operation is not None
        if not operation.in_progress:
            self.query_one("#merge-status", Static).update(
                Text(f"Nothing to resolve in {self.session.worktree}: no merge in progress.", style="yellow")
            )
            return
        if self.session.restored:
            self.notify(
                f"{self.session.restored} choices from your last session were restored (not written yet)."
            )
        self.file_at = 0
        self.hunk_at = self._first_open(self.files[0]) if self.files else 0
        self.query_one("#merge-files", OptionList).focus()
        self.refresh_view()

    # -- state helpers ---------------------------------------------------------------------------------

    @property
    def files(self) -> list[FileState]:
        """The session's files."""
        return self.session.files

    @property
    def current(self) -> FileState | None:
        """The file shown."""
        return self.files[self.file_at] if 0 <= self.file_at < len(self.files) else None

    def _first_open(self, state: FileState) -> int:
        for hunk in state.hunks:
            if hunk.index not in state.choices:
                return hunk.index
        return 0

    def refresh_view(self) -> None:
        """Redraw the status line, the file list and the current file."""
        self._show_status()
        self._show_files()
        self._show_current()

    def _show_status(self) -> None:
        operation = self.session.operation
        if operation is None:
            return
        hunks_left, files_left = self.session.remaining()
        status = Text()
        described = operation.describe()
        status.append(described[:1].upper() + described[1:], style="bold")
        status.append(f" · {hunks_left} hunks left", style="bold yellow" if hunks_left else "bold green")
        status.append(f" in {files_left} files not written", style="yellow" if files_left else "green")
        if not files_left:
            status.append(" · press c to conclude", style="bold green")
        state = self.current
        if state is not None:
            status.append(f"\n{state.path}", style="bold cyan")
            status.append(f" · {state.conflict.describe()}", style="dim")
            if state.conflict.is_text and state.hunks:
                status.append(f" · hunk {self._hunk_position(state)} of {len(state.hunks)}")
        self.query_one("#merge-status", Static).update(status)

    def _hunk_position(self, state: FileState) -> int:
        return next((n for n, h in enumerate(state.hunks, 1) if h.index == self.hunk_at), 1)

    def _show_files(self) -> None:
        self.query_one("#merge-files", ConflictFileList).show(self.files, self.file_at)

    def _show_current(self) -> None:
        state = self.current
        view = self.query_one("#merge-hunk", HunkView)
        panel = self.query_one("#merge-file-panel", Static)
        if state is None:
            view.display = False
            panel.update(Text("No conflicted files left.", style="green"))
            return
        if state.conflict.is_text and state.hunks and not state.written:
            panel.display = False
            view.display = True
            hunk = next((h for h in state.hunks if h.index == self.hunk_at), state.hunks[0])
            self.hunk_at = hunk.index
            view.show(
                HunkShown(
                    state.path,
                    hunk,
                    state.choices.get(hunk.index),
                    state.suggestions.get(hunk.index, []),
                    f"hunk {self._hunk_position(state)} of {len(state.hunks)}",
                )
            )
            return
        view.display = False
        panel.display = True
        panel.update(file_panel(state))

    # -- navigation ------------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#merge-files")
    @on(OptionList.OptionHighlighted, "#merge-files")
    def _file_chosen(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index != self.file_at and 0 <= event.option_index < len(self.files):
            self.file_at = event.option_index
            self.hunk_at = self._first_open(self.files[self.file_at])
            self._show_status()
            self._show_current()

    def action_move(self, delta: int) -> None:
        """Next or previous hunk, moving on to the next or previous file at the ends."""
        places = [
            (f, h.index) for f, state in enumerate(self.files) for h in state.hunks if not state.written
        ]
        places += [
            (f, -1) for f, state in enumerate(self.files) if not state.conflict.is_text and not state.written
        ]
        places.sort()
        if not places:
            return
        here = (self.file_at, self.hunk_at if self.current and self.current.conflict.is_text else -1)
        after = [p for p in places if (p > here if delta > 0 else p < here)]
        target = (after[0] if delta > 0 else after[-1]) if after else places[0 if delta > 0 else -1]
        self._go(*target)

    def action_goto_hunk(self, number: int) -> None:
        """Go to hunk ``number`` (from 1) of the file in front."""
        state = self.current
        if state is None or not 1 <= number <= len(state.hunks):
            self.notify(f"There is no hunk {number} here.", severity="warning")
            return
        self._go(self.file_at, state.hunks[number - 1].index)

    def action_move_file(self, delta: int) -> None:
        """Next or previous file."""
        if self.files:
            self.file_at = (self.file_at + delta) % len(self.files)
            self.hunk_at = self._first_open(self.files[self.file_at])
            self.refresh_view()

    def _go(self, file_at: int, hunk_at: int) -> None:
        self.file_at, self.hunk_at = file_at, max(hunk_at, 0)
        self.refresh_view()
        self.query_one("#merge-main", VerticalScroll).scroll_home(animate=False)

    def _advance(self) -> None:
        """After a choice: the next open hunk of this file, if any."""
        state = self.current
        if state is None:
            return
        later = [h.index for h in state.hunks if h.index not in state.choices and h.index > self.hunk_at]
        earlier = [h.index for h in state.hunks if h.index not in state.choices]
        target = later[0] if later else earlier[0] if earlier else self.hunk_at
        self._go(self.file_at, target)

    # -- choosing --------------------------------------------------------------------------------------

    def _ready(self) -> FileState | None:
        if not self.loaded or self.busy:
            if self.busy:
                self.notify("Busy writing; one moment.", severity="warning")
            return None
        state = self.current
        if state is None:
            return None
        if state.written:
            self.notify(f"{state.path} is written already (R restores its original).", severity="warning")
            return None
        return state

    def _changed(self, advance: bool = True) -> None:
        self._save_journal()
        if advance:
            self._advance()
        else:
            self.refresh_view()

    def action_pick(self, how: str) -> None:
        """Take a side (or both, or the base) for the hunk; on a file without hunks, the matching action."""
        state = self._ready()
        if state is None:
            return
        try:
            if not state.conflict.is_text:
                self._file_action(state, how)
                return
            self.session.pick(state.path, self.hunk_at, how)
        except CdevError as exc:
            self.notify(str(exc), severity="warning")
            return
        self._changed()

    def action_file_action(self, action: str) -> None:
        """Keep or delete a file in a modify/delete or rename conflict."""
        state = self._ready()
        if state is not None:
            self._file_action(state, action)

    def _file_action(self, state: FileState, action: str) -> None:
        if action not in state.conflict.actions:
            possible = ", ".join(state.conflict.actions) or "nothing"
            self.notify(f"{state.path}: {action} is not possible here ({possible})", severity="warning")
            return
        self.session.choose_action(state.path, action)
        self._changed(advance=False)

    def action_accept(self) -> None:
        """Resolve the hunk with its best suggestion (safe or not: this is the user's own key press)."""
        state = self._ready()
        if state is None or not state.conflict.is_text:
            return
        suggestions = state.suggestions.get(self.hunk_at, [])
        if not suggestions:
            self.notify("No suggestion for this hunk (l asks the LLM).", severity="warning")
            return
        self.session.accept(state.path, self.hunk_at, suggestions[0])
        self._changed()

    def action_accept_safe(self) -> None:
        """Resolve every hunk of this file that has a trivial, structural or learned suggestion."""
        state = self._ready()
        if state is None or not state.conflict.is_text:
            return
        count = self.session.accept_safe(state.path)
        self.notify(f"{count} hunks resolved with safe suggestions." if count else "No safe suggestion here.")
        if count:
            self._changed()

    def action_clear(self) -> None:
        """Show the hunk's conflict again."""
        state = self._ready()
        if state is not None and state.conflict.is_text and self.hunk_at in state.choices:
            self.session.clear(state.path, self.hunk_at)
            self._changed(advance=False)

    def action_undo(self) -> None:
        """Take back the last change and show where it was."""
        self._replay(self.session.undo(), "Nothing to undo.")

    def action_redo(self) -> None:
        """Make the last undone change again."""
        self._replay(self.session.redo(), "Nothing to redo.")

    def _replay(self, where: tuple[str, int] | None, empty: str) -> None:
        if where is None:
            self.notify(empty)
            return
        path, index = where
        self.file_at = next((n for n, s in enumerate(self.files) if s.path == path), self.file_at)
        self.hunk_at = index
        self._save_journal()
        self.refresh_view()

    def action_edit(self) -> None:
        """Write the hunk's result in a text editor (prefilled with the current result or the conflict)."""
        from cdev_tui.widgets.hunk_editor import HunkEditorScreen

        state = self._ready()
        if state is None or not state.conflict.is_text:
            return
        path, index = state.path, self.hunk_at
        title = f"{path} · hunk {self._hunk_position(state)} of {len(state.hunks)}"

        def done(text: str | None) -> None:
            if text is not None:
                self._take_edit(path, index, text)

        self.app.push_screen(HunkEditorScreen(title, self._edit_text(state), path), done)

    def _edit_text(self, state: FileState) -> str:
        choice = state.choices.get(self.hunk_at)
        hunk = next(h for h in state.hunks if h.index == self.hunk_at)
        return (choice.result if choice else hunk.raw).replace("\r\n", "\n")

    def _take_edit(self, path: str, index: int, text: str) -> None:
        from cdev_tui.conflicts.hunks import has_markers

        if has_markers(text):
            self.notify("The text still holds conflict markers: edit them away first.", severity="warning")
            return
        self.session.edit(path, index, text)
        self._changed()

    def action_external_edit(self) -> None:
        """Edit the hunk in $EDITOR (the whole file for one that cannot be parsed into hunks)."""
        from cdev_tui.actions import editor_argv

        state = self._ready()
        if state is None:
            return
        whole = not state.conflict.is_text
        if whole and state.conflict.kind not in ("undecodable", "broken markers"):
            self.notify("Choose a side for this file (o / t).", severity="warning")
            return
        suffix = Path(state.path).suffix
        with tempfile.TemporaryDirectory(prefix="cdev-edit-") as tmp:
            scratch = Path(tmp) / f"hunk{suffix}"
            if whole:
                scratch.write_bytes(state.content or (self.session.worktree / state.path).read_bytes())
            else:
                scratch.write_text(self._edit_text(state), encoding="utf-8")
            try:
                with self.app.suspend():
                    subprocess.run([*editor_argv(), str(scratch)], check=False)
            except (FileNotFoundError, CdevError) as exc:
                self.notify(f"Cannot start the editor: {exc}", severity="error")
                return
            data = scratch.read_bytes()
        if whole:
            self.session.set_content(state.path, data)
            self._changed(advance=False)
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.notify("The editor wrote text that is not UTF-8; nothing changed.", severity="error")
            return
        self._take_edit(state.path, self.hunk_at, text)

    def action_ask_llm(self) -> None:
        """Ask the configured LLM for this hunk (secrets are redacted; its answer is only a suggestion)."""
        state = self._ready()
        if state is None or not state.conflict.is_text:
            return
        self.notify("Asking the LLM…", timeout=3)
        self._ask_llm(state.path, self.hunk_at)

    @work(thread=True, group="merge-llm", exit_on_error=False, description="Asking the LLM")
    def _ask_llm(self, path: str, index: int) -> None:
        from cdev_tui.conflicts.llm_resolve import llm_suggestion

        state = self.session.file(path)
        hunk = next(h for h in state.hunks if h.index == index)
        suggestion = llm_suggestion(hunk, self.session.context(state, index))
        self.post_message(self.Suggested(path, index, suggestion))

    @on(Suggested)
    def _on_suggested(self, message: Suggested) -> None:
        state = self.session.file(message.path)
        found = state.suggestions.setdefault(message.index, [])
        found[:] = [s for s in found if s.source != "llm"] + [message.suggestion]
        if state is self.current and message.index == self.hunk_at:
            self._show_current()
        self.notify("The LLM's suggestion is listed; a picks the first suggestion, press it after checking.")

    def action_forget(self) -> None:
        """Forget the learned resolution offered for this hunk (it is no longer suggested anywhere)."""
        state = self.current
        if state is None or not state.conflict.is_text:
            return
        learned = [s for s in state.suggestions.get(self.hunk_at, []) if s.learned_key]
        if not learned:
            self.notify("Nothing learned for this hunk.")
            return
        self._forget(state.path, self.hunk_at, learned[0].learned_key)

    @work(thread=True, group="merge-learned", exit_on_error=False, description="Forgetting")
    def _forget(self, path: str, index: int, key: str) -> None:
        assert self.session.learned is not None
        self.session.learned.forget(key)
        self.post_message(self.Forgotten(path, index, key))

    class Forgotten(Message):
        """A learned resolution was deleted from the store."""

        def __init__(self, path: str, index: int, key: str) -> None:
            super().__init__()
            self.path = path
            self.index = index
            self.key = key

    @on(Forgotten)
    def _on_forgotten(self, message: Forgotten) -> None:
        for state in self.files:
            for found in state.suggestions.values():
                found[:] = [s for s in found if s.learned_key != message.key]
        self.notify("Forgotten: this resolution is no longer offered.")
        self._show_current()

    @on(SidePanel.Picked)
    def _side_clicked(self, message: SidePanel.Picked) -> None:
        self.action_pick(message.side)

    # -- writing and ending ----------------------------------------------------------------------------

    @work(
        thread=True, exclusive=True, group="merge-journal", exit_on_error=False, description="Saving choices"
    )
    def _save_journal(self) -> None:
        self.session.save_journal()

    def action_write(self) -> None:
        """Write the file and stage it; asks while markers remain or when the file changed on disk."""
        state = self._ready()
        if state is None:
            return
        if state.conflict.is_text and state.unresolved:
            self._confirm(
                f"Write {state.path} with {state.unresolved} hunks unresolved?",
                "Their conflict markers are written as they are and the file is staged.",
                lambda: self._write(state.path, allow_markers=True),
            )
            return
        self._write(state.path)

    def _confirm(
        self, question: str, detail: str, then: Any, yes_label: str = "Yes", otherwise: Any = None
    ) -> None:
        from cdev_tui.widgets.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                then()
            elif otherwise is not None:
                otherwise()

        self.app.push_screen(ConfirmScreen(question, detail, yes_label=yes_label), answered)

    @work(thread=True, exclusive=True, group="merge-git", exit_on_error=False, description="Writing")
    def _write(self, path: str, allow_markers: bool = False, force: bool = False) -> None:
        from cdev_tui.conflicts.session import ChangedOnDisk

        self.busy = True
        try:
            result = self.session.write(path, allow_markers=allow_markers, force=force)
        except ChangedOnDisk:
            self.post_message(self.Finished("changed", f"{path} changed on disk", path=path, ok=False))
            return
        finally:
            self.busy = False
        note = f"{path} written and staged"
        if result.learned:
            note += f"; {result.learned} resolutions learned"
        if result.not_learned:
            note += f" ({result.not_learned} not learned: they hold a secret)"
        self._record("merge.write", note)
        self.post_message(self.Finished("write", note, path=path))

    def _record(self, kind: str, message: str) -> None:
        """An event for the Metrics pane (from a worker thread: the store has its own writer)."""
        self.service.store.record_event(kind, message)

    @on(Finished)
    def _on_finished(self, message: Finished) -> None:
        if message.what == "changed":
            path = message.path or ""
            self._confirm(
                f"{path} changed on disk since it was opened. Keep your choices?",
                "Yes: write yours over the file on disk. No: reload the file from disk (your choices for it "
                "are dropped).",
                lambda: self._write(path, allow_markers=True, force=True),
                yes_label="Keep mine",
                otherwise=lambda: self._reload(path),
            )
            return
        self.notify(message.message, severity="information" if message.ok else "error", timeout=6)
        if message.what in ("conclude", "abort") and message.ok:
            self.dismiss(message.what == "conclude")
            return
        if message.what == "write":
            self._advance_file()
        self.refresh_view()

    def _advance_file(self) -> None:
        for n, state in enumerate(self.files):
            if not state.written:
                self.file_at, self.hunk_at = n, self._first_open(state)
                return

    def action_conclude(self) -> None:
        """Commit the merge (or continue the operation) once every file is written."""
        if not self.loaded or self.busy:
            return
        unwritten = [s.path for s in self.files if not s.written]
        if unwritten:
            self.notify(
                f"Write every file first ({len(unwritten)} left: {unwritten[0]}…).", severity="warning"
            )
            return
        self._conclude()

    class GateRefused(Message):
        """The security gate refuses what concluding would add to the target (``reason`` says what, masked)."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    @on(GateRefused)
    def _gate_refused(self, message: GateRefused) -> None:
        self._confirm(
            "The security gate refuses this merge. Conclude anyway?",
            f"{message.reason}. Accept the findings in the Security pane (b) to clear them; concluding "
            "anyway is recorded as an event.",
            lambda: self._conclude(override=message.reason),
            yes_label="Conclude anyway",
        )

    @work(thread=True, exclusive=True, group="merge-git", exit_on_error=False, description="Concluding")
    def _conclude(self, override: str = "") -> None:
        if not override:
            operation = self.session.operation
            label = operation.describe() if operation is not None else self.session.worktree.name
            verdict = self.service.conclude_verdict(self.session.worktree, label, self.gate)
            if verdict is not None and not verdict.passed:
                self.post_message(self.GateRefused(verdict.describe()))
                return
        else:
            self.service.record_gate_override([override], "merge editor")
        done = self.session.conclude()
        if done.stopped_again:
            self.post_message(self.Finished("reload", done.message, ok=False))
            self.post_message(self.Loaded())
            return
        self._record("merge.conclude", f"{self.session.worktree.name}: {done.message}")
        self.post_message(self.Finished("conclude", done.message))

    def action_abort(self) -> None:
        """Abort the operation: back to exactly the state before it, after a confirmation."""
        operation = self.session.operation
        if not self.loaded or operation is None or not operation.in_progress:
            return
        self._confirm(
            f"Abort {operation.describe()}?",
            "The worktree, index and branch go back to exactly where they were before; every resolution "
            "made here is dropped (written hunks stay learned).",
            self._abort,
            yes_label="Abort",
        )

    @work(thread=True, exclusive=True, group="merge-git", exit_on_error=False, description="Aborting")
    def _abort(self) -> None:
        message = self.session.abort()
        self._record("merge.abort", f"{self.session.worktree.name}: {message}")
        self.post_message(self.Finished("abort", message))

    @work(thread=True, exclusive=True, group="merge-git", exit_on_error=False, description="Reloading")
    def _reload(self, path: str) -> None:
        self.session.reload(path)
        self.post_message(self.Finished("reload", f"{path} read again from disk", path=path))

    def action_restore(self) -> None:
        """Put a written file back to its conflicted original."""
        state = self.current
        if state is None or not state.written or self.busy:
            return
        self._restore(state.path)

    @work(thread=True, exclusive=True, group="merge-git", exit_on_error=False, description="Restoring")
    def _restore(self, path: str) -> None:
        self.session.restore_original(path)
        self.post_message(self.Finished("restore", f"{path}: conflicted original restored"))

    def pending_choices(self) -> int:
        """Choices made here and not written yet."""
        return sum(len(s.choices) + bool(s.action) for s in self.files if not s.written)

    def action_close(self) -> None:
        """Leave the editor; asks when choices are not written (they stay in the journal)."""
        pending = self.pending_choices()
        if not pending:
            self.dismiss(None)
            return
        self._confirm(
            f"Leave with {pending} choices not written?",
            self.leave_note,
            lambda: self.dismiss(None),
            yes_label="Leave",
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed git job is a notice, never a crash; the editor stays usable."""
        if event.state is WorkerState.ERROR:
            self.busy = False
            error = event.worker.error
            text = str(error) if isinstance(error, CdevError) else f"{type(error).__name__}: {error}"
            self.notify(text, title=event.worker.description, severity="error", timeout=10)
