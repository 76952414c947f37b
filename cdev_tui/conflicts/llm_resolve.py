"""An LLM's proposal for one hunk: asked on demand, secrets redacted, never safe, always shown as a diff.

Any OpenAI-compatible endpoint works (see :mod:`cdev_tui.llm`). Lines that redaction masked are put back
into the answer where the model returned them unchanged; an answer that still holds a masked value is
flagged so that nobody writes it by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cdev_tui.conflicts.hunks import Hunk, split_lines
from cdev_tui.conflicts.suggestions import HunkContext, Suggestion
from cdev_tui.errors import CdevError

CONTEXT_LINES = 12

SYSTEM = (
    "You resolve one git merge conflict hunk. You get the file path, the lines around the hunk, and the "
    "hunk's three versions: ours, base (the common ancestor, may be missing) and theirs. Combine the intent "
    'of both changes. Answer with a JSON object: {"result": the exact text that replaces the whole hunk, '
    'with a trailing newline unless the file ends there, "explanation": one sentence}. Never include '
    "conflict markers."
)


def _prompt(hunk: Hunk, context: HunkContext) -> str:
    before = "".join(split_lines(context.prefix)[-CONTEXT_LINES:])
    after = "".join(split_lines(context.suffix)[:CONTEXT_LINES])
    base = hunk.base if hunk.base is not None else "(unknown)"
    return (
        f"File: {context.path}\n\n--- lines before the hunk ---\n{before}\n--- ours ---\n{hunk.ours}\n"
        f"--- base ---\n{base}\n--- theirs ---\n{hunk.theirs}\n--- lines after the hunk ---\n{after}"
    )


def _unmask(result: str, hunk: Hunk) -> tuple[str, bool]:
    """Put back lines that redaction masked; report whether a masked value is left."""
    from cdev_tui.llm import REDACTED, redact_text

    originals: dict[str, str] = {}
    for section in (hunk.ours, hunk.base or "", hunk.theirs):
        # redacted as a whole, as the prompt was: a name/value pair is masked on its value's line
        for line, masked in zip(section.split("\n"), redact_text(section).split("\n"), strict=True):
            if masked != line:
                originals[masked] = line
    lines = [originals.get(line, line) for line in result.split("\n")]
    text = "\n".join(lines)
    leftover = REDACTED in text or any(masked in text for masked in originals)
    return text, leftover


def llm_suggestion(
    hunk: Hunk,
    context: HunkContext,
    *,
    model: str | None = None,
    client_factory: Callable[[float], Any] | None = None,
    timeout: float = 60.0,
) -> Suggestion:
    """Ask the configured endpoint for this hunk's result; CdevError (one line) when that fails."""
    from cdev_tui.llm import chat_json

    answer = chat_json(
        [{"role": "system", "content": SYSTEM}, {"role": "user", "content": _prompt(hunk, context)}],
        model=model,
        timeout=timeout,
        client_factory=client_factory,
    )
    result = answer.get("result")
    if not isinstance(result, str):
        raise CdevError('the LLM answer has no "result" text')
    if "\r\n" in hunk.ours and "\r\n" not in result:
        result = result.replace("\n", "\r\n")
    result, leftover = _unmask(result, hunk)
    explanation = str(answer.get("explanation") or "").strip().split("\n")[0][:200]
    reason = "LLM proposal" + (f": {explanation}" if explanation else "")
    if leftover:
        reason += " (it holds a redacted value: edit before writing)"
    return Suggestion("llm", result, 0.3 if leftover else 0.5, False, reason)
