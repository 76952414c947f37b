"""Voice through the real audio path: espeak-ng speech played into a PulseAudio null sink, recorded by
sounddevice/PortAudio from its monitor, end-pointed by the Silero VAD, transcribed by the real tiny.en model.

Plus the pure parts (ring buffer, resampler, output cleaning, masking) without audio. Timing checks are
generous "within N s" bounds, so a loaded 2-core machine cannot make them flake.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cdev_tui.errors import CdevError
from tests.voice_audio import SOURCE, PulseAudio, render_speech, speak_into_mic, wav_seconds

np = pytest.importorskip("numpy")
pytest.importorskip("faster_whisper")

from cdev_tui.voice.capture import Microphone, Resampler, Ring, VoiceUnavailable, find_device, list_devices  # noqa: E402
from cdev_tui.voice.endpoint import Endpointer, record_utterance  # noqa: E402
from cdev_tui.voice.intents import VoiceContext, match  # noqa: E402
from cdev_tui.voice.speak import Speaker, speakable  # noqa: E402
from cdev_tui.voice.transcribe import (  # noqa: E402
    Transcriber,
    after_wake_word,
    clean,
    dedupe,
    normalise,
    resolve_model,
)
from cdev_tui.voice.vocabulary import vocabulary  # noqa: E402

AGENTS = ("auth_agent", "cart_agent", "api_agent")
CONTEXT = VoiceContext(agents=AGENTS)


@pytest.fixture(autouse=True)
def no_voice_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's voice settings never reach these tests."""
    for name in ("CDEV_TUI_VOICE_MODEL", "CDEV_TUI_VOICE_DEVICE", "CDEV_TUI_VOICE_WAKE_WORD"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    """One loaded tiny.en model for the whole module."""
    model = Transcriber(cpu_threads=2)
    model.load()
    return model


@pytest.fixture
def mic(pulse_audio: PulseAudio) -> Iterator[Microphone]:
    """The default microphone (the null sink's monitor), recording."""
    with Microphone() as microphone:
        yield microphone


def record_while_saying(
    mic: Microphone, text: str, *, silence_ms: int = 600, stop_after: float | None = None
) -> tuple[object, float]:
    """Say ``text`` while :func:`record_utterance` listens; the recording and when playback finished."""
    endpointer = Endpointer(silence_ms=silence_ms)
    stop = threading.Event()
    result: dict[str, object] = {}

    def on_speech() -> None:
        if stop_after is not None:
            threading.Timer(stop_after, stop.set).start()

    def listen() -> None:
        result["recording"] = record_utterance(mic, endpointer, stop, timeout=15.0, on_speech=on_speech)
        result["returned"] = time.perf_counter()

    worker = threading.Thread(target=listen)
    worker.start()
    speak_into_mic(text)
    played = time.perf_counter()
    worker.join(20)
    assert not worker.is_alive(), "record_utterance did not return"
    return result["recording"], float(result["returned"]) - played  # type: ignore[arg-type]


# -- the microphone ------------------------------------------------------------------------------------


def test_devices_list_the_virtual_microphone(pulse_audio: PulseAudio) -> None:
    devices = list_devices()
    monitor = next(d for d in devices if d.name == SOURCE)
    assert monitor.default and monitor.hostapi == "PulseAudio" and monitor.source == SOURCE
    assert find_device(None).default and not find_device(None).source  # PortAudio's own default device
    assert find_device("VirtualMic").name == SOURCE  # by (part of) the description too
    with pytest.raises(VoiceUnavailable, match="device 'no such mic' not found"):
        find_device("no such mic")
    with pytest.raises(VoiceUnavailable, match="device 999 not found"):
        find_device(999)


def test_microphone_records_the_spoken_phrase(mic: Microphone) -> None:
    time.sleep(0.3)
    assert mic.level() < 0.2  # the sink plays nothing yet
    levels: list[float] = []
    done = threading.Event()

    def meter() -> None:
        while not done.is_set():
            levels.append(mic.level())
            time.sleep(0.02)

    watcher = threading.Thread(target=meter)
    watcher.start()
    start = mic.position
    seconds = speak_into_mic("show conflicts")
    time.sleep(0.2)
    done.set()
    watcher.join()
    heard, _ = mic.read(start)
    assert max(levels) > 0.5  # the meter rose while the phrase played
    assert np.abs(heard).max() > 0.2
    assert len(heard) >= 0.8 * seconds * 16000


def test_a_named_pulseaudio_source_records_too(pulse_audio: PulseAudio) -> None:
    with Microphone(SOURCE) as mic:
        start = mic.position
        speak_into_mic("next agent")
        time.sleep(0.2)
        heard, _ = mic.read(start)
    assert np.abs(heard).max() > 0.2
    assert "PULSE_SOURCE" not in os.environ  # set only while the stream opened


# -- end of speech -------------------------------------------------------------------------------------


def test_the_endpointer_ends_the_utterance_soon_after_speech(mic: Microphone) -> None:
    recording, after_playback = record_while_saying(mic, "switch to the conflicts pane")
    assert recording is not None and recording.ended_by == "silence"
    assert 0.8 < recording.speech_seconds < 3.5
    assert 0.55 <= recording.ended_at - recording.speech_ended_at < 1.0  # the 600 ms of silence
    assert after_playback < 2.0  # paplay returns after the clip's own trailing silence has played


def test_pressing_the_key_again_stops_at_once(mic: Microphone) -> None:
    phrase = "open agent auth and then show me every conflict of the cart agent"
    recording, after_playback = record_while_saying(mic, phrase, stop_after=0.8)
    assert recording is not None and recording.ended_by == "stop"
    assert recording.speech_seconds < 2.5
    assert after_playback < 0  # returned while the phrase was still playing


def test_nothing_said_before_the_timeout_is_no_recording(mic: Microphone) -> None:
    started = time.monotonic()
    assert record_utterance(mic, Endpointer(), threading.Event(), timeout=0.5) is None
    assert time.monotonic() - started < 3


# -- transcription -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "command_id", "args"),
    [
        ("show conflicts", "pane.conflicts", {}),
        ("open agent auth", "agent.open", {"agent": "auth_agent"}),
        ("open the cart agent", "agent.open", {"agent": "cart_agent"}),
        ("show security", "pane.security", {}),
        ("rescan", "app.rescan", {}),
    ],
)
def test_spoken_commands_become_the_right_text_and_command(
    mic: Microphone, transcriber: Transcriber, phrase: str, command_id: str, args: dict[str, str]
) -> None:
    recording, _ = record_while_saying(mic, phrase)
    assert recording is not None
    transcript = transcriber.transcribe(recording.samples, prompt=vocabulary(CONTEXT))
    assert normalise(transcript.text) == phrase, transcript
    assert transcript.seconds < 10
    matched = match(transcript.text, CONTEXT)
    assert (matched.command_id, matched.args) == (command_id, args)


def test_silence_and_noise_are_rejected_without_the_model(transcriber: Transcriber) -> None:
    prompt = vocabulary(CONTEXT)
    assert transcriber.transcribe(np.zeros(32000, dtype=np.float32), prompt=prompt).rejected == "silence"
    noise = (np.random.default_rng(7).standard_normal(48000) * 0.02).astype(np.float32)
    heard = transcriber.transcribe(noise, prompt=prompt)
    assert heard.text == "" and heard.rejected


def test_a_recording_of_silence_is_rejected(mic: Microphone, transcriber: Transcriber) -> None:
    time.sleep(1.2)
    quiet = mic.ring.last(16000)
    assert transcriber.transcribe(quiet, prompt=vocabulary(CONTEXT)).rejected == "silence"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("open agent auth, open agent auth,", "open agent auth"),
        ("Show conflicts, show conflicts, show", "Show conflicts"),
        ("Help... help... help...", "Help"),
        ("and next agent, next agent, next agent,", "and next agent"),
        ("keep both", "keep both"),
        ("Take theirs.", "Take theirs."),
    ],
)
def test_repetition_loops_collapse(raw: str, text: str) -> None:
    assert dedupe(raw) == text


@pytest.mark.parametrize(
    "raw", ["", "Thank you.", "you", "Bye.", "Thanks for watching!", "Um.", "[BLANK_AUDIO]", "(upbeat music)"]
)
def test_whisper_hallucinations_are_rejected_with_a_reason(raw: str) -> None:
    text, reason = clean(raw)
    assert text == "" and reason


def test_an_echo_of_the_vocabulary_prompt_is_rejected() -> None:
    prompt = vocabulary(CONTEXT)
    assert clean("Show metrics, show security, show conflicts.", prompt)[0] == ""
    assert clean("show conflicts", prompt)[0] == "show conflicts"


def test_the_wake_word_must_come_first() -> None:
    assert after_wake_word("Computer, show conflicts.", "computer") == "show conflicts."
    assert after_wake_word("show conflicts", "computer") is None
    assert after_wake_word("show conflicts", "") == "show conflicts"


def test_a_missing_model_folder_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(VoiceUnavailable, match="speech model folder not found") as error:
        resolve_model(str(tmp_path / "nope"))
    assert "\n" not in str(error.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(VoiceUnavailable, match=r"no model\.bin"):
        Transcriber(str(tmp_path / "empty")).load()
    assert resolve_model(None).origin == "bundled"


# -- the command line ----------------------------------------------------------------------------------


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cdev_tui", "voice", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_cli_transcribes_a_wav_into_the_command_json(tmp_path: Path) -> None:
    wav = render_speech("show conflicts", tmp_path / "command.wav")
    done = cli("transcribe", str(wav), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"text", "command", "args", "confidence", "alternatives", "latency_ms", "load_ms"} <= result.keys()
    assert normalise(result["text"]) == "show conflicts"
    assert result["command"] == "pane.conflicts" and result["args"] == {}
    assert 0 < result["confidence"] <= 1 and result["latency_ms"] > 0 and result["load_ms"] > 0
    assert all({"command", "args", "confidence"} <= a.keys() for a in result["alternatives"])


def test_cli_uses_the_agents_of_the_repository_around_it(tmp_path: Path) -> None:
    from cdev_tui.demo import build_demo

    demo = build_demo(tmp_path / "demo")
    wav = render_speech("open agent cart", tmp_path / "cart.wav")
    saved = tmp_path / "saved"
    done = cli("transcribe", str(wav), "--format", "json", "--save-audio", str(saved), cwd=demo.repo)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["command"], result["args"]) == ("agent.open", {"agent": "cart_agent"})
    assert [p.name for p in saved.iterdir()] == ["cart-16k.wav"]  # only because --save-audio asked


def test_cli_devices_lists_the_virtual_microphone(pulse_audio: PulseAudio, tmp_path: Path) -> None:
    done = cli("devices", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    names = {d["name"]: d for d in json.loads(done.stdout)["devices"]}
    assert names[SOURCE]["default"] and "default" in names
    table = cli("devices", cwd=tmp_path)
    assert SOURCE in table.stdout and "Monitor of VirtualMic" in table.stdout


def test_cli_listen_prints_the_command_heard(pulse_audio: PulseAudio, tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cdev_tui",
            "voice",
            "listen",
            "--once",
            "--format",
            "json",
            "--timeout",
            "30",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        while line and not line.startswith("listening"):
            line = process.stderr.readline()
        assert line.startswith("listening"), process.communicate(timeout=30)
        speak_into_mic("show security")
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["command"] == "pane.security" and result["latency_ms"] > 0


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["transcribe", "missing.wav"], {}, "missing.wav: no such file"),
        (["transcribe", "notes.wav"], {}, "notes.wav: cannot read audio"),
        (
            ["transcribe", "ok.wav"],
            {"CDEV_TUI_VOICE_MODEL": "/nonexistent/model"},
            "speech model folder not found",
        ),
        (["transcribe", "ok.wav", "--model", "./nope"], {}, "speech model folder not found"),
        (["listen", "--device", "no such mic", "--once"], {}, "device 'no such mic' not found"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(
    pulse_audio: PulseAudio, tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    (tmp_path / "notes.wav").write_text("not audio at all\n")
    render_speech("help", tmp_path / "ok.wav")
    done = cli(*args, cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_cli_without_a_sound_server_is_a_clear_error(tmp_path: Path) -> None:
    done = cli(
        "listen",
        "--once",
        cwd=tmp_path,
        env={"PULSE_SERVER": f"unix:{tmp_path}/no-server", "XDG_RUNTIME_DIR": str(tmp_path)},
    )
    assert done.returncode == 2
    assert done.stderr.startswith("cdev-tui: error: ") and len(done.stderr.strip().splitlines()) == 1


# -- spoken answers ------------------------------------------------------------------------------------


def test_spoken_answers_are_heard_and_never_contain_a_secret(mic: Microphone) -> None:
    from cdev_tui.demo import fake_github_token

    token = fake_github_token()
    speaker = Speaker(rate=220)
    start = mic.position
    assert speaker.say(f"auth leaked {token}")
    assert token not in speaker.last_spoken and "hidden secret" in speaker.last_spoken
    assert speaker.wait(30)
    time.sleep(0.3)
    heard, _ = mic.read(start)
    assert np.abs(heard).max() > 0.1  # espeak-ng played through the default sink, into the microphone


def test_a_new_sentence_interrupts_the_current_one(pulse_audio: PulseAudio) -> None:
    speaker = Speaker()
    assert speaker.say(
        "five agents: two in progress, auth is stalled for forty minutes, cart is blocked on auth"
    )
    first = speaker._process
    assert speaker.say("cancelled")
    assert first is not None and first.poll() is not None  # the first one was stopped
    speaker.set_muted(True)
    assert not speaker.speaking and not speaker.say("muted")


def test_missing_espeak_is_a_message_not_a_crash() -> None:
    speaker = Speaker(program="no-such-tts")
    assert "no-such-tts not found" in speaker.problem and "\n" not in speaker.problem
    assert speaker.say("hello") is False


def test_speakable_masks_every_secret() -> None:
    spoken = speakable('key = "AKIAIOSFODNN7EXAMPLF"\nsecond line')
    assert "AKIAIOSFODNN7EXAMPLF" not in spoken and spoken.endswith("second line")


# -- the pure parts ------------------------------------------------------------------------------------


def test_the_ring_keeps_the_last_seconds_and_readers_follow_by_position() -> None:
    ring = Ring(10)
    ring.write(np.arange(4, dtype=np.float32))
    samples, position = ring.read(0)
    assert samples.tolist() == [0, 1, 2, 3] and position == 4
    ring.write(np.arange(4, 12, dtype=np.float32))
    assert ring.read(0)[0].tolist() == list(range(2, 12))  # a reader too far behind gets the oldest held
    assert ring.read(position)[0].tolist() == list(range(4, 12))
    ring.write(np.arange(100, 125, dtype=np.float32))
    assert ring.last(3).tolist() == [122, 123, 124] and ring.total == 37
    assert ring.read(37, timeout=0.01)[0].size == 0


@pytest.mark.parametrize("rate", [48000, 44100, 22050, 8000])
def test_the_resampler_keeps_a_tone(rate: int) -> None:
    tone = np.sin(2 * np.pi * 440 * np.arange(rate) / rate).astype(np.float32)
    resample = Resampler(rate)
    block = int(512 * rate / 16000)
    out = np.concatenate([resample(tone[i : i + block]) for i in range(0, rate, block)])
    expected = np.sin(2 * np.pi * 440 * np.arange(len(out)) / 16000)
    assert abs(len(out) - 16000) <= 2
    assert np.abs(out[100:-100] - expected[100:-100]).max() < 0.05


def test_the_endpointer_on_a_file(tmp_path: Path) -> None:
    from cdev_tui.voice.transcribe import load_audio

    speech = load_audio(render_speech("next hunk", tmp_path / "s.wav"))
    silence = np.zeros(16000, dtype=np.float32)
    endpointer = Endpointer(silence_ms=600)
    events = []
    audio = np.concatenate([silence, speech, silence, silence])
    for i in range(0, len(audio), 700):
        event = endpointer.feed(audio[i : i + 700])
        if event:
            events.append((event, i / 16000))
    assert [e for e, _ in events] == ["start", "end"]
    assert 0.9 < events[0][1] < 1.4
    assert (
        abs(len(endpointer.utterance()) / 16000 - endpointer.speech_seconds() - 0.4) < 0.05
    )  # 2 x 200 ms pad
    assert wav_seconds(tmp_path / "s.wav") > endpointer.speech_seconds() > 0.3


def test_a_click_is_not_speech() -> None:
    probabilities = iter([0.0] * 5 + [0.9] * 2 + [0.0] * 40)
    endpointer = Endpointer(silence_ms=300, min_speech_ms=150, vad=lambda window: next(probabilities))
    assert endpointer.feed(np.zeros(512 * 47, dtype=np.float32)) == "start"
    assert endpointer.start is None and not endpointer.ended  # 64 ms of "speech" was forgotten


def test_unreadable_file_is_a_cdev_error(tmp_path: Path) -> None:
    from cdev_tui.voice.transcribe import load_audio

    (tmp_path / "x.wav").write_bytes(b"RIFF\0\0")
    with pytest.raises(CdevError, match=r"x\.wav: cannot read audio"):
        load_audio(tmp_path / "x.wav")


def test_a_microphone_that_stops_sending_audio_is_a_clear_error(
    mic: Microphone, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cdev_tui.voice.endpoint as endpoint

    monkeypatch.setattr(endpoint, "_STALLED", 0.5)
    mic.stop()  # as when the device is unplugged or the sound server goes away
    with pytest.raises(VoiceUnavailable, match="stopped sending audio"):
        record_utterance(mic, Endpointer(), threading.Event(), timeout=10)


def test_cli_names_a_missing_model_folder_from_the_repository_config(repo: Path, tmp_path: Path) -> None:
    (repo / ".cdev").mkdir()
    (repo / ".cdev" / "config.toml").write_text('voice_model = "models/tiny"\n')
    wav = render_speech("help", tmp_path / "help.wav")
    done = cli("transcribe", str(wav), cwd=repo)
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"cdev-tui: error: {repo / 'models/tiny'}: speech model folder not found (check voice_model)"
    )
