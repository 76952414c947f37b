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

from cdev_tui.cli.common import EXIT_FOUND, EXIT_OK, action_options, add_format, print_json, start_dir
from cdev_tui.errors import CdevError

HELP = "voice commands: list microphones, transcribe a recording, listen to the microphone"


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
    options, model = action_options(), _model_options()
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
    """What recognition needs: the voice engine (settings and model) and the matcher's context."""

    engine: Any
    context: Any


def _setup(args: argparse.Namespace, wake_word: str | None = None) -> _Setup:
    from dataclasses import replace

    from cdev_tui.config import load_config
    from cdev_tui.voice.engine import VoiceEngine
    from cdev_tui.voice.intents import VoiceContext

    start = start_dir(args)
    root = _repo_root(start)
    config = load_config(root)
    config = replace(
        config,
        voice_model=args.model if args.model is not None else config.voice_model,
        voice_wake_word=wake_word if wake_word is not None else config.voice_wake_word,
    )
    agents = _agents(start, args.db) if root is not None else ()
    return _Setup(VoiceEngine(config), VoiceContext(agents=agents))


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


def _recognise(setup: _Setup, samples: Any, ended_at: float) -> dict[str, Any]:
    """Transcribe and match (the app's own path); latency runs from ``ended_at`` to the chosen command."""
    heard = setup.engine.understand(samples, setup.context, started=ended_at)
    matched = heard.match
    command = matched.command_id if matched is not None else None
    return {
        "text": heard.text,
        "command": command,
        "args": matched.args if matched is not None else {},
        "confidence": matched.confidence if command else 0.0,
        "alternatives": [
            {"command": a.command_id, "args": a.args, "confidence": a.confidence}
            for a in (matched.alternatives if matched is not None else ())
        ],
        "latency_ms": round(heard.latency_ms, 1),
        "load_ms": round(setup.engine.transcriber.load_seconds * 1000, 1),
        "heard": heard.raw,
        "rejected": heard.rejected,
        "audio_ms": round(heard.audio_ms, 1),
        "transcribe_ms": round(heard.transcribe_ms, 1),
    }


def _transcribe(args: argparse.Namespace) -> int:
    from cdev_tui.voice.transcribe import load_audio

    setup = _setup(args)
    samples = load_audio(args.file)
    setup.engine.prepare()
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

    setup = _setup(args, args.wake_word)
    config = setup.engine.config
    resolve_model(config.voice_model or None)  # no model: say so before opening the microphone
    device = args.device if args.device is not None else config.voice_device or None
    silence_ms = args.silence_ms if args.silence_ms is not None else config.voice_silence_ms
    timeout = args.timeout if args.timeout is not None else (10.0 if args.once else float("inf"))
    endpointer = Endpointer(silence_ms=silence_ms)
    with Microphone(device) as mic:
        setup.engine.prepare()
        assert mic.info is not None
        print(f"listening on {mic.info.name!r} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        while True:
            recording = record_utterance(mic, endpointer, threading.Event(), timeout=timeout)
            if recording is None:
                if args.once:
                    print(f"nothing heard within {timeout:g} s", file=sys.stderr)
                    return EXIT_FOUND
                continue
            result = _recognise(setup, recording.samples, recording.ended_at)
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
