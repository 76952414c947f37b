"""A rule set ready to scan with: the rules, global allowlists, the keyword automaton that gates them, and a
version that changes whenever anything that decides a finding changes (rules, filters, engine, user config),
so cached results are never reused across versions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from cdev_tui.cext.prefilter import KeywordMatcher
from cdev_tui.security.rules import RULES
from cdev_tui.security.rules.base import Allowlist, Rule

_DECIDING_SOURCES = ("rules", "filters.py", "engine.py", "ruleset.py")


@cache
def code_version() -> str:
    """Digest of the code that decides findings (rules, filters, engine)."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in _DECIDING_SOURCES:
        target = here / name
        for path in sorted(target.rglob("*.py")) if target.is_dir() else [target]:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class RuleSet:
    """Rules in priority order (when two claim the same text, the earlier wins) and global allowlists."""

    rules: tuple[Rule, ...]
    allowlists: tuple[Allowlist, ...] = ()
    origin: str = "built-in rules"  # shown to the user: where the rules come from
    config_digest: str = ""  # digest of the user configuration the rules were built from

    @cached_property
    def version(self) -> str:
        """Changes whenever a finding could change: the deciding code or the user configuration."""
        return hashlib.sha256(f"{code_version()}:{self.config_digest}".encode()).hexdigest()[:20]

    @cached_property
    def file_rules(self) -> tuple[Rule, ...]:
        """Rules with a path and no regex: the file's name is the finding (a keystore, say)."""
        return tuple(r for r in self.rules if r.path is not None and not r.pattern.pattern)

    @cached_property
    def _line_rules(self) -> tuple[int, ...]:
        return tuple(i for i, rule in enumerate(self.rules) if rule.pattern.pattern)

    @cached_property
    def keywords(self) -> tuple[str, ...]:
        """Every distinct keyword of the line rules, in first-seen order."""
        return tuple(dict.fromkeys(k for i in self._line_rules for k in self.rules[i].keywords))

    @cached_property
    def keyword_rules(self) -> tuple[tuple[int, ...], ...]:
        """For each keyword of :attr:`keywords`, the indexes of the rules it gates."""
        position = {keyword: i for i, keyword in enumerate(self.keywords)}
        owners: list[list[int]] = [[] for _ in self.keywords]
        for index in self._line_rules:
            for keyword in self.rules[index].keywords:
                owners[position[keyword]].append(index)
        return tuple(tuple(o) for o in owners)

    @cached_property
    def ungated(self) -> frozenset[int]:
        """Line rules without keywords: they run on every line (only user rules lack keywords)."""
        return frozenset(i for i in self._line_rules if not self.rules[i].keywords)

    @cached_property
    def matcher(self) -> KeywordMatcher | None:
        """The automaton over every keyword (None when no rule has keywords)."""
        for rule in self.rules:
            for keyword in rule.keywords:
                if keyword != keyword.lower():
                    raise ValueError(f"rule {rule.id}: keyword {keyword!r} must be lower-case")
        return KeywordMatcher([k.encode() for k in self.keywords]) if self.keywords else None

    def candidate_lines(self, data: bytes) -> list[tuple[int, int, int, tuple[int, ...]]]:
        """The matcher's lines of ``data`` holding a keyword, each with the keyword indexes found there."""
        return [] if self.matcher is None else self.matcher.candidate_lines(data)

    @cached_property
    def _all_allowlists(self) -> tuple[Allowlist, ...]:
        return (*self.allowlists, *(a for r in self.rules for a in r.allowlists))

    @cached_property
    def context_dependent(self) -> bool:
        """Whether a finding can depend on the file's path or commit, not only on its content."""
        return bool(self._all_allowlists) or any(r.path is not None for r in self.rules)

    @cached_property
    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def context_key(self, path: str, commit: str = "") -> str:
        """What about ``path`` and ``commit`` a file's findings depend on, for caching them by content:
        "" unless user rules or allowlists look at paths or commits."""
        if not self.context_dependent:
            return ""
        marks = [str(int(r.path.search(path) is not None)) for r in self.rules if r.path is not None]
        marks += [str(int(any(p.search(path) for p in a.paths))) for a in self._all_allowlists if a.paths]
        if any(a.commits for a in self._all_allowlists):
            marks.append(commit)
        return "".join(marks)


DEFAULT_RULESET = RuleSet(RULES)
