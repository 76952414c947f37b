"""Agent sessions for the CLI and the app: start, find, tell the state of, prompt, peek at, stop, attach."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from cdev_tui.errors import CdevError
from cdev_tui.sessions import state as states
from cdev_tui.sessions.programs import ProgramProfile, profile_for
from cdev_tui.sessions.prompt import first_prompt
from cdev_tui.sessions.state import SessionInfo, SessionState
from cdev_tui.sessions.tmux import PaneFacts, TmuxServer, program_available, session_name, socket_name

if TYPE_CHECKING:
    from cdev_tui.config import Config
    from cdev_tui.workspace import Agent, WorkspacePaths

STARTING_SECONDS = 2.0
"""A program this young that has printed nothing is starting (working), not quiet."""
PROMPT_READY_SECONDS = 30.0
"""How long a program that takes its prompt typed may take to show its input prompt."""


class AgentSessions:
    """The agents' programs in our tmux server, told apart by the ``@cdev_agent`` option of their session."""

    def __init__(
        self,
        server: TmuxServer,
        programs: Mapping[str, ProgramProfile],
        default_program: str = "claude",
        *,
        agent_programs: Mapping[str, str] | None = None,
        quiet_seconds: float = 1.0,
        clock: Callable[[], float] = time.time,
        state_dir: Path | None = None,
    ) -> None:
        self.server = server
        self.state_dir = state_dir
        """Where the programs' state files go (``<git common dir>/cdev/sessions``)."""
        self.programs = programs
        self.default_program = default_program
        self.agent_programs = dict(agent_programs or {})
        self.quiet_seconds = quiet_seconds
        self._clock = clock

    @classmethod
    def for_workspace(cls, paths: WorkspacePaths, config: Config) -> AgentSessions:
        """The sessions of this repository, with the configured programs."""
        return cls(
            TmuxServer(socket_name(paths.common_dir)),
            config.programs,
            config.agent_program,
            agent_programs=config.agent_programs,
            quiet_seconds=config.session_quiet_ms / 1000,
            state_dir=paths.common_dir / "cdev" / "sessions",
        )

    def profile(self, name: str) -> ProgramProfile:
        """A program profile by name (configured, then built in)."""
        return profile_for(name, self.programs)

    def program_of(self, agent: Agent) -> str:
        """The program an agent runs: the config's ``[agent_programs]`` choice, its plan's ``program``, else
        the configured default."""
        return self.agent_programs.get(agent.agent_id) or agent.spec.program or self.default_program

    # -- finding and telling the state --------------------------------------------------------------------

    def panes(self) -> dict[str, PaneFacts]:
        """Agent id → its session's pane (one tmux call; none when the server is not running)."""
        return {pane.agent_id: pane for pane in self.server.panes()}

    def states(self, worktrees: Mapping[str, Path | None] | None = None) -> dict[str, SessionInfo]:
        """Every session's state, told once from tmux, ``/proc`` and the screen (the CLI's view)."""
        worktrees = worktrees or {}
        return {
            agent_id: self.observe(pane, worktrees.get(agent_id)) for agent_id, pane in self.panes().items()
        }

    def observe(
        self,
        pane: PaneFacts,
        worktree: Path | None = None,
        last_output: float | None = None,
        quiet_seconds: float | None = None,
        screens: dict[str, tuple[float, str]] | None = None,
    ) -> SessionInfo:
        """One pane's state now; the time it entered it is kept on the session for the next observer.

        ``quiet_seconds`` shortens the quiet time (the monitor's early look, which only believes "waiting").
        ``screens`` (pane id → when captured, screen) keeps screens between looks: a screen captured after
        the last output is still the screen, and is not captured again.
        """
        now = self._clock()
        last = max(pane.activity if last_output is None else last_output, self.quiet_from(pane))
        # tmux keeps the last output in whole seconds: quiet only when surely past the quiet time.
        slack = 0.0 if last_output is not None else 1.0
        quiet = now - last >= (self.quiet_seconds if quiet_seconds is None else quiet_seconds) + slack
        profile = self.profile_or_generic(pane.program)
        screen, reading, hooked = "", None, None
        if not pane.dead and quiet:
            hooked = states.status_file_state(self.status_files(pane, profile, worktree), last)
            if hooked is None:
                screen = self._screen(pane.pane_id, last, screens) if _has_patterns(profile) else ""
                reading = states.reading_terminal(pane.pane_pid)
        state = states.classify(
            profile, dead=pane.dead, quiet=quiet, screen=screen, reading_terminal=reading, hooked=hooked
        )
        if quiet_seconds is not None and state not in (SessionState.WAITING, SessionState.EXITED):
            state = SessionState.WORKING  # too early to call it idle
        return self.info(pane, state, last)

    def _screen(self, pane_id: str, last_output: float, screens: dict[str, tuple[float, str]] | None) -> str:
        kept = screens.get(pane_id) if screens is not None else None
        if kept is not None and kept[0] > last_output:
            return kept[1]
        captured_at = self._clock()
        screen = self.server.capture(pane_id, ansi=False)
        if screens is not None:
            screens[pane_id] = (captured_at, screen)
        return screen

    def state_file(self, agent_id: str) -> Path | None:
        """Where the agent's program (or its hooks) may write its state: ``$CDEV_AGENT_STATE``."""
        return self.state_dir / f"{session_name(agent_id)}.state" if self.state_dir is not None else None

    def status_files(self, pane: PaneFacts, profile: ProgramProfile, worktree: Path | None) -> list[Path]:
        """The files that may tell the program's state: ``$CDEV_AGENT_STATE`` and the profile's status file."""
        found = [self.state_file(pane.agent_id)]
        if profile.status_file and worktree is not None:
            found.append(worktree / profile.status_file)
        return [path for path in found if path is not None]

    def quiet_from(self, pane: PaneFacts) -> float:
        """Silence before this time does not count: the program was still starting."""
        return pane.created + STARTING_SECONDS - self.quiet_seconds

    def info(self, pane: PaneFacts, state: SessionState, last_output: float) -> SessionInfo:
        """The session's info in ``state``; since when comes from the session when it was already in it."""
        if pane.recorded_state == state and pane.recorded_since is not None:
            since = pane.recorded_since
        else:
            if state is SessionState.EXITED:
                since = pane.dead_at or self._clock()
            elif state is SessionState.WORKING:
                since = self._clock()
            else:
                since = last_output
            self.server.set_state(pane.session, str(state), since)
        return SessionInfo(
            agent_id=pane.agent_id,
            session=pane.session,
            program=pane.program,
            state=state,
            since=since,
            pid=None if pane.dead else states.program_pid(pane.pane_pid),
            exit_code=pane.exit_code,
            pane_id=pane.pane_id,
        )

    def pane(self, agent_id: str) -> PaneFacts:
        """The agent's session pane; a clear error when it has none."""
        pane = self.panes().get(agent_id)
        if pane is None:
            where = "" if self.server.socket_path.exists() else " (no agent session is running)"
            raise CdevError(
                f"{agent_id}: no program session{where}; start one with: cdev-tui agent start {agent_id}"
            )
        return pane

    # -- acting -------------------------------------------------------------------------------------------

    def start(self, agent: Agent, program: str | None = None, prompt: str | None = None) -> tuple[str, str]:
        """Start the agent's program in its worktree; returns (session name, the prompt that goes to it)."""
        if agent.facts.remote:
            raise CdevError(f"{agent.agent_id}: a remote agent has no worktree here to run a program in")
        worktree = agent.facts.worktree
        if worktree is None:
            raise CdevError(f"{agent.agent_id}: has no worktree yet (spawn it first)")
        if not worktree.is_dir():
            raise CdevError(f"{agent.agent_id}: its worktree {worktree} is gone (removed?)")
        name = program or self.program_of(agent)
        profile = self.profile(name)
        text = first_prompt(agent) if prompt is None else prompt
        argv = profile.argv(text if profile.prompt == "argument" else "")
        if not program_available(argv[0], worktree):
            raise CdevError(
                f"{argv[0]}: command not found (program {name!r}; set [programs.{name}] command in the config)"
            )
        env = {"CDEV_AGENT_ID": agent.agent_id}
        state_file = self.state_file(agent.agent_id)
        if state_file is not None:
            state_file.parent.mkdir(parents=True, exist_ok=True)
            state_file.unlink(missing_ok=True)  # a new run: the last one's state does not hold
            env["CDEV_AGENT_STATE"] = str(state_file)
        session = self.server.start(agent.agent_id, name, argv, worktree, env)
        return session, text if profile.prompt != "none" else ""

    def deliver_typed_prompt(self, agent_id: str, text: str, timeout: float = PROMPT_READY_SECONDS) -> bool:
        """Type the first prompt once the program waits for input (for programs that take it typed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pane = self.panes().get(agent_id)
            if pane is None or pane.dead:
                return False
            if self.observe(pane).state in (SessionState.WAITING, SessionState.IDLE):
                self.send(agent_id, " ".join(text.split()))
                return True
            time.sleep(0.25)
        return False

    def send(self, agent_id: str, text: str, *, enter: bool = True) -> None:
        """Type ``text`` (and Enter) into the agent's program."""
        pane = self.pane(agent_id)
        if pane.dead:
            raise CdevError(f"{agent_id}: its program has exited (code {pane.exit_code}); nothing to send to")
        self.server.send_text(pane.pane_id, text, enter=enter)

    def peek(self, agent_id: str, lines: int = 0, *, ansi: bool = True) -> str:
        """The last screenful of the agent's terminal (and ``lines`` of history), colours kept."""
        return self.server.capture(self.pane(agent_id).pane_id, lines, ansi=ansi)

    def stop(self, agent_id: str) -> None:
        """End the agent's program and its session."""
        self.server.stop(self.pane(agent_id))

    def attach_argv(self, agent_id: str) -> list[str]:
        """The command that attaches a terminal to the agent's session."""
        return self.server.attach_argv(self.pane(agent_id).session)

    def profile_or_generic(self, name: str) -> ProgramProfile:
        """The profile called ``name``, or one with the generic rules only when the config no longer has it."""
        try:
            return self.profile(name)
        except CdevError:  # started with a profile the config no longer has: generic rules only
            return ProgramProfile(name=name or "unknown", command=name or "unknown")


def _has_patterns(profile: ProgramProfile) -> bool:
    return any(profile.compiled)


__all__ = ["AgentSessions", "SessionInfo", "SessionState", "session_name"]
