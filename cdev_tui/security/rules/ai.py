"""AI providers: OpenAI, Anthropic, Hugging Face, Cohere, Replicate, Groq, Mistral."""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule

RULES: tuple[Rule, ...] = (
    rule(
        "anthropic-api-key",
        "Anthropic API key",
        "high",
        ("sk-",),
        EDGE_LEFT + r"(sk-ant-[a-z]{2,8}[0-9]{2}-[A-Za-z0-9_-]{32,200})" + EDGE_RIGHT,
        min_entropy=3.5,
    ),
    rule(
        "openai-api-key",
        "OpenAI-style API key",
        "high",
        ("sk-",),
        EDGE_LEFT + r"(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,200})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
    ),
)
