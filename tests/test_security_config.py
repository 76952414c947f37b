"""gitleaks configurations: user rules, allowlists, ``[extend] useDefault``, RE2 spellings, and clear errors.

Secret-looking values are built at run time from fixed seeds, never written as literals.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from cdev_tui.errors import CdevError
from cdev_tui.security import scan_text
from cdev_tui.security.config import find_config, load_config, ruleset_for, translate_regex
from cdev_tui.security.ruleset import DEFAULT_RULESET


def rand(n: int, seed: str, alphabet: str = string.ascii_letters + string.digits) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


ACME = "acme_" + rand(32, "acme")  # a made-up provider's token format that only the user's rule knows
GITHUB = "gh" + "p_" + rand(36, "github")

ACME_RULE = """
[[rules]]
id = "acme-token"
description = "Acme deploy token"
regex = '''\\b(acme_[[:alnum:]]{32})\\b'''
keywords = ["acme_"]
entropy = 3.0
"""


def write(tmp_path: Path, text: str, name: str = ".gitleaks.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def rule_ids(ruleset, text: str, path: str = "app.py") -> list[str]:
    return [f.rule_id for f in scan_text(text, path, ruleset=ruleset)]


def test_a_config_without_extend_replaces_the_built_in_rules(tmp_path: Path) -> None:
    ruleset = load_config(write(tmp_path, ACME_RULE))
    assert [r.id for r in ruleset.rules] == ["acme-token"]
    assert rule_ids(ruleset, f"deploy = '{ACME}'\ngh = '{GITHUB}'\n") == ["acme-token"]


def test_use_default_adds_user_rules_to_the_built_in_ones(tmp_path: Path) -> None:
    ruleset = load_config(write(tmp_path, "[extend]\nuseDefault = true\n" + ACME_RULE))
    assert len(ruleset.rules) == len(DEFAULT_RULESET.rules) + 1
    assert sorted(rule_ids(ruleset, f"deploy = '{ACME}'\ngh = '{GITHUB}'\n")) == [
        "acme-token",
        "github-token",
    ]
    assert ruleset.version != DEFAULT_RULESET.version
    assert "extended by .gitleaks.toml" in ruleset.origin


def test_disabled_rules_and_an_overriding_rule_of_the_same_id(tmp_path: Path) -> None:
    text = (
        '[extend]\nuseDefault = true\ndisabledRules = ["github-token"]\n'
        '[[rules]]\nid = "jwt"\ndescription = "Only signed test tokens"\nregex = "never-matches-anything"\n'
        'keywords = ["never-matches"]\n'
    )
    ruleset = load_config(write(tmp_path, text))
    ids = [r.id for r in ruleset.rules]
    assert "github-token" not in ids and ids.count("jwt") == 1
    assert ruleset.by_id["jwt"].description == "Only signed test tokens"
    assert rule_ids(ruleset, f"gh = '{GITHUB}'\n") == []


def test_extend_by_path_chains_configs(tmp_path: Path) -> None:
    write(tmp_path, ACME_RULE, "base.toml")
    ruleset = load_config(
        write(tmp_path, '[extend]\npath = "base.toml"\n[[rules]]\nid = "x"\nregex = "zzz(q+)"\n')
    )
    assert [r.id for r in ruleset.rules] == ["x", "acme-token"]


def test_rule_allowlists_by_stopword_regex_and_path(tmp_path: Path) -> None:
    text = ACME_RULE + (
        "[[rules.allowlists]]\n"
        'stopwords = ["zzz"]\n'
        "[[rules.allowlists]]\n"
        "regexTarget = \"line\"\nregexes = ['''fixture''']\n"
        "[[rules.allowlists]]\npaths = ['''^tests/''']\n"
    )
    ruleset = load_config(write(tmp_path, text))
    assert rule_ids(ruleset, f"t = '{ACME}'\n") == ["acme-token"]
    assert rule_ids(ruleset, f"t = '{ACME}'  # fixture\n") == []
    assert rule_ids(ruleset, f"t = '{ACME}'\n", path="tests/test_app.py") == []
    assert rule_ids(ruleset, "t = 'acme_" + "zzz" + rand(29, "stop") + "'\n") == []


def test_global_allowlist_with_and_condition_and_target_rules(tmp_path: Path) -> None:
    text = (
        "[extend]\nuseDefault = true\n" + ACME_RULE + '[[allowlists]]\ncondition = "AND"\n'
        "paths = ['''^docs/''']\nregexTarget = \"line\"\nregexes = ['''example''']\n"
        'targetRules = ["acme-token"]\n'
    )
    ruleset = load_config(write(tmp_path, text))
    line = f"see '{ACME}' example\ngh = '{GITHUB}' example\n"
    assert rule_ids(ruleset, line, path="docs/setup.md") == ["github-token"]  # only acme-token is targeted
    assert rule_ids(ruleset, line, path="src/setup.md") == ["acme-token", "github-token"]  # AND: both needed


def test_a_rule_without_keywords_runs_on_every_line(tmp_path: Path) -> None:
    ruleset = load_config(write(tmp_path, "[[rules]]\nid = \"acme\"\nregex = '''(acme_[a-zA-Z0-9]{32})'''\n"))
    assert rule_ids(ruleset, f"\n\nx = '{ACME}'\n") == ["acme"]
    assert scan_text(f"\n\nx = '{ACME}'\n", "a", ruleset=ruleset)[0].line == 3


def test_a_path_only_rule_flags_the_file(tmp_path: Path) -> None:
    from cdev_tui.security import scan_roots

    ruleset = load_config(write(tmp_path, "[[rules]]\nid = \"keystore\"\npath = '''\\.jks$'''\n"))
    root = tmp_path / "src"
    root.mkdir()
    (root / "release.jks").write_bytes(b"\0\1binary")
    (root / "notes.txt").write_text("nothing\n")
    report = scan_roots([("src", root)], ruleset=ruleset)
    assert [(f.rule_id, f.path) for f in report.findings] == [("keystore", "release.jks")]


@pytest.mark.parametrize(
    ("re2", "python"),
    [
        ("[[:alnum:]]{4}", "[0-9A-Za-z]{4}"),
        ("(?<name>x)", "(?P<name>x)"),
        ("a\\z", "a\\Z"),
        ("key(?i)secret", "key(?i:secret)"),
        ("(a(?i)b)c", "(a(?i:b))c"),
        ("(?i)whole", "(?i)whole"),
        ("(?<=x)y(?<!z)", "(?<=x)y(?<!z)"),
    ],
)
def test_re2_spellings_are_translated(re2: str, python: str) -> None:
    assert translate_regex(re2) == python


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rules]]\nid = \"bad\"\nregex = '''(unclosed'''\n", "rule 'bad': invalid regex"),
        ("[[rules]]\nregex = 'x'\n", "rules[0]: every rule needs an id"),
        ('[[rules]]\nid = "x"\n', "rule 'x': needs a regex or a path"),
        ("[[rules]]\nid = \"x\"\nregex = 'a(b)'\nsecretGroup = 3\n", "secretGroup 3 but the regex has 1"),
        ('[[rules]]\nid = "x"\nregex = "a"\nkeywords = "a"\n', "rule 'x' keywords: expected a list"),
        ("[[rules]]\nid = \"x\"\nregex = 'a'\n[[rules.allowlists]]\nregexTarget = 'all'\n", "regexTarget"),
        ("rules = [\n", "not valid TOML"),
        ("title = 'nothing'\n", "no rules"),
    ],
)
def test_a_malformed_config_is_one_line_naming_the_file_and_rule(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CdevError) as caught:
        load_config(path)
    assert str(caught.value).startswith(str(path) + ":")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_config_at_the_scanned_root_is_picked_up(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None and ruleset_for(tmp_path) is DEFAULT_RULESET
    write(tmp_path, ACME_RULE)
    assert [r.id for r in ruleset_for(tmp_path).rules] == ["acme-token"]
    other = write(tmp_path, "[extend]\nuseDefault = true\n", "other.toml")
    assert len(ruleset_for(tmp_path, other).rules) == len(DEFAULT_RULESET.rules)
