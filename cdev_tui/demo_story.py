"""The story the demo workspace tells: the SHOP-42 plan (five agents with exclusive file ownership) and, per
agent, how far it got: its commits, checklist, coordination status and uncommitted edits. :mod:`cdev_tui.demo`
builds it with real git."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

TASK_ID = "SHOP-42"
TASK_TITLE = "Order history, catalog search and signed sessions"
OSV_DB = ".git/cdev-demo-osv"
"""The demo's offline advisory database, inside .git so that it is not committed."""


@dataclass(frozen=True)
class Commit:
    message: str
    minutes_ago: int
    paths: tuple[str, ...]


@dataclass(frozen=True)
class AgentScript:
    """How far one agent got: its commits, checklist stage and coordination status."""

    agent_id: str
    status: str
    ticked: int
    started: int | None
    completed: int | None = None
    commits: tuple[Commit, ...] = ()
    uncommitted: tuple[str, ...] = ()
    validation_status_at: int | None = None  # commit cdev's per-agent validation-status.yaml then
    completed_marker: bool = False
    merged_at: int | None = None
    idle_since: int | None = None  # the agent last touched its workspace this long ago: it looks stalled


# --- the plan ------------------------------------------------------------------------------------------

PLAN_AGENTS: list[dict[str, Any]] = [
    {
        "agentId": "db_agent",
        "agentRole": "Database & Data Management",
        "focusArea": "Database",
        "dependencies": [],
        "filesToCreate": [
            "src/shopfront/db/migrations.py",
            "src/shopfront/db/repository.py",
            "tests/test_repository.py",
        ],
        "filesToModify": ["src/shopfront/db/models.py"],
        "testContracts": ["tests/test_repository.py", "tests/test_db.py"],
        "validationCriteria": [
            "Migrations create products, customers, orders and order_lines",
            "Order lines keep the unit price paid",
            "Repositories round-trip products and orders",
            "tests/test_repository.py passes",
        ],
        "estimatedTime": 30,
        "canStartImmediately": True,
    },
    {
        "agentId": "catalog_agent",
        "agentRole": "Catalog Search & Pricing",
        "focusArea": "Catalog",
        "dependencies": [],
        "filesToCreate": ["src/shopfront/catalog/search.py", "tests/test_search.py"],
        "filesToModify": ["src/shopfront/catalog/pricing.py", "src/shopfront/catalog/products.py"],
        "testContracts": ["tests/test_search.py", "tests/test_pricing.py"],
        "validationCriteria": [
            "Search ranks whole-word name matches first",
            "Discounts are capped at 70 %",
            "Volume discount tiers at 10, 20 and 50 units",
            "tests/test_search.py and tests/test_pricing.py pass",
        ],
        "estimatedTime": 35,
        "canStartImmediately": True,
    },
    {
        "agentId": "api_agent",
        "agentRole": "Backend & API",
        "focusArea": "API",
        "dependencies": ["db_agent"],
        "filesToCreate": ["src/shopfront/api/schemas.py", "tests/test_orders_api.py"],
        "filesToModify": ["src/shopfront/api/routes.py", "src/shopfront/app.py"],
        "testContracts": ["tests/test_orders_api.py", "tests/test_routes.py"],
        "validationCriteria": [
            "POST /cart/items validates sku and quantity",
            "GET /orders/{order_id} returns the order with its lines",
            "Errors use the JSON error shape",
            "tests/test_orders_api.py passes",
        ],
        "estimatedTime": 40,
        "canStartImmediately": False,
    },
    {
        "agentId": "auth_agent",
        "agentRole": "Authentication & Authorization",
        "focusArea": "Authentication",
        "dependencies": ["db_agent"],
        "filesToCreate": [
            "src/shopfront/auth/tokens.py",
            "src/shopfront/auth/middleware.py",
            "tests/test_tokens.py",
            "requirements.txt",
        ],
        "filesToModify": ["src/shopfront/auth/passwords.py"],
        "testContracts": ["tests/test_tokens.py", "tests/test_passwords.py"],
        "validationCriteria": [
            "Passwords are hashed with 600,000 PBKDF2 iterations",
            "Signed session tokens expire",
            "Cart routes require a logged-in customer",
            "tests/test_tokens.py passes",
        ],
        "estimatedTime": 45,
        "canStartImmediately": False,
    },
    {
        "agentId": "cart_agent",
        "agentRole": "Cart & Checkout",
        "focusArea": "Checkout",
        "dependencies": ["catalog_agent", "auth_agent"],
        "filesToCreate": ["src/shopfront/cart/checkout.py", "tests/test_checkout.py"],
        "filesToModify": ["src/shopfront/cart/cart.py", "src/shopfront/cart/totals.py"],
        "testContracts": ["tests/test_checkout.py", "tests/test_cart.py"],
        "validationCriteria": [
            "Checkout reserves stock all or nothing",
            "Totals include VAT and shipping",
            "Members get their discount on every cart line",
            "tests/test_checkout.py passes",
        ],
        "estimatedTime": 35,
        "canStartImmediately": False,
    },
]

MERGE_ORDER = ["db_agent", "catalog_agent", "auth_agent", "api_agent", "cart_agent"]

SCRIPTS: list[AgentScript] = [
    AgentScript(
        "db_agent",
        status="merged",
        ticked=4,
        started=160,
        completed=112,
        merged_at=105,
        commits=(
            Commit(
                "feat(db_agent): schema migrations and order lines",
                140,
                ("src/shopfront/db/models.py", "src/shopfront/db/migrations.py"),
            ),
            Commit(
                "feat(db_agent): product and order repositories",
                118,
                ("src/shopfront/db/repository.py", "tests/test_repository.py"),
            ),
        ),
    ),
    AgentScript(
        "catalog_agent",
        status="committed",
        ticked=4,
        started=158,
        completed=70,
        completed_marker=True,
        validation_status_at=70,
        commits=(
            Commit(
                "feat(catalog_agent): product search",
                130,
                (
                    "src/shopfront/catalog/search.py",
                    "src/shopfront/catalog/products.py",
                    "tests/test_search.py",
                ),
            ),
            Commit(
                "feat(catalog_agent): cap discounts and add volume tiers",
                95,
                ("src/shopfront/catalog/pricing.py",),
            ),
        ),
    ),
    AgentScript(
        "api_agent",
        status="in_progress",
        ticked=3,
        started=100,
        validation_status_at=52,
        idle_since=52,
        commits=(
            Commit(
                "feat(api_agent): validate cart bodies and add order lookup",
                80,
                ("src/shopfront/api/schemas.py", "src/shopfront/api/routes.py", "src/shopfront/app.py"),
            ),
        ),
    ),
    AgentScript(
        "auth_agent",
        status="in_progress",
        ticked=2,
        started=98,
        commits=(
            Commit(
                "feat(auth_agent): signed session tokens and stronger password hashing",
                75,
                ("src/shopfront/auth/tokens.py", "src/shopfront/auth/passwords.py", "requirements.txt"),
            ),
            Commit(
                "feat(auth_agent): require login for cart routes",
                38,
                ("src/shopfront/auth/middleware.py", "src/shopfront/api/routes.py"),
            ),
        ),
    ),
    AgentScript(
        "cart_agent",
        status="blocked",
        ticked=0,
        started=None,
        uncommitted=(
            "src/shopfront/catalog/pricing.py",
            "src/shopfront/cart/cart.py",
            "src/shopfront/cart/checkout.py",
        ),
    ),
]

SECOND_BASE_COMMIT = (
    "src/shopfront/catalog/",
    "src/shopfront/cart/",
    "src/shopfront/api/",
    "src/shopfront/app.py",
    "tests/conftest.py",
    "tests/test_pricing.py",
    "tests/test_products.py",
    "tests/test_cart.py",
    "tests/test_routes.py",
)

CONFIG_TOML = f"""\
# cdev-tui settings for this repository
target_branch = "main"
test_command = "python -m pytest -q"
# The demo's offline advisory database (real osv.dev records for requests), inside .git so it is not committed.
osv_db = "{OSV_DB}"
# The agents' program: cdev-tui's scripted stand-in agent (works, asks, waits for you). For a real one:
# agent_program = "claude"   (or codex, gemini, aider, opencode, or a [programs.NAME] table of your own)
agent_program = "demo"
"""


def demo_plan() -> dict[str, Any]:
    """The SHOP-42 task plan (§2.2 schema, exclusive ownership) that the demo commits and spawns from."""
    ownership = {a["agentId"]: [*a["filesToCreate"], *a["filesToModify"]] for a in PLAN_AGENTS}
    return {
        "taskId": TASK_ID,
        "taskTitle": TASK_TITLE,
        "decompositionStrategy": "exclusive_ownership",
        "conflictResolution": "eliminated_by_design",
        "parallelAgents": json.loads(json.dumps(PLAN_AGENTS)),
        "integrationPlan": {
            "mergeOrder": list(MERGE_ORDER),
            "validationSteps": [
                "Validate exclusive file ownership",
                "Run individual agent tests",
                "Integration testing",
                "Full system validation",
            ],
            "estimatedIntegrationTime": "15 minutes",
        },
        "exclusiveOwnership": {
            "validated": True,
            "totalFiles": sum(len(files) for files in ownership.values()),
            "agentOwnership": ownership,
        },
    }
