"""The workspace service's sessions half: the agents' programs, their states in the store, their usage.

Textual-free. :class:`~cdev_tui.service.WorkspaceService` inherits it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cdev_tui.config import Config
    from cdev_tui.sessions.control import AgentSessions
    from cdev_tui.sessions.state import SessionInfo
    from cdev_tui.store import Store
    from cdev_tui.workspace import WorkspacePaths, WorkspaceSnapshot


class SessionsService:
    """Start, find and follow the agents' program sessions; keep their states and usage in the store."""

    config: Config
    paths: WorkspacePaths
    store: Store
    wall_clock: Callable[[], float]
    _agent_sessions: AgentSessions | None = None
    _usage_reader: Any = None

    @property
    def sessions(self) -> AgentSessions:
        """This repository's agent sessions (our tmux server), made on first use."""
        if self._agent_sessions is None:
            from cdev_tui.sessions.control import AgentSessions

            self._agent_sessions = AgentSessions.for_workspace(self.paths, self.config)
        return self._agent_sessions

    def session_states(self, snapshot: WorkspaceSnapshot) -> dict[str, SessionInfo]:
        """Agent id → its program session's state now (none: no session); empty when tmux is missing."""
        from cdev_tui.sessions.tmux import TmuxError

        worktrees = {a.agent_id: a.facts.worktree for a in snapshot.agents}
        try:
            return self.sessions.states(worktrees)
        except TmuxError:
            return {}

    def start_session(
        self,
        snapshot: WorkspaceSnapshot,
        agent_id: str,
        program: str | None = None,
        prompt: str | None = None,
    ) -> str:
        """Start an agent's program in its session; what happened, in one line. Typed prompts are typed
        once the program waits for input (this waits for that, so call it from a worker)."""
        agent = snapshot.require_agent(agent_id)
        sessions = self.sessions
        name = program or sessions.program_of(agent)
        session, text = sessions.start(agent, name, prompt)
        self.store.record_event("session", f"{agent_id}: started {name} in tmux session {session}", agent_id)
        typed = text and sessions.profile(name).prompt == "typed"
        if typed and not sessions.deliver_typed_prompt(agent_id, text):
            return (
                f"{agent_id}: started {name}, but it never waited for input: the first prompt was not typed"
            )
        return f"{agent_id}: started {name} (session {session})"

    def stop_session(self, agent_id: str) -> str:
        """End an agent's program session."""
        self.sessions.stop(agent_id)
        self.store.record_session_state(agent_id, "ended", self.wall_clock(), "")
        self.store.record_event("session", f"{agent_id}: session stopped", agent_id)
        return f"{agent_id}: session stopped"

    def record_session_states(
        self, current: Mapping[str, SessionInfo], previous: Mapping[str, SessionInfo]
    ) -> list[SessionInfo]:
        """Keep the states that moved; returns the sessions that have just started waiting for the user."""
        started_waiting = []
        for agent_id, info in current.items():
            before = previous.get(agent_id)
            if before is not None and before.state == info.state and before.since == info.since:
                continue
            self.store.record_session_state(
                agent_id, str(info.state), info.since, info.program, info.exit_code
            )
            if str(info.state) == "waiting" and (before is None or str(before.state) != "waiting"):
                started_waiting.append(info)
        for agent_id in set(previous) - set(current):
            self.store.record_session_state(agent_id, "ended", self.wall_clock(), "")
        return started_waiting

    def session_usage_text(self, snapshot: WorkspaceSnapshot | None, agent_id: str, program: str) -> str:
        """Tokens and estimated cost of the agent's program and of its task, when the program records them
        locally (Claude Code's transcripts); kept in the store. Empty when there is nothing to tell."""
        agent = snapshot.agent(agent_id) if snapshot is not None else None
        profile = self.sessions.profile_or_generic(program)
        if agent is None or agent.facts.worktree is None or profile.transcripts != "claude":
            return ""
        if self._usage_reader is None:
            from cdev_tui.sessions.usage import DEFAULT_PRICES, UsageReader

            self._usage_reader = UsageReader({**DEFAULT_PRICES, **self.config.prices})
        usage = self._usage_reader.read(agent.facts.worktree)
        if not usage.messages:
            return "No usage recorded yet (Claude Code transcripts)."
        task = agent.facts.task_id
        self.store.record_usage(agent_id, task, program, usage)
        self.store.flush()
        text = f"Usage: {usage_line(usage.total_tokens, usage.cost_usd)}"
        text += (
            f" (in {usage.input_tokens:,}, out {usage.output_tokens:,}, cache {usage.cache_read_tokens:,})"
        )
        if usage.unpriced_models:
            text += f"; no price for {', '.join(usage.unpriced_models)}"
        if task:
            rows = self.store.query(
                "SELECT count(*) AS n, sum(input + output + cache_write + cache_read) AS tokens, "
                "sum(cost_usd) AS cost FROM agent_usage WHERE task_id = ?",
                [task],
            )
            if rows and rows[0]["n"] > 1:
                text += (
                    f"\nTask {task}, {rows[0]['n']} agents: {usage_line(rows[0]['tokens'], rows[0]['cost'])}"
                )
        return text


def usage_line(tokens: int, cost: float) -> str:
    """``1,234,567 tokens · ≈ $3.21``."""
    return f"{tokens:,} tokens · ≈ ${cost:,.2f}"
