"""The real audio path for tests: a private PulseAudio server whose null sink's monitor is the microphone.

The session fixture :func:`pulse_audio` starts ``pulseaudio`` in a temporary ``XDG_RUNTIME_DIR`` with a null
sink ``vmic`` and makes its monitor ``vmic.monitor`` the default source; :func:`speak_into_mic` renders speech
with espeak-ng and plays it into the sink with ``paplay``. The app then records it through sounddevice and
PortAudio exactly as it records a desk microphone: Debian's PortAudio has no PulseAudio host API, so its
ALSA ``default`` device goes through the ALSA pulse plugin to the server named by ``PULSE_SERVER`` (set here
for the whole session, so subprocesses such as the CLI find it too), which records the default source.

tests/conftest.py registers this module as a plugin (``pytest_plugins``): registered once, the
fixture starts one server for the whole session however many modules ask for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SINK = "vmic"
SOURCE = "vmic.monitor"
_TOOLS = ("pulseaudio", "pactl", "paplay", "espeak-ng")


@dataclass(frozen=True)
class PulseAudio:
    """A running private PulseAudio server."""

    runtime_dir: Path
    server: str
    """The ``PULSE_SERVER`` address (``unix:<runtime dir>/pulse/native``)."""
    process: subprocess.Popen[bytes]


def _missing(reason: str) -> None:
    message = f"{reason}: the real audio tests need it; run `make test`, which installs the system packages"
    if os.environ.get("CDEV_TUI_REQUIRE_AUDIO") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _pactl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=10)


@pytest.fixture(scope="session")
def pulse_audio() -> Iterator[PulseAudio]:
    """A private PulseAudio server for the session; its ``vmic.monitor`` is the default microphone."""
    missing = [tool for tool in _TOOLS if shutil.which(tool) is None]
    if missing:
        _missing(f"{', '.join(missing)} not installed")
    runtime = Path(tempfile.mkdtemp(prefix="cdev-pulse-"))  # short: a unix socket path has ~100 bytes
    (runtime / "home").mkdir()
    server = f"unix:{runtime}/pulse/native"
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(runtime / "home")}
    env.pop("PULSE_SERVER", None)
    process = subprocess.Popen(
        [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--use-pid-file=no",
            "--log-target=stderr",
            "--log-level=error",
            "--load=module-native-protocol-unix auth-anonymous=1",
            f"--load=module-null-sink sink_name={SINK} sink_properties=device.description=VirtualMic",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_RUNTIME_DIR", str(runtime))
        patch.setenv("PULSE_SERVER", server)
        patch.delenv("PULSE_SOURCE", raising=False)
        patch.delenv("PULSE_SINK", raising=False)
        try:
            _wait_ready(process)
            _pactl("set-default-source", SOURCE)
            _pactl("set-default-sink", SINK)
            _reinitialise_portaudio()
            audio = PulseAudio(runtime, server, process)
            play_into_mic(_silence(runtime / "warm.wav", 0.2))  # the first stream on a new sink is slow
            yield audio
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            shutil.rmtree(runtime, ignore_errors=True)


def _wait_ready(process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace").strip() if process.stderr else ""
            pytest.fail(
                f"pulseaudio exited at start ({error.splitlines()[-1] if error else process.returncode})"
            )
        if _pactl("info").returncode == 0:
            return
        time.sleep(0.1)
    pytest.fail("pulseaudio did not answer within 15 s")


def _reinitialise_portaudio() -> None:
    """PortAudio lists devices when it starts: restart it if this process started it before the server."""
    import sys

    sd = sys.modules.get("sounddevice")
    if sd is not None:
        sd._terminate()
        sd._initialize()


def _silence(path: Path, seconds: float) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * int(16000 * seconds))
    return path


def render_speech(text: str, path: Path, voice: str | None = None, speed: int | None = None) -> Path:
    """Speech for ``text`` as a WAV file (espeak-ng's 22.05 kHz mono)."""
    args = ["espeak-ng", "-w", str(path)]
    if voice:
        args += ["-v", voice]
    if speed:
        args += ["-s", str(speed)]
    subprocess.run([*args, text], check=True, capture_output=True, timeout=30)
    return path


def play_into_mic(path: Path) -> None:
    """Play a sound file into the virtual microphone; returns when it has been played."""
    subprocess.run(["paplay", "-d", SINK, str(path)], check=True, capture_output=True, timeout=60)


def wav_seconds(path: Path) -> float:
    """Duration of a WAV file."""
    with wave.open(str(path)) as sound:
        return sound.getnframes() / sound.getframerate()


def speak_into_mic(text: str, voice: str | None = None, speed: int | None = None) -> float:
    """Say ``text`` into the virtual microphone (needs :func:`pulse_audio`); returns the clip's seconds."""
    with tempfile.TemporaryDirectory(prefix="cdev-speech-") as folder:
        wav = render_speech(text, Path(folder) / "speech.wav", voice, speed)
        play_into_mic(wav)
        return wav_seconds(wav)
