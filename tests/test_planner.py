"""The planner: task inputs, the decomposer on a real repository, validation, saving, Linear and the AI path."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from cdev_tui.demo import fake_github_token
from cdev_tui.errors import CdevError
from cdev_tui.llm import parse_json_answer, redact_text
from cdev_tui.plan import Plan, PlanAgent, load_plan, plan_from_dict
from cdev_tui.planner import (
    VALIDATION_STEPS,
    TaskSpec,
    ai_decompose,
    decompose,
    default_plan_path,
    fetch_linear_issue,
    index_repo,
    load_linear_task,
    load_task_file,
    normalise,
    plan_to_dict,
    requirements_from_text,
    save_plan,
    task_from_text,
    validate_plan,
    with_derived,
)
from cdev_tui.security import scan_text
from tests.conftest import commit_files, run_git

# --- shared helpers (test_cli_plan imports them) ------------------------------------------------------------

SHOP = {
    "README.md": "# shop\n",
    "pyproject.toml": '[project]\nname = "shop"\n',
    "src/shop/__init__.py": "",
    "src/shop/db/__init__.py": "",
    "src/shop/db/models.py": "class Product:\n    pass\n\n\nclass Order:\n    pass\n\n\ndef connect(url):\n    return url\n",
    "src/shop/catalog/__init__.py": "",
    "src/shop/catalog/products.py": (
        "from shop.db.models import Product\n\n\ndef list_products():\n    return [Product()]\n\n\n"
        "def search_products(query):\n    return []\n"
    ),
    "src/shop/cart/__init__.py": "",
    "src/shop/cart/cart.py": (
        "from shop.catalog.products import list_products\n\n\nclass Cart:\n    def add_item(self, item):\n"
        "        return list_products()\n\n    def total(self):\n        return 0\n"
    ),
    "src/shop/api/__init__.py": "",
    "src/shop/api/routes.py": (
        "from shop.cart.cart import Cart\nfrom shop.catalog import products\n\n\ndef cart_route():\n"
        "    return Cart(), products\n"
    ),
    "tests/test_models.py": "from shop.db.models import Product\n",
    "tests/test_products.py": "from shop.catalog.products import list_products\n",
    "tests/test_cart.py": "from shop.cart.cart import Cart\n",
    "tests/test_routes.py": "from shop.api.routes import cart_route\n",
    "web/src/index.ts": 'import { renderBasket } from "./basket/view";\nrenderBasket();\n',
    "web/src/basket/view.ts": (
        'import { formatMoney } from "../money/format";\n'
        "export function renderBasket(): string {\n  return formatMoney(1);\n}\n"
    ),
    "web/src/basket/view.test.ts": 'import { renderBasket } from "./view";\n',
    "web/src/money/format.ts": "export function formatMoney(cents: number): string {\n  return `${cents}`;\n}\n",
    "web/src/money/format.test.ts": 'import { formatMoney } from "./format";\n',
}

SHOP_TASK = """# SHOP-7: Coupons and search

Some context about the work.

1. Add coupon codes to the cart
2. Search products by name in the catalog
3. Expose order history through the API routes
- Render the basket view with a currency sign
- Format money with thousands separators
"""


def make_repo(root: Path, files: dict[str, str]) -> Path:
    """A real git repository holding ``files`` in one commit."""
    root.mkdir(parents=True)
    run_git(root, "init", "-q", "-b", "main")
    commit_files(root, files, "initial")
    return root


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "shop", SHOP)


@pytest.fixture(autouse=True)
def no_service_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LINEAR_API_KEY", "LINEAR_API_URL", "OPENAI_BASE_URL", "CDEV_TUI_LLM_MODEL", "GITHUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)


class FakeServer:
    """A local HTTP server: answers every POST with the next queued (status, JSON) reply, records requests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.replies: list[tuple[int, Any]] = [(500, {"error": "no reply queued"})]
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "raw": body,
                        "json": json.loads(body),
                    }
                )
                status, payload = outer.replies.pop(0) if len(outer.replies) > 1 else outer.replies[0]
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def reply(self, status: int, payload: Any) -> None:
        self.replies = [(status, payload)]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    yield fake
    fake.close()


def linear_issue(**changes: Any) -> dict[str, Any]:
    issue = {
        "id": "55ac5381-326d-4b68-82cd-ba40e6ef567e",
        "identifier": "SHOP-63",
        "title": "Coupons",
        "description": "Intro\n1. Add coupon codes to the cart\n2. Search products by name in the catalog",
        "priority": 2,
        "priorityLabel": "High",
        "state": {"name": "Todo"},
        "assignee": {"name": "Dev", "email": "dev@example.com"},
        "team": {"name": "Eng"},
        "project": None,
        "createdAt": "2025-07-08T19:20:47.703Z",
        "updatedAt": "2025-07-10T00:28:24.973Z",
    }
    issue.update(changes)
    return issue


def chat_reply(content: Any) -> dict[str, Any]:
    """A chat-completions answer whose message content is ``content`` (JSON-encoded unless a string)."""
    text = content if isinstance(content, str) else json.dumps(content)
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def ai_agent(agent_id: str, *, create: list[str] = (), modify: list[str] = (), deps: list[str] = ()) -> dict:
    return {
        "agentId": agent_id,
        "agentRole": agent_id,
        "focusArea": agent_id,
        "dependencies": list(deps),
        "filesToCreate": list(create),
        "filesToModify": list(modify),
        "testContracts": [],
        "validationCriteria": ["works"],
    }


def use_fake_llm(monkeypatch: pytest.MonkeyPatch, server: FakeServer) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-local-fake-key-0001")


# --- task inputs ------------------------------------------------------------------------------------------


def test_markdown_task_list_with_headings_checkboxes_bullets_and_numbers(tmp_path: Path) -> None:
    path = tmp_path / "tasks.md"
    path.write_text(
        "# SHOP-9: Checkout work\n\nIntro paragraph.\n\n## Cart\n- [ ] Add coupon codes\n  - reject expired codes\n"
        "- [x] Done already\n  - a detail of a done item\n\n## API\n1. Expose order history\n2) Rate limit\n"
        "* plain bullet\n\n```\n- not a task, inside code\n```\n"
    )
    task = load_task_file(path)
    assert task.task_id == "SHOP-9"
    assert task.title == "SHOP-9: Checkout work"
    assert task.requirements == [
        "Cart: Add coupon codes; reject expired codes",
        "API: Expose order history",
        "API: Rate limit",
        "API: plain bullet",
    ]
    assert task.source == f"markdown:{path}"


def test_text_file_one_requirement_per_line_or_per_paragraph(tmp_path: Path) -> None:
    lines = tmp_path / "todo.txt"
    lines.write_text("Add coupon codes\nSearch products\n\n")
    task = load_task_file(lines)
    assert task.requirements == ["Add coupon codes", "Search products"]
    assert task.task_id == "todo" and task.title == "todo"
    paragraphs = tmp_path / "feature_list.txt"
    paragraphs.write_text("Add coupon codes\nto the cart.\n\nSearch products\nby name.\n")
    assert load_task_file(paragraphs).requirements == [
        "Add coupon codes to the cart.",
        "Search products by name.",
    ]


def test_typed_text_takes_numbered_lines_and_bullets() -> None:
    task = task_from_text("Coupons for SHOP-12\n1. Add coupon codes\n- Search products\n* Show totals")
    assert task.title == "Coupons for SHOP-12"
    assert task.task_id == "SHOP-12"
    assert task.requirements == ["Add coupon codes", "Search products", "Show totals"]
    single = task_from_text("Add coupon codes to the cart")
    assert single.requirements == ["Add coupon codes to the cart"]
    assert single.task_id == "add-coupon-codes-to-the"
    assert requirements_from_text("Intro only, no list.") == ["Intro only, no list."]


def test_cached_linear_issue_json_with_null_fields(shop: Path) -> None:
    cache = shop / ".linear-cache" / "SHOP-63.json"
    cache.parent.mkdir()
    cache.write_text(json.dumps(linear_issue(description=None, assignee=None, project=None)))
    task = load_linear_task(shop, "shop-63")  # the cache is found whatever the letter case
    assert task == TaskSpec("SHOP-63", "Coupons", "", ["Coupons"], str(cache))


def test_cached_linear_issue_yaml_variant(shop: Path) -> None:
    cache = shop / ".linear-cache" / "SHOP-64.yaml"
    cache.parent.mkdir()
    cache.write_text(
        "identifier: SHOP-64\ntitle: Coupons\ndescription: |-\n  Intro\n  1. Add coupon codes\n"
        "  2. Search products\nproject:\nassignee:\n"
    )
    task = load_linear_task(shop, "SHOP-64")
    assert task.requirements == ["Add coupon codes", "Search products"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.md", None, "file not found"),
        ("binary.txt", b"abc\0def", "binary file"),
        ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), "not UTF-8"),
        ("empty.md", b"   \n", "empty"),
        ("done.md", b"- [x] everything is done\n", "no requirements"),
        ("plan.json", b'{"something": 1}', "neither a Linear issue nor a task plan"),
        ("bad.json", b"{not json", "invalid JSON"),
    ],
)
def test_bad_task_files_give_one_line_errors(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CdevError) as caught:
        load_task_file(path)
    text = str(caught.value)
    assert message in text and str(path) in text and "\n" not in text


def test_missing_linear_cache_points_at_fetch(shop: Path) -> None:
    with pytest.raises(CdevError, match="plan fetch SHOP-1"):
        load_linear_task(shop, "SHOP-1")


# --- the deterministic decomposer -------------------------------------------------------------------------


def test_index_reads_languages_symbols_and_imports(shop: Path) -> None:
    index = index_repo(shop)
    routes = index.by_path["src/shop/api/routes.py"]
    assert set(routes.imports) == {"src/shop/cart/cart.py", "src/shop/catalog/products.py"}
    assert routes.symbols == ("cart_route",)
    view = index.by_path["web/src/basket/view.ts"]
    assert view.language == "typescript" and view.imports == ("web/src/money/format.ts",)
    assert view.symbols == ("renderBasket",)
    assert index.by_path["web/src/basket/view.test.ts"].is_test
    assert list(index.languages()) == ["python", "typescript"]


def test_index_of_an_unchanged_head_comes_from_the_object_cache(shop: Path, tmp_path: Path) -> None:
    from cdev_tui.object_cache import ObjectCache
    from cdev_tui.planner.repo_index import REPO_INDEX
    from cdev_tui.store import Store

    store = Store(tmp_path / "cdev.db")
    try:
        first = index_repo(shop, ObjectCache(store))
        store.flush()
        cache = ObjectCache(store)  # another process: only the store is shared
        again = index_repo(shop, cache)
        assert again == first and again.by_path == first.by_path and again.root == shop
        assert first == index_repo(shop)  # the same as without a cache
        assert cache.totals[REPO_INDEX] == [1, 0]  # answered from the store, no file read

        # An uncommitted change to a tracked file: worked out afresh, and not kept.
        routes = shop / "src/shop/api/routes.py"
        routes.write_text(routes.read_text() + "\n\ndef refund_route():\n    return None\n")
        dirty = index_repo(shop, cache)
        assert "refund_route" in dirty.by_path["src/shop/api/routes.py"].symbols
        assert dirty == index_repo(shop)
        assert cache.totals[REPO_INDEX] == [1, 0]

        # Committed: a new HEAD, a new entry, then a hit.
        commit_files(shop, {}, "refund route")
        committed = index_repo(shop, cache)
        assert committed == dirty and index_repo(shop, cache) == committed
        assert cache.totals[REPO_INDEX] == [2, 1]
    finally:
        store.close()


def test_decompose_real_repo_exclusive_ownership_and_dependencies(shop: Path, tmp_path: Path) -> None:
    (tmp_path / "t.md").write_text(SHOP_TASK)
    plan = decompose(load_task_file(tmp_path / "t.md"), shop)
    agents = {a.agent_id: a for a in plan.agents}
    assert list(agents) == ["cart_agent", "catalog_agent", "api_agent", "basket_agent", "money_agent"]
    assert plan.task_id == "SHOP-7"
    # Exclusive ownership, and the plan passes its own validation.
    assert all(len(owners) == 1 for owners in plan.owners().values())
    assert [p for p in validate_plan(plan, shop) if p.severity == "error"] == []
    # MODIFY paths exist, CREATE paths do not.
    for agent in plan.agents:
        assert all((shop / p).is_file() for p in agent.files_to_modify), agent
        assert not any((shop / p).exists() for p in agent.files_to_create), agent
    cart = agents["cart_agent"]
    assert cart.files_to_modify == ("src/shop/cart/cart.py", "tests/test_cart.py")
    assert cart.files_to_create == ("src/shop/cart/coupon_codes.py", "tests/test_coupon_codes.py")
    assert cart.test_contracts == ("tests/test_coupon_codes.py", "tests/test_cart.py")
    assert agents["catalog_agent"].files_to_modify == (
        "src/shop/catalog/products.py",
        "tests/test_products.py",
    )
    assert agents["api_agent"].files_to_modify == ("src/shop/api/routes.py", "tests/test_routes.py")
    assert agents["basket_agent"].files_to_modify == ("web/src/basket/view.test.ts", "web/src/basket/view.ts")
    assert agents["money_agent"].files_to_modify == (
        "web/src/money/format.test.ts",
        "web/src/money/format.ts",
    )
    # Dependencies follow imports: the importer depends on the imported.
    assert cart.dependencies == ("catalog_agent",)
    assert agents["api_agent"].dependencies == ("cart_agent", "catalog_agent")
    assert agents["basket_agent"].dependencies == ("money_agent",)
    assert [a for a in agents if agents[a].can_start_immediately] == ["catalog_agent", "money_agent"]
    assert plan.merge_order == ("catalog_agent", "cart_agent", "api_agent", "money_agent", "basket_agent")
    data = plan_to_dict(plan)
    assert data["integrationPlan"]["criticalPath"] == ["catalog_agent", "cart_agent", "api_agent"]
    assert data["integration_order"] == list(plan.merge_order)
    assert all(isinstance(a.estimated_minutes, int) and a.estimated_minutes > 0 for a in plan.agents)
    assert "Done: Add coupon codes to the cart" in cart.validation_criteria


def test_decompose_is_deterministic_across_runs_and_hash_seeds(shop: Path) -> None:
    task = task_from_text(SHOP_TASK)
    first = decompose(task, shop)
    assert decompose(task, shop) == first
    script = (
        "import json, sys\nfrom pathlib import Path\nfrom cdev_tui.planner import decompose, plan_to_dict, task_from_text\n"
        "print(json.dumps(plan_to_dict(decompose(task_from_text(sys.stdin.read()), Path(sys.argv[1])))))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, str(shop)],
            input=SHOP_TASK,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin", "HOME": str(shop.parent)},
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {json.dumps(plan_to_dict(first)) + "\n"}


def test_requirements_sharing_files_become_one_agent(shop: Path) -> None:
    plan = decompose(task_from_text("Cart\n- Add coupon codes to the cart\n- Cap the cart total"), shop)
    assert [a.agent_id for a in plan.agents] == ["cart_agent"]
    assert plan.agents[0].role == "Add coupon codes to the cart (+1 more)"


def test_import_cycles_between_agents_merge_them(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "cyc",
        {
            "pkg/__init__.py": "",
            "pkg/alpha/__init__.py": "",
            "pkg/alpha/engine.py": "from pkg.beta.wheel import spin\n\n\ndef start():\n    return spin()\n",
            "pkg/beta/__init__.py": "",
            "pkg/beta/wheel.py": "def spin():\n    from pkg.alpha.engine import start\n    return start\n",
        },
    )
    plan = decompose(task_from_text("Work\n- Tune the engine\n- Balance the wheel"), repo)
    assert len(plan.agents) == 1
    assert set(plan.agents[0].files_to_modify) == {"pkg/alpha/engine.py", "pkg/beta/wheel.py"}
    assert validate_plan(plan, repo) == []


def test_new_modules_follow_the_repository_language_naming_and_test_layout(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "web",
        {
            "src/lib/formatMoney.ts": "export function formatMoney() {}\n",
            "src/lib/parseDate.ts": "export function parseDate() {}\n",
            "src/lib/__tests__/formatMoney.spec.ts": 'import { formatMoney } from "../formatMoney";\n',
        },
    )
    plan = decompose(task_from_text("Add a currency converter"), repo)
    (agent,) = plan.agents
    assert agent.files_to_create == (
        "src/lib/__tests__/currencyConverter.spec.ts",
        "src/lib/currencyConverter.ts",
    )
    assert agent.agent_id == "currency_converter_agent"  # "src/lib" names no area, the new module does
    assert agent.dependencies == () and agent.can_start_immediately


def test_an_explicit_path_in_a_requirement_is_owned(shop: Path) -> None:
    plan = decompose(task_from_text("Touch src/shop/db/models.py and add docs/guide.md"), shop)
    (agent,) = plan.agents
    assert "src/shop/db/models.py" in agent.files_to_modify
    assert agent.files_to_create == ("docs/guide.md",)
    plan = decompose(task_from_text("Add src/shop/coupons.py"), shop)
    assert plan.agents[0].files_to_create == ("src/shop/coupons.py", "tests/test_coupons.py")
    plan = decompose(task_from_text("Add tests to src/shop/db/models.py"), shop)
    assert plan.agents[0].files_to_create == ()  # the words of a path never name a new module


def test_a_requirement_without_content_words_is_reported(shop: Path) -> None:
    plan = decompose(task_from_text("Work\n- Add coupon codes to the cart\n- Make it better"), shop)
    assert plan.extras["unplacedRequirements"] == ["Make it better"]
    found = [(p.severity, p.message) for p in validate_plan(plan)]
    assert found == [("warning", "no files found for requirement: Make it better")]


def test_decompose_outside_git_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CdevError, match="ls-files"):
        decompose(task_from_text("Add coupons"), tmp_path)


# --- validation -------------------------------------------------------------------------------------------


def agent(agent_id: str, *files: str, deps: tuple[str, ...] = (), create: tuple[str, ...] = ()) -> PlanAgent:
    return PlanAgent(agent_id, files_to_modify=files, files_to_create=create, dependencies=deps)


def messages(plan: Plan, repo: Path | None = None) -> list[tuple[str, str | None, str]]:
    return [(p.severity, p.agent_id, p.message) for p in validate_plan(plan, repo)]


def test_validation_reports_each_problem(shop: Path) -> None:
    plan = Plan(
        "T-1",
        "t",
        (
            agent("a_agent", "src/shop/cart/cart.py", deps=("b_agent",)),
            agent("b_agent", "src/shop/cart/cart.py", deps=("a_agent", "ghost_agent")),
            agent("c_agent"),
            agent("c_agent", "x.py"),
            agent("d_agent", "missing.py", create=("README.md",), deps=("d_agent",)),
            agent("e_agent", "../outside.py", "/etc/passwd"),
        ),
    )
    found = messages(plan, shop)
    assert ("error", "c_agent", "agent id c_agent is used by 2 agents") in found
    assert ("error", "c_agent", "c_agent owns no files") in found
    assert ("error", "b_agent", "b_agent depends on unknown agent ghost_agent") in found
    assert (
        "error",
        "b_agent",
        "src/shop/cart/cart.py is owned by a_agent and b_agent (ownership must be exclusive)",
    ) in found
    assert ("error", "a_agent", "dependency cycle: a_agent → b_agent → a_agent") in found
    assert ("error", "d_agent", "dependency cycle: d_agent → d_agent") in found
    assert ("error", "e_agent", "e_agent: '../outside.py' is a path outside the repository") in found
    assert ("error", "e_agent", "e_agent: '/etc/passwd' is an absolute path") in found
    assert ("warning", "d_agent", "d_agent modifies missing.py, which does not exist") in found
    assert ("warning", "d_agent", "d_agent creates README.md, which already exists") in found
    severities = [s for s, _, _ in found]
    assert severities == sorted(severities)  # errors first


def test_validation_of_missing_fields_and_merge_order() -> None:
    assert messages(Plan("unknown", "", ())) == [
        ("error", None, "the plan has no taskId"),
        ("error", None, "the plan has no agents"),
    ]
    plan = Plan(
        "T-2",
        "t",
        (agent("a_agent", "a.py"), agent("b_agent", "b.py", deps=("a_agent",))),
        merge_order=("b_agent", "a_agent", "z_agent"),
    )
    assert messages(plan) == [
        ("warning", "z_agent", "the merge order names unknown agent z_agent"),
        ("warning", "b_agent", "the merge order puts b_agent before its dependency a_agent"),
    ]
    assert messages(with_derived(plan)) == []


def test_a_longer_cycle_is_named_in_order() -> None:
    plan = Plan(
        "T-3",
        "t",
        (
            agent("a_agent", "a.py", deps=("c_agent",)),
            agent("b_agent", "b.py", deps=("a_agent",)),
            agent("c_agent", "c.py", deps=("b_agent",)),
        ),
    )
    assert ("error", "a_agent", "dependency cycle: a_agent → c_agent → b_agent → a_agent") in messages(plan)


# --- round trip and saving --------------------------------------------------------------------------------


def test_round_trip_through_plan_dict_and_json(shop: Path) -> None:
    plan = decompose(task_from_text(SHOP_TASK), shop)
    assert plan_from_dict(plan_to_dict(plan)) == plan
    assert plan_from_dict(json.loads(json.dumps(plan_to_dict(plan)))) == plan
    historical = plan_from_dict(
        {
            "taskId": "AOJ-101",
            "taskTitle": "t",
            "parallelAgents": [
                {"agentId": "x_agent", "allFilesToCreate": ["a.ts"], "estimatedTime": "30 minutes"},
                {"agentId": "y_agent", "filesToModify": ["b.ts"], "dependencies": ["x_agent"]},
            ],
            "llmAnalysis": {"confidence": 0.9},
        }
    )
    normalised = with_derived(historical)
    assert plan_from_dict(plan_to_dict(normalised)) == normalised
    assert plan_to_dict(normalised)["llmAnalysis"] == {"confidence": 0.9}


def test_imported_validation_steps_survive_saving_and_a_stale_ownership_block_does_not(
    tmp_path: Path,
) -> None:
    steps = ["Run the contract tests", "Deploy to staging"]
    imported = plan_from_dict(
        {
            "taskId": "AOJ-102",
            "taskTitle": "t",
            "parallelAgents": [
                {"agentId": "x_agent", "filesToCreate": ["a.ts"]},
                {"agentId": "y_agent", "filesToModify": ["b.ts"], "dependencies": ["x_agent"]},
            ],
            "integrationPlan": {"mergeOrder": ["x_agent", "y_agent"], "validationSteps": steps},
            "exclusiveOwnership": {"validated": False, "totalFiles": 9, "agentOwnership": {"gone_agent": []}},
        }
    )
    assert imported.validation_steps == tuple(steps)
    assert imported.extras["exclusiveOwnership"]["agentOwnership"] == {
        "x_agent": ["a.ts"],
        "y_agent": ["b.ts"],
    }
    plan = normalise(imported)
    assert plan.validation_steps == tuple(steps)
    assert plan_to_dict(plan)["integrationPlan"]["validationSteps"] == steps
    assert plan_from_dict(plan_to_dict(plan)) == plan
    path = save_plan(plan, tmp_path, tmp_path / "plan.json")
    assert json.loads(path.read_text())["integrationPlan"]["validationSteps"] == steps
    assert load_plan(path).validation_steps == tuple(steps)
    bare = replace(plan, validation_steps=())
    assert plan_to_dict(bare)["integrationPlan"]["validationSteps"] == list(VALIDATION_STEPS)
    assert with_derived(bare).validation_steps == VALIDATION_STEPS


def test_save_plan_writes_the_default_location_readable_by_load_plan(shop: Path) -> None:
    plan = decompose(task_from_text(SHOP_TASK), shop)
    path = save_plan(plan, shop)
    assert path == shop / "shared" / "deployment-plans" / "shop-7-deployment-plan.json"
    assert path == default_plan_path(shop, "SHOP-7")
    data = json.loads(path.read_text())
    assert data["integration_order"] == data["integrationPlan"]["mergeOrder"] == list(plan.merge_order)
    assert data["exclusiveOwnership"]["validated"] is True
    loaded = load_plan(path)
    assert loaded.agents == plan.agents and loaded.merge_order == plan.merge_order


def test_save_plan_refuses_an_invalid_plan_and_keeps_the_old_file(shop: Path) -> None:
    target = default_plan_path(shop, "T-9")
    target.parent.mkdir(parents=True)
    target.write_text('{"old": true}\n')
    bad = Plan("T-9", "t", (agent("a_agent", "x.py"), agent("b_agent", "x.py")))
    with pytest.raises(CdevError, match=r"not written.*owned by a_agent and b_agent"):
        save_plan(bad, shop)
    assert target.read_text() == '{"old": true}\n'
    assert sorted(p.name for p in target.parent.iterdir()) == ["t-9-deployment-plan.json"]


# --- Linear ------------------------------------------------------------------------------------------------


def test_fetch_linear_issue_writes_the_cache(shop: Path, server: FakeServer) -> None:
    server.reply(200, {"data": {"issue": linear_issue(assignee=None, description=None)}})
    issue = fetch_linear_issue("SHOP-63", api_key="lin_api_dummy_123", url=server.url + "/graphql", repo=shop)
    assert issue["identifier"] == "SHOP-63" and issue["assignee"] is None
    (request,) = server.requests
    assert request["headers"]["authorization"] == "lin_api_dummy_123"  # no "Bearer"
    assert request["json"]["variables"] == {"id": "SHOP-63"}
    assert "issue(id: $id)" in request["json"]["query"]
    for name in ("priorityLabel", "assignee { name email }", "project { name }", "updatedAt"):
        assert name in request["json"]["query"]
    cached = json.loads((shop / ".linear-cache" / "SHOP-63.json").read_text())
    assert cached == issue
    assert load_linear_task(shop, "SHOP-63").requirements == ["Coupons"]


def test_fetch_linear_uses_the_url_from_the_environment(
    shop: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINEAR_API_URL", server.url + "/env")
    server.reply(200, {"data": {"issue": linear_issue()}})
    fetch_linear_issue("SHOP-63", api_key="k")
    assert server.requests[0]["path"] == "/env"


@pytest.mark.parametrize(
    ("status", "payload", "message"),
    [
        (200, {"errors": [{"message": "Entity not found: Issue"}], "data": None}, "Entity not found: Issue"),
        (200, {"data": {"issue": None}}, "Linear issue SHOP-63 not found"),
        (401, {"errors": [{"message": "Authentication required"}]}, "rejected the API key"),
        (500, {"errors": [{"message": "boom"}]}, "HTTP 500: boom"),
    ],
)
def test_fetch_linear_errors_are_one_line_and_write_nothing(
    shop: Path, server: FakeServer, status: int, payload: Any, message: str
) -> None:
    server.reply(status, payload)
    with pytest.raises(CdevError, match=message):
        fetch_linear_issue("SHOP-63", api_key="k", url=server.url, repo=shop)
    assert not (shop / ".linear-cache").exists()


def test_fetch_linear_without_key_or_network(shop: Path, server: FakeServer) -> None:
    with pytest.raises(CdevError, match="LINEAR_API_KEY is not set"):
        fetch_linear_issue("SHOP-63", api_key=None, url=server.url)
    assert server.requests == []
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/graphql"
    with pytest.raises(CdevError, match="cannot reach the Linear API"):
        fetch_linear_issue("SHOP-63", api_key="k", url=closed, timeout=5, repo=shop)
    assert not (shop / ".linear-cache").exists()


# --- the AI decomposer ------------------------------------------------------------------------------------


def test_ai_plan_is_accepted_and_normalised(
    shop: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_llm(monkeypatch, server)
    server.reply(
        200,
        chat_reply(
            {
                "taskId": "WHATEVER",
                "reasoning": "cart first",
                "parallelAgents": [
                    ai_agent("api_agent", modify=["src/shop/api/routes.py"], deps=["cart_agent"]),
                    ai_agent(
                        "cart_agent", modify=["src/shop/cart/cart.py"], create=["src/shop/cart/coupons.py"]
                    ),
                ],
                "integrationPlan": {"mergeOrder": ["api_agent", "cart_agent"]},
            }
        ),
    )
    task = task_from_text("SHOP-8 coupons\n- Add coupon codes to the cart")
    plan = ai_decompose(task, shop, model="fake-model")
    assert plan.task_id == "SHOP-8"
    assert plan.merge_order == ("cart_agent", "api_agent")
    assert [a.can_start_immediately for a in plan.agents] == [False, True]
    assert plan.agent("cart_agent").estimated_minutes == 10 + 5 + 20  # filled in from the files
    assert plan.extras["llmAnalysis"] == {"model": "fake-model", "reasoning": "cart first"}
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer sk-test-local-fake-key-0001"
    body = request["json"]
    assert body["model"] == "fake-model" and body["response_format"] == {"type": "json_object"}
    assert "src/shop/cart/cart.py" in body["messages"][1]["content"]  # the repository index was sent


@pytest.mark.parametrize(
    ("agents", "message"),
    [
        (
            [
                ai_agent("a_agent", modify=["README.md"], deps=["b_agent"]),
                ai_agent("b_agent", create=["b.py"], deps=["a_agent"]),
            ],
            "dependency cycle: a_agent → b_agent → a_agent",
        ),
        (
            [ai_agent("a_agent", modify=["README.md"]), ai_agent("b_agent", modify=["README.md"])],
            "README.md is owned by a_agent and b_agent",
        ),
        ([ai_agent("a_agent", modify=["README.md"], deps=["nobody"])], "depends on unknown agent nobody"),
        (
            [ai_agent("a_agent", create=["x.py"]), ai_agent("a_agent", create=["y.py"])],
            "agent id a_agent is used by 2",
        ),
    ],
)
def test_ai_plan_that_breaks_the_rules_is_rejected(
    shop: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch, agents: list[dict], message: str
) -> None:
    use_fake_llm(monkeypatch, server)
    server.reply(200, chat_reply({"parallelAgents": agents}))
    with pytest.raises(CdevError, match="the AI plan .* was rejected: .*" + message):
        ai_decompose(task_from_text("Add coupon codes"), shop)


def test_secrets_are_redacted_from_what_the_llm_receives(
    shop: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_llm(monkeypatch, server)
    token = fake_github_token("planner test")
    assert scan_text(f"token = {token}", "x.py")  # the scanner does recognise it
    monkeypatch.setenv("LINEAR_API_KEY", "lin_api_custom_format_secret_value")
    server.reply(
        200, chat_reply({"parallelAgents": [ai_agent("cart_agent", modify=["src/shop/cart/cart.py"])]})
    )
    text = (
        f"Add coupon codes to the cart\nThe staging token is {token}\n"
        "linear key lin_api_custom_format_secret_value\n"
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAsecretbodyline1234567890abcdefgh\n-----END RSA PRIVATE KEY-----"
    )
    ai_decompose(task_from_text(text), shop)
    raw = server.requests[0]["raw"].decode()
    assert token not in raw and token[4:] not in raw
    assert "lin_api_custom_format_secret_value" not in raw
    assert "MIIEowIBAAKCAQEAsecretbodyline" not in raw
    assert "The staging token is ghp_" in json.loads(raw)["messages"][1]["content"]  # masked, not dropped


def test_ai_without_a_key_is_a_clear_error_and_sends_nothing(
    shop: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    with pytest.raises(CdevError, match="OPENAI_API_KEY is not set"):
        ai_decompose(task_from_text("Add coupons"), shop)
    assert server.requests == []


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ((200, chat_reply("this is not json")), "not valid JSON"),
        ((200, chat_reply([1, 2])), "not a JSON object"),
        ((200, chat_reply({"agents": "nope"})), "not a task plan"),
        ((401, {"error": {"message": "bad key", "type": "auth"}}), "HTTP 401"),
    ],
)
def test_ai_endpoint_failures_are_one_line_errors(
    shop: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch, reply: tuple[int, Any], message: str
) -> None:
    use_fake_llm(monkeypatch, server)
    server.reply(*reply)
    with pytest.raises(CdevError, match=message) as caught:
        ai_decompose(task_from_text("Add coupons"), shop)
    assert "\n" not in str(caught.value)


def test_ai_endpoint_that_is_down_is_a_one_line_error(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    monkeypatch.setenv("OPENAI_BASE_URL", closed)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-local-fake-key-0003")
    with pytest.raises(CdevError, match=f"cannot reach the LLM endpoint {closed}$"):
        ai_decompose(task_from_text("Add coupons"), shop, timeout=5)


def test_a_fenced_json_answer_is_accepted() -> None:
    assert parse_json_answer('```json\n{"a": 1}\n```') == {"a": 1}
    with pytest.raises(CdevError, match="empty answer"):
        parse_json_answer("  ")


def test_redaction_keeps_ordinary_text() -> None:
    assert redact_text("Add coupon codes\nline two") == "Add coupon codes\nline two"


def test_planning_modules_load_no_heavy_libraries() -> None:
    code = (
        "import json, sys\nimport cdev_tui.planner, cdev_tui.plan_edit, cdev_tui.llm, cdev_tui.cli.plan\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    loaded = set(json.loads(out))
    assert "cdev_tui.planner" in loaded
    assert [m for m in ("textual", "openai", "git", "urllib.request") if m in loaded] == []
