"""Writes that change a plan. Views call these; nothing here trusts the caller's checks."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bankplan.audit import record
from bankplan.organisation.models import Unit

from .access import Action, branches_managed_by, can
from .models import Cycle, Plan
from .sections.registry import SECTIONS


class StaleSection(Exception):
    """The section was saved by someone else after the form was loaded."""

    def __init__(self, content):
        super().__init__(content)
        self.content = content


class TooManyRows(PermissionDenied):
    """A table would hold more rows than its limit once saved. The form refuses this
    first; this is the check under the section's lock, for what the form could not see.
    A refusal (like a plan no longer editable) so the page shows its message."""


@transaction.atomic
def start_plan(*, cycle: Cycle, branch: Unit, by) -> Plan:
    """Open the branch's plan for the cycle, with every section empty. Idempotent: a
    second call (a double click, two managers) returns the plan the first one made."""
    if branch.pk not in branches_managed_by(by):
        raise PermissionDenied(_("Only the branch manager starts the branch's plan."))
    if not cycle.is_open:
        raise PermissionDenied(_("This planning cycle is not open for plans."))
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
            Plan.objects.select_for_update(of=("self",))
            .select_related("branch", "cycle")
            .get(pk=plan.pk)
        )
        if not can(by, Action.EDIT, locked):
            raise PermissionDenied(_("This plan can no longer be edited."))
        content = record.read_section(section, locked, for_update=True)
        if content.revision != expected_revision:
            raise StaleSection(content)
        before = section.snapshot(content)
        instance = form.save(commit=False)
        instance.revision = content.revision + 1
        instance.updated_at = timezone.now()
        instance.updated_by = by
        instance.save()
        form.save_m2m()
        removed: dict[type, set] = {}
        for formset in formsets:
            formset.instance = instance
            _save_rows(formset, removed)
            _check_row_limit(formset)
        locked.save(update_fields=["updated_at"])
        record.section_saved(
            plan=locked,
            section=section,
            by=by,
            revision=instance.revision,
            before=before,
            after=section.snapshot(record.read_section(section, locked)),
        )


def _check_row_limit(formset) -> None:
    """Count, after writing, a table this save added rows to (one query; a save that only
    edits or removes rows cannot exceed the limit); over it, the whole save is undone."""
    adds = formset._vanished_ids() or any(
        form.has_changed() and not formset._should_delete_form(form) for form in formset.extra_forms
    )
    if not adds:
        return
    stored = formset.model._default_manager.filter(**{formset.fk.name: formset.instance})
    if stored.count() > formset.max_num:
        raise TooManyRows(formset.error_messages["too_many_forms"] % {"num": formset.max_num})


def _save_rows(formset, removed: dict[type, set]) -> None:
    """Write a validated table in a few queries whatever its length: one delete of the
    removed rows, one update of the changed ones, one insert of the new ones, and for a
    many-to-many column one delete and one insert of links. Removed rows go first, so a
    row may take over a value (a role) that a removed row held. ``removed`` collects the
    ids of rows removed so far in this save, by model: a link to one of them is dropped."""
    model, parent = formset.model, formset.instance
    deleted = set(map(id, formset.deleted_forms))
    gone = [
        form.instance.pk
        for form in formset.initial_forms
        if id(form) in deleted and form.instance.pk is not None
    ]
    changed = [
        form
        for form in formset.initial_forms
        if id(form) not in deleted and form.instance.pk is not None and form.has_changed()
    ]
    added = [form for form in formset.extra_forms if id(form) not in deleted and form.has_changed()]
    # A row a colleague removed meanwhile, kept by this author: saved anew (see RowIdField).
    added += [
        form
        for form in formset.initial_forms
        if id(form) not in deleted and form.instance.pk is None
    ]

    if gone:
        model._default_manager.filter(pk__in=gone).delete()
        removed.setdefault(model, set()).update(gone)
    edited = {name for form in changed for name in form.changed_data}
    columns = [f.name for f in model._meta.concrete_fields if f.name in edited]
    if columns:
        model._default_manager.bulk_update([form.instance for form in changed], columns)
    for form in added:
        setattr(form.instance, formset.fk.name, parent)
    if added:
        model._default_manager.bulk_create([form.instance for form in added])

    for field in model._meta.many_to_many:
        if field.name not in formset.form._meta.fields:
            continue
        relinked = [form for form in changed if field.name in form.changed_data]
        linked = relinked + [form for form in added if form.cleaned_data.get(field.name)]
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name()).attname
        target = through._meta.get_field(field.m2m_reverse_field_name()).attname
        if relinked:
            through._default_manager.filter(
                **{f"{source}__in": [form.instance.pk for form in relinked]}
            ).delete()
        gone_targets = removed.get(field.related_model, set())
        links = [
            through(**{source: form.instance.pk, target: obj.pk})
            for form in linked
            for obj in form.cleaned_data[field.name]
            if obj.pk not in gone_targets
        ]
        if links:
            through._default_manager.bulk_create(links)
