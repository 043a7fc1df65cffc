"""What part of the bank a user answers for, read once per request from their roles.

Head office sees the whole bank; a reviewer the units below the region or second-tier
branch they oversee; branch people their own branch. Every list, roll-up and export filters
through ``Scope`` so that no page has a scoping rule of its own.
"""

from dataclasses import dataclass

from django.db.models import Q

from .models import Role


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
        overseen = sorted(self.overseen)
        q = Q(**{f"{branch}__in": sorted(self.branches)}) if self.branches else Q(pk__in=[])
        if overseen:
            # A region reviewer's branches carry the region; a second-tier reviewer's hang
            # from their unit directly.
            q |= Q(**{f"{branch}__region__in": overseen}) | Q(**{f"{branch}__parent__in": overseen})
        return q

    def unit_filter(self) -> Q:
        """Units the user may look at in roll-ups: the overseen units and all below."""
        if self.whole_bank:
            return Q()
        overseen = sorted(self.overseen)
        return (
            Q(pk__in=overseen)
            | Q(region__in=overseen)
            | Q(parent__in=overseen)
            | Q(pk__in=sorted(self.branches))
        )

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
