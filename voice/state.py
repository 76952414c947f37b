"""What voice is doing, as the indicator draws it: a small module the first frame can import cheaply."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VoiceState:
    """What voice is doing, for the indicator.

    ``phase`` is ``off``, ``loading``, ``listening`` (``level`` 0..1), ``transcribing``, ``heard`` (``text``,
    ``command``, ``confidence``, ``message``) or ``unavailable`` (``message`` says why).
    """

    phase: str
    level: float = 0.0
    text: str = ""
    command: str = ""
    confidence: float = 0.0
    message: str = ""
