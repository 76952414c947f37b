"""Voice commands: accuracy on a spoken phrase set, and latency from the end of speech to the command.

The phrase set is built from the command registry's spoken forms (the demo's agents filling the slots) plus
sentences that are not commands. Each phrase is spoken by espeak-ng in one of three voices and two speeds,
every other clip with background noise mixed in by sox, then:

- **ours**: the whole path after the end of speech — the clip is fed in 32 ms blocks to the end-pointer (Silero
  VAD) as if recorded live; from the moment it declares the end, transcription with the vocabulary prompt
  (a beam of five readings), matching the readings, and the command's dispatch are timed;
- **bare**: faster-whisper's own ``transcribe`` of the same clip with the same model, settings and prompt;
- **no vocabulary**: the same clip transcribed without the prompt and hotwords, then matched.

A clip is right when the command and its arguments are right, or, for a non-command, when nothing runs.
Also printed: model load time, and the CPU the process uses while voice is armed (model loaded, idle).
Run with ``python benchmarks/bench_voice.py``; needs espeak-ng, sox and the bundled tiny.en model.
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cdev_tui.commands import COMMANDS, command_by_id
from cdev_tui.voice.engine import choose
from cdev_tui.voice.intents import VoiceContext
from cdev_tui.voice.vocabulary import hotwords, vocabulary

AGENTS = ("db_agent", "catalog_agent", "api_agent", "auth_agent", "cart_agent")
VOICES = ("en-us", "en", "en-us+f3")
SPEEDS = (150, 185)
NOT_COMMANDS = (
    "what is the weather like today",
    "let me think about that for a second",
    "that looks good to me",
    "I'll get a coffee",
    "can you hear me",
    "hello there",
    "the build is green again",
    "we should refactor this later",
    "send the report to Alice",
    "it's raining outside",
    "where did I put my keys",
    "lunch at noon",
)
BUDGET_RATIO = 1.3
BUDGET_ACCURACY = 97.0


@dataclass(frozen=True)
class Phrase:
    text: str
    command_id: str | None
    args: dict[str, object]
    scope: str


def _agent_words(agent_id: str, rng: random.Random) -> str:
    name = agent_id.removesuffix("_agent")
    return rng.choice((name, f"the {name} agent", f"{name} agent"))


def phrases(seed: int = 7) -> list[Phrase]:
    """Two spoken forms of every command that has them (slots filled), then the non-commands."""
    rng = random.Random(seed)
    found: list[Phrase] = []
    for command in COMMANDS:
        if not command.spoken or command.id == "voice.choose":
            continue
        for form in list(command.spoken)[:2]:
            args: dict[str, object] = {}
            text = form
            if "{agent}" in text:
                agent = rng.choice(AGENTS)
                text = text.replace("{agent}", _agent_words(agent, rng))
                args["agent"] = agent
            if "{number}" in text:
                number = rng.randint(1, 5)
                text = text.replace("{number}", str(number))
                args["number"] = number
            if "{pane}" in text:
                continue
            found.append(Phrase(text, command.id, args, command.scope))
    found += [Phrase(text, None, {}, "app") for text in NOT_COMMANDS]
    return found


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def render(phrase: Phrase, index: int, folder: Path) -> tuple[Path, str]:
    """Speak the phrase into a 16 kHz wav (voice, speed and noise cycle with the index); its description."""
    voice, speed = VOICES[index % len(VOICES)], SPEEDS[(index // len(VOICES)) % len(SPEEDS)]
    noisy = index % 2 == 1
    raw, clean = folder / f"{index}-raw.wav", folder / f"{index}.wav"
    _run("espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), phrase.text)
    # Half a second of silence after the speech, as a speaker would leave before the end-pointer fires.
    _run("sox", "-R", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(clean), "pad", "0.2", "0.8")
    if noisy:
        seconds = subprocess.run(
            ["soxi", "-D", str(clean)], capture_output=True, text=True, check=True
        ).stdout
        noise, mixed = folder / f"{index}-noise.wav", folder / f"{index}-noisy.wav"
        _run(
            "sox",
            "-R",  # the same noise on every run: figures comparable from run to run
            "-n",
            "-r",
            "16000",
            "-c",
            "1",
            "-b",
            "16",
            str(noise),
            "synth",
            seconds.strip(),
            "pinknoise",
            "vol",
            "0.06",
        )
        _run("sox", "-R", "-m", str(clean), str(noise), str(mixed))
        clean = mixed
    return clean, f"{voice}/{speed}{'/noise' if noisy else ''}"


def _right(phrase: Phrase, command_id: str | None, args: dict[str, object]) -> bool:
    if phrase.command_id is None:
        return command_id is None
    return command_id == phrase.command_id and all(args.get(k) == v for k, v in phrase.args.items())


def _endpoint(samples, endpointer):  # type: ignore[no-untyped-def]
    """Feed a clip in live-sized blocks; the utterance and when its end was detected (perf_counter)."""
    from cdev_tui.voice.endpoint import BLOCK

    endpointer.reset()
    for start in range(0, len(samples), BLOCK):
        endpointer.feed(samples[start : start + BLOCK])
        if endpointer.ended:
            return endpointer.utterance(), time.perf_counter()
    endpointer.stop()
    return endpointer.utterance(), time.perf_counter()


def main() -> list[str]:
    """Run the phrase set through every path; one line per figure."""
    missing = [tool for tool in ("espeak-ng", "sox", "soxi") if shutil.which(tool) is None]
    if missing:
        return [f"voice: skipped, {' and '.join(missing)} not installed (make bench installs them)"]
    from cdev_tui.voice.endpoint import Endpointer
    from cdev_tui.voice.transcribe import DECODE, Transcriber, load_audio

    transcriber = Transcriber()
    started = time.perf_counter()
    transcriber.load()
    load_ms = (time.perf_counter() - started) * 1000
    model = transcriber._model
    set_ = phrases()
    ours_ok = plain_ok = 0
    ours_ms: list[float] = []
    bare_ms: list[float] = []
    wrong: list[str] = []
    endpointer = Endpointer()
    with tempfile.TemporaryDirectory(prefix="cdev-voice-bench-") as tmp:
        for index, phrase in enumerate(set_):
            path, how = render(phrase, index, Path(tmp))
            samples = load_audio(path)
            context = VoiceContext(agents=AGENTS, scope=phrase.scope)
            prompt, words = vocabulary(context), hotwords(context)
            utterance, ended = _endpoint(samples, endpointer)
            transcript = transcriber.transcribe(utterance, prompt=prompt, hotwords=words)
            found = (
                choose([transcript.text, *transcript.alternatives], context)[1] if transcript.text else None
            )
            if found is not None and found.command_id is not None:  # what the app's dispatch does first
                command_by_id(found.command_id).invocation(found.args)
            ours_ms.append((time.perf_counter() - ended) * 1000)
            got = (found.command_id, found.args) if found is not None else (None, {})
            if _right(phrase, *got):
                ours_ok += 1
            else:
                wrong.append(f"{phrase.text!r} [{how}] → {transcript.text!r} → {got[0]}")
            began = time.perf_counter()
            list(model.transcribe(samples, initial_prompt=prompt, hotwords=words, **DECODE)[0])
            bare_ms.append((time.perf_counter() - began) * 1000)
            plain = transcriber.transcribe(utterance)
            plain_found = choose([plain.text, *plain.alternatives], context)[1] if plain.text else None
            plain_got = (plain_found.command_id, plain_found.args) if plain_found is not None else (None, {})
            plain_ok += _right(phrase, *plain_got)
    idle_cpu = _idle_cpu_percent()
    total = len(set_)
    commands = sum(1 for p in set_ if p.command_id)
    ratio = statistics.median(ours_ms) / statistics.median(bare_ms)
    lines = [
        f"voice.phrases: {total} clips ({commands} commands, {total - commands} not commands), "
        f"{len(VOICES)} voices x {len(SPEEDS)} speeds, every other one with pink noise",
        f"voice.accuracy with the vocabulary and grammar: {ours_ok}/{total} = {100 * ours_ok / total:.1f}% "
        f"(goal >= {BUDGET_ACCURACY:.0f}%); without the vocabulary prompt: {plain_ok}/{total} = "
        f"{100 * plain_ok / total:.1f}%",
        f"voice.latency(end of speech → command vs bare faster-whisper on the same clips): ratio {ratio:.2f}x "
        f"(budget <= {BUDGET_RATIO}x); ours {statistics.median(ours_ms):.0f} ms median, {_p90(ours_ms):.0f} ms p90; "
        f"bare {statistics.median(bare_ms):.0f} ms median, {_p90(bare_ms):.0f} ms p90",
        f"voice.median end of speech → command: median {statistics.median(ours_ms):.0f} ms (budget <= 500 ms)",
        f"voice.model load: {load_ms:.0f} ms (tiny.en int8, warmed); idle CPU with voice armed: {idle_cpu:.2f}% of one core",
    ]
    lines += [f"voice.MISS {line}" for line in wrong]
    return lines


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def _idle_cpu_percent(seconds: float = 5.0) -> float:
    """CPU time this process (model loaded, no one speaking) spends over ``seconds``, as % of one core."""
    cpu, wall = time.process_time(), time.perf_counter()
    time.sleep(seconds)
    return 100 * (time.process_time() - cpu) / (time.perf_counter() - wall)


if __name__ == "__main__":
    for line in main():
        print(line)
