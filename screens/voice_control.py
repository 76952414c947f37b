"""Voice in the app: the voice key, listening in a worker, and what is heard run as a command.

A mixin of the app (it needs the app's screens, actions and service). The engine (Textual-free) does the
listening; this part shows its state in every voice indicator on screen, runs the matched command from the
one registry — destructive ones after a spoken or typed confirmation — offers alternatives when it is not
sure, answers status questions out loud, and logs every utterance in the store (never the audio).
"""

from __future__ import annotations

import contextlib
import json
import threading
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from cdev_tui.errors import CdevError

if TYPE_CHECKING:
    from cdev_tui.progress import JobProgress
    from cdev_tui.voice.engine import Heard, VoiceEngine
    from cdev_tui.voice.intents import Match, VoiceContext
    from cdev_tui.voice.state import VoiceState

YES = frozenset({"yes", "yeah", "yep", "confirm", "do it", "sure", "ok", "okay"})
NO = frozenset({"no", "nope", "cancel", "don't", "stop", "never mind"})
ASKS_ITSELF = frozenset(
    {"agent.remove", "agent.delete-branch", "agent.commit", "agent.complete", "integrate.open", "merge.abort"}
)
"""Destructive commands that already ask before they change anything: voice does not ask twice."""
OFFER_FLOOR = 0.65
"""Below this, a candidate is not worth offering: the speech was probably not a command at all."""
MODEL_JOB = "Loading the speech model"


class VoiceControlMixin:
    """Mixed into the app: ``v`` starts listening, and the heard command runs like a key press."""

    class VoiceStateChanged(Message):
        """The engine reports what it is doing (from the listening worker)."""

        def __init__(self, state: VoiceState) -> None:
            super().__init__()
            self.state = state

    class VoiceLoadProgress(Message):
        """How far the speech model's load is (a ``JobProgress`` in stages; from a worker)."""

        def __init__(self, progress: JobProgress) -> None:
            super().__init__()
            self.progress = progress

    class VoiceHeard(Message):
        """One utterance understood, or None when nothing was said before it ended."""

        def __init__(self, heard: Heard | None, context: VoiceContext) -> None:
            super().__init__()
            self.heard = heard
            self.context = context

    _voice_engine: VoiceEngine | None = None
    _voice_stop: threading.Event | None = None
    _voice_state: VoiceState | None = None
    _model_load: JobProgress | None = None
    """The speech model's load while it runs (a line above the voice indicator shows it)."""
    _speaker: Any = None

    # -- the engine and the indicator --------------------------------------------------------------------

    @property
    def voice_engine(self) -> VoiceEngine:
        """The voice engine (the model loads on first use, or at start with ``voice_preload``)."""
        if self._voice_engine is None:
            from cdev_tui.voice.engine import VoiceEngine, llm_picker

            config = self.service.config  # type: ignore[attr-defined]
            self._voice_engine = VoiceEngine(config, llm_picker() if config.voice_llm_fallback else None)
        return self._voice_engine

    @property
    def voice_state(self) -> VoiceState:
        """The last state shown."""
        if self._voice_state is None:
            from cdev_tui.voice.state import VoiceState

            self._voice_state = VoiceState("off")
        return self._voice_state

    def show_voice_state(self, state: VoiceState) -> None:
        """Draw ``state`` in every voice indicator of the screen in front."""
        from cdev_tui.widgets.voice_indicator import VoiceIndicator

        self._voice_state = state
        indicators = list(self.screen.query(VoiceIndicator))  # type: ignore[attr-defined]
        for indicator in indicators:
            indicator.show_state(state)
        if not indicators and state.phase in ("heard", "unavailable"):
            from cdev_tui.widgets.voice_indicator import describe

            self.notify(describe(state).plain, timeout=4)  # type: ignore[attr-defined]

    async def on_voice_control_mixin_voice_state_changed(self, message: VoiceStateChanged) -> None:
        self.show_voice_state(message.state)
        if message.state.phase == "loading":
            self._model_load = self._model_load or _begin_load()
            await self.show_model_load(self._model_load)
        elif self._model_load is not None:  # listening, or unavailable: the load is over either way
            self._model_load = None
            await self.show_model_load(None)

    async def on_voice_control_mixin_voice_load_progress(self, message: VoiceLoadProgress) -> None:
        if message.progress.finished:
            if self._model_load is not None:
                self._model_load = None
                await self.show_model_load(None)
        else:
            self._model_load = message.progress
            await self.show_model_load(message.progress)

    async def show_model_load(self, progress: JobProgress | None) -> None:
        """The speech model's load on a line above the voice indicator of the screen in front (a spinner and the
        time elapsed); None: the load is over, the line goes."""
        from cdev_tui.widgets.job_progress import JobProgressBar
        from cdev_tui.widgets.voice_indicator import VoiceIndicator

        if progress is None:
            for screen in self.screen_stack:  # type: ignore[attr-defined]
                await screen.query(".voice-load-progress").remove()
            return
        lines = list(self.screen.query(".voice-load-progress"))  # type: ignore[attr-defined]
        if not lines:
            for indicator in self.screen.query(VoiceIndicator):  # type: ignore[attr-defined]
                line = JobProgressBar(classes="voice-load-progress")
                await indicator.parent.mount(line, before=indicator)
                lines.append(line)
        for line in lines:
            line.show(progress)

    def _load_reporter(self) -> Any:
        """A progress callback for the model's load, posting to the app from the worker."""
        from cdev_tui.progress import job_reporter

        return job_reporter(MODEL_JOB, lambda p: self.post_message(self.VoiceLoadProgress(p)), unit="stages")

    def voice_context(self) -> VoiceContext:
        """What the matcher should know: the live agents, the screen in front, alternatives on screen."""
        from cdev_tui.voice.intents import VoiceContext
        from cdev_tui.widgets.alternatives import AlternativesScreen

        snapshot = getattr(self.main, "snapshot", None)  # type: ignore[attr-defined]
        agents = tuple(a.agent_id for a in snapshot.agents) if snapshot is not None else ()
        screen = self.screen  # type: ignore[attr-defined]
        choosing = len(screen.titles) if isinstance(screen, AlternativesScreen) else 0
        return VoiceContext(agents=agents, scope=getattr(screen, "COMMAND_SCOPE", "app"), choosing=choosing)

    def preload_voice(self) -> None:
        """Load the speech model in the background now (``voice_preload``)."""
        self._voice_prepare()

    @work(
        thread=True,
        exclusive=True,
        group="voice",
        exit_on_error=False,
        description="Loading the speech model",
    )
    def _voice_prepare(self) -> None:
        from cdev_tui.voice.state import VoiceState

        try:
            self.voice_engine.prepare(
                lambda state: self.post_message(self.VoiceStateChanged(state)),
                self._load_reporter(),
            )
        except CdevError as exc:
            self.post_message(self.VoiceStateChanged(VoiceState("unavailable", message=str(exc))))
            return
        self.post_message(self.VoiceStateChanged(VoiceState("off")))

    # -- listening ---------------------------------------------------------------------------------------

    _hands_free = False

    def action_voice_listen(self) -> None:
        """Start listening; pressed while listening, stop and take what was said so far.

        With a wake word configured, ``v`` arms hands-free listening instead (utterance after utterance,
        each counted only when it begins with the wake word) and disarms it when pressed again.
        """
        wake_word = self.service.config.voice_wake_word  # type: ignore[attr-defined]
        if self._voice_stop is not None:
            self._hands_free = False
            self._voice_stop.set()
            return
        self._hands_free = bool(wake_word)
        if wake_word:
            self.notify(f"Hands-free: begin each command with “{wake_word}”; v stops.", timeout=4)  # type: ignore[attr-defined]
        self._start_listening()

    def _start_listening(self) -> None:
        self._voice_stop = threading.Event()
        self._voice_listen(self.voice_context(), self._voice_stop)

    @work(thread=True, exclusive=True, group="voice", exit_on_error=False, description="Listening")
    def _voice_listen(self, context: VoiceContext, stop: threading.Event) -> None:
        from cdev_tui.voice.state import VoiceState

        worker = get_current_worker()

        def report(state: VoiceState) -> None:
            if not worker.is_cancelled:
                self.post_message(self.VoiceStateChanged(state))

        try:
            heard = self.voice_engine.listen(context, stop, report, self._load_reporter())
        except CdevError as exc:
            report(VoiceState("unavailable", message=str(exc)))
            self.post_message(self.VoiceHeard(None, context))
            return
        self.post_message(self.VoiceHeard(heard, context))

    async def on_voice_control_mixin_voice_heard(self, message: VoiceHeard) -> None:
        self._voice_stop = None
        heard = message.heard
        if heard is None:
            if self.voice_state.phase == "unavailable":
                self._hands_free = False
            elif not self._hands_free:
                self._voice_shown(None, "", "nothing heard")
        else:
            await self.voice_dispatch(heard)
        if self._hands_free:
            self._start_listening()

    # -- acting on what was heard ------------------------------------------------------------------------

    async def voice_dispatch(self, heard: Heard) -> str:
        """Run (or offer, or refuse) what ``heard`` means; returns the outcome logged for it."""
        from cdev_tui.widgets.alternatives import AlternativesScreen
        from cdev_tui.widgets.confirm import ConfirmScreen

        screen = self.screen  # type: ignore[attr-defined]
        said = " ".join(heard.text.lower().strip(" .!?,").split())
        if isinstance(screen, ConfirmScreen) and (said in YES or said in NO):
            screen.dismiss(said in YES)
            return self._voice_log(heard, "confirmed" if said in YES else "declined")
        found = heard.match
        if not heard.text or found is None:
            self._voice_shown(heard, "", heard.rejected or "nothing heard")
            return self._voice_log(heard, "rejected")
        if found.command_id is None:
            return await self._voice_unsure(heard, found)
        if found.command_id == "voice.choose" and isinstance(screen, AlternativesScreen):
            self._voice_shown(heard, f"alternative {found.args.get('number')}", "")
            screen.action_choose(int(found.args.get("number", 0)) - 1)
            return self._voice_log(heard, "run")
        return await self._voice_run(heard, found)

    async def _voice_unsure(self, heard: Heard, found: Match) -> str:
        from cdev_tui.commands import command_by_id
        from cdev_tui.widgets.alternatives import AlternativesScreen

        options: list[Match] = []
        for alternative in found.alternatives:
            known = [(o.command_id, o.args) for o in options]
            worth = alternative.command_id and alternative.confidence >= OFFER_FLOOR
            if worth and (alternative.command_id, alternative.args) not in known:
                options.append(alternative)
        options = options[:3]
        if not options:
            self._voice_shown(heard, "", "not a command")
            self.notify(f"Heard “{heard.text}”: not a command.", timeout=4)  # type: ignore[attr-defined]
            return self._voice_log(heard, "none")
        titles = [_title(command_by_id(o.command_id), o.args) for o in options]  # type: ignore[arg-type]
        self._voice_shown(heard, "", "not sure: pick one")

        async def chosen(index: int | None) -> None:
            if index is not None:
                await self._voice_run(heard, options[index], logged=True)

        self.push_screen(AlternativesScreen(heard.text, titles), chosen)  # type: ignore[attr-defined]
        return self._voice_log(heard, "alternatives")

    async def _voice_run(self, heard: Heard, found: Match, *, logged: bool = False) -> str:
        from cdev_tui.commands import command_by_id
        from cdev_tui.widgets.confirm import ConfirmScreen

        command = command_by_id(found.command_id)  # type: ignore[arg-type]
        title = _title(command, found.args)
        self._voice_shown(heard, title, "", found.confidence)
        if command.destructive and command.id not in ASKS_ITSELF:

            async def answered(yes: bool | None) -> None:
                if yes:
                    await self._voice_execute(command, found, heard)

            self.push_screen(  # type: ignore[attr-defined]
                ConfirmScreen(f"{title}?", f"Heard “{heard.text}”. Say yes or no (v), or press y or n."),
                answered,
            )
            return "asked" if logged else self._voice_log(heard, "asked", found=found)
        await self._voice_execute(command, found, heard)
        return "run" if logged else self._voice_log(heard, "run", found=found)

    async def _voice_execute(self, command: Any, found: Match, heard: Heard) -> None:
        invocation = command.invocation(found.args)
        if command.id == "voice.status":
            self.voice_status(found.args.get("agent"), heard.text)  # type: ignore[arg-type]
            return
        target = self if command.scope == "app" else self.screen  # type: ignore[attr-defined]
        await target.run_action(invocation)  # type: ignore[attr-defined]

    def _voice_shown(self, heard: Heard | None, command: str, message: str, confidence: float = 0.0) -> None:
        from cdev_tui.voice.state import VoiceState

        text = heard.text if heard is not None else ""
        self.show_voice_state(
            VoiceState("heard", text=text, command=command, confidence=confidence, message=message)
        )

    def _voice_log(self, heard: Heard, outcome: str, found: Match | None = None) -> str:
        import time

        from cdev_tui.store import VoiceRow

        found = found or heard.match
        row = VoiceRow(
            heard=heard.text,
            command_id=found.command_id if found is not None else None,
            args=json.dumps(found.args if found is not None else {}),
            confidence=found.confidence if found is not None else 0.0,
            latency_ms=heard.latency_ms,
            outcome=outcome,
            ts=time.time(),
        )
        with contextlib.suppress(CdevError):  # a closed store must not stop the command
            self.service.store.record_voice(row)  # type: ignore[attr-defined]
        return outcome

    # -- commands that exist for voice -------------------------------------------------------------------

    def voice_status(self, agent_id: str | None = None, heard: str = "status") -> str:
        """Say (and show) how the workspace or one agent is doing."""
        import time

        from cdev_tui.voice.status import answer

        snapshot = getattr(self.main, "snapshot", None)  # type: ignore[attr-defined]
        sentence = (
            "Still reading the workspace."
            if snapshot is None
            else answer(snapshot, heard, time.time(), agent_id)
        )
        self.notify(sentence, title="Status", timeout=8)  # type: ignore[attr-defined]
        if self.service.config.voice_speak:  # type: ignore[attr-defined]
            self.speaker.say(sentence)
        return sentence

    @property
    def speaker(self) -> Any:
        """Spoken answers (espeak-ng), muted with M."""
        if self._speaker is None:
            from cdev_tui.voice.speak import Speaker

            self._speaker = Speaker()
        return self._speaker

    def action_voice_status(self, agent_id: str | None = None) -> None:
        """Spoken status (the palette's and the voice command's entry)."""
        self.voice_status(agent_id)

    def action_voice_mute(self) -> None:
        """Turn spoken answers off or on."""
        muted = self.speaker.toggle_mute()
        self.notify("Spoken answers muted." if muted else "Spoken answers on.", timeout=3)  # type: ignore[attr-defined]

    def action_open_agent(self, agent_id: str) -> None:
        """Show the Agents pane with ``agent_id`` highlighted and its detail in view."""
        from cdev_tui.screens.agents import AgentsPane

        self.action_show_pane("agents")  # type: ignore[attr-defined]
        for pane in self.main.query(AgentsPane):  # type: ignore[attr-defined]
            if pane.select_agent(agent_id):
                self.main.query_one("#agent-detail-scroll").focus()  # type: ignore[attr-defined]
                return
        self.notify(f"No agent {agent_id} on screen.", severity="warning")  # type: ignore[attr-defined]


def _title(command: Any, args: dict[str, Any]) -> str:
    """A command's title with its arguments, for the indicator and the alternatives."""
    extra = " ".join(str(v) for v in args.values())
    return f"{command.title} {extra}".strip()


def _begin_load() -> JobProgress:
    from cdev_tui.progress import JobProgress

    return JobProgress.begin(MODEL_JOB, unit="stages")
