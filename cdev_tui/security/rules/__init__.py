"""The detection rules (see :mod:`cdev_tui.security.rules.base` for what a rule is)."""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule

SECRET_WORDS = (
    r"passw(?:or)?d|pwd|passphrase|secret|token|credentials?|api[_-]?key|access[_-]?key|auth[_-]?key"
    r"|private[_-]?key"
)
# Every match of SECRET_WORDS holds one of these (lower-cased).
GENERIC_KEYWORDS = (
    "passw",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "credential",
    "_key",
    "-key",
    "apikey",
    "accesskey",
    "authkey",
    "privatekey",
)

RULES: tuple[Rule, ...] = (
    rule(
        "private-key",
        "Private key block",
        "high",
        ("private key",),
        r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:\s|\\[nr])*"
        r"([A-Za-z0-9+/=](?:[A-Za-z0-9+/=\s]|\\[nr]){0,8192})?",
        block=True,
    ),
    rule(
        "aws-access-key-id",
        "AWS access key ID",
        "high",
        ("akia", "asia"),
        r"(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z2-7]{16})(?![A-Z0-9])",
        min_entropy=3.0,
    ),
    rule(
        "aws-secret-access-key",
        "AWS secret access key",
        "high",
        ("secret",),
        r"(?i)(?:aws[_.-]?secret(?:[_.-]?access)?[_.-]?key|secret[_.-]?access[_.-]?key)[\"']?\s*"
        r"(?:=>|:=|[:=])\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        min_entropy=3.5,
    ),
    rule(
        "github-token",
        "GitHub token",
        "high",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        EDGE_LEFT + r"(gh[pousr]_[A-Za-z0-9]{36,251})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
    rule(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        "high",
        ("github_pat_",),
        EDGE_LEFT + r"(github_pat_[A-Za-z0-9_]{80,255})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
    rule(
        "gitlab-pat",
        "GitLab personal access token",
        "high",
        ("glpat-",),
        EDGE_LEFT + r"(glpat-[A-Za-z0-9_-]{20,255}(?:\.[A-Za-z0-9_-]{1,64}){0,3})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
    rule(
        "slack-token",
        "Slack token",
        "high",
        ("xox",),
        EDGE_LEFT
        + r"(xox[baprs]-(?=[0-9A-Za-z-]{20})[0-9A-Za-z]{1,64}(?:-[0-9A-Za-z]{1,64}){1,6})"
        + EDGE_RIGHT,
        min_entropy=3.0,
        mixed=True,
    ),
    rule(
        "slack-webhook",
        "Slack webhook URL",
        "high",
        ("hooks.slack.com",),
        r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/"
        r"((?:[A-Za-z0-9_-]{6,64}/){1,3}[A-Za-z0-9_-]{16,64})",
        min_entropy=3.0,
    ),
    rule(
        "stripe-live-key",
        "Stripe live secret or restricted key",
        "high",
        ("_live_",),
        EDGE_LEFT + r"((?:sk|rk)_live_[A-Za-z0-9]{20,247})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
    rule(
        "google-api-key",
        "Google API key",
        "high",
        ("aiza",),
        EDGE_LEFT + r"(AIza[A-Za-z0-9_-]{35})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
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
    rule(
        "linear-api-key",
        "Linear API key",
        "high",
        ("lin_api_",),
        EDGE_LEFT + r"(lin_api_[A-Za-z0-9]{32,64})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
    rule(
        "npm-token",
        "npm access token",
        "high",
        ("npm_",),
        EDGE_LEFT + r"(npm_[A-Za-z0-9]{36})" + EDGE_RIGHT,
        min_entropy=3.0,
        mixed=True,
    ),
    rule(
        "pypi-token",
        "PyPI upload token",
        "high",
        ("pypi-",),
        EDGE_LEFT + r"(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,512})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
    rule(
        "jwt",
        "JSON Web Token",
        "medium",
        ("eyj",),
        EDGE_LEFT
        + r"(eyJ[A-Za-z0-9_-]{10,4096}\.eyJ[A-Za-z0-9_-]{10,8192}\.[A-Za-z0-9_-]{10,1024})"
        + EDGE_RIGHT,
        min_entropy=3.0,
    ),
    rule(
        "url-credentials",
        "Credentials embedded in a URL",
        "medium",
        ("://",),
        r"://[^\s:/?#@\"'<>\[\]{},]{0,128}:([^\s/?#@\"'<>\[\]{},]{6,128})@[A-Za-z0-9_.\[\]:-]{1,255}",
    ),
    rule(
        "generic-secret-assignment",
        "Hard-coded password, secret, token or API key",
        "medium",
        GENERIC_KEYWORDS,
        r"(?i)(?P<key>(?:" + SECRET_WORDS + r")[A-Za-z0-9_.-]{0,40})[\"']?\s*"
        r"(?::\s*[A-Za-z_][\w.\[\], |]{0,40}?\s*)?"  # a type annotation: `password: str = "..."`
        r"(?:=>|:=|[:=])\s*(?:[bruf]{1,2})?([\"'])(?P<value>[^\"'\s\\]{8,256})\2",
        secret_group=3,
        min_entropy=3.0,
        mixed=True,
        generic=True,
    ),
    rule(
        "env-secret-assignment",
        "Secret in an environment-style assignment",
        "medium",
        GENERIC_KEYWORDS,
        r"(?i)^\s*(?:export\s+)?(?P<key>[A-Za-z0-9_]{0,40}(?:" + SECRET_WORDS + r")[A-Za-z0-9_]{0,40})="
        r"(?P<value>[A-Za-z0-9_.~+/=:@%!^*?&-]{8,256})\s*$",
        secret_group=2,
        min_entropy=3.0,
        mixed=True,
        generic=True,
    ),
)
