"""Microphone capture: a sounddevice input stream (16 kHz mono float32) into a ring buffer.

PortAudio calls :meth:`Microphone._callback` in its own thread; it only copies the block into the ring and
updates the level. Readers (the endpointer, a level meter) follow the ring by absolute sample position, so
nobody waits on a queue and a slow reader loses the oldest audio instead of stalling the stream.

On Linux PortAudio (Debian's libportaudio2) has no PulseAudio host API of its own: the ``default`` and
``pulse`` devices of its ALSA host API go through the ALSA pulse plugin, so the PulseAudio (or PipeWire)
default source is what ``default`` records (``PULSE_SOURCE`` or ``pactl set-default-source`` choose it).
PortAudio therefore cannot name the sources of a PulseAudio/PipeWire desktop; :func:`list_devices` adds
them (from ``pactl``), and choosing one records PortAudio's ``pulse`` device with ``PULSE_SOURCE`` set to it.

Audio stays in memory: :func:`save_wav` writes a file only when the user asks (``--save-audio DIR``).
``sounddevice`` and ``numpy`` are imported inside the functions that need them.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdev_tui.errors import CdevError

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16000
"""What the VAD and Whisper expect."""
BLOCK = 512
"""Samples per PortAudio callback (32 ms): one Silero VAD window."""
_PA_INVALID_SAMPLE_RATE = -9997


class VoiceUnavailable(CdevError):
    """Voice cannot work here (no device, no PortAudio, no model...): one line saying what to install or set."""


@dataclass(frozen=True)
class Device:
    """An audio input device as PortAudio lists it."""

    index: int
    name: str
    channels: int
    default: bool
    hostapi: str = ""
    samplerate: float = 0.0
    source: str = ""
    """For a PulseAudio source: its name, recorded through PortAudio's ``pulse`` device (index ``index``)."""
    description: str = ""


def voice_library(name: str) -> Any:
    """Import a module of the voice extra (``faster_whisper.vad``...), or a one-line error saying what to install."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        package = name.split(".")[0].replace("_", "-")
        raise VoiceUnavailable(f"{package} is not installed (pip install 'cdev-tui[voice]')") from None


def _sounddevice() -> Any:
    """The sounddevice module, or a one-line error when it or the PortAudio library is missing."""
    try:
        import sounddevice
    except ImportError:
        raise VoiceUnavailable("sounddevice is not installed (pip install 'cdev-tui[voice]')") from None
    except OSError:
        raise VoiceUnavailable("PortAudio library not found (install libportaudio2)") from None
    return sounddevice


def list_devices() -> list[Device]:
    """The input devices PortAudio sees, the default one marked."""
    sd = _sounddevice()
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_in = sd.default.device[0]
    except sd.PortAudioError as exc:
        raise VoiceUnavailable(f"cannot list audio devices ({_one_line(exc)})") from None
    found = []
    for info in devices:
        if info["max_input_channels"] <= 0:
            continue
        found.append(
            Device(
                index=int(info["index"]),
                name=str(info["name"]),
                channels=int(info["max_input_channels"]),
                default=int(info["index"]) == default_in,
                hostapi=str(hostapis[info["hostapi"]]["name"]),
                samplerate=float(info["default_samplerate"]),
            )
        )
    pulse = next((d for d in found if d.name == "pulse"), None)
    return found + (_pulse_sources(pulse.index) if pulse is not None else [])


def _pulse_sources(pulse_index: int) -> list[Device]:
    """The PulseAudio (or PipeWire) sources ``pactl`` lists, recordable through PortAudio's ``pulse`` device."""
    pactl = shutil.which("pactl")
    if pactl is None:
        return []
    try:
        listed = subprocess.run(
            [pactl, "-f", "json", "list", "sources"], capture_output=True, text=True, timeout=5, check=True
        ).stdout
        default = subprocess.run(
            [pactl, "get-default-source"], capture_output=True, text=True, timeout=5
        ).stdout.strip()
        sources = json.loads(listed)
    except (OSError, subprocess.SubprocessError, ValueError):
        return []  # no server, or a pactl too old for JSON: PortAudio's own devices still work
    devices = []
    for source in sources if isinstance(sources, list) else []:
        name = str(source.get("name", ""))
        spec = str(source.get("sample_specification", ""))  # "s16le 2ch 48000Hz"
        channels = next((int(w[:-2]) for w in spec.split() if w.endswith("ch") and w[:-2].isdigit()), 1)
        rate = next((float(w[:-2]) for w in spec.split() if w.endswith("Hz") and w[:-2].isdigit()), 0.0)
        if name:
            devices.append(
                Device(
                    pulse_index,
                    name,
                    channels,
                    name == default,
                    "PulseAudio",
                    rate,
                    name,
                    str(source.get("description", "")),
                )
            )
    return devices


def find_device(device: int | str | None) -> Device:
    """The input device named by an index, an exact or unique partial name, or None/"" for the default."""
    devices = list_devices()
    if not devices:
        raise VoiceUnavailable("no input device (no microphone found by PortAudio)")
    if device is None or (isinstance(device, str) and not device.strip()):
        default = next((d for d in devices if d.default and not d.source), None)
        if default is None:
            raise VoiceUnavailable("no default input device (choose one: cdev-tui voice devices)")
        return default
    if isinstance(device, int) or device.strip().isdigit():
        index = int(device)
        match = next((d for d in devices if d.index == index and not d.source), None)
        if match is None:
            raise VoiceUnavailable(f"device {index} not found or not an input (see: cdev-tui voice devices)")
        return match
    wanted = device.strip().lower()
    exact = [d for d in devices if wanted in (d.name.lower(), d.description.lower())]
    partial = exact or [d for d in devices if wanted in d.name.lower() or wanted in d.description.lower()]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise VoiceUnavailable(f"device {device!r} not found (see: cdev-tui voice devices)")
    names = ", ".join(repr(d.name) for d in partial[:5])
    raise VoiceUnavailable(f"device {device!r} is ambiguous ({names}); give its number")


class Ring:
    """The last ``capacity`` samples of a stream, read by absolute position; safe across two threads."""

    def __init__(self, capacity: int) -> None:
        import numpy as np

        self._data = np.zeros(capacity, dtype=np.float32)
        self.capacity = capacity
        self.total = 0
        """Samples written since the start (the position just after the newest one)."""
        self._cond = threading.Condition()

    def write(self, samples: np.ndarray) -> None:
        """Append samples, overwriting the oldest."""
        count = len(samples)
        kept = samples[-self.capacity :] if count > self.capacity else samples
        n = len(kept)
        with self._cond:
            start = (self.total + count - n) % self.capacity
            first = min(n, self.capacity - start)
            self._data[start : start + first] = kept[:first]
            self._data[: n - first] = kept[first:]
            self.total += count
            self._cond.notify_all()

    def read(self, since: int, timeout: float | None = None) -> tuple[np.ndarray, int]:
        """Samples after position ``since`` (waiting up to ``timeout`` for some), and the new position.

        A reader that fell more than ``capacity`` behind gets the oldest samples still held.
        """
        import numpy as np

        with self._cond:
            if self.total <= since and timeout:
                self._cond.wait_for(lambda: self.total > since, timeout)
            end = self.total
            start = max(since, end - self.capacity, 0)
            if start >= end:
                return np.zeros(0, dtype=np.float32), end
            return self._slice(start, end), end

    def last(self, count: int) -> np.ndarray:
        """The newest ``count`` samples (fewer at the start)."""
        with self._cond:
            end = self.total
            return self._slice(max(0, end - min(count, self.capacity)), end)

    def _slice(self, start: int, end: int) -> np.ndarray:
        import numpy as np

        a, b = start % self.capacity, end % self.capacity
        if end - start == self.capacity or (b <= a and end > start):
            return np.concatenate((self._data[a:], self._data[:b]))
        return self._data[a:b].copy()


class Resampler:
    """Streaming linear-interpolation resampler, for devices that cannot record 16 kHz themselves."""

    def __init__(self, rate_in: float, rate_out: float = SAMPLE_RATE) -> None:
        self.step = rate_in / rate_out
        self._pos = 0.0  # position of the next output sample, relative to the first held input sample
        self._held: np.ndarray | None = None

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        """The output samples that ``samples`` (appended to what came before) make available."""
        import numpy as np

        data = samples if self._held is None else np.concatenate((self._held, samples))
        margin = 0
        if self.step > 1.5:  # a cheap low-pass before decimating: a moving average over one output period
            width = int(self.step)
            margin = width // 2 + 1
            data = np.convolve(data, np.full(width, 1.0 / width, dtype=np.float32), mode="same")
        limit = len(data) - 1 - margin
        count = math.floor((limit - self._pos) / self.step) + 1 if limit >= self._pos else 0
        positions = self._pos + self.step * np.arange(count)
        out = np.interp(positions, np.arange(len(data)), data).astype(np.float32)
        self._pos += self.step * count
        keep = max(0, int(self._pos) - 2 * margin - 1)
        raw = samples if self._held is None else np.concatenate((self._held, samples))
        self._held, self._pos = raw[keep:], self._pos - keep
        return out


class Microphone:
    """An input stream into a ring buffer holding the last ``seconds`` of audio; also a context manager."""

    def __init__(
        self,
        device: int | str | None = None,
        samplerate: int = SAMPLE_RATE,
        seconds: float = 30.0,
        blocksize: int = BLOCK,
    ) -> None:
        self.device = device
        self.samplerate = samplerate
        self.blocksize = blocksize
        self.ring = Ring(int(seconds * samplerate))
        self.info: Device | None = None
        self.overflows = 0
        """Times PortAudio reported lost input (the machine was too busy)."""
        self.first_audio_timeout = 3.0
        """How long :meth:`start` waits for the first samples."""
        self.first_audio_seconds = 0.0
        """How long the first samples took to arrive after the stream started."""
        self._stream: Any = None
        self._resample: Resampler | None = None
        self._rms = 0.0
        self._level_at = 0.0

    @property
    def running(self) -> bool:
        """Whether the stream is open and recording."""
        return self._stream is not None

    def start(self) -> Microphone:
        """Open the device, start recording and wait until audio flows (a one-line VoiceUnavailable if impossible).

        A stream can take a second or two to deliver its first block (PulseAudio's ALSA plugin the first
        time in a process, a Bluetooth headset, a busy machine); returning before that would cut off the
        first word of someone who starts talking as soon as the app says it is listening.
        """
        if self._stream is not None:
            return self
        sd = _sounddevice()
        self.info = find_device(self.device)
        rate = self._device_rate(sd, self.info)
        self._resample = Resampler(rate, self.samplerate) if rate != self.samplerate else None
        try:
            with _pulse_source(self.info.source):
                stream = self._open(sd, rate)
            stream.start()
        except sd.PortAudioError as exc:
            raise VoiceUnavailable(
                f"cannot open input device {self.info.name!r} ({_one_line(exc)})"
            ) from None
        self._stream = stream
        began = time.perf_counter()
        self.ring.read(self.ring.total, timeout=self.first_audio_timeout)
        self.first_audio_seconds = time.perf_counter() - began
        return self

    def _open(self, sd: Any, rate: float) -> Any:
        assert self.info is not None
        return sd.InputStream(
            device=self.info.index,
            samplerate=rate,
            channels=1,
            dtype="float32",
            blocksize=int(self.blocksize * rate / self.samplerate),
            latency="low",
            callback=self._callback,
        )

    def stop(self) -> None:
        """Stop recording and close the device (the ring keeps what was recorded)."""
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
            finally:
                stream.close()

    def __enter__(self) -> Microphone:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def position(self) -> int:
        """Samples recorded since the stream started (pass it to :meth:`read`)."""
        return self.ring.total

    def read(self, since: int, timeout: float | None = 0.1) -> tuple[np.ndarray, int]:
        """Audio recorded after position ``since`` and the new position (see :meth:`Ring.read`)."""
        return self.ring.read(since, timeout)

    def level_db(self) -> float:
        """Loudness of the last ~100 ms in dBFS (-100 for silence or a stalled stream)."""
        if time.monotonic() - self._level_at > 0.5:
            return -100.0
        return 20 * math.log10(self._rms) if self._rms > 1e-5 else -100.0

    def level(self) -> float:
        """Loudness for a meter: 0 (-60 dBFS or quieter) to 1 (full scale)."""
        return min(1.0, max(0.0, (self.level_db() + 60.0) / 60.0))

    def _device_rate(self, sd: Any, info: Device) -> float:
        try:
            sd.check_input_settings(info.index, channels=1, dtype="float32", samplerate=self.samplerate)
            return float(self.samplerate)
        except sd.PortAudioError as exc:
            if _pa_code(exc) != _PA_INVALID_SAMPLE_RATE and "sample rate" not in str(exc).lower():
                raise VoiceUnavailable(f"cannot use input device {info.name!r} ({_one_line(exc)})") from None
            return info.samplerate or 48000.0

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        import numpy as np

        if status and status.input_overflow:
            self.overflows += 1
        block = indata[:, 0] if indata.ndim == 2 else indata
        block = self._resample(block) if self._resample is not None else block.copy()
        self.ring.write(block)
        if len(block):
            rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
            self._rms = 0.5 * self._rms + 0.5 * rms  # ~100 ms of smoothing at 32 ms blocks
            self._level_at = time.monotonic()


_ENV_LOCK = threading.Lock()


@contextmanager
def _pulse_source(source: str) -> Iterator[None]:
    """Set ``PULSE_SOURCE`` while a stream opens (the ALSA pulse plugin reads it then), then put it back."""
    if not source:
        yield
        return
    with _ENV_LOCK:
        before = os.environ.get("PULSE_SOURCE")
        os.environ["PULSE_SOURCE"] = source
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("PULSE_SOURCE", None)
            else:
                os.environ["PULSE_SOURCE"] = before


def save_wav(path: Path, samples: np.ndarray, samplerate: int = SAMPLE_RATE) -> Path:
    """Write float samples (-1..1) as a 16-bit mono WAV file; only for ``--save-audio``."""
    import numpy as np

    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(samplerate)
        out.writeframes(pcm.tobytes())
    return path


def _pa_code(exc: BaseException) -> int | None:
    args = getattr(exc, "args", ())
    if len(args) > 1 and isinstance(args[1], int):
        return args[1]
    return None


def _one_line(exc: BaseException) -> str:
    text = str(exc.args[0] if getattr(exc, "args", None) else exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
