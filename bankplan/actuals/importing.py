"""Head office's import of last year's official actuals for a cycle, in three steps:

1. ``template``: every branch (code and name) with a column per KPI code, the official
   figures so far filled in, as XLSX or CSV (head office's table exports write it);
2. ``stage``: an uploaded file read and checked whole (``headoffice.sheets``, the reader
   the allocations upload uses); if it is clean, what it changes is worked out and kept
   in a staged ``ActualsImport`` for the preview;
3. ``apply``: the staged figures written in one transaction, refused when another import
   was confirmed, or the catalogue or the branches changed, since the preview.

An empty cell leaves the figure as it is: a file need not carry every KPI or branch.
Every step reads the database a fixed number of times, whatever the size of the bank.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bankplan.audit import record
from bankplan.headoffice import sheets
from bankplan.headoffice.tables import KIND_OF_MEASURE, Column, Table
from bankplan.organisation.models import Unit
from bankplan.plans.models import Cycle, Kpi

from .models import ActualsImport, ImportState, OfficialActual

# The largest banks have over 15,000 branches; a file of every branch must fit.
MAX_UPLOAD_ROWS = 30_000
MAX_UPLOAD_BYTES = 32 * 1024 * 1024
PREVIEW_ROWS = 500  # changed figures the preview lists; the rest are counted
CENT = Decimal("0.01")
STAGED_FOR = timedelta(days=1)


def actual_field():
    """The form field of one official figure: its digits and places are the model's."""
    return OfficialActual._meta.get_field("actual").formfield(required=False)


def current(cycle: Cycle) -> dict[tuple[int, int], Decimal]:
    """(branch id, KPI id) -> the official actual, for every branch in ``cycle``."""
    rows = OfficialActual.objects.filter(kpi__cycle=cycle)
    return {(b, k): actual for b, k, actual in rows.values_list("branch_id", "kpi_id", "actual")}


def latest_import(cycle: Cycle) -> ActualsImport | None:
    applied = ActualsImport.objects.filter(cycle=cycle, state=ImportState.APPLIED)
    return applied.order_by("-applied_at", "-pk").first()


def _branches():
    return Unit.objects.filter(kind=Unit.Kind.BRANCH).order_by("code")


def _basis(kpis: list[Kpi], branches: list[tuple[int, str]]) -> str:
    """A fingerprint of what a preview was checked against: the catalogue's codes and
    units, and every branch's id and code."""
    digest = hashlib.sha256()
    for kpi in sorted(kpis, key=lambda kpi: kpi.pk):
        digest.update(f"k{kpi.pk}:{kpi.code}:{kpi.measure};".encode())
    for pk, code in sorted(branches):
        digest.update(f"b{pk}:{code};".encode())
    return digest.hexdigest()


# 1. The template


def template(cycle: Cycle) -> Table:
    """The file to fill in: a branch a row, a KPI code a column (row 1), what each KPI
    is in row 2, and the official figures imported so far. Three queries, read as the
    rows are written."""
    kpis = list(cycle.kpis.all())
    columns = [
        Column("code", _("Branch code")),
        Column("name", _("Branch name")),
        *(Column(kpi.code, kpi.code, KIND_OF_MEASURE[kpi.measure]) for kpi in kpis),
    ]
    described = ("", "", *(f"{kpi.display_name}（{kpi.get_measure_display()}）" for kpi in kpis))

    def rows():
        yield described
        stored = current(cycle)
        for pk, code, name in _branches().values_list("pk", "code", "name").iterator(2000):
            yield (code, name, *(stored.get((pk, kpi.pk)) for kpi in kpis))

    return Table(
        title=_("Official actuals"),
        filename=f"actuals-{cycle.year}",
        columns=columns,
        rows=rows(),
    )


# 2. The preview


@dataclass(frozen=True)
class Staged:
    """An upload read: the staged import, or every problem found in the file."""

    upload: ActualsImport | None
    errors: list[sheets.SheetError]


def stage(file, *, cycle: Cycle, by) -> Staged:
    """Read and check ``file`` (an uploaded file); if it is clean, stage what it
    changes for ``by`` to confirm (their earlier preview of the cycle goes, and any
    left unconfirmed for STAGED_FOR)."""
    rows, errors = sheets.read_rows(
        file,
        max_bytes=MAX_UPLOAD_BYTES,
        max_rows=MAX_UPLOAD_ROWS,
        formats=(sheets.XLSX, sheets.CSV),
    )
    if not errors and not any(sheets.text(value) for row in rows for value in row):
        errors = sheets.file_error(_("The file is empty."))
    if errors:
        return Staged(None, errors)
    kpis = list(cycle.kpis.all())
    units = list(Unit.objects.only("pk", "code", "name", "kind"))

    def refuse(unit: Unit) -> str:
        if unit.kind == Unit.Kind.BRANCH:
            return ""
        return _("%(unit)s is not a branch: official actuals are a branch's.") % {"unit": unit}

    entries, errors, count = sheets.read_figures(
        rows,
        kpis=kpis,
        units=lambda codes: {unit.code: unit for unit in units if unit.code in codes},
        refuse=refuse,
        field=actual_field(),
    )
    if not errors and not count:
        errors = sheets.file_error(_("The file has no branch rows below its header."))
    if errors:
        return Staged(None, errors)
    # The import the preview builds on, read before the figures it compares with: one
    # confirmed from now on refuses this preview's confirmation.
    based_on = latest_import(cycle)
    compared = _compare(entries, current(cycle))
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    branches = [(unit.pk, unit.code) for unit in units if unit.kind == Unit.Kind.BRANCH]
    with transaction.atomic():
        staged = ActualsImport.objects.filter(state=ImportState.STAGED)
        # The person's earlier preview of the cycle, and anyone's left unconfirmed for
        # a day: each holds a whole file's figures.
        staged.filter(
            Q(cycle=cycle, created_by=by) | Q(created_at__lt=timezone.now() - STAGED_FOR)
        ).delete()
        upload = ActualsImport.objects.create(
            cycle=cycle,
            file_name=getattr(file, "name", "")[:255],
            file_sha256=digest.hexdigest(),
            created_by=by,
            based_on=based_on,
            basis=_basis(kpis, branches),
            branches=count,
            added=compared.added,
            changed=len(compared.figures) - compared.added,
            unchanged=compared.unchanged,
            staged={"figures": compared.figures, "changes": compared.shown},
        )
    return Staged(upload, [])


@dataclass
class _Compared:
    figures: list = field(default_factory=list)  # [branch id, KPI id, figure] to write
    shown: list = field(default_factory=list)  # [code, name, KPI id, old, new] listed
    added: int = 0
    unchanged: int = 0


def _compare(entries: list[sheets.Entry], stored: dict) -> _Compared:
    """The file's figures against those stored: new, changed (the first PREVIEW_ROWS
    kept for the preview to list) and unchanged; an empty cell is none of them."""
    compared = _Compared()
    for unit, kpi, actual in entries:
        if actual is None:
            continue
        old = stored.get((unit.pk, kpi.pk))
        if old == actual:
            compared.unchanged += 1
            continue
        actual = actual.quantize(CENT)  # as the column stores it: 52000.50
        compared.figures.append([unit.pk, kpi.pk, str(actual)])
        if old is None:
            compared.added += 1
        elif len(compared.shown) < PREVIEW_ROWS:
            compared.shown.append([unit.code, unit.name, kpi.pk, str(old), str(actual)])
    return compared


@dataclass(frozen=True)
class Change:
    """A figure the import changes, as the preview lists it."""

    branch_code: str
    branch_name: str
    kpi: Kpi
    old: Decimal
    new: Decimal


def changes(upload: ActualsImport) -> list[Change]:
    """The changed figures (old -> new) the preview lists, the first PREVIEW_ROWS."""
    kpis = {kpi.pk: kpi for kpi in upload.cycle.kpis.all()}
    return [
        Change(code, name, kpis[kpi], Decimal(old), Decimal(new))
        for code, name, kpi, old, new in upload.staged.get("changes", [])
        if kpi in kpis
    ]


def staged_for(cycle: Cycle, user) -> ActualsImport | None:
    """The upload ``user`` previewed for ``cycle`` and has not confirmed yet."""
    waiting = ActualsImport.objects.filter(cycle=cycle, created_by=user, state=ImportState.STAGED)
    return waiting.select_related("cycle").order_by("-pk").first()


# 3. The confirmation


def _upsert() -> str:
    """One statement writing a figure, new or replacing the stored one. Sent with
    ``executemany`` (psycopg pipelines it): bulk_create's model instances and SQL
    building cost a large import three times as much. SQLite and PostgreSQL both read
    this ON CONFLICT clause."""
    meta, quote = OfficialActual._meta, connection.ops.quote_name
    kpi, branch, actual, by = (
        quote(meta.get_field(name).column) for name in ("kpi", "branch", "actual", "imported_by")
    )
    return (
        f"INSERT INTO {quote(meta.db_table)} ({kpi}, {branch}, {actual}, {by}) "
        f"VALUES (%s, %s, %s, %s) ON CONFLICT ({kpi}, {branch}) "
        f"DO UPDATE SET {actual} = excluded.{actual}, {by} = excluded.{by}"
    )


def apply(upload_id: int, *, cycle: Cycle, by) -> ActualsImport:
    """Write the figures ``by`` previewed in their staged upload ``upload_id``, all of
    them or (on a ValidationError) none. Refused when the upload is no longer waiting,
    when another import of the cycle was confirmed since the preview, or when the KPI
    catalogue or the branches changed: the preview would no longer say what happens."""
    with transaction.atomic():
        # Confirmations of one cycle take turns: the second sees the first's import.
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        upload = (
            ActualsImport.objects.select_for_update()
            .filter(pk=upload_id, cycle=cycle, created_by=by, state=ImportState.STAGED)
            .first()
        )
        if upload is None:
            raise ValidationError(
                _("This upload is no longer waiting for confirmation; upload the file again.")
            )
        latest = latest_import(cycle)
        if (latest.pk if latest else None) != upload.based_on_id:
            raise ValidationError(
                _(
                    "Another import of this cycle was confirmed after this file was "
                    "previewed; upload it again to see what it changes now."
                )
            )
        kpis = list(cycle.kpis.all())
        branches = list(_branches().values_list("pk", "code"))
        if _basis(kpis, branches) != upload.basis:
            raise ValidationError(
                _(
                    "The KPI catalogue or the branches changed since the preview; upload "
                    "the file again."
                )
            )
        with connection.cursor() as cursor:
            cursor.executemany(
                _upsert(),
                [
                    (kpi, branch, Decimal(actual), upload.pk)
                    for branch, kpi, actual in upload.staged["figures"]
                ],
            )
        upload.state = ImportState.APPLIED
        upload.applied_at = timezone.now()
        upload.staged = {}
        upload.save(update_fields=["state", "applied_at", "staged"])
        record.event(
            record.Action.ACTUALS_IMPORTED,
            by=by,
            subject=str(cycle),
            detail=summary(upload),
            changes={
                "file": upload.file_name,
                "sha256": upload.file_sha256,
                "branches": upload.branches,
                "added": upload.added,
                "changed": upload.changed,
                "unchanged": upload.unchanged,
            },
        )
    return upload


def summary(upload: ActualsImport) -> str:
    """“file.xlsx: 1,200 branches; 3 new, 2 changed, 7 unchanged figures”."""
    counts = {
        "file": upload.file_name,
        "branches": upload.branches,
        "added": upload.added,
        "changed": upload.changed,
        "unchanged": upload.unchanged,
    }
    # One sentence to translate: Chinese punctuates the two halves its own way.
    return (
        ngettext(
            "%(file)s: %(branches)s branch; %(added)s new, %(changed)s changed, "
            "%(unchanged)s unchanged figures",
            "%(file)s: %(branches)s branches; %(added)s new, %(changed)s changed, "
            "%(unchanged)s unchanged figures",
            upload.branches,
        )
        % counts
    )
