"""Who may look at which part of the bank, and who may change a cycle: the one entry
point for every head-office view (plans themselves go through ``plans.access``).

A unit outside the user's scope answers 404, like another branch's plan; a page of the
right unit the user may not act on answers 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from bankplan.organisation.models import Unit
from bankplan.organisation.scope import Scope, scope_of
from bankplan.plans.models import Cycle


def overseer_scope(user) -> Scope:
    """The scope of head office or a reviewer; anyone else gets a 404 (the pages are not
    theirs to know about)."""
    scope = scope_of(user)
    if not scope.oversees:
        raise Http404
    return scope


def get_unit_for(user, unit_id: int) -> Unit:
    """A unit the user oversees (itself or below); 404 otherwise."""
    scope = overseer_scope(user)
    unit = get_object_or_404(Unit.objects.select_related("parent", "region"), pk=unit_id)
    if not scope.covers(unit):
        raise Http404
    return unit


def top_unit_for(user) -> Unit | None:
    """Where the user's dashboard starts: head office for head office, the unit they
    review for a reviewer of one unit; None for a reviewer of several (the dashboard then
    lists them)."""
    scope = overseer_scope(user)
    if scope.whole_bank:
        return Unit.objects.get(kind=Unit.Kind.HEAD_OFFICE)
    if len(scope.overseen) == 1:
        return Unit.objects.select_related("parent", "region").get(pk=next(iter(scope.overseen)))
    return None


def require_head_office(user) -> Scope:
    """Deadlines, closing and the bank's own targets are head office's alone."""
    scope = overseer_scope(user)
    if not scope.whole_bank:
        raise PermissionDenied
    return scope


def may_allocate(user, unit: Unit) -> bool:
    """Targets are set one level down: head office sets its own and the regions'; a
    reviewer the units below the unit they review."""
    scope = scope_of(user)
    if scope.whole_bank:
        return True
    return unit.pk not in scope.overseen and scope.covers(unit)


def get_cycle(cycle_id: int) -> Cycle:
    return get_object_or_404(Cycle, pk=cycle_id)
