"""Who may do what to a plan, in which state: the one table and the one entry point.

Every view that touches a plan goes through ``get_plan_for``: a plan the user may not
read answers 404 (so ids cannot be probed); a readable plan the user may not act on in
its current state answers 403.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from bankplan.organisation.models import Role
from bankplan.organisation.scope import memberships_of

from .models import Plan, Status


class PlanRole(StrEnum):
    """A user's relation to one plan, derived from their memberships."""

    AUTHOR = "author"  # manager of the plan's branch
    CONTRIBUTOR = "contributor"  # staff of the plan's branch
    REVIEWER = "reviewer"  # reviewer of the branch's region
    HEAD_OFFICE = "head_office"


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    REOPEN = "reopen"
    COMMENT = "comment"
    RESOLVE = "resolve"
    AUDIT = "audit"  # read the plan's full history: every save, comment and download


@dataclass(frozen=True)
class Rule:
    roles: frozenset[PlanRole]
    states: frozenset[Status]


EVERY_STATE = frozenset(Status)
BEING_WRITTEN = frozenset({Status.DRAFT, Status.RETURNED})
BRANCH_PEOPLE = frozenset({PlanRole.AUTHOR, PlanRole.CONTRIBUTOR})
REVIEWERS = frozenset({PlanRole.REVIEWER, PlanRole.HEAD_OFFICE})

RULES: dict[Action, Rule] = {
    Action.VIEW: Rule(frozenset(PlanRole), EVERY_STATE),
    # Submitted and approved plans are frozen; a returned plan is revised as a draft.
    Action.EDIT: Rule(BRANCH_PEOPLE, BEING_WRITTEN),
    # Staff may help write the plan; only the branch manager commits the branch to it.
    Action.SUBMIT: Rule(frozenset({PlanRole.AUTHOR}), BEING_WRITTEN),
    Action.RETURN: Rule(REVIEWERS, frozenset({Status.SUBMITTED})),
    Action.APPROVE: Rule(REVIEWERS, frozenset({Status.SUBMITTED})),
    # Reopening an approved plan is head office's decision alone.
    Action.REOPEN: Rule(frozenset({PlanRole.HEAD_OFFICE}), frozenset({Status.APPROVED})),
    # Reviewers comment on what was submitted; the branch answers while revising.
    Action.COMMENT: Rule(
        REVIEWERS | BRANCH_PEOPLE, frozenset({Status.SUBMITTED, Status.RETURNED, Status.DRAFT})
    ),
    Action.RESOLVE: Rule(REVIEWERS, frozenset({Status.SUBMITTED, Status.RETURNED})),
    # Who read and changed a branch's plan is for those who oversee the branch.
    Action.AUDIT: Rule(REVIEWERS, EVERY_STATE),
}


def plan_roles(user, plan: Plan) -> frozenset[PlanRole]:
    roles = set()
    for role, unit_id in memberships_of(user):
        if role == Role.HEAD_OFFICE_PLANNER:
            roles.add(PlanRole.HEAD_OFFICE)
        elif role == Role.REGIONAL_REVIEWER and unit_id in (
            plan.branch.parent_id,
            plan.branch.region_id,
        ):
            roles.add(PlanRole.REVIEWER)
        elif role == Role.BRANCH_MANAGER and unit_id == plan.branch_id:
            roles.add(PlanRole.AUTHOR)
        elif role == Role.BRANCH_STAFF and unit_id == plan.branch_id:
            roles.add(PlanRole.CONTRIBUTOR)
    return frozenset(roles)


# A closed cycle is read-only for everyone: no edits, submissions or reviews, and approved
# plans cannot be reopened.
AFTER_CLOSING = frozenset({Action.VIEW, Action.AUDIT})


def can(user, action: Action, plan: Plan) -> bool:
    rule = RULES[action]
    if plan.cycle.is_closed and action not in AFTER_CLOSING:
        return False
    return plan.status in rule.states and bool(plan_roles(user, plan) & rule.roles)


def allowed_actions(user, plan: Plan) -> set[Action]:
    """For templates: which buttons to show."""
    return {action for action in Action if can(user, action, plan)}


def get_plan_for(user, plan_id: int, action: Action = Action.VIEW) -> Plan:
    plan = get_object_or_404(
        Plan.objects.visible_to(user).select_related(
            "cycle", "branch__parent", "branch__region__parent"
        ),
        pk=plan_id,
    )
    if not can(user, action, plan):
        raise PermissionDenied
    return plan


def branches_managed_by(user) -> list[int]:
    """Units where the user may start a plan."""
    return [unit for role, unit in memberships_of(user) if role == Role.BRANCH_MANAGER]
