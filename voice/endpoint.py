"""End of speech: faster-whisper's bundled Silero VAD run live on 32 ms windows, and one utterance recorded.

:class:`SileroVad` drives the ONNX session of ``faster_whisper.vad.get_vad_model()`` one 512-sample window
at a time, carrying the LSTM state and the 64-sample context between windows; this gives the very
probabilities faster-whisper's batched ``vad_filter`` computes (checked: identical), at ~0.1 ms a window.
:class:`Endpointer` turns them into speech start and end with the same hysteresis as faster-whisper
(speech at ``threshold``, silence below ``threshold - 0.15``): speech ends after ``silence_ms`` of silence.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cdev_tui.voice.capture import BLOCK, SAMPLE_RATE, Microphone, VoiceUnavailable, voice_library

if TYPE_CHECKING:
    import numpy as np

_CONTEXT = 64
_STALLED = 3.0
"""Seconds without a single sample from a running stream before it counts as gone."""


class SileroVad:
    """Streaming speech probability for 512-sample windows at 16 kHz (stateful; :meth:`reset` between uses)."""

    def __init__(self) -> None:
        import numpy as np

        get_vad_model = voice_library("faster_whisper.vad").get_vad_model
        try:
            self._session = get_vad_model().session
        except Exception as exc:  # onnxruntime missing or the model file damaged
            raise VoiceUnavailable(f"cannot load the Silero VAD model ({exc})") from None
        self._np = np
        self.reset()

    def reset(self) -> None:
        """Forget the stream so far."""
        np = self._np
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)

    def __call__(self, window: np.ndarray) -> float:
        """Speech probability (0..1) of the next 512-sample window."""
        np = self._np
        frame = np.concatenate((self._context, window.astype(np.float32, copy=False)))[None, :]
        prob, self._h, self._c = self._session.run(None, {"input": frame, "h": self._h, "c": self._c})
        self._context = window[-_CONTEXT:].astype(np.float32, copy=True)
        return float(np.asarray(prob).ravel()[0])


@dataclass(frozen=True)
class Recording:
    """One utterance: its samples (speech plus a little padding) and how and when it ended."""

    samples: np.ndarray
    samplerate: int
    ended_by: str
    """``silence`` (the speaker stopped), ``stop`` (the key pressed again) or ``max`` (too long)."""
    speech_seconds: float
    """Duration of the speech itself, padding excluded."""
    ended_at: float
    """``time.perf_counter()`` when the end was detected: latency is measured from here."""
    speech_ended_at: float
    """``time.perf_counter()`` estimate of the last speech sample (ended_at minus the trailing silence)."""

    @property
    def seconds(self) -> float:
        """Duration of the samples."""
        return len(self.samples) / self.samplerate


class Endpointer:
    """Fed audio chunks, finds where speech starts and ends; :meth:`utterance` gives the speech samples."""

    def __init__(
        self,
        silence_ms: int = 600,
        min_speech_ms: int = 150,
        max_seconds: float = 12.0,
        pad_ms: int = 200,
        threshold: float = 0.5,
        samplerate: int = SAMPLE_RATE,
        vad: Callable[[np.ndarray], float] | None = None,
    ) -> None:
        if samplerate != SAMPLE_RATE:
            raise ValueError("the Silero VAD runs at 16 kHz")
        self.silence_ms = silence_ms
        self.min_speech_ms = min_speech_ms
        self.max_seconds = max_seconds
        self.pad = int(pad_ms * samplerate / 1000)
        self.threshold = threshold
        self.neg_threshold = max(threshold - 0.15, 0.01)
        self.samplerate = samplerate
        self.vad = vad if vad is not None else SileroVad()
        self.reset()

    def reset(self) -> None:
        """Start over for a new utterance."""
        import numpy as np

        self._np = np
        self._pending = np.zeros(0, dtype=np.float32)
        self._chunks: list[np.ndarray] = []  # every window since the start (a few seconds at most)
        self._windows = 0
        self.start: int | None = None
        """Window index where speech started (None: not yet)."""
        self.end: int | None = None
        """Window index just after the last speech window, once speech has ended."""
        self._silence_from: int | None = None
        self._speech_windows = 0
        self.ended_by = ""
        if hasattr(self.vad, "reset"):
            self.vad.reset()

    @property
    def speaking(self) -> bool:
        """Speech has started and not ended."""
        return self.start is not None and self.end is None

    @property
    def ended(self) -> bool:
        """Speech started and then ended."""
        return self.end is not None

    def trailing_silence_seconds(self) -> float:
        """Time fed after the last speech window (0 while speaking)."""
        if self.end is None:
            return 0.0
        return (self._windows - self.end) * BLOCK / self.samplerate

    def feed(self, samples: np.ndarray) -> str | None:
        """Process audio; returns ``"start"`` or ``"end"`` when that happened in it, else None."""
        np = self._np
        data = np.concatenate((self._pending, samples)) if len(self._pending) else samples
        event = None
        offset = 0
        while len(data) - offset >= BLOCK and self.end is None:
            happened = self._window(data[offset : offset + BLOCK])
            offset += BLOCK
            event = happened or event
        self._pending = data[offset:].astype(np.float32, copy=True) if self.end is None else self._pending
        return event

    def stop(self) -> None:
        """End now (the key pressed again): speech so far counts as the utterance."""
        if self.start is not None and self.end is None:
            self.end, self.ended_by = self._windows, "stop"

    def utterance(self) -> np.ndarray:
        """The speech samples with ``pad_ms`` of audio either side (empty when no speech started)."""
        np = self._np
        if self.start is None:
            return np.zeros(0, dtype=np.float32)
        audio = np.concatenate(self._chunks)
        end = self.end if self.end is not None else self._windows
        first = max(0, self.start * BLOCK - self.pad)
        last = min(len(audio), end * BLOCK + self.pad)
        return audio[first:last]

    def speech_seconds(self) -> float:
        """Duration from speech start to speech end."""
        if self.start is None:
            return 0.0
        end = self.end if self.end is not None else self._windows
        return (end - self.start) * BLOCK / self.samplerate

    def _window(self, window: np.ndarray) -> str | None:
        index = self._windows
        self._windows += 1
        self._chunks.append(window)
        prob = self.vad(window)
        if self.start is None:
            self._keep_preroll()
            if prob >= self.threshold:
                self.start, self._speech_windows, self._silence_from = index, 1, None
                return "start"
            return None
        if prob >= self.threshold:
            self._speech_windows += 1
            self._silence_from = None
        elif prob < self.neg_threshold and self._silence_from is None:
            self._silence_from = index
        elif self._silence_from is None:
            self._speech_windows += 1
        if self._silence_from is not None and self._ms(index + 1 - self._silence_from) >= self.silence_ms:
            if self._ms(self._speech_windows) < self.min_speech_ms:
                self._forget_blip()
                return None
            self.end, self.ended_by = self._silence_from, "silence"
            return "end"
        if (index + 1 - self.start) * BLOCK >= self.max_seconds * self.samplerate:
            self.end, self.ended_by = index + 1, "max"
            return "end"
        return None

    def _ms(self, windows: int) -> float:
        return windows * BLOCK * 1000 / self.samplerate

    def _keep_preroll(self) -> None:
        """Before speech, hold only the padding's worth of windows."""
        keep = self.pad // BLOCK + 1
        if len(self._chunks) > keep:
            drop = len(self._chunks) - keep
            del self._chunks[:drop]
            self._windows -= drop  # window indices count from the first window still held

    def _forget_blip(self) -> None:
        """A click or a cough shorter than ``min_speech_ms``: back to waiting for speech."""
        self.start, self._silence_from, self._speech_windows = None, None, 0
        self._keep_preroll()


def record_utterance(
    mic: Microphone,
    endpointer: Endpointer,
    stop: threading.Event,
    on_level: Callable[[float], Any] | None = None,
    timeout: float = 8.0,
    on_speech: Callable[[], Any] | None = None,
) -> Recording | None:
    """Wait for speech on a started ``mic`` and return it once it ends.

    Returns early with the speech so far when ``stop`` is set (the voice key pressed again), and None when
    ``stop`` is set before any speech or nothing was said within ``timeout`` seconds. ``on_level`` gets the
    meter level (0..1) about every 50 ms; ``on_speech`` is called once when speech starts.
    """
    endpointer.reset()
    position = max(0, mic.position - endpointer.pad)
    started = last_audio = time.monotonic()
    last_level = 0.0
    while True:
        samples, position = mic.read(position, timeout=0.05)
        now = time.monotonic()
        if len(samples):
            last_audio = now
            if endpointer.feed(samples) == "start" and on_speech is not None:
                on_speech()
        if on_level is not None and now - last_level >= 0.05:
            on_level(mic.level())
            last_level = now
        if endpointer.ended:
            return _recording(endpointer)
        if stop.is_set():
            endpointer.stop()
            return _recording(endpointer) if endpointer.ended else None
        if endpointer.start is None and now - started > timeout:
            return None
        if now - last_audio > _STALLED:
            raise VoiceUnavailable(
                "the microphone stopped sending audio (device unplugged or sound server gone?)"
            )


def _recording(endpointer: Endpointer) -> Recording:
    ended_at = time.perf_counter()
    return Recording(
        samples=endpointer.utterance(),
        samplerate=endpointer.samplerate,
        ended_by=endpointer.ended_by,
        speech_seconds=endpointer.speech_seconds(),
        ended_at=ended_at,
        speech_ended_at=ended_at - endpointer.trailing_silence_seconds(),
    )
