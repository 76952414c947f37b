"""Every detection rule against its own examples: each positive example is found by that rule, at the place the
rule's regex points to, and each counter-example is not reported by it. Examples are templates expanded from
fixed seeds (see :mod:`cdev_tui.security.examples`), so no file holds a secret-looking literal.
"""

from __future__ import annotations

import re

import pytest

from cdev_tui.errors import CdevError
from cdev_tui.security import RULES, scan_text
from cdev_tui.security.examples import ALPHABETS, expand
from cdev_tui.security.rules import Rule

EXAMPLES = [(rule, i, template) for rule in RULES for i, template in enumerate(rule.examples)]
COUNTER_EXAMPLES = [(rule, i, template) for rule in RULES for i, template in enumerate(rule.counter_examples)]


def in_a_file(text: str) -> str:
    """``text`` from line 3 of an otherwise harmless file."""
    return f"# settings\nname = 'demo'\n{text}\nlast = True\n"


def test_rule_ids_are_unique_and_kebab_case() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rule_id) for rule_id in ids), ids


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_is_complete(rule: Rule) -> None:
    assert rule.description and rule.description[0].isupper() and not rule.description.endswith(".")
    assert rule.severity in ("high", "medium", "low")
    assert rule.keywords and all(k == k.lower() and len(k) >= 3 for k in rule.keywords)
    assert rule.examples, "a rule without a positive example is untested"
    assert rule.counter_examples, "a rule without a negative example is untested"
    assert rule.help


@pytest.mark.parametrize(("rule", "index", "template"), EXAMPLES, ids=[f"{r.id}-{i}" for r, i, _ in EXAMPLES])
def test_rule_finds_its_example(rule: Rule, index: int, template: str) -> None:
    text = expand(template, seed=f"{rule.id}/{index}")
    findings = [f for f in scan_text(in_a_file(text), "example.txt") if f.rule_id == rule.id]
    assert findings, f"{rule.id} misses {text!r}"
    assert findings[0].line == 3
    assert "****" in findings[0].masked


@pytest.mark.parametrize(
    ("rule", "index", "template"), COUNTER_EXAMPLES, ids=[f"{r.id}-{i}" for r, i, _ in COUNTER_EXAMPLES]
)
def test_rule_ignores_its_counter_example(rule: Rule, index: int, template: str) -> None:
    text = expand(template, seed=f"{rule.id}/not/{index}")
    assert [f for f in scan_text(in_a_file(text), "example.txt") if f.rule_id == rule.id] == []


def test_an_example_is_the_same_text_in_every_run_and_differs_by_seed() -> None:
    assert expand("tok_{alnum:20}", "a") == expand("tok_{alnum:20}", "a") != expand("tok_{alnum:20}", "b")
    assert re.fullmatch(r"tok_[A-Za-z0-9]{20}", expand("tok_{alnum:20}"))


def test_example_templates_know_ranges_choices_and_literal_braces() -> None:
    text = expand('{{"kind": "{=live|test}", "key": "{hex:4-8}"}}', "s")
    assert re.fullmatch(r'\{"kind": "(live|test)", "key": "[0-9a-f]{4,8}"\}', text)
    assert set(ALPHABETS["b32"]) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


@pytest.mark.parametrize("template", ["{nope:4}", "{alnum}", "lone { brace", "lone } brace"])
def test_a_malformed_example_template_is_an_error_naming_it(template: str) -> None:
    with pytest.raises(CdevError, match=re.escape(repr(template))):
        expand(template)


def test_a_word_in_a_token_format_prefix_is_no_placeholder_but_one_in_the_token_is() -> None:
    from cdev_tui.security.filters import format_prefix

    age = next(r for r in RULES if r.id == "age-secret-key")
    assert format_prefix(age.pattern, age.secret_group) == "age-secret-key-1"
    found = scan_text(expand("key = AGE-SECRET-KEY-1{uppernum:58}", "prefix"), "x.txt")
    assert [f.rule_id for f in found] == ["age-secret-key"]
    fake = scan_text(expand("key = AGE-SECRET-KEY-1{uppernum:40}EXAMPLE{uppernum:11}", "prefix"), "x.txt")
    assert [f.rule_id for f in fake if f.rule_id == "age-secret-key"] == []


def test_a_database_uri_goes_to_its_scheme_rule_and_any_other_url_to_the_fallback() -> None:
    text = expand(
        "a = 'postgresql://app:{alnum:20}@db.internal/app'\nb = 'https://ci:{alnum:20}@git.internal/app.git'\n",
        "precedence",
    )
    found = [(f.rule_id, f.line) for f in scan_text(text, "x.txt")]
    assert found == [("postgres-connection-uri", 1), ("url-credentials", 2)]


def test_a_format_field_in_a_connection_string_is_not_a_password() -> None:
    text = 'conn = f"Driver={{ODBC Driver 18}};Server={host};Uid={user};Pwd={db_pass};"\n'
    assert scan_text(text, "x.py") == []


@pytest.mark.parametrize(
    "template",
    [
        'env:\n  - name: SMTP_PASSWORD\n    value: "{alnum:12}^{alnum:7}"\n',  # Kubernetes, Azure Pipelines
        "Environment:\n  - Name: SMTP_PASSWORD\n    Value: '{alnum:20}'\n",  # CloudFormation
        '[\n  {{\n    "name": "SMTP_PASSWORD",\n    "value": "{alnum:20}"\n  }}\n]\n',  # ECS, ARM
        'set_sensitive {{\n  name  = "smtp.password"\n  value = "{alnum:20}"\n}}\n',  # Terraform
    ],
)
def test_a_secret_named_on_the_line_above_is_reported_on_its_value_line(template: str) -> None:
    text = expand(template, "pair")
    number, value_line = next((n, line) for n, line in enumerate(text.splitlines(), 1) if "alue" in line)
    found = scan_text(text, "deploy.yaml")
    assert [(f.rule_id, f.line) for f in found] == [("generic-secret-assignment", number)]
    assert value_line[found[0].column - 1 :].startswith(found[0].masked[:4])


def test_a_name_value_pair_on_one_line_is_read_as_the_name_holding_the_value() -> None:
    text = expand('"environment": [{{"name": "API_TOKEN", "value": "{alnum:24}"}}]\n', "inline")
    assert [(f.rule_id, f.line) for f in scan_text(text, "task.json")] == [("generic-secret-assignment", 1)]


@pytest.mark.parametrize(
    "text",
    [
        "  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: {name: db, key: password}\n",
        "  - name: DB_PASSWORD\n    value: $(DB_PASSWORD)\n",
        "  - name: DB_PASSWORD\n    value: ${{ secrets.DB_PASSWORD }}\n",
        "  - name: GIT_REV\n    value: 971aefecfcd203516f6a0ae0d2c7f4e465eaf4c9\n",
        "- name: Set the password\n  value: Summer2024\n",
        "  - name: DB_PASSWORD\n    value: Xk29fjQm3LpZ8aTw  # gitleaks:allow\n",
    ],
)
def test_a_name_value_pair_without_a_secret_value_is_not_reported(text: str) -> None:
    assert scan_text(text, "deploy.yaml") == []


def test_a_provider_token_in_a_name_value_pair_is_reported_once() -> None:
    text = expand("  - name: GITHUB_TOKEN\n    value: ghp_{alnum:36}\n", "once")
    assert [(f.rule_id, f.line) for f in scan_text(text, "deploy.yaml")] == [("github-token", 2)]


def test_a_value_short_of_the_format_its_prefix_names_is_a_lookalike_but_a_longer_one_is_not() -> None:
    from cdev_tui.security.filters import _format_prefixes

    prefixes = {p: n for entries in _format_prefixes().values() for p, n in entries}
    assert prefixes["ghp_"] == 40 and prefixes["AKIA"] == 20 and prefixes["glpat-"] == 26
    assert "SK" not in prefixes  # Twilio's SK is a Twilio key only next to the word twilio
    for template in (
        'token = "ghp_{alnum:10}"',
        'api_key = "AKIA{uppernum:7}"',
        'secret = "glpat-{alnum:6}"',
    ):
        assert scan_text(expand(template, "short"), "x.py") == [], template
    longer = scan_text(expand('password = "AKIA{uppernum:12}{digits:4}{uppernum:12}"', "long"), "x.py")
    assert [f.rule_id for f in longer] == ["generic-secret-assignment"]


def test_an_ed25519_putty_key_file_is_found_by_its_one_private_row() -> None:
    text = expand(
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ci@build\nPublic-Lines: 2\n"
        "AAAAC3NzaC1lZDI1NTE5AAAAI{b64:39}\n{b64:4}\nPrivate-Lines: 1\nAAAAI{b64:43}\n"
        "Private-MAC: {hex:64}\n",
        "ppk",
    )
    assert [(f.rule_id, f.line) for f in scan_text(text, "ci.ppk")] == [("putty-private-key", 7)]


def test_a_key_value_pair_is_read_as_the_key_holding_the_value() -> None:
    text = expand(
        '{{"key": "api_key", "value": "{alnum:24}", "enabled": true}}\n'
        '{{\n  "key": "access_token",\n  "value": "{alnum:24}",\n  "type": "secret"\n}}\n'
        '<add key="AzureDevopsPat" value="{lower:20}{=2|3|4|5|6|7}{lower:31}" />\n',
        "postman",
    )
    found = [(f.rule_id, f.line) for f in scan_text(text, "env.json")]
    assert found == [
        ("generic-secret-assignment", 1),
        ("generic-secret-assignment", 4),
        ("azure-devops-legacy-pat", 7),
    ]


def test_a_forms_csrf_token_is_not_a_secret() -> None:
    text = expand(
        '<input type="hidden" name="authenticity_token" value="{b64:43}=" autocomplete="off" />\n'
        '<input name="__RequestVerificationToken" type="hidden" value="CfDJ8{b64url:80}" />\n',
        "csrf",
    )
    assert scan_text(text, "page.html") == []


def test_a_truncated_token_is_a_lookalike_for_every_rule_without_a_prefix_of_its_own() -> None:
    text = expand("[db]\npassword = AKIA{uppernum:7}\n", "ini")
    assert scan_text(text, "odbc.ini") == []


@pytest.mark.parametrize(
    "template",
    [
        'db_password = "{alnum:6}%d{alnum:4}+{alnum:6}"',  # "%d" by chance in a random password
        "SECRET_KEY = '{lowernum:12}%s{lowernum:10}-!({lowernum:12})^{lowernum:10}'",  # a Django key
        'token = "{alnum:40}fOO{alnum:40}"',  # "fOO" by chance, not the word foo
    ],
)
def test_a_random_value_that_holds_a_template_or_test_word_by_chance_is_reported(template: str) -> None:
    assert scan_text(expand(template, "chance"), "settings.py"), template


@pytest.mark.parametrize(
    "text",
    [
        'db_password = "user:%s:%s"',
        'dsn_password = "%(user)s:%(password)s@%(host)s/%(db)s"',
        "DB_PASSWORD=$(cat /run/secrets/db)",
        'api_token = "TestToken12345678"',
        'api_token = "FOO-bar-BAZ-1234567"',
    ],
)
def test_a_template_or_test_value_is_not_reported(text: str) -> None:
    assert scan_text(text, "settings.py") == []


@pytest.mark.parametrize(
    ("template", "found"),
    [
        ('smtp_password: "{upper:4}{lower:6}^{lower:6}+{upper:4}"', True),  # both cases and password symbols
        ("replication-password: {upper:10}{lower:15}=", True),  # base64 (its padding) without a digit
        ("replication-password: {upper:10}{lower:16}", False),  # letters alone
        ('password = "{lower:20}!"', False),  # one case: a word with punctuation
    ],
)
def test_a_generic_password_needs_letters_with_digits_or_both_cases_and_a_symbol(
    template: str, found: bool
) -> None:
    assert bool(scan_text(expand(template, "mixed"), "config.yaml")) is found
