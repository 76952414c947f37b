"""The detection rules (see :mod:`cdev_tui.security.rules.base` for what a rule is), one module per kind of
provider. :data:`RULES` holds them all, specific formats first and the generic key=value rules last: when two
rules claim the same text, the earlier wins.
"""

from __future__ import annotations

from cdev_tui.security.rules import (
    ai,
    cloud,
    code_hosts,
    databases,
    finance,
    generic,
    keys,
    messaging,
    payments,
    registries,
    saas,
    services,
)
from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule
from cdev_tui.security.rules.generic import GENERIC_KEYWORDS, SECRET_WORDS

RULES: tuple[Rule, ...] = (
    *keys.RULES,
    *cloud.RULES,
    *code_hosts.RULES,
    *ai.RULES,
    *payments.RULES,
    *messaging.RULES,
    *registries.RULES,
    *saas.RULES,
    *finance.RULES,
    *services.RULES,
    *databases.RULES,
    *generic.RULES,
)

__all__ = ["EDGE_LEFT", "EDGE_RIGHT", "GENERIC_KEYWORDS", "RULES", "SECRET_WORDS", "Rule", "rule"]
