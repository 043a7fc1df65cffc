"""What head office's import of official actuals costs for the largest bank: 20,000
branches x 12 KPIs (240,000 figures), as XLSX and as CSV.

Run: DEBUG=1 [BENCH_DATABASE_URL=postgres://...] .venv/bin/python benchmarks/import_actuals.py
     [--branches N] [--repeat N]

Builds its own bank in a throw-away database (migrated, no demo), writes the filled-in
file, and prints the median of ``--repeat`` runs of each step: reading the file (parse),
checking every cell (validate), the whole preview (``stage``: parse, validate, compare
with the figures stored, keep the staged import) and the confirmation (``apply``). The
first import writes every figure anew; later ones change every figure (an update each).
"""

import argparse
import csv
import io
import random
import statistics
import time
from decimal import Decimal

import throwaway  # noqa: F401  sets Django up: before the imports below

# isort: split
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from bankplan.actuals import importing
from bankplan.actuals.models import OfficialActual
from bankplan.headoffice import sheets
from bankplan.headoffice.tables import KIND_OF_MEASURE, Column
from bankplan.headoffice.xlsx import write_sheet
from bankplan.organisation.models import Membership, Role, Unit, User
from bankplan.plans.models import Cycle, Kpi

REGIONS = 40
# The catalogue of a large bank: balances and flows in 万元, counts, one ratio.
MEASURES = ["wan_yuan"] * 8 + ["customers", "customers", "cards", "percent"]


def build_bank(branches: int) -> tuple[Cycle, User]:
    call_command("migrate", verbosity=0)
    head = Unit.objects.create(code="HO", name="总行", kind=Unit.Kind.HEAD_OFFICE)
    regions = Unit.objects.bulk_create(
        Unit(code=f"R{n:02}", name=f"第{n}分行", kind=Unit.Kind.REGION, parent=head)
        for n in range(REGIONS)
    )
    Unit.objects.bulk_create(
        (
            Unit(
                code=f"B{n:05}",
                name=f"第{n}支行",
                kind=Unit.Kind.BRANCH,
                parent=regions[n % REGIONS],
                region=regions[n % REGIONS],
            )
            for n in range(branches)
        ),
        batch_size=2000,
    )
    planner = User.objects.create_user("bench-planner", password="x")
    Membership.objects.create(user=planner, unit=head, role=Role.HEAD_OFFICE_PLANNER)
    cycle = Cycle.objects.create(
        year=2027, name="2027 年度营销计划", opens_on="2026-10-01", deadline="2026-12-31"
    )
    base = None
    for position, measure in enumerate(MEASURES):
        kpi = Kpi.objects.create(
            cycle=cycle,
            code=f"kpi{position:02}",
            name=f"指标{position}",
            measure=measure,
            position=position,
            aggregation="weighted" if measure == "percent" else "sum",
            base=base if measure == "percent" else None,
        )
        base = base or kpi
    return cycle, planner


def filled_rows(cycle: Cycle, seed: int) -> tuple[list[Kpi], list[tuple]]:
    """Every branch with a figure for every KPI; each ``seed`` gives other figures."""
    rng = random.Random(seed)
    kpis = list(cycle.kpis.all())
    rows = []
    for code, name in Unit.objects.filter(kind=Unit.Kind.BRANCH).values_list("code", "name"):
        figures = []
        for kpi in kpis:
            if kpi.measure == "percent":
                figures.append(Decimal(rng.randrange(0, 500)) / 100)
            elif kpi.measure == "wan_yuan":
                figures.append(Decimal(rng.randrange(0, 10**9)) / 100)
            else:
                figures.append(rng.randrange(0, 50_000))
        rows.append((code, name, *figures))
    return kpis, rows


def write_file(cycle: Cycle, fmt: str, seed: int) -> SimpleUploadedFile:
    kpis, rows = filled_rows(cycle, seed)
    columns = [
        Column("code", "Branch code"),
        Column("name", "Branch name"),
        *(Column(kpi.code, kpi.code, KIND_OF_MEASURE[kpi.measure]) for kpi in kpis),
    ]
    out = io.BytesIO()
    if fmt == "xlsx":
        write_sheet(out, "actuals", columns, rows)
        return SimpleUploadedFile("actuals.xlsx", out.getvalue())
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([column.label for column in columns])
    writer.writerows(rows)
    return SimpleUploadedFile("actuals.csv", text.getvalue().encode("utf-8-sig"))


def seconds(step) -> tuple[float, object]:
    start = time.perf_counter()
    result = step()
    return time.perf_counter() - start, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--branches", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    cycle, planner = build_bank(options.branches)
    kpis = list(cycle.kpis.all())
    units = list(Unit.objects.only("pk", "code", "name", "kind"))
    by_code = {unit.code: unit for unit in units}
    print(
        f"{options.branches:,} branches x {len(kpis)} KPIs on {connection.vendor}, "
        f"median of {options.repeat} (seconds):"
    )
    print(f"  {'file':6} {'size':>8} {'parse':>7} {'validate':>9} {'preview':>8} {'apply':>7}")
    seed = 0
    for fmt in ("xlsx", "csv"):
        timings = {"parse": [], "validate": [], "preview": [], "apply": []}
        for _run in range(options.repeat):
            seed += 1
            file = write_file(cycle, fmt, seed)
            parse, (rows, errors) = seconds(
                lambda file=file: sheets.read_rows(
                    file,
                    max_bytes=importing.MAX_UPLOAD_BYTES,
                    max_rows=importing.MAX_UPLOAD_ROWS,
                    formats=(sheets.XLSX, sheets.CSV),
                )
            )
            assert not errors, errors
            validate, (entries, errors, _count) = seconds(
                lambda rows=rows: sheets.read_figures(
                    rows,
                    kpis=kpis,
                    units=lambda codes: {code: by_code[code] for code in codes},
                    refuse=lambda unit: "",
                    field=importing.actual_field(),
                )
            )
            assert not errors and len(entries) == options.branches * len(kpis)
            file.seek(0)
            preview, staged = seconds(
                lambda file=file: importing.stage(file, cycle=cycle, by=planner)
            )
            assert not staged.errors, staged.errors[:5]
            upload = staged.upload
            write, _done = seconds(
                lambda upload=upload: importing.apply(upload.pk, cycle=cycle, by=planner)
            )
            kind = "new" if upload.added else "changed"
            figures = upload.added + upload.changed
            print(
                f"    run {_run + 1}: {figures:,} figures {kind}, preview {preview:.2f} s, "
                f"apply {write:.2f} s, preview + apply {preview + write:.2f} s"
            )
            for name, value in zip(timings, (parse, validate, preview, write), strict=True):
                timings[name].append(value)
        size = file.size / 2**20
        medians = {name: statistics.median(values) for name, values in timings.items()}
        print(
            f"  {fmt:6} {size:6.1f}MB {medians['parse']:7.2f} {medians['validate']:9.2f} "
            f"{medians['preview']:8.2f} {medians['apply']:7.2f}"
        )
    assert OfficialActual.objects.count() == options.branches * len(kpis)
    print("  (preview = parse + validate + compare + stage; the import is preview + apply)")


if __name__ == "__main__":
    main()
