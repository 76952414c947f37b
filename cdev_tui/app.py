"""The Textual application and the one factory that builds it (used by the CLI and the tests)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

from cdev_tui import assets
from cdev_tui.commands import scoped
from cdev_tui.config import Config
from cdev_tui.screens.main import MainScreen
from cdev_tui.screens.voice_control import VoiceControlMixin
from cdev_tui.service import WorkspaceService, lazy_service

ASSETS = Path(assets.__file__).parent


class CdevApp(VoiceControlMixin, App[None]):
    """The full-screen dashboard. Everything it needs comes in through ``service``."""

    TITLE = "cdev-tui"
    CSS_PATH = [ASSETS / "app.tcss"]
    BINDINGS = [
        Binding(c.keys, c.action, c.title, show=c.show_in_footer, id=c.id, key_display=None)
        for c in scoped("app")
        if c.keys
    ]
    alert_seconds = 30.0
    """How often the alert rules are evaluated while nothing changes (0: never, e.g. for frozen-clock tests)."""

    def __init__(
        self, service: WorkspaceService, *, resolve: Path | None = None, resolve_only: list[str] | None = None
    ) -> None:
        super().__init__()
        self.service = service
        self.resolve = resolve
        """A worktree whose conflicts the merge editor opens on at start (``cdev-tui resolve``)."""
        self.resolve_only = resolve_only
        self.theme = service.config.theme
        self.keymap = dict(service.config.keymap)

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        if self.resolve is not None:
            self.open_merge_editor(self.resolve, only=self.resolve_only, then=self.exit)
        if self.service.config.voice_preload:
            self.preload_voice()

    def open_merge_editor(
        self, worktree: Path, *, only: list[str] | None = None, then=None, **options
    ) -> None:
        """Push the merge editor on ``worktree``; ``then(result)`` runs when it closes."""
        from cdev_tui.screens.merge_editor import MergeEditorScreen

        self.push_screen(MergeEditorScreen(self.service, worktree, only=only, **options), then)

    def get_default_screen(self) -> MainScreen:
        """The main screen is the app's own first screen (no push, so the first frame is the real one)."""
        return MainScreen(self.service)

    @property
    def main(self) -> MainScreen:
        """The main screen (always at the bottom of the stack)."""
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette: our registry first, then Textual's own (themes, keys, quit)."""
        for command in scoped("app"):
            yield SystemCommand(command.title, command.description, self._palette_callback(command.action))
        for command in scoped(getattr(screen, "COMMAND_SCOPE", "")):
            yield SystemCommand(
                command.title, command.description, self._screen_callback(screen, command.action)
            )
        if isinstance(screen, MainScreen) and screen.active_pane == "security":
            from cdev_tui.screens.security import SecurityPane

            for pane in screen.query(SecurityPane):
                for command in scoped("security"):
                    yield SystemCommand(
                        command.title, command.description, self._screen_callback(pane, command.action)
                    )
        yield from super().get_system_commands(screen)

    def _palette_callback(self, action: str):
        async def run() -> None:
            await self.run_action(action)

        return run

    def _screen_callback(self, node: DOMNode, action: str):
        async def run() -> None:
            await node.run_action(action)

        return run

    def action_show_pane(self, pane: str) -> None:
        """Switch to a pane (keys 1 to 4)."""
        from cdev_tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        self.main.show_pane(pane)

    def action_agents(self, method: str) -> None:
        """Run an Agents-pane command (search, sort, filter, ...) with that pane in front."""
        self.action_show_pane("agents")
        self.main.agents_pane_call(method)

    def action_agent(self, name: str) -> None:
        """An action on the highlighted agent (checklist, commit, open, remove...)."""
        self.action_show_pane("agents")
        self.main.agent_command(name)

    def action_plan(self) -> None:
        """Open the Plan screen on the workspace's task plan (or an empty one)."""
        from cdev_tui.screens.plan import PlanScreen

        if isinstance(self.screen, PlanScreen):
            return
        snapshot = self.main.snapshot
        plans = snapshot.task_plans if snapshot else ()
        self.push_screen(PlanScreen(self.service, plans[0] if plans else None))

    def action_integrate(self) -> None:
        """Open the Integrate screen on the latest snapshot."""
        from cdev_tui.screens.integrate import IntegrateScreen

        snapshot = self.main.snapshot
        if snapshot is None:
            self.notify("Still reading the workspace…")
            return
        if not isinstance(self.screen, IntegrateScreen):
            self.push_screen(IntegrateScreen(self.service, snapshot))

    def action_refresh_workspace(self) -> None:
        """Re-read every agent."""
        self.main.refresh_workspace()
        self.notify("Refreshing every agent…", timeout=2)

    def action_rescan(self) -> None:
        """Scan every worktree for secrets again."""
        self.main.rescan()

    def action_alerts(self) -> None:
        """List the alerts firing now (key !)."""
        from cdev_tui.screens.alerts import AlertsScreen

        if not isinstance(self.screen, AlertsScreen):
            self.push_screen(AlertsScreen(self.main))

    def action_help(self) -> None:
        """Show the help screen."""
        from cdev_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        """Quit; when a merge editor holds choices not written yet, it asks first (they stay journalled)."""
        from cdev_tui.screens.merge_editor import MergeEditorScreen

        pending = sum(s.pending_choices() for s in self.screen_stack if isinstance(s, MergeEditorScreen))
        if not pending:
            self.exit()
            return
        from cdev_tui.widgets.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(
            ConfirmScreen(
                f"Quit with {pending} merge choices not written?",
                "They are kept and come back when you open the merge editor on that worktree again.",
                yes_label="Quit",
            ),
            answered,
        )

    def on_unmount(self) -> None:
        self.service.close()


def make_app(
    start: Path,
    *,
    db: Path | None = None,
    config: Config | None = None,
    resolve: Path | None = None,
    resolve_only: list[str] | None = None,
) -> CdevApp:
    """Build the app for the repository around ``start``; raises CdevError for a bad repo or config.

    With ``resolve`` the merge editor opens at once on that worktree, and closing it ends the app.
    """
    service = lazy_service(start, db=db, config=config)
    return CdevApp(service, resolve=resolve, resolve_only=resolve_only)
