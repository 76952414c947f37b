"""The detection rules: each one a provider's token format, with keywords that gate it and examples that the
test suite checks. Rules are grouped by kind in the modules of this package; :data:`RULES` holds them all,
specific formats before the generic key=value rules (when two rules claim the same text, the earlier wins).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from cdev_tui.security.model import Severity

EDGE_LEFT = r"(?<![A-Za-z0-9_-])"
EDGE_RIGHT = r"(?![A-Za-z0-9_-])"
"""Left and right edges of a token: not preceded/followed by a character that could extend it."""


class LazyPattern:
    """A rule's regex, compiled on first use: a scan runs a rule only on lines holding its keywords, so most
    of the built-in rules never run on a given tree, and compiling all of them would cost more than scanning
    a small one. Answers what the engine and the filters ask of an ``re.Pattern``."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def finditer(self, string: str, *args: int) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string, *args)

    def search(self, string: str, *args: int) -> re.Match[str] | None:
        return self.compiled.search(string, *args)

    @property
    def groups(self) -> int:
        return self.compiled.groups

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyPattern) and (self.pattern, self.flags) == (other.pattern, other.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"


@dataclass(frozen=True)
class Allowlist:
    """What a configured allowlist lets through (gitleaks' semantics): with ``all_of`` every given criterion
    must hold, otherwise any one of them."""

    description: str = ""
    paths: tuple[re.Pattern[str], ...] = ()
    regexes: tuple[re.Pattern[str], ...] = ()
    regex_target: str = "secret"  # "secret", "match" or "line": what ``regexes`` look at
    stopwords: tuple[str, ...] = ()  # lower-case; a secret holding one is allowed
    commits: tuple[str, ...] = ()
    all_of: bool = False
    target_rules: tuple[str, ...] = ()  # a global allowlist limited to these rule ids; empty: every rule

    def allows(self, *, path: str, secret: str, match: str, line: str, commit: str = "") -> bool:
        """Whether a finding with these facts is allowed (not reported)."""
        target = {"match": match, "line": line}.get(self.regex_target, secret)
        lowered = secret.lower()
        checks: list[bool] = []
        if self.commits:
            checks.append(bool(commit) and commit in self.commits)
        if self.paths:
            checks.append(any(p.search(path) for p in self.paths))
        if self.regexes:
            checks.append(any(r.search(target) for r in self.regexes))
        if self.stopwords:
            checks.append(any(word in lowered for word in self.stopwords))
        return bool(checks) and (all(checks) if self.all_of else any(checks))


@dataclass(frozen=True)
class Rule:
    """One detector: keywords gate the line, the regex finds the secret in group ``secret_group``."""

    id: str
    description: str
    severity: Severity
    keywords: tuple[str, ...]  # lower-case; the regex runs only on lines holding one of them
    pattern: re.Pattern[str] | LazyPattern
    secret_group: int
    min_entropy: float = 0.0  # Shannon bits per character of the secret
    mixed: bool = False  # the secret must hold both a letter and a digit
    generic: bool = False  # key=value heuristic: extra false-positive filters on key name and value
    block: bool = False  # PEM block: the secret is the body that follows the header
    examples: tuple[str, ...] = ()  # templates (see cdev_tui.security.examples) this rule must find
    counter_examples: tuple[str, ...] = ()  # templates this rule must not report
    help: str = ""  # what the credential is and how to revoke it, for SARIF and the detail view
    filtered: bool = True  # apply the built-in placeholder filters (off for rules from a user's config)
    path: re.Pattern[str] | None = None  # only files whose relative path this searches (user configs)
    allowlists: tuple[Allowlist, ...] = ()  # the rule's own allowlists (user configs)
    min_body: int = 64  # block rules: the shortest body (base64 characters) that is a key, not a docs stub
    requires: tuple[str, ...] = ()  # text a line must hold (one of) for the regex to be worth running


def rule(
    rule_id: str,
    description: str,
    severity: Severity,
    keywords: tuple[str, ...],
    pattern: str,
    secret_group: int = 1,
    *,
    min_entropy: float = 0.0,
    mixed: bool = False,
    generic: bool = False,
    block: bool = False,
    min_body: int = 64,
    requires: tuple[str, ...] = (),
    examples: tuple[str, ...] = (),
    counter_examples: tuple[str, ...] = (),
    help: str = "",
) -> Rule:
    """A :class:`Rule` whose pattern compiles when it first runs (an invalid one fails the test suite)."""
    return Rule(
        rule_id,
        description,
        severity,
        keywords,
        LazyPattern(pattern),
        secret_group,
        min_entropy,
        mixed,
        generic,
        block,
        examples,
        counter_examples,
        help,
        min_body=min_body,
        requires=requires,
    )
