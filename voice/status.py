"""Spoken answers about the workspace: one or two short sentences, meant to be heard rather than read.

"status" sums the agents up and names what needs a person (stalled, blocked, in conflict); "what's blocked"
names the blocked agents and what they wait for; "how is auth" tells one agent's state. Agent ids are said
as people say them ("auth" for ``auth_agent`` or ``SHOP-42-auth_agent``). Textual-free.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

from cdev_tui.status import AgentStatus
from cdev_tui.workspace import Agent, WorkspaceSnapshot

_NUMBERS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def spoken_name(agent_id: str) -> str:
    """How an agent id is said: its task prefix and ``_agent`` suffix dropped, separators as spaces."""
    name = re.sub(r"^[A-Za-z]+-\d+-", "", agent_id)
    name = re.sub(r"[_-]?agent$", "", name, flags=re.I) or name
    return re.sub(r"[_-]+", " ", name).strip() or agent_id


def _count(n: int, noun: str) -> str:
    word = _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)
    return f"{word} {noun}{'' if n == 1 else 's'}"


def _idle_minutes(agent: Agent, now: float) -> int | None:
    last = agent.facts.last_activity
    if last is None:
        return None
    moment = last.timestamp() if isinstance(last, datetime) else float(last)
    return max(0, int((now - moment) // 60))


def _state(agent: Agent, now: float) -> str:
    """An agent's state in words: its status, what it waits for, how long it has been idle."""
    status = agent.status
    words = str(status)
    if status is AgentStatus.BLOCKED and agent.blocked_by:
        words = "blocked on " + " and ".join(spoken_name(d) for d in agent.blocked_by)
    if agent.stalled:
        minutes = _idle_minutes(agent, now)
        words += f", stalled for {minutes} minutes" if minutes is not None else ", stalled"
    return words


def status_sentence(snapshot: WorkspaceSnapshot, now: float) -> str:
    """The whole workspace in a sentence or two."""
    agents = list(snapshot.agents)
    if not agents:
        return "No agents yet."
    counts = Counter(str(a.status) for a in agents)
    order = [str(s) for s in AgentStatus]
    parts = [
        f"{_NUMBERS[n] if n < len(_NUMBERS) else n} {status}"
        for status, n in sorted(
            counts.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)
        )
    ]
    sentence = f"{_count(len(agents), 'agent')}: {', '.join(parts)}."
    attention = [
        f"{spoken_name(a.agent_id)} is {_state(a, now)}"
        for a in agents
        if a.stalled or a.status is AgentStatus.BLOCKED
    ]
    conflicted = [spoken_name(a.agent_id) for a in agents if a.facts.git is not None and a.facts.git.unmerged]
    if conflicted:
        attention.append(
            f"{' and '.join(conflicted)} {'has' if len(conflicted) == 1 else 'have'} a conflict to resolve"
        )
    if attention:
        sentence += " " + "; ".join(attention[:3]) + "."
    return sentence[:1].upper() + sentence[1:]


def blocked_sentence(snapshot: WorkspaceSnapshot) -> str:
    """Which agents are blocked and on what."""
    blocked = [a for a in snapshot.agents if a.status is AgentStatus.BLOCKED]
    if not blocked:
        return "Nothing is blocked."
    parts = [
        f"{spoken_name(a.agent_id)} waits for {' and '.join(spoken_name(d) for d in a.blocked_by) or 'a dependency'}"
        for a in blocked
    ]
    return "; ".join(parts)[:1].upper() + "; ".join(parts)[1:] + "."


def agent_sentence(snapshot: WorkspaceSnapshot, agent_id: str, now: float) -> str:
    """One agent's state, progress and what needs a person."""
    agent = snapshot.agent(agent_id)
    if agent is None:
        return f"There is no agent called {spoken_name(agent_id)}."
    done, total = agent.progress
    sentence = f"{spoken_name(agent_id).capitalize()} is {_state(agent, now)}"
    if total:
        sentence += f", {done} of {total} checklist items done"
    if agent.violations:
        sentence += f", and it changed {_count(len(agent.violations), 'file')} it does not own"
    git_state = agent.facts.git
    if git_state is not None and git_state.unmerged:
        sentence += f"; {_count(len(git_state.unmerged), 'file')} in conflict"
    return sentence + "."


def answer(snapshot: WorkspaceSnapshot, heard: str, now: float, agent_id: str | None = None) -> str:
    """The spoken answer to a status question: about one agent, about what is blocked, or everything."""
    if agent_id:
        return agent_sentence(snapshot, agent_id, now)
    if re.search(r"\bblock", heard, re.I):
        return blocked_sentence(snapshot)
    return status_sentence(snapshot, now)
