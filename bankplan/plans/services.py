"""Writes that change a plan. Views call these; nothing here trusts the caller's checks."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, router, transaction
from django.db.models.deletion import Collector
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


class LinksGone(Exception):
    """A row this save links to in another section (a strategy, a segment, a key account)
    was removed by a save of that section after this one's form was checked: nothing is
    written, and the author chooses again among the rows there are now."""


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
    read, PermissionDenied when the plan can no longer be edited (it was submitted
    meanwhile), and LinksGone when a row it links to went meanwhile; in each case nothing
    is written.
    """
    try:
        _save_section(plan, section, form, formsets, expected_revision, by)
    except IntegrityError as error:
        # Foreign keys are checked as the transaction commits (deferred, on PostgreSQL and
        # SQLite): a link to a row another section's save removed after this form was
        # checked fails here, whole. Every other constraint the forms check first.
        raise LinksGone from error


def _save_section(plan, section, form, formsets, expected_revision: int, by) -> None:
    with transaction.atomic():
        now = timezone.now()
        # Setting the plan's time of change takes its row lock: every save of the plan's
        # sections and its submission wait for each other here. What is read next is
        # read after whoever held the lock committed (a refusal below undoes the update).
        Plan.objects.filter(pk=plan.pk).update(updated_at=now)
        content = section.model.objects.select_related("plan__branch", "plan__cycle").get(
            plan=plan.pk
        )
        locked = content.plan
        if not can(by, Action.EDIT, locked):
            raise PermissionDenied(_("This plan can no longer be edited."))
        if content.revision != expected_revision:
            raise StaleSection(content)
        # The state before the save is that of the rows the formsets read for this
        # request, not read again: the revision matching under the lock means nobody
        # saved the section since the page was loaded, so no row of it was added, removed
        # or changed meanwhile. Only another section's save can change something here
        # without this section's revision (rename or remove a linked strategy, remove a
        # segment a product aimed at), and only one that committed in the moments between
        # these reads and the lock: such a change then shows in neither state of this
        # save (the links after it are worked out from the same reads, below), and the
        # next save's state before has it.
        before = section.snapshot(content, {fs.prefix: fs.rows_as_read() for fs in formsets})
        instance = form.save(commit=False)
        instance.revision = content.revision + 1
        instance.updated_at = now
        instance.updated_by = by
        instance.save()
        form.save_m2m()
        removed: dict[type, set] = {}
        for formset in formsets:
            formset.instance = instance
            _save_rows(formset, removed)
        # The rows are read back (their stored values and new ids); which rows each row
        # links to is known without reading: those written here, the others as read.
        saved = record.read_rows(section, instance, plan=locked)
        links = {fs.prefix: _links_after(fs, removed) for fs in formsets}
        tables = {table.name: table for table in section.tables}
        for formset in formsets:
            _check_row_limit(formset, tables[formset.prefix].rows(saved))
        record.section_saved(
            plan=locked,
            section=section,
            by=by,
            revision=instance.revision,
            before=before,
            after=section.snapshot(saved, links=links),
        )


def _check_row_limit(formset, stored) -> None:
    """Count the table's rows as read back after writing (``stored``), under the plan's
    lock: the form could not see rows a save it did not know of added. Over the limit,
    the whole save is undone."""
    if len(stored) > formset.max_num:
        raise TooManyRows(formset.error_messages["too_many_forms"] % {"num": formset.max_num})


def _links_after(formset, removed: dict[type, set]) -> dict[str, dict]:
    """Many-to-many column -> row id -> the rows it links to once the save is written:
    the links posted for rows added or relinked, the links read for the others, less
    links to rows this save removed (ordered by id, as a read would list them)."""
    deleted = set(map(id, formset.deleted_forms))
    found = {}
    for field in _link_fields(formset):
        gone = removed.get(field.related_model, set())
        linked = {row.pk: list(getattr(row, field.name).all()) for row in formset.rows_as_read()}
        for form in formset.forms:
            if id(form) in deleted or form.instance.pk is None:
                continue
            if form.instance.pk not in linked or field.name in form.changed_data:
                linked[form.instance.pk] = form.cleaned_data.get(field.name) or []
        found[field.name] = {
            pk: sorted((obj for obj in objs if obj.pk not in gone), key=lambda obj: obj.pk)
            for pk, objs in linked.items()
        }
    return found


def _link_fields(formset) -> list:
    fields = formset.form._meta.fields
    return [f for f in formset.model._meta.many_to_many if f.name in fields]


def _save_rows(formset, removed: dict[type, set]) -> None:
    """Write a validated table in a few queries whatever its length: one delete of the
    removed rows, one update of the changed ones, one insert of the new ones, and for a
    many-to-many column one delete and one insert of links. Removed rows go first, so a
    row may take over a value (a role) that a removed row held. ``removed`` collects the
    ids of rows removed so far in this save, by model: a link to one of them is dropped."""
    model, parent = formset.model, formset.instance
    deleted = set(map(id, formset.deleted_forms))
    removing = [
        form.instance
        for form in formset.initial_forms
        if id(form) in deleted and form.instance.pk is not None
    ]
    gone = [row.pk for row in removing]
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
        # The rows as loaded are deleted with what hangs on them (their links, a pointer
        # to them set to null), without reading them again first as a query's delete does.
        collector = Collector(using=router.db_for_write(model))
        collector.collect(removing)
        collector.delete()
        removed.setdefault(model, set()).update(gone)
    edited = {name for form in changed for name in form.changed_data}
    columns = [f.name for f in model._meta.concrete_fields if f.name in edited]
    if columns:
        model._default_manager.bulk_update([form.instance for form in changed], columns)
    for form in added:
        setattr(form.instance, formset.fk.name, parent)
    if added:
        model._default_manager.bulk_create([form.instance for form in added])

    for field in _link_fields(formset):
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
