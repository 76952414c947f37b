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
    hosting,
    keys,
    media,
    messaging,
    observability,
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
    *hosting.RULES,
    *code_hosts.RULES,
    *ai.RULES,
    *payments.RULES,
    *messaging.RULES,
    *registries.RULES,
    *saas.RULES,
    *observability.RULES,
    *finance.RULES,
    *services.RULES,
    *media.RULES,
    *databases.RULES,
    *generic.RULES,
)

__all__ = ["EDGE_LEFT", "EDGE_RIGHT", "GENERIC_KEYWORDS", "RULES", "SECRET_WORDS", "Rule", "rule"]
