"""The scanning kernel: one pass of the rule set's keyword automaton over a file's bytes finds the lines worth
looking at and the rules they gate; those rules' regexes run on those lines only; PEM bodies are followed
across lines. :func:`find_candidate_lines` and :func:`match_line` are the hot loop. A raw secret never leaves
this module: findings hold a sha256 fingerprint, a sha1 for detect-secrets baselines and a masked form.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator

from cdev_tui.security.filters import accept
from cdev_tui.security.model import Finding
from cdev_tui.security.rules.base import Rule
from cdev_tui.security.ruleset import DEFAULT_RULESET, RuleSet

_MASK_STARS = "********"
_PEM_WINDOW = 16 * 1024
_PEM_ROW = re.compile(r"[A-Za-z0-9+/=]{16,}")
_PEM_HEADER_FIELD = re.compile(r"[A-Za-z-]+: ?.*")
INLINE_ALLOW_MARKERS = (b"cdev: allow-secret", b"gitleaks:allow")
"""A line holding one of these (in a comment, say) is never reported."""


def mask_secret(secret: str) -> str:
    """Display form of a secret: at most its first 4 characters, then a fixed run of stars."""
    return secret[: min(4, len(secret) // 4)] + _MASK_STARS


def fingerprint(rule_id: str, secret: str) -> str:
    """Stable identity of a secret for baselines: sha256 of ``rule_id:secret``."""
    return hashlib.sha256(f"{rule_id}:{secret}".encode("utf-8", "replace")).hexdigest()


def secret_sha1(secret: str) -> str:
    """The secret's identity in detect-secrets baselines (its ``hashed_secret``)."""
    return hashlib.sha1(secret.encode("utf-8", "replace")).hexdigest()


def _secret_span(rule: Rule, match: re.Match[str]) -> tuple[int, int]:
    """Where the secret lies in ``match``: group ``secret_group``, or for ``secret_group=-1`` (gitleaks'
    default) the first non-empty group, else the whole match."""
    if rule.secret_group >= 0:
        return match.span(rule.secret_group)
    for group in range(1, (match.re.groups or 0) + 1):
        start, end = match.span(group)
        if end > start:
            return start, end
    return match.span()


LineMatch = tuple[int, int, int, int]  # (rule index, match start, secret start, secret end)


def warm_up(ruleset: RuleSet = DEFAULT_RULESET, *, compile_all: bool = True) -> None:
    """Build the filters' tables now, and with ``compile_all`` every rule's regex (which a scan otherwise
    compiles when a rule first runs): before forking workers that would each do it."""
    from cdev_tui.security.filters import format_prefix, prepare

    for rule in ruleset.rules:
        if compile_all:
            getattr(rule.pattern, "compiled", None)  # a LazyPattern compiles on first access
        format_prefix(rule.pattern, rule.secret_group)
    prepare()


def match_line(
    line: str, rule_indexes: Iterable[int] | None = None, ruleset: RuleSet = DEFAULT_RULESET
) -> list[LineMatch]:
    """Run the given rules (default: all) over one line; return their accepted matches, earliest rule first.

    This is the per-line kernel: the caller has already checked the keywords. A match whose secret overlaps
    one already taken by an earlier rule is dropped, so one secret yields one finding.
    """
    rules = ruleset.rules
    found: list[LineMatch] = []
    for index in range(len(rules)) if rule_indexes is None else sorted(rule_indexes):
        rule = rules[index]
        if rule.requires and not any(text in line for text in rule.requires):
            continue  # the regex cannot match: a cheap test first
        for match in rule.pattern.finditer(line):
            start, end = _secret_span(rule, match)
            if rule.block:
                if start < 0:
                    start = end = match.end()
            elif start < 0 or not accept(rule, match, line[start:end]):
                continue
            if any(start < taken_end and taken_start < end for _, _, taken_start, taken_end in found):
                continue
            found.append((index, match.start(), start, end))
    return found


def line_masked(line: str, ruleset: RuleSet = DEFAULT_RULESET) -> str:
    """``line`` with every secret the rules find on it replaced by its mask, for showing context."""
    rule_indexes = set(ruleset.ungated)
    for *_, keywords in ruleset.candidate_lines(line.encode("utf-8", "replace")):
        rule_indexes.update(i for k in keywords for i in ruleset.keyword_rules[k])
    if not rule_indexes:
        return line
    spans = sorted(((s, e) for _, _, s, e in match_line(line, rule_indexes, ruleset) if e > s), reverse=True)
    for start, end in spans:
        line = line[:start] + mask_secret(line[start:end]) + line[end:]
    return line


_TOKEN_AT = re.compile(r"[^\s\"'`,;]+")


def mask_at(line: str, column: int) -> str:
    """``line`` with the token that starts at ``column`` (1-based) masked: for a finding whose span is known
    only by where it starts."""
    token = _TOKEN_AT.match(line, column - 1)
    if token is None:
        return line
    return line[: token.start()] + mask_secret(token.group()) + line[token.end() :]


def text_masked(text: str, ruleset: RuleSet = DEFAULT_RULESET) -> str:
    """``text`` with every secret the rules find masked, line by line and in name/value pairs that span two
    lines (``- name: DB_PASSWORD`` then ``value: ...``), whose value line says nothing secret on its own."""
    lines = text.split("\n")
    out = [line_masked(line, ruleset) for line in lines]
    if "alue" in text or "ALUE" in text:
        for finding in scan_bytes(text.encode("utf-8", "replace"), "", "", ruleset):
            index = finding.line - 1
            if index < len(lines) and out[index] == lines[index]:
                out[index] = mask_at(lines[index], finding.column)
    return "\n".join(out)


def _pem_body(after_header: str) -> str:
    """The base64 rows that follow a PEM header, up to the END line; "" when none follow (code, docs)."""
    rows: list[str] = []
    for raw in after_header.replace("\\n", "\n").replace("\\r", "\n").split("\n"):
        row = raw.strip()
        if row.endswith("+") and row[:-1].rstrip()[-1:] in ("'", '"'):
            row = row[:-1]  # string concatenation in source code; a bare "+" may end a base64 row
        row = row.strip().strip("\"',;")
        if not row:
            continue
        if row.startswith("-----END") or not _PEM_ROW.fullmatch(row):
            if rows or not _PEM_HEADER_FIELD.fullmatch(row):
                break
            continue  # Proc-Type: / DEK-Info: of an encrypted legacy key
        rows.append(row)
    return "".join(rows)


def find_candidate_lines(
    data: bytes, ruleset: RuleSet = DEFAULT_RULESET
) -> list[tuple[int, int, int, set[int]]]:
    """Lines of ``data`` that hold a rule keyword (any case), with the rules to run there.

    Returns ``(line index, start offset, end offset, rule indexes)`` in line order; with rules that have no
    keywords (user rules), every line. With :func:`match_line` this is the hot loop.
    """
    keyword_rules = ruleset.keyword_rules
    lines = [
        (line_no, start, end, {i for k in keywords for i in keyword_rules[k]})
        for line_no, start, end, keywords in ruleset.candidate_lines(data)
    ]
    if not ruleset.ungated:
        return lines
    gated = {entry[0]: entry for entry in lines}
    every: list[tuple[int, int, int, set[int]]] = []
    start = 0
    for line_no, raw in enumerate(data.split(b"\n")):
        entry = gated.get(line_no)
        every.append((line_no, start, start + len(raw), (entry[3] if entry else set()) | ruleset.ungated))
        start += len(raw) + 1
    return every


def _allowed(
    ruleset: RuleSet, rule: Rule, path: str, commit: str, secret: str, match: str, line: str
) -> bool:
    """Whether an allowlist of the rule or a global one lets this finding through unreported."""
    for allowlist in (*rule.allowlists, *ruleset.allowlists):
        if allowlist.target_rules and rule.id not in allowlist.target_rules:
            continue
        if allowlist.allows(path=path, secret=secret, match=match, line=line, commit=commit):
            return True
    return False


# A secret's name and value apart: Kubernetes and Azure Pipelines `- name: DB_PASSWORD` then `value: ...`,
# CloudFormation's Name/Value, ECS and ARM `"name": ..., "value": ...`, Postman's `"key": ..., "value": ...`,
# Terraform `name = ...` / `value = ...`, XML `<add key="..." value="..."/>`.
_PAIR_NAME = re.compile(
    r"^[ \t]*(?:-[ \t]+)?\{?[ \t]*[\"']?(?i:name|key)[\"']?[ \t]*[:=][ \t]*[\"']?(?P<key>[A-Za-z0-9_.-]{1,128})"
    r"[\"']?[ \t]*,?[ \t]*\r?$"
)
_PAIR_VALUE = re.compile(r"^[ \t]*[\"']?(?i:value)[\"']?[ \t]*[:=][ \t]*(?=\S)")
_PAIR_INLINE = re.compile(
    r"(?<![A-Za-z0-9_])[\"']?(?i:name|key)[\"']?[ \t]*[:=][ \t]*[\"']?(?P<key>[A-Za-z0-9_.-]{1,128})[\"']?"
    r"[ \t]*,?[ \t]*[\"']?(?i:value)[\"']?[ \t]*[:=][ \t]*"
)


def _paired(data: bytes, end: int, line: str) -> tuple[int, str, str, int, int] | None:
    """The name/value pair that starts on ``line`` (which ends at offset ``end`` of ``data``), joined into one
    ``NAME: value`` line for the rules: ``(lines down to the value, the value's line, the joined line, the
    value's index in it, the shift from the joined line's indexes to the value line's)``, or None."""
    name = _PAIR_NAME.match(line)
    if name is not None:
        stop = data.find(b"\n", end + 1)
        following = data[end + 1 : stop if stop >= 0 else len(data)]
        if any(marker in following for marker in INLINE_ALLOW_MARKERS):
            return None
        value_line = following.decode("utf-8", "replace")
        value = _PAIR_VALUE.match(value_line)
        if value is None:
            return None
        head = name["key"] + ": "
        return 1, value_line, head + value_line[value.end() :], len(head), value.end() - len(head)
    inline = _PAIR_INLINE.search(line) if "alue" in line or "ALUE" in line else None
    if inline is not None:
        head = line[: inline.start()] + inline["key"] + ": "
        return 0, line, head + line[inline.end() :], len(head), inline.end() - len(head)
    return None


def scan_bytes(
    data: bytes, path: str, root_label: str, ruleset: RuleSet = DEFAULT_RULESET, commit: str = ""
) -> list[Finding]:
    """Scan one file's raw content (already known not to be binary) at ``path`` (relative, POSIX).

    A name/value pair (``- name: SMTP_PASSWORD`` then ``value: ...``) is also read as one ``NAME: value`` line
    by the built-in rules; what they find in the value is reported on the value's line, unless a finding there
    already covers it.
    """
    findings: list[Finding] = []
    taken: dict[int, list[tuple[int, int]]] = {}  # line index -> secret spans reported there
    from_pairs: list[tuple[Finding, int, int]] = []  # findings in name/value pairs, with their secret spans
    rules = ruleset.rules

    def finding(rule: Rule, secret: str, line_no: int, column: int) -> Finding:
        return Finding(
            rule_id=rule.id,
            description=rule.description,
            severity=rule.severity,
            path=path,
            line=line_no + 1,
            column=column,
            fingerprint=fingerprint(rule.id, secret),
            masked=mask_secret(secret),
            root_label=root_label,
            secret_hash=secret_sha1(secret),
            commit=commit,
        )

    for line_no, start, end, rule_indexes in find_candidate_lines(data, ruleset):
        if ruleset.context_dependent:
            rule_indexes = {i for i in rule_indexes if rules[i].path is None or rules[i].path.search(path)}
        raw = data[start:end]
        if not rule_indexes or any(marker in raw for marker in INLINE_ALLOW_MARKERS):
            continue
        line = raw.decode("utf-8", "replace")
        for index, match_start, secret_start, secret_end in match_line(line, rule_indexes, ruleset):
            rule = rules[index]
            if rule.block:
                following = data[end : end + _PEM_WINDOW].decode("utf-8", "replace")
                secret = _pem_body(line[secret_start:] + following)
                if len(secret) < rule.min_body:
                    continue
                column = match_start + 1
            else:
                secret = line[secret_start:secret_end]
                column = secret_start + 1
            if ruleset.context_dependent and _allowed(
                ruleset, rule, path, commit, secret, line[match_start:secret_end], line
            ):
                continue
            findings.append(finding(rule, secret, line_no, column))
            taken.setdefault(line_no, []).append((secret_start, secret_end))
        if (
            raw.lstrip(b" \t-{\"'")[:4].lower().startswith((b"name", b"key"))
            or b"alue" in raw
            or b"ALUE" in raw
        ):
            pair = _paired(data, end, line)
            if pair is not None:
                from_pairs.extend(_pair_findings(pair, line_no, path, commit, ruleset, finding))
    for found, secret_start, secret_end in from_pairs:
        spans = taken.setdefault(found.line - 1, [])
        if not any(secret_start < e and s < secret_end for s, e in spans):
            findings.append(found)
            spans.append((secret_start, secret_end))
    findings.sort(key=lambda f: (f.line, f.column))
    return findings


def _pair_findings(
    pair: tuple[int, str, str, int, int],
    line_no: int,
    path: str,
    commit: str,
    ruleset: RuleSet,
    finding: Callable[[Rule, str, int, int], Finding],
) -> Iterator[tuple[Finding, int, int]]:
    """What the built-in rules find in the value of a joined name/value pair, placed on the value's line."""
    down, value_line, joined, value_at, shift = pair
    rules = ruleset.rules
    rule_indexes = {
        i
        for *_, keywords in ruleset.candidate_lines(joined.encode("utf-8", "replace"))
        for k in keywords
        for i in ruleset.keyword_rules[k]
        if rules[i].filtered and not rules[i].block and (rules[i].path is None or rules[i].path.search(path))
    }
    if not rule_indexes:
        return
    for index, match_start, secret_start, secret_end in match_line(joined, rule_indexes, ruleset):
        if secret_start < value_at:
            continue  # not in the value: the name's own line reports it
        rule = rules[index]
        secret = joined[secret_start:secret_end]
        if ruleset.context_dependent and _allowed(
            ruleset, rule, path, commit, secret, joined[match_start:secret_end], value_line
        ):
            continue
        start, end = secret_start + shift, secret_end + shift
        yield finding(rule, secret, line_no + down, start + 1), start, end


def scan_text(
    text: str, path: str, root_label: str = "", ruleset: RuleSet = DEFAULT_RULESET
) -> list[Finding]:
    """Scan one file's text and return its findings in line order."""
    return scan_bytes(text.encode("utf-8", "replace"), path, root_label, ruleset)
