"""Writes that change a plan. Views call these; nothing here trusts the caller's checks."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bankplan.organisation.models import Unit

from .access import Action, branches_managed_by, can
from .models import Cycle, Plan
from .sections.registry import SECTIONS


class StaleSection(Exception):
    """The section was saved by someone else after the form was loaded."""

    def __init__(self, content):
        super().__init__(content)
        self.content = content


@transaction.atomic
def start_plan(*, cycle: Cycle, branch: Unit, by) -> Plan:
    """Open the branch's plan for the cycle, with every section empty. Idempotent: a
    second call (a double click, two managers) returns the plan the first one made."""
    if branch.pk not in branches_managed_by(by):
        raise PermissionDenied(_("Only the branch manager starts the branch's plan."))
    try:
        with transaction.atomic():
            plan = Plan.objects.create(cycle=cycle, branch=branch, created_by=by)
    except IntegrityError:
        return Plan.objects.get(cycle=cycle, branch=branch)
    for section in SECTIONS:
        section.model.objects.create(plan=plan)
    return plan


def save_section(*, plan: Plan, section, form, formsets, expected_revision: int, by) -> None:
    """Save a section's form and row tables as one change.

    Raises StaleSection when someone saved the section since ``expected_revision`` was
    read, and PermissionDenied when the plan can no longer be edited (it was submitted
    meanwhile); in both cases nothing is written.
    """
    with transaction.atomic():
        locked = (
            Plan.objects.select_for_update(of=("self",)).select_related("branch").get(pk=plan.pk)
        )
        if not can(by, Action.EDIT, locked):
            raise PermissionDenied(_("This plan can no longer be edited."))
        content = section.model.objects.select_for_update().get(plan=locked)
        if content.revision != expected_revision:
            raise StaleSection(content)
        instance = form.save(commit=False)
        instance.revision = content.revision + 1
        instance.updated_at = timezone.now()
        instance.updated_by = by
        instance.save()
        form.save_m2m()
        for formset in formsets:
            formset.instance = instance
            formset.save()
        locked.save(update_fields=["updated_at"])
