"""What part of the bank a user answers for, read once per request from their roles.

Head office sees the whole bank; a reviewer the units below the region or second-tier
branch they oversee; branch people their own branch. Every list, roll-up and export filters
through ``Scope`` so that no page has a scoping rule of its own.
"""

from dataclasses import dataclass

from django.db.models import Q

from .models import Role


def at_or_below(unit_ids, path: str = "") -> Q:
    """Units (at ``path``: "" on units, "branch__" on plans) that are one of ``unit_ids``
    or hang below one of them: a unit's ``parent`` and ``region`` cover the four-level
    tree, so this is a plain filter the unit indexes serve."""
    unit_ids = sorted(unit_ids)
    return (
        Q(**{f"{path}pk__in": unit_ids})
        | Q(**{f"{path}parent_id__in": unit_ids})
        | Q(**{f"{path}region_id__in": unit_ids})
    )


def memberships_of(user) -> list[tuple[str, int]]:
    """(role, unit id) pairs of the user, read once per request."""
    if not hasattr(user, "_plan_memberships"):
        user._plan_memberships = list(user.memberships.values_list("role", "unit_id"))
    return user._plan_memberships


@dataclass(frozen=True)
class Scope:
    whole_bank: bool
    overseen: frozenset[int]  # regions and second-tier branches the user reviews
    branches: frozenset[int]  # branches the user works in

    @property
    def oversees(self) -> bool:
        """Head office or a reviewer: the dashboard is their landing page."""
        return self.whole_bank or bool(self.overseen)

    def branch_filter(self, branch: str = "branch") -> Q:
        """Rows whose ``branch`` (a path to a branch unit) lies in the scope. Decided in
        Python, so the database sees a plain filter its indexes serve (no OR on roles)."""
        if self.whole_bank:
            return Q()
        return at_or_below(self.overseen | self.branches, f"{branch}__")

    def unit_filter(self) -> Q:
        """Units the user may look at in roll-ups: the overseen units and all below."""
        if self.whole_bank:
            return Q()
        return at_or_below(self.overseen | self.branches)

    def covers(self, unit) -> bool:
        """Whether ``unit`` (with ``region_id`` and ``parent_id``) lies in the scope."""
        return (
            self.whole_bank
            or unit.pk in self.overseen
            or unit.pk in self.branches
            or unit.region_id in self.overseen
            or unit.parent_id in self.overseen
        )


def scope_of(user) -> Scope:
    if not user.is_authenticated:
        return Scope(False, frozenset(), frozenset())
    roles = memberships_of(user)
    return Scope(
        whole_bank=any(role == Role.HEAD_OFFICE_PLANNER for role, _unit in roles),
        overseen=frozenset(unit for role, unit in roles if role == Role.REGIONAL_REVIEWER),
        branches=frozenset(
            unit for role, unit in roles if role in (Role.BRANCH_MANAGER, Role.BRANCH_STAFF)
        ),
    )
