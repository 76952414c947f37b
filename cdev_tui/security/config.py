"""gitleaks configurations (``.gitleaks.toml``): rules, their allowlists, global allowlists, and ``[extend]``
with ``useDefault`` (our built-in rules stand in for gitleaks' defaults), ``path`` and ``disabledRules``.

gitleaks writes regexes for Go's RE2; the few RE2 spellings Python's ``re`` lacks (POSIX classes, ``\\z``,
``(?<name>``, flags in the middle of a pattern) are translated. Anything else that does not compile is a
one-line error naming the file and the rule.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cdev_tui.errors import CdevError
from cdev_tui.security.rules.base import Allowlist, Rule
from cdev_tui.security.ruleset import DEFAULT_RULESET, RuleSet

CONFIG_NAME = ".gitleaks.toml"
_SEVERITY = "high"
_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7F",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1F\\x7F",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_FLAGS_MID = re.compile(r"\(\?([imsU]+)\)")
_MAX_EXTENDS = 4


def find_config(root: Path) -> Path | None:
    """The ``.gitleaks.toml`` at ``root``, as gitleaks picks it up, or None."""
    candidate = root / CONFIG_NAME
    return candidate if candidate.is_file() else None


def translate_regex(pattern: str) -> str:
    """An RE2 pattern in Python's ``re`` syntax."""
    pattern = re.sub(r"\[:(\w+):\]", lambda m: _POSIX_CLASSES.get(m[1], m[0]), pattern)
    pattern = pattern.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!")
    pattern = re.sub(r"(?<!\\)\\z", r"\\Z", pattern)
    return _scope_inline_flags(pattern)


def _scope_inline_flags(pattern: str) -> str:
    """Turn ``(?i)`` in the middle of a pattern (RE2 allows it) into ``(?i:...)`` up to its group's end."""
    out = pattern
    search_from = 0
    while True:
        match = _FLAGS_MID.search(out, search_from)
        if match is None:
            return out
        flags = match[1].replace("U", "")
        if match.start() == 0 or not flags:
            search_from = match.end()
            continue
        close = _group_end(out, match.end())
        out = f"{out[: match.start()]}(?{flags}:{out[match.end() : close]}){out[close:]}"
        search_from = match.start() + 1


def _group_end(pattern: str, position: int) -> int:
    """Index of the ``)`` that closes the group around ``position`` (or the pattern's end)."""
    depth = 0
    in_class = False
    i = position
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return len(pattern)


def _compile(source: Path, where: str, pattern: Any) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise CdevError(f"{source}: {where}: expected a regex string, got {type(pattern).__name__}")
    try:
        return re.compile(translate_regex(pattern))
    except re.error as exc:
        raise CdevError(f"{source}: {where}: invalid regex ({exc})") from None


def _strings(source: Path, where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CdevError(f"{source}: {where}: expected a list of strings")
    return tuple(value)


def _allowlist(source: Path, where: str, table: Any) -> Allowlist:
    if not isinstance(table, Mapping):
        raise CdevError(f"{source}: {where}: expected a table")
    target = table.get("regexTarget", "secret")
    if target not in ("secret", "match", "line"):
        raise CdevError(f"{source}: {where}: regexTarget must be secret, match or line, not {target!r}")
    condition = str(table.get("condition", "OR")).upper()
    if condition not in ("OR", "AND"):
        raise CdevError(f"{source}: {where}: condition must be OR or AND, not {condition!r}")
    return Allowlist(
        description=str(table.get("description", "")),
        paths=tuple(
            _compile(source, f"{where} path", p)
            for p in _strings(source, f"{where} paths", table.get("paths"))
        ),
        regexes=tuple(
            _compile(source, f"{where} regex", r)
            for r in _strings(source, f"{where} regexes", table.get("regexes"))
        ),
        regex_target=target,
        stopwords=tuple(w.lower() for w in _strings(source, f"{where} stopwords", table.get("stopwords"))),
        commits=_strings(source, f"{where} commits", table.get("commits")),
        all_of=condition == "AND",
        target_rules=_strings(source, f"{where} targetRules", table.get("targetRules")),
    )


def _allowlists(
    source: Path, where: str, table: Mapping[str, Any], single: str, many: str
) -> list[Allowlist]:
    found: list[Allowlist] = []
    if single in table:
        found.append(_allowlist(source, f"{where}{single}", table[single]))
    entries = table.get(many, [])
    if not isinstance(entries, list):
        raise CdevError(f"{source}: {where}{many}: expected an array of tables")
    found += [_allowlist(source, f"{where}{many}[{i}]", entry) for i, entry in enumerate(entries)]
    return found


def _rule(source: Path, index: int, table: Any) -> Rule:
    if not isinstance(table, Mapping):
        raise CdevError(f"{source}: rules[{index}]: expected a table")
    rule_id = table.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise CdevError(f"{source}: rules[{index}]: every rule needs an id")
    where = f"rule {rule_id!r}"
    path = table.get("path")
    regex = table.get("regex")
    if regex is None and path is None:
        raise CdevError(f"{source}: {where}: needs a regex or a path")
    secret_group = table.get("secretGroup", 0)
    entropy = table.get("entropy", 0.0)
    if not isinstance(secret_group, int) or secret_group < 0:
        raise CdevError(f"{source}: {where}: secretGroup must be a whole number >= 0")
    if not isinstance(entropy, int | float) or entropy < 0:
        raise CdevError(f"{source}: {where}: entropy must be a number >= 0")
    pattern = _compile(source, where, regex if regex is not None else "")
    if secret_group > pattern.groups:
        raise CdevError(
            f"{source}: {where}: secretGroup {secret_group} but the regex has {pattern.groups} groups"
        )
    keywords = tuple(k.lower() for k in _strings(source, f"{where} keywords", table.get("keywords")))
    return Rule(
        id=rule_id,
        description=str(table.get("description") or rule_id),
        severity=_SEVERITY,
        keywords=keywords,
        pattern=pattern,
        secret_group=secret_group if secret_group else -1,
        min_entropy=float(entropy),
        filtered=False,
        path=_compile(source, f"{where} path", path) if path is not None else None,
        allowlists=tuple(_allowlists(source, f"{where} ", table, "allowlist", "allowlists")),
        help=f"Rule {rule_id} of {source.name}.",
    )


def load_config(path: Path, _depth: int = 0) -> RuleSet:
    """The rule set a gitleaks configuration describes; a one-line :class:`CdevError` when it is wrong."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CdevError(f"{path}: cannot read the gitleaks config ({exc.strerror})") from None
    try:
        table = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CdevError(f"{path}: not valid TOML ({exc})") from None
    rules_table = table.get("rules", [])
    if not isinstance(rules_table, list):
        raise CdevError(f"{path}: rules: expected an array of tables ([[rules]])")
    own = [_rule(path, i, entry) for i, entry in enumerate(rules_table)]
    allowlists = _allowlists(path, "", table, "allowlist", "allowlists")

    base: RuleSet | None = None
    extend = table.get("extend")
    if extend is not None:
        if not isinstance(extend, Mapping):
            raise CdevError(f"{path}: extend: expected a table")
        if extend.get("useDefault"):
            base = DEFAULT_RULESET
        elif extend.get("path"):
            if _depth >= _MAX_EXTENDS:
                raise CdevError(f"{path}: extend: configs extend each other more than {_MAX_EXTENDS} deep")
            base = load_config((path.parent / str(extend["path"])).resolve(), _depth + 1)
        disabled = set(_strings(path, "extend disabledRules", extend.get("disabledRules")))
        if base is not None and disabled:
            base = RuleSet(tuple(r for r in base.rules if r.id not in disabled), base.allowlists)

    digest = hashlib.sha256(raw).hexdigest()
    if base is None:
        rules, origin = tuple(own), f"{path.name} ({len(own)} rules)"
    else:
        own_ids = {rule.id for rule in own}
        # The extending config's own rules win over base rules of the same id and run before the rest.
        rules = (*own, *(r for r in base.rules if r.id not in own_ids))
        allowlists = [*base.allowlists, *allowlists]
        digest = hashlib.sha256(f"{digest}:{base.config_digest}".encode()).hexdigest()
        origin = f"built-in rules extended by {path.name}" if base is DEFAULT_RULESET else f"{path.name}"
    if not rules:
        raise CdevError(f"{path}: no rules (add [[rules]] or [extend] useDefault = true)")
    return RuleSet(rules, tuple(allowlists), origin, digest)


def ruleset_for(root: Path | None, config: Path | None = None) -> RuleSet:
    """The rule set to scan ``root`` with: ``config`` if given, else its ``.gitleaks.toml``, else built-in."""
    if config is not None:
        return load_config(config)
    found = find_config(root) if root is not None else None
    return load_config(found) if found is not None else DEFAULT_RULESET


__all__ = ["CONFIG_NAME", "find_config", "load_config", "ruleset_for", "translate_regex"]
