"""The voice engine: microphone → end of speech → transcription → command, with the state along the way.

Textual-free; the app runs :meth:`VoiceEngine.listen` in a thread worker and shows each
:class:`VoiceState` it reports. The model is loaded once and kept warm; the microphone is open only while
listening. Latency is measured from the moment the end of speech is detected to the matched command.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cdev_tui.voice.intents import Match, VoiceContext, match
from cdev_tui.voice.state import VoiceState
from cdev_tui.voice.vocabulary import hotwords, vocabulary

if TYPE_CHECKING:
    import numpy as np

    from cdev_tui.config import Config
    from cdev_tui.voice.transcribe import Transcriber

StateCallback = Callable[["VoiceState"], Any]


@dataclass(frozen=True)
class Heard:
    """One utterance understood (or not)."""

    text: str
    match: Match | None
    rejected: str = ""
    """Why nothing was matched: ``silence``, a hallucination, ``no wake word``..."""
    latency_ms: float = 0.0
    """From the detected end of speech (or the end of the audio) to the match."""
    transcribe_ms: float = 0.0
    ended_by: str = ""
    raw: str = ""
    """What the speech model wrote, before cleaning (and before the wake word was taken off)."""
    audio_ms: float = 0.0


class VoiceEngine:
    """Turns speech into commands of the registry, with the settings of ``config``."""

    def __init__(
        self, config: Config, llm_fallback: Callable[[str, list[str]], str | None] | None = None
    ) -> None:
        self.config = config
        self.llm_fallback = llm_fallback
        self._transcriber: Transcriber | None = None
        self._lock = threading.Lock()

    @property
    def transcriber(self) -> Transcriber:
        """The speech model (created on first use; loaded by :meth:`prepare`)."""
        with self._lock:
            if self._transcriber is None:
                from cdev_tui.voice.transcribe import Transcriber

                self._transcriber = Transcriber(self.config.voice_model or None)
            return self._transcriber

    @property
    def ready(self) -> bool:
        """Whether the model is loaded (the next utterance pays no load time)."""
        return self._transcriber is not None and self._transcriber.loaded

    def prepare(
        self, on_state: StateCallback | None = None, progress: Callable[[int, int], None] | None = None
    ) -> float:
        """Load the model now (the seconds it took; 0 when it was warm). Raises VoiceUnavailable.

        ``progress(done, total)`` counts the load's stages (see :meth:`Transcriber.load`).
        """
        if self.ready:
            return 0.0
        if on_state is not None:
            on_state(VoiceState("loading"))
        return self.transcriber.load(progress=progress)

    def listen(
        self,
        context: VoiceContext,
        stop: threading.Event,
        on_state: StateCallback,
        progress: Callable[[int, int], None] | None = None,
    ) -> Heard | None:
        """Record one utterance from the microphone and understand it; None when nothing was said.

        Returns early when ``stop`` is set (the voice key pressed again). Raises VoiceUnavailable (no
        device, no PortAudio, no model) with a one-line reason. ``progress`` follows the model's load, when
        this call loads it.
        """
        from cdev_tui.voice.capture import Microphone
        from cdev_tui.voice.endpoint import Endpointer, record_utterance

        self.prepare(on_state, progress)
        device = self.config.voice_device or None
        with Microphone(device) as mic:
            on_state(VoiceState("listening"))
            recording = record_utterance(
                mic,
                Endpointer(silence_ms=self.config.voice_silence_ms),
                stop,
                on_level=lambda level: on_state(VoiceState("listening", level=level)),
            )
        if recording is None:
            return None
        on_state(VoiceState("transcribing"))
        return self.understand(
            recording.samples, context, started=recording.ended_at, ended_by=recording.ended_by
        )

    def understand(
        self,
        audio: np.ndarray | str,
        context: VoiceContext,
        *,
        started: float | None = None,
        ended_by: str = "",
    ) -> Heard:
        """Transcribe audio (samples or a file) with the context's vocabulary and match it to a command."""
        began = started if started is not None else time.perf_counter()
        prompt, words = vocabulary(context), hotwords(context)
        wake_word = self.config.voice_wake_word
        if wake_word:  # the model must know the wake word as well as the commands
            prompt, words = f"{wake_word}, {prompt}", f"{wake_word}, {words}"
        transcript = self.transcriber.transcribe(audio, prompt=prompt, hotwords=words)
        text = transcript.text
        if text and self.config.voice_wake_word:
            from cdev_tui.voice.transcribe import after_wake_word

            command_text = after_wake_word(text, self.config.voice_wake_word)
            if command_text is None:
                return self._heard(text, None, "no wake word", began, transcript, ended_by)
            text = command_text
        if not text:
            return self._heard("", None, transcript.rejected or "nothing heard", began, transcript, ended_by)
        readings = [text, *self._commands_of(transcript.alternatives)]
        heard, found = choose(readings, context, self.llm_fallback)
        return self._heard(heard, found, "", began, transcript, ended_by)

    def _commands_of(self, alternatives: tuple[str, ...]) -> list[str]:
        """Other readings, after the wake word when hands-free (readings without it are dropped)."""
        if not self.config.voice_wake_word:
            return list(alternatives)
        from cdev_tui.voice.transcribe import after_wake_word

        found = (after_wake_word(a, self.config.voice_wake_word) for a in alternatives)
        return [a for a in found if a]

    @staticmethod
    def _heard(
        text: str, found: Match | None, rejected: str, began: float, transcript: Any, ended_by: str
    ) -> Heard:
        latency = (time.perf_counter() - began) * 1000
        return Heard(
            text,
            found,
            rejected,
            latency,
            transcript.seconds * 1000,
            ended_by,
            transcript.raw,
            transcript.audio_seconds * 1000,
        )


def choose(
    readings: list[str],
    context: VoiceContext,
    llm_fallback: Callable[[str, list[str]], str | None] | None = None,
) -> tuple[str, Match]:
    """The reading to act on and its match: the first that is an exact hit of the grammar, else the first
    that is a command at all, else the first reading (its alternatives offered). The model's own order
    breaks ties, so a second reading only wins when it says a command and the first does not."""
    matches = [(text, match(text, context)) for text in readings]
    for wanted in (GRAMMAR_HIT, 0.0):
        for text, found in matches:
            if found.command_id is not None and found.confidence >= wanted:
                return text, found
    first = readings[0]
    if llm_fallback is not None:
        return first, match(first, context, llm_fallback=llm_fallback)
    return matches[0]


GRAMMAR_HIT = 0.95
"""A match this sure came from the grammar (a spoken form said as it is), not from fuzzy matching."""


def llm_picker(timeout: float = 8.0) -> Callable[[str, list[str]], str | None]:
    """A fallback that asks the configured LLM which of the candidate command ids a transcript means."""

    def pick(text: str, candidates: list[str]) -> str | None:
        from cdev_tui.errors import CdevError
        from cdev_tui.llm import chat_json

        messages = [
            {
                "role": "system",
                "content": "You map a spoken command to one id of a fixed list. Answer with a JSON object "
                '{"command": <one id from the list, or null when none fits>}.',
            },
            {"role": "user", "content": f"Spoken: {text!r}\nIds: {', '.join(candidates)}"},
        ]
        try:
            answer = chat_json(messages, timeout=timeout)
        except CdevError:
            return None
        command = answer.get("command")
        return command if isinstance(command, str) and command in candidates else None

    return pick
