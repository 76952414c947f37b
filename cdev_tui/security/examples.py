"""Rule examples as templates: ``ghp_{alnum:36}`` stands for "ghp_" and 36 random letters and digits.

Rules carry positive and negative examples that the test suite checks. Writing them as templates keeps every
source file free of secret-looking literals (our own scanner and hosting push protection would flag them);
:func:`expand` turns a template into text with random parts drawn from a fixed seed, so an example expands
to the same text in every run.

A field is ``{class:length}`` or ``{class:min-max}`` (the length then drawn from the range), or a literal
alternative ``{=one|two}``. ``{{`` and ``}}`` stand for literal braces. Classes:

=========  =================================================
alnum      A-Z a-z 0-9
lower      a-z            upper      A-Z
digits     0-9            hex        0-9 a-f      HEX  0-9 A-F
lowernum   a-z 0-9        uppernum   A-Z 0-9
b32        A-Z 2-7 (RFC 4648 base32)
b64        A-Z a-z 0-9 + /
b64url     A-Z a-z 0-9 - _
alnumdash  A-Z a-z 0-9 -  alnumunder A-Z a-z 0-9 _
=========  =================================================
"""

from __future__ import annotations

import random
import re
import string

from cdev_tui.errors import CdevError

ALPHABETS: dict[str, str] = {
    "alnum": string.ascii_letters + string.digits,
    "lower": string.ascii_lowercase,
    "upper": string.ascii_uppercase,
    "digits": string.digits,
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "lowernum": string.ascii_lowercase + string.digits,
    "uppernum": string.ascii_uppercase + string.digits,
    "b32": string.ascii_uppercase + "234567",
    "b64": string.ascii_letters + string.digits + "+/",
    "b64url": string.ascii_letters + string.digits + "-_",
    "alnumdash": string.ascii_letters + string.digits + "-",
    "alnumunder": string.ascii_letters + string.digits + "_",
}

_FIELD = re.compile(
    r"\{\{|\}\}|\{(?:=(?P<choices>[^{}]*)|(?P<cls>[A-Za-z][A-Za-z0-9]*):(?P<low>\d+)(?:-(?P<high>\d+))?)\}"
)


def expand(template: str, seed: str = "") -> str:
    """The text ``template`` stands for, random fields drawn from ``seed`` (same seed, same text)."""
    rng = random.Random(f"{seed}\0{template}")

    def field(match: re.Match[str]) -> str:
        token = match.group()
        if token in ("{{", "}}"):
            return token[0]
        if match["choices"] is not None:
            return rng.choice(match["choices"].split("|"))
        alphabet = ALPHABETS.get(match["cls"])
        if alphabet is None:
            raise CdevError(f"example template {template!r}: unknown class {match['cls']!r}")
        low = int(match["low"])
        length = rng.randint(low, int(match["high"])) if match["high"] else low
        return "".join(rng.choice(alphabet) for _ in range(length))

    leftover = _FIELD.sub("", template)
    if "{" in leftover or "}" in leftover:
        raise CdevError(
            f"example template {template!r}: a lone brace or a malformed field (write {{{{ for {{)"
        )
    return _FIELD.sub(field, template)
