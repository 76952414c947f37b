"""``cdev-tui voice``: speech to a command of the registry, headless (devices, transcribe FILE, listen).

Run inside a repository, its agents' names are part of the grammar and the speech model's vocabulary.
``latency_ms`` runs from the end of the audio (``listen``: the moment the end of speech was detected) to the
chosen command; ``listen`` also gives ``since_speech_ms``, from the last speech sound (the silence that
ends an utterance included). Model load is ``load_ms``, apart.
Exit codes: 0 done (``listen --once``: a command was recognised), 1 ``listen --once`` heard no command,
2 no input device, no PortAudio, no speech model, or an unreadable file (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdev_tui.cli.common import EXIT_FOUND, EXIT_OK, add_format, print_json, start_dir
from cdev_tui.errors import CdevError

HELP = "voice commands: list microphones, transcribe a recording, listen to the microphone"


def _options() -> argparse.ArgumentParser:
    """``--repo``, ``--db`` and ``--format`` again after the action, without overriding values given before it."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--repo", type=Path, default=argparse.SUPPRESS, help="repository to open")
    options.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="store file")
    options.add_argument(
        "--format", choices=("table", "json"), default=argparse.SUPPRESS, help="output format"
    )
    return options


def _model_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--model",
        default=None,
        help="faster-whisper model folder or name (default: voice_model, else bundled)",
    )
    options.add_argument(
        "--save-audio",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write what was heard as WAV files here",
    )
    return options


def register(sub: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    add_format(sub)
    options, model = _options(), _model_options()
    actions = sub.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser(
        "devices", parents=[options], help="list the input devices", description="List the input devices."
    )
    parser = actions.add_parser(
        "transcribe",
        parents=[options, model],
        help="turn a sound file into text and a command",
        description="Turn a sound file into text and a command (JSON: text, command, args, confidence, ...).",
    )
    parser.add_argument(
        "file", type=Path, metavar="FILE", help="a sound file (WAV, or anything FFmpeg reads)"
    )
    parser = actions.add_parser(
        "listen",
        parents=[options, model],
        help="print each command said into the microphone",
        description="Record from the microphone and print each recognised command (JSON lines with --format json).",
    )
    parser.add_argument("--device", default=None, help="input device number or name (default: voice_device)")
    parser.add_argument("--once", action="store_true", help="stop after the first utterance")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds to wait for speech (default: 10 with --once, else forever)",
    )
    parser.add_argument("--silence-ms", type=int, default=None, help="silence that ends an utterance")
    parser.add_argument(
        "--wake-word", default=None, help='accept only utterances that begin with it ("" = off)'
    )


def run(args: argparse.Namespace) -> int:
    """Run the command and return its exit code."""
    if args.action == "devices":
        return _devices(args)
    if args.action == "transcribe":
        return _transcribe(args)
    return _listen(args)


def _devices(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from cdev_tui.voice.capture import list_devices

    devices = list_devices()
    if args.format == "json":
        print_json({"devices": [asdict(d) for d in devices]})
        return EXIT_OK
    if not devices:
        print("no input devices")
    width = max((len(d.name) for d in devices), default=0)
    for d in devices:
        mark = "*" if d.default else " "
        number = "" if d.source else str(d.index)
        kind = f"PulseAudio source: {d.description}" if d.source else d.hostapi
        print(f"{mark} {number:>3}  {d.name:<{width}}  {kind} ({d.channels} ch, {d.samplerate:.0f} Hz)")
    if any(d.source for d in devices):
        print("(choose a device by number or name; PulseAudio sources by name)")
    return EXIT_OK


@dataclass(frozen=True)
class _Setup:
    """What recognition needs: the settings, the matcher's context and the transcriber."""

    config: Any
    context: Any
    transcriber: Any
    prompt: str
    hotwords: str


def _setup(args: argparse.Namespace) -> _Setup:
    from cdev_tui.config import load_config
    from cdev_tui.voice.intents import VoiceContext, hotwords, vocabulary
    from cdev_tui.voice.transcribe import Transcriber

    start = start_dir(args)
    root = _repo_root(start)
    config = load_config(root)
    agents = _agents(start, args.db) if root is not None else ()
    context = VoiceContext(agents=agents)
    transcriber = Transcriber(args.model if args.model is not None else config.voice_model or None)
    return _Setup(config, context, transcriber, vocabulary(context), hotwords(context))


def _repo_root(start: Path) -> Path | None:
    from cdev_tui import gitops

    try:
        return gitops.repo_root(start)
    except CdevError:
        return None


def _agents(start: Path, db: Path | None) -> tuple[str, ...]:
    from cdev_tui.service import open_service

    service = open_service(start, db=db)
    try:
        return tuple(agent.agent_id for agent in service.load().agents)
    finally:
        service.close()


def _recognise(setup: _Setup, samples: Any, ended_at: float, wake_word: str = "") -> dict[str, Any]:
    """Transcribe and match; latency runs from ``ended_at`` (the end of the audio) to the chosen command."""
    from cdev_tui.voice.intents import match
    from cdev_tui.voice.transcribe import after_wake_word

    transcript = setup.transcriber.transcribe(samples, prompt=setup.prompt, hotwords=setup.hotwords)
    text, rejected = transcript.text, transcript.rejected
    if text and wake_word:
        command_text = after_wake_word(text, wake_word)
        if command_text is None:
            text, rejected = "", f"no wake word {wake_word!r} in {transcript.text!r}"
        else:
            text = command_text
    matched = match(text, setup.context)
    latency = time.perf_counter() - ended_at
    return {
        "text": text,
        "command": matched.command_id,
        "args": matched.args,
        "confidence": matched.confidence if matched.command_id else 0.0,
        "alternatives": [
            {"command": a.command_id, "args": a.args, "confidence": a.confidence}
            for a in matched.alternatives
        ],
        "latency_ms": round(latency * 1000, 1),
        "load_ms": round(setup.transcriber.load_seconds * 1000, 1),
        "heard": transcript.raw,
        "rejected": rejected,
        "audio_ms": round(transcript.audio_seconds * 1000, 1),
        "transcribe_ms": round(transcript.seconds * 1000, 1),
    }


def _transcribe(args: argparse.Namespace) -> int:
    from cdev_tui.voice.transcribe import load_audio

    setup = _setup(args)
    samples = load_audio(args.file)
    setup.transcriber.load()
    if args.save_audio is not None:
        _save(args.save_audio, f"{args.file.stem}-16k.wav", samples)
    result = _recognise(setup, samples, ended_at=time.perf_counter())
    if args.format == "json":
        print_json(result)
    else:
        _print_result(result, verbose=True)
    return EXIT_OK


def _listen(args: argparse.Namespace) -> int:
    from cdev_tui.voice.capture import Microphone
    from cdev_tui.voice.endpoint import Endpointer, record_utterance
    from cdev_tui.voice.transcribe import resolve_model

    setup = _setup(args)
    config = setup.config
    resolve_model(setup.transcriber.model_name)  # no model: say so before opening the microphone
    device = args.device if args.device is not None else config.voice_device or None
    wake_word = args.wake_word if args.wake_word is not None else config.voice_wake_word
    silence_ms = args.silence_ms if args.silence_ms is not None else config.voice_silence_ms
    timeout = args.timeout if args.timeout is not None else (10.0 if args.once else float("inf"))
    endpointer = Endpointer(silence_ms=silence_ms)
    with Microphone(device) as mic:
        setup.transcriber.load()
        assert mic.info is not None
        print(f"listening on {mic.info.name!r} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        while True:
            recording = record_utterance(mic, endpointer, threading.Event(), timeout=timeout)
            if recording is None:
                if args.once:
                    print(f"nothing heard within {timeout:g} s", file=sys.stderr)
                    return EXIT_FOUND
                continue
            result = _recognise(setup, recording.samples, recording.ended_at, wake_word)
            result["since_speech_ms"] = round((time.perf_counter() - recording.speech_ended_at) * 1000, 1)
            if args.save_audio is not None:
                _save(args.save_audio, time.strftime("utterance-%Y%m%d-%H%M%S.wav"), recording.samples)
            if args.format == "json":
                print_json_line(result)
            else:
                _print_result(result, verbose=False)
            if args.once:
                return EXIT_OK if result["command"] else EXIT_FOUND


def print_json_line(data: dict[str, Any]) -> None:
    """One JSON object on one line (``listen --format json`` prints a stream of them)."""
    import json

    sys.stdout.write(json.dumps(data, default=str) + "\n")
    sys.stdout.flush()


def _print_result(result: dict[str, Any], *, verbose: bool) -> None:
    said = result["text"] or f"({result['rejected'] or 'nothing'})"
    if result["command"]:
        args = " ".join(f"{k}={v}" for k, v in result["args"].items())
        line = f"{said} → {result['command']}{' ' + args if args else ''} ({result['confidence']:.2f})"
    else:
        maybe = ", ".join(a["command"] for a in result["alternatives"] if a["command"])
        line = f"{said} → no command{f' (did you mean: {maybe})' if maybe else ''}"
    print(f"{line}  {result['latency_ms']:.0f} ms", flush=True)
    if verbose:
        print(f"model load {result['load_ms']:.0f} ms, audio {result['audio_ms']:.0f} ms", flush=True)


def _save(folder: Path, name: str, samples: Any) -> None:
    from cdev_tui.voice.capture import save_wav

    try:
        path = save_wav(folder / name, samples)
    except OSError as exc:
        raise CdevError(f"{folder}: cannot save audio ({exc.strerror})") from None
    print(f"saved {path}", file=sys.stderr)
