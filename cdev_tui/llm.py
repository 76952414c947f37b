"""A thin client for any OpenAI-compatible chat-completions endpoint, with secrets redacted before sending.

The ``openai`` package is imported inside :func:`chat_json`, never at module import. The endpoint comes from
``OPENAI_BASE_URL`` (default: OpenAI's), the key from ``OPENAI_API_KEY``, the model from the caller, else
``CDEV_TUI_LLM_MODEL``, else ``gpt-4o-mini``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cdev_tui.errors import CdevError
from cdev_tui.security import text_masked

DEFAULT_MODEL = "gpt-4o-mini"
REDACTED = "[redacted]"
SECRET_ENV = ("OPENAI_API_KEY", "LINEAR_API_KEY", "ANTHROPIC_API_KEY", "GITHUB_TOKEN", "GH_TOKEN")
"""Environment variables whose values are removed from anything sent, whatever their format."""

_PEM_BEGIN = re.compile(r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


def default_model() -> str:
    """``$CDEV_TUI_LLM_MODEL`` or ``gpt-4o-mini``."""
    return os.environ.get("CDEV_TUI_LLM_MODEL") or DEFAULT_MODEL


def redact_text(text: str) -> str:
    """``text`` with every secret the scanner's rules find masked, private-key bodies and known keys removed."""
    known = sorted(
        {value for name in SECRET_ENV if len(value := os.environ.get(name, "").strip()) >= 8},
        key=len,
        reverse=True,
    )
    out: list[str] = []
    in_key = False
    masked_lines = text_masked(text).split("\n")
    for line, masked in zip(text.split("\n"), masked_lines, strict=True):
        if in_key:
            if "-----END" in line:
                in_key = False
                out.append(line)
            else:
                out.append(REDACTED)
            continue
        begin = _PEM_BEGIN.search(line)
        if begin and "-----END" not in line[begin.end() :]:
            in_key = True
        for value in known:
            masked = masked.replace(value, REDACTED)
        out.append(masked)
    return "\n".join(out)


def redact_messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Chat messages with :func:`redact_text` applied to every string content."""
    result = []
    for message in messages:
        content = message.get("content")
        result.append({**message, "content": redact_text(content) if isinstance(content, str) else content})
    return result


def _default_client(timeout: float) -> Any:
    key = os.environ.get("OPENAI_API_KEY", "").strip()
    if not key:
        raise CdevError(
            "OPENAI_API_KEY is not set: AI features need an OpenAI-compatible endpoint "
            "(OPENAI_BASE_URL) and its key"
        )
    try:
        import openai
    except ImportError:
        raise CdevError("the openai package is not installed (pip install 'cdev-tui[ai]')") from None
    return openai.OpenAI(
        api_key=key, base_url=os.environ.get("OPENAI_BASE_URL") or None, timeout=timeout, max_retries=1
    )


def chat_json(
    messages: Sequence[Mapping[str, Any]],
    *,
    model: str | None = None,
    timeout: float = 120.0,
    client_factory: Callable[[float], Any] | None = None,
) -> dict[str, Any]:
    """Send ``messages`` (redacted first) asking for a JSON object, and return the parsed object.

    ``client_factory(timeout)`` builds the client (default: ``openai.OpenAI`` from the environment). Every
    failure (no key, no network, HTTP error, an answer that is not a JSON object) is a one-line CdevError.
    """
    model = model or default_model()
    client = (client_factory or _default_client)(timeout)
    try:
        import openai

        api_errors: tuple[type[BaseException], ...] = (openai.OpenAIError,)
    except ImportError:  # a custom client factory may not need the package
        openai = None  # type: ignore[assignment]
        api_errors = ()
    try:
        response = client.chat.completions.create(
            model=model,
            messages=redact_messages(messages),
            response_format={"type": "json_object"},
            temperature=0,
            timeout=timeout,
        )
    except api_errors as exc:
        raise CdevError(_describe_api_error(exc, openai, timeout)) from None
    try:
        content = response.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        raise CdevError(f"the LLM endpoint returned no answer for model {model}") from None
    return parse_json_answer(content, model)


def parse_json_answer(content: Any, model: str = "") -> dict[str, Any]:
    """The JSON object in a model's answer (a surrounding code fence is tolerated)."""
    if not isinstance(content, str) or not content.strip():
        raise CdevError(f"the LLM {model or 'endpoint'} returned an empty answer")
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CdevError(f"the LLM answer is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise CdevError("the LLM answer is not a JSON object")
    return data


def _describe_api_error(exc: BaseException, openai: Any, timeout: float) -> str:
    base = os.environ.get("OPENAI_BASE_URL") or "the OpenAI API"
    if openai is not None:
        if isinstance(exc, openai.APITimeoutError):
            return f"the LLM endpoint {base} did not answer within {timeout:g} s"
        if isinstance(exc, openai.APIConnectionError):
            return f"cannot reach the LLM endpoint {base}"
        if isinstance(exc, openai.APIStatusError):
            detail = _first_line(getattr(exc, "message", "") or str(exc))
            return f"the LLM endpoint {base} answered HTTP {exc.status_code}: {detail}"
    return f"LLM request failed: {_first_line(str(exc))}"


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return redact_text(lines[0][:200]) if lines else "no details"
