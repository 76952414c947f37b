"""False-positive control: what makes a match a template, a placeholder, a reference or a name rather than a
secret. :func:`accept` runs on regex matches only, so every check here is cheap string work on one value.

Checks for every rule: placeholder words and template syntax, environment and CI secret references, values
equal to their user name, sequential or periodic runs, and subresource-integrity hashes; a rule whose tokens
have no prefix of their own also drops values that start with another format's prefix but are too short for
it (``ghp_`` and ten characters: a truncated lookalike, not a secret). Generic key=value
rules (``rule.generic``) also get: key names that describe a secret rather than hold one, hashes under hash
keys, git SHAs, UUIDs, paths, URLs, code references, version strings, test values, base64 placeholders, and
matches on minified lines.
"""

from __future__ import annotations

import base64
import binascii
import functools
import itertools
import math
import re
from collections import Counter
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]

from cdev_tui.security.rules import RULES
from cdev_tui.security.rules.base import Rule

# Substrings that mark a value as a template or a placeholder rather than a secret (any rule).
_PLACEHOLDER_MARKERS = (
    "changeme",
    "change_me",
    "change-me",
    "example",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "yoursecret",
    "yourtoken",
    "yourpass",
    "yourapi",
    "insert_",
    "insert-",
    "replace_me",
    "replace-me",
    "replaceme",
    "xxxx",
    "****",
    "...",
    "<",
    ">",
    "{",
    "}",
    "dummy",
    "redacted",
    "sample",
    "password",
    "secret",
    "fake",
    "lorem",
    "notreal",
    "not_real",
    "not-real",
)
# Generic values holding one of these words (written lower-case, capitalised or upper-case: in a random token
# "fOO" is chance, not a word) are test data or a name, not a credential.
_GENERIC_WORDS = ("test", "mock", "foo", "qwerty", "asdf", "demo")
_GENERIC_MARKER = re.compile(
    "|".join(form for word in _GENERIC_WORDS for form in (word, word.capitalize(), word.upper()))
)
# printf-style and shell substitutions: %s, %(name)s, $(command)
_TEMPLATE_DIRECTIVE = re.compile(
    r"%\([^()]*\)[#0 +-]*[0-9]*(?:\.[0-9]+)?[a-z%]|%[#0 +-]*[0-9]*(?:\.[0-9]+)?[sdifrx]|\$\([^()]*\)?"
)
_RANDOM_REST = (12, 3.5, 3)  # length, entropy, character classes of what a random token keeps without them
# Whole values that are placeholders, documented defaults or famous test passwords.
_PLACEHOLDER_VALUES = frozenset(
    {
        "passwd",
        "pass",
        "pwd",
        "token",
        "changeit",
        "null",
        "none",
        "nil",
        "undefined",
        "foobar",
        "test1234",
        "admin123",
        "admin",
        "root",
        "guest",
        "default",
        "postgres",
        "mysql",
        "neo4j",
        "rabbitmq",
        "tiger",
        "letmein",
        "hunter2",
        "passw0rd",
        "p4ssw0rd",
        "p4ssword",
        "pa$$word",
        "pa$$w0rd",
        "foobared",
        "p@ssw0rd",
        "p@ssword",
        "pa55word",
        "s3cr3t",
        "pass123",
        "pass1234",
        "abc123",
        "test",
        "testing",
        "qwerty123",
        "postmark_api_test",
    }
)
# References to a value held elsewhere: environment lookups and CI or template variables.
_REFERENCE_MARKERS = (
    "os.environ",
    "process.env",
    "getenv",
    "environ[",
    "env[",
    "env(",
    "env.",
    "secrets.",
    "vars.",
    "import.meta",
)
_VARIABLE_VALUE = re.compile(
    r"\$[A-Za-z_][A-Za-z0-9_]*|@[A-Za-z_][A-Za-z0-9_.]*@|__[A-Za-z0-9_]+__|\$\{[^}]*\}|#\{[^}]*\}"
)
_PERCENT_VARIABLE = re.compile(r"%[A-Za-z_][A-Za-z0-9_]{1,64}%")
_SRI_PREFIXES = ("sha1-", "sha256-", "sha384-", "sha512-")

# Generic key names ending like this name something about a secret, not the secret itself.
_KEY_STOP_SUFFIXES = (
    "file",
    "path",
    "dir",
    "name",
    "type",
    "url",
    "uri",
    "endpoint",
    "field",
    "label",
    "prefix",
    "suffix",
    "header",
    "length",
    "len",
    "size",
    "count",
    "id",
    "pattern",
    "regex",
    "regexp",
    "format",
    "env",
    "var",
    "ref",
    "arn",
    "hash",
    "digest",
    "checksum",
    "policy",
    "version",
    "algorithm",
    "alg",
    "mode",
    "provider",
    "method",
    "strategy",
    "expiry",
    "expires",
    "expiration",
    "lifetime",
    "ttl",
    "timeout",
    "encoding",
    "charset",
    "hint",
    "prompt",
    "message",
    "msg",
    "text",
    "title",
    "placeholder",
    "error",
    "help",
    "description",
    "template",
    "column",
    "param",
    "parameter",
)
# Generic key names holding one of these are not credentials (public keys, CSRF, pagination, tokenizers).
_KEY_STOP_WORDS = (
    "public",
    "publishable",
    "tokeniz",
    "csrf",
    "xsrf",
    "authenticity",  # Rails' CSRF token in a form
    "verificationtoken",  # ASP.NET's anti-forgery token in a form
    "nonce",
    "captcha",
    "pagetoken",
    "page_token",
    "page-token",
    "nexttoken",
    "next_token",
    "next-token",
    "continuation",
    "cursor",
    "existing",
)
_HASH_KEY_WORDS = ("hash", "checksum", "sha", "digest", "etag", "integrity", "md5", "fingerprint", "crc")
_GIT_WORDS = ("commit", "git", "rev", "sha", "ref")
_HASH_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})
_HEX = re.compile(r"[0-9a-fA-F]+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ENV_NAME_VALUE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")  # e.g. MY_APP_SECRET: names a variable
# A character class, escape or group flag: the value is a regex, not a secret.
_REGEX_LIKE = re.compile(r"\[[^\]]*\]|\\[dswDSW]|\(\?")
# settings.API_KEY2, config.db.pass1, this.token: a dotted code reference whose parts are words.
_CODE_REFERENCE = re.compile(
    r"[A-Za-z_$][A-Za-z_$]*\d{0,3}(?:(?:\.|::|->)[A-Za-z_$][A-Za-z_$]*\d{0,3})+(?:\(\))?"
)
_PATH_LIKE = re.compile(
    r"(?:/|\./|\.\./|~/|[A-Za-z]:[\\/]).*|.*\.(?:pem|key|crt|cer|der|pub|json|ya?ml|txt|env|p12|pfx|jks"
    r"|keystore|asc|gpg|ini|conf|cfg|properties|xml|toml)",
    re.IGNORECASE,
)
_VERSION_LIKE = re.compile(r"v?\d+(?:\.\d+){1,3}(?:[-+.][0-9A-Za-z.-]+)?")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_IDENTIFIER_PIECE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_VOWELS = frozenset("aeiouyAEIOUY")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{8,}={0,2}")
_KEY_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
_HAS_DIGIT = re.compile(r"[0-9]")
_HAS_ALPHA = re.compile(r"[A-Za-z]")
_PASSWORD_SYMBOL = re.compile(r"[!#%^&*+?~]|=+$")
_MINIFIED_LINE = 4096  # a generic match on a line this long is in a bundle or a source map
_RUN = 6  # this many sequential characters (abcdef, 123456, 654321) make a value a made-up one
_GENERIC_REPEAT = 5  # this many equal characters in a row make a generic value a made-up one
_FORMAT_PREFIX = 4  # a provider's token prefix this long or longer names its format (shorter: sk-, SG., hf_)


def shannon_entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    n = len(value)
    if not n:
        return 0.0
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def _is_placeholder(lowered: str) -> bool:
    return lowered in _PLACEHOLDER_VALUES or any(m in lowered for m in _PLACEHOLDER_MARKERS)


def _is_template(value: str) -> bool:
    """``user:%s``, ``%(password)s``, ``$(DB_PASSWORD)``: substitutions in a template. A random token (a Django
    secret key draws from ``%``, ``$`` and ``(``) may hold ``%s`` by chance: what is left once the directives
    are out is then long and random. (Case matters: ``%3D`` is URL encoding, ``%3d`` a printf directive.)"""
    if "%" not in value and "$(" not in value:
        return False
    rest, found = _TEMPLATE_DIRECTIVE.subn("", value)
    if not found:
        return False
    length, entropy, classes = _RANDOM_REST
    return len(rest) < length or shannon_entropy(rest) < entropy or _character_classes(rest) < classes


def _character_classes(text: str) -> int:
    """How many of lower-case letters, upper-case letters, digits and other characters ``text`` holds."""
    return (
        any(ch.islower() for ch in text)
        + any(ch.isupper() for ch in text)
        + any(ch.isdigit() for ch in text)
        + any(not ch.isalnum() for ch in text)
    )


def _is_reference(secret: str, lowered: str) -> bool:
    """An environment lookup or a CI/template variable standing for the value."""
    return (
        any(m in lowered for m in _REFERENCE_MARKERS)
        or _VARIABLE_VALUE.fullmatch(secret) is not None
        or _PERCENT_VARIABLE.search(secret) is not None
    )


def _has_run(lowered: str, limit: int, repeat: int) -> bool:
    """A run of ``limit`` ascending or descending alphanumerics, or of ``repeat`` equal characters."""
    up = down = same = 1
    for prev, cur in itertools.pairwise(lowered):
        step = ord(cur) - ord(prev)
        aligned = cur.isalnum() and prev.isalnum()
        up = up + 1 if step == 1 and aligned else 1
        down = down + 1 if step == -1 and aligned else 1
        same = same + 1 if step == 0 else 1
        if up >= limit or down >= limit or same >= repeat:
            return True
    return False


def _is_periodic(value: str) -> bool:
    """``abcabcabc``, ``1212121212``: a short unit repeated, never a random token."""
    n = len(value)
    return n >= 8 and any(value == (value[:k] * (n // k + 1))[:n] for k in range(1, 5))


def _same_as_user(match: re.Match[str], secret_start: int, lowered: str) -> bool:
    """``user:user@`` or ``-u admin:admin``: the password repeats the user name just before it."""
    before = match.string[max(match.start(), secret_start - 130) : secret_start]
    if not before.endswith(":"):
        return False
    user = re.split(r"[\s/\"'=]", before[:-1])[-1]
    return bool(user) and user.lower() == lowered


def _is_identifier_like(value: str) -> bool:
    """``token_from_env_v2``, ``getApiKey2``: a name made of words, as code assigns them."""
    if not _IDENTIFIER.fullmatch(value) or not ("_" in value or re.search(r"[a-z][A-Z]", value)):
        return False
    alnum = sum(ch.isalnum() for ch in value)
    words = sum(
        len(piece)
        for piece in _IDENTIFIER_PIECE.findall(value)
        if len(piece) >= 3 and piece.isalpha() and _VOWELS.intersection(piece)
    )
    return alnum > 0 and words / alnum >= 0.75


def _base64_placeholder(secret: str) -> bool:
    """Base64 of readable text that is itself a placeholder: ``user:password``, ``admin:admin``."""
    if len(secret) % 4 or not _BASE64.fullmatch(secret):
        return False
    try:
        decoded = base64.b64decode(secret, validate=True).decode("ascii")
    except (binascii.Error, ValueError):
        return False
    if not decoded.isprintable():
        return False
    lowered = decoded.lower()
    user, _, password = lowered.partition(":")
    return _is_placeholder(lowered) or (bool(password) and (password == user or _is_placeholder(password)))


def _generic_key(match: re.Match[str]) -> str:
    """The whole key name of a generic match, lower-cased: the ``key`` group widened to the left."""
    key_start = match.start("key")
    if key_start < 0:
        return ""
    head = match.string[max(0, key_start - 40) : key_start]
    return (head[len(head.rstrip(_KEY_CHARS)) :] + match.group("key")).lower().rstrip("_.-")


def _generic_rejects(match: re.Match[str], secret: str, lowered: str) -> bool:
    if len(match.string) >= _MINIFIED_LINE:
        return True
    if secret.startswith("$") or _ENV_NAME_VALUE.fullmatch(secret) or _REGEX_LIKE.search(secret):
        return True
    if _GENERIC_MARKER.search(secret) or lowered.startswith(("pk.", "pk_")):
        return True
    if _has_run(lowered, _RUN, _GENERIC_REPEAT):
        return True
    if "://" in secret or _PATH_LIKE.fullmatch(secret) or _VERSION_LIKE.fullmatch(secret):
        return True
    if _CODE_REFERENCE.fullmatch(secret) or _is_identifier_like(secret) or _UUID.fullmatch(secret):
        return True
    if _base64_placeholder(secret):
        return True
    key = _generic_key(match)
    if key.endswith(_KEY_STOP_SUFFIXES) or any(word in key for word in _KEY_STOP_WORDS):
        return True
    if len(secret) in _HASH_LENGTHS and _HEX.fullmatch(secret):
        if any(word in key for word in _HASH_KEY_WORDS):
            return True
        if len(secret) == 40 and any(word in match.string.lower() for word in _GIT_WORDS):
            return True  # a git commit SHA
    return False


@functools.lru_cache(maxsize=2048)
def format_prefix(pattern: re.Pattern[str], group: int) -> str:
    """The literal text every secret of group ``group`` of ``pattern`` starts with, lower-cased: the fixed
    part of a token format (``age-secret-key-1``, ``sk-ant-admin``), "" when the group starts with a variable
    part. A word such as "secret" there belongs to the format, so it is no sign of a placeholder."""
    if group <= 0:
        return ""
    try:
        parsed = sre_parser.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError, TypeError, ValueError):  # pragma: no cover - compiled patterns parse
        return ""
    body = _group_body(parsed, group)
    prefix: list[str] = []
    for op, arg in body or ():
        if op is not sre_constants.LITERAL:
            break
        prefix.append(chr(arg))
    return "".join(prefix).lower()


def _group_body(parsed: object, group: int) -> object | None:
    """The parsed items of capturing group ``group`` inside ``parsed`` (a parsed sub-pattern), or None."""
    for op, arg in parsed:  # type: ignore[attr-defined]
        children: list[object] = []
        if op is sre_constants.SUBPATTERN:
            if arg[0] == group:
                return arg[-1]
            children = [arg[-1]]
        elif op is sre_constants.BRANCH:
            children = list(arg[1])
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
            children = [arg[2]]
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            children = [arg[1]]
        elif op is sre_constants.ATOMIC_GROUP:
            children = [arg]
        elif op is sre_constants.GROUPREF_EXISTS:
            children = [child for child in arg[1:] if child is not None]
        for child in children:
            found = _group_body(child, group)
            if found is not None:
                return found
    return None


def _literal_starts(items: object, limit: int = 16) -> tuple[list[str], bool]:
    """The literal texts a parsed sub-pattern's matches start with, when it starts with literals, small
    character sets or alternations of those (``gh[pousr]_``, ``(?:sk|rk)_live_``), and whether those texts
    are the whole sub-pattern. ``[]`` when a match can start with a variable part, or when there would be more
    than ``limit`` of them."""
    starts = [""]
    for op, arg in items:  # type: ignore[attr-defined]
        if op is sre_constants.LITERAL:
            starts = [s + chr(arg) for s in starts]
        elif op is sre_constants.IN and len(arg) <= 8 and all(o is sre_constants.LITERAL for o, _ in arg):
            starts = [s + chr(a) for s in starts for _, a in arg]
        elif op is sre_constants.BRANCH or (op is sre_constants.SUBPATTERN and arg[0] is None):
            tails = [
                _literal_starts(alt, limit) for alt in (arg[1] if op is sre_constants.BRANCH else [arg[-1]])
            ]
            if not all(texts for texts, _ in tails):
                return ([], False) if starts == [""] else (starts, False)
            starts = [s + t for s in starts for texts, _ in tails for t in texts]
            if not all(whole for _, whole in tails):
                return (starts, False) if len(starts) <= limit else ([], False)
        else:
            return ([], False) if starts == [""] else (starts, False)
        if len(starts) > limit:
            return [], False
    return starts, True


@functools.cache
def _format_prefixes() -> dict[str, tuple[tuple[str, int], ...]]:
    """Token formats a value announces by its start: for every literal prefix that all tokens of a built-in
    provider rule (or of one alternative of its pattern) begin with, and that the rule's keywords gate on (the
    prefix alone names the format, no key name needed), the length of the shortest such token the rule
    accepts. Keyed by the prefix's first :data:`_FORMAT_PREFIX` characters."""
    table: dict[str, list[tuple[str, int]]] = {}
    for rule in RULES:
        if rule.generic or rule.block or rule.secret_group <= 0:
            continue
        body = _group_body(sre_parser.parse(rule.pattern.pattern, rule.pattern.flags), rule.secret_group)
        if body is None:
            continue
        items = list(body)  # type: ignore[call-overload]
        alternatives = items[0][1][1] if len(items) == 1 and items[0][0] is sre_constants.BRANCH else [body]
        for alternative in alternatives:
            prefixes, _ = _literal_starts(alternative)
            if not prefixes or min(map(len, prefixes)) < _FORMAT_PREFIX:
                continue
            lowered = [p.lower() for p in prefixes]
            if not all(any(p.startswith(k) or k.startswith(p) for k in rule.keywords) for p in lowered):
                continue  # a prefix the rule trusts only next to the provider's name (Twilio's SK, say)
            shortest = alternative.getwidth()[0]
            for prefix in prefixes:
                table.setdefault(prefix[:_FORMAT_PREFIX], []).append((prefix, shortest))
    return {key: tuple(entries) for key, entries in table.items()}


def _short_of_its_format(secret: str) -> bool:
    """``ghp_`` and ten characters, ``AKIA`` and seven: a value that starts with a provider's token prefix but
    is shorter than every token format with that prefix is a truncated or made-up lookalike, not a secret. (A
    value of a format's length is that provider rule's to judge; a longer one, which may be a newer format,
    stays a generic finding.)"""
    lengths = [
        n for prefix, n in _format_prefixes().get(secret[:_FORMAT_PREFIX], ()) if secret.startswith(prefix)
    ]
    return bool(lengths) and len(secret) < min(lengths)


def _mixed(secret: str, generic: bool) -> bool:
    """Letters and digits, as a token holds. A generic value passes too with both cases and a symbol such as a
    password holds (``!``, ``^``, ``*``, ``+``, base64 padding): no name or word looks like that."""
    if _HAS_ALPHA.search(secret) is None:
        return False
    if _HAS_DIGIT.search(secret) is not None:
        return True
    return (
        generic and secret.lower() != secret != secret.upper() and _PASSWORD_SYMBOL.search(secret) is not None
    )


def accept(rule: Rule, match: re.Match[str], secret: str) -> bool:
    """Whether ``secret``, found by ``rule`` as ``match``, looks like a real credential.

    Rules from a user's config (``rule.filtered`` off) get their own entropy threshold only, as in gitleaks.
    """
    if not rule.filtered:
        return not rule.min_entropy or shannon_entropy(secret) >= rule.min_entropy
    lowered = secret.lower()
    prefix = format_prefix(rule.pattern, rule.secret_group)
    fixed = len(prefix) if prefix and lowered.startswith(prefix) else 0
    variable = lowered[fixed:]
    if _is_placeholder(variable) or _is_template(secret[fixed:]) or _is_reference(secret, lowered):
        return False
    if lowered.startswith(_SRI_PREFIXES):
        return False
    if rule.mixed and not _mixed(secret, rule.generic):
        return False
    if not prefix and _short_of_its_format(secret):
        return False  # a rule without a token prefix of its own found another format's truncated lookalike
    if rule.min_entropy and shannon_entropy(secret) < rule.min_entropy:
        return False
    if _is_periodic(secret) or _has_run(lowered, _RUN, len(secret) + 1):
        return False
    if 0 < rule.secret_group <= (match.re.groups or 0) and _same_as_user(
        match, match.start(rule.secret_group), lowered
    ):
        return False
    return not (rule.generic and _generic_rejects(match, secret, lowered))


def prepare() -> None:
    """Build the tables the filters compute on first use (see :func:`cdev_tui.security.engine.warm_up`)."""
    _format_prefixes()
