"""Fields derived from a plan's agents: start flags, the merge order, the ownership block and default steps."""

from __future__ import annotations

from dataclasses import replace

from cdev_tui.plan import Plan, ownership_summary
from cdev_tui.planner.graph import merge_order

#: The integration plan's validation steps for a plan that names none.
VALIDATION_STEPS = (
    "Validate exclusive file ownership",
    "Run individual agent tests",
    "Integration testing",
    "Full system validation",
)


def with_derived(plan: Plan) -> Plan:
    """``plan`` with canStartImmediately, the merge order and the ownership block recomputed.

    A plan without validation steps gets :data:`VALIDATION_STEPS`, the steps :func:`plan_to_dict` writes for
    it, so that the plan survives a round trip through its JSON unchanged.
    """
    agents = tuple(replace(a, can_start_immediately=not a.dependencies) for a in plan.agents)
    extras = {**plan.extras, "exclusiveOwnership": ownership_summary(agents)}
    return replace(
        plan,
        agents=agents,
        merge_order=merge_order(agents),
        extras=extras,
        validation_steps=plan.validation_steps or VALIDATION_STEPS,
    )


def merge_order_fits(plan: Plan) -> bool:
    """Whether the plan's merge order lists every agent once, each after the dependencies it has in the plan."""
    ids = [a.agent_id for a in plan.agents]
    if sorted(plan.merge_order) != sorted(ids) or len(set(ids)) != len(ids):
        return False
    position = {a: i for i, a in enumerate(plan.merge_order)}
    return all(
        position[d] < position[a.agent_id] for a in plan.agents for d in a.dependencies if d in position
    )


def normalise(plan: Plan) -> Plan:
    """An imported plan with derived fields recomputed; its own merge order is kept when it fits."""
    derived = with_derived(plan)
    return replace(derived, merge_order=plan.merge_order) if merge_order_fits(plan) else derived
