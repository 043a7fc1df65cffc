"""The largest plan the forms accept, for the rendering benchmark and the tests of the
limits: every table at MAX_ROWS rows (or as many as its uniqueness allows) and every
section's text at its budget (budget.SECTION_TEXT), no text over its field's limit.

Starts from a plan that has a row or more in every table (the demo plan of ``manager``)
and copies those rows, so every figure and choice column is filled as an author fills it.
How the budget is spread over a section's texts:

- ``long``: the texts in page order at their longest until the budget is spent; the
  rows after that carry one character in each text they require;
- ``cells``: the same, the texts in the tables' rows first and the section's own after;
- ``even``: the budget shared out evenly over every text of the section.
"""

import copy

from django.db import IntegrityError, models, transaction

from bankplan.plans.sections.base import MAX_ROWS
from bankplan.plans.sections.budget import SECTION_TEXT, budgeted_fields
from bankplan.plans.sections.registry import SECTIONS

# Chinese prose with some Latin and digits, as an author pastes it: breakable anywhere,
# the worst case for line breaking is long runs a line must be measured across.
PROSE = "县城网点密集，老客户信任度高；Mobile banking 月活 12,345 户。"
SPREADS = ("long", "cells", "even")


def text(length: int) -> str:
    return (PROSE * (length // len(PROSE) + 1))[:length]


def fill_rows(content, table, limit: int) -> list[models.Model]:
    """The table's rows, copied until it holds ``limit`` (or all its uniqueness allows)."""
    rows = list(table.rows(content))
    if table.fixed or not rows:
        return rows
    originals = list(rows)
    while len(rows) < limit:
        clone = copy.copy(originals[len(rows) % len(originals)])
        clone.pk = None
        clone._state.adding = True
        try:
            with transaction.atomic():
                clone.save()
        except IntegrityError:  # a table with one row per choice (the staff roles)
            break
        rows.append(clone)
    return rows


def _slots(instances_and_names):
    """(instance, field name, its longest, the least it takes) for every text."""
    slots = []
    for instance, names in instances_and_names:
        for name in names:
            field = instance._meta.get_field(name)
            # One character at least where the field or the row needs one (a scorecard
            # line names its measure or its KPI): where the model requires it, or the
            # copied row had some.
            least = 0 if field.blank and not getattr(instance, name) else 1
            slots.append((instance, name, field.max_length, least))
    return slots


def _lengths(slots, budget: int, spread: str) -> list[int]:
    lengths = [least for *_, least in slots]
    left = budget - sum(lengths)
    assert left >= 0, "the budget does not cover one character in every required text"
    if spread in ("long", "cells"):
        for i, (_, _, longest, least) in enumerate(slots):
            more = min(longest - least, left)
            lengths[i] += more
            left -= more
    else:  # shared out evenly: a text at its limit leaves its share to the others
        open_slots = list(range(len(slots)))
        while left > 0 and open_slots:
            share = max(left // len(open_slots), 1)
            for i in list(open_slots):
                more = min(slots[i][2] - lengths[i], share, left)
                lengths[i] += more
                left -= more
                if lengths[i] >= slots[i][2]:
                    open_slots.remove(i)
                if not left:
                    break
    return lengths


def fill_section(section, plan, *, rows: int, spread: str, budget: int) -> dict[str, int]:
    """The section at ``budget`` characters, its tables at ``rows`` rows; row counts."""
    content = section.content_of(plan)
    tables = [(table, fill_rows(content, table, rows)) for table in section.tables]
    parts = []
    for table, table_rows in tables:
        names = budgeted_fields(table.formset.form)
        parts += [(row, names) for row in table_rows]
    own = [(content, budgeted_fields(section.form))]
    parts = parts + own if spread == "cells" else own + parts
    slots = _slots(parts)
    for (instance, name, *_), length in zip(slots, _lengths(slots, budget, spread), strict=True):
        setattr(instance, name, text(length))
    content.save()
    for table, table_rows in tables:
        names = budgeted_fields(table.formset.form)
        if names and table_rows:
            table.row_model._default_manager.bulk_update(table_rows, names)
    return {f"{section.key}.{table.name}": len(table_rows) for table, table_rows in tables}


def fill_plan(
    plan, *, rows: int = MAX_ROWS, spread: str = "long", budget: int = SECTION_TEXT
) -> dict[str, int]:
    """The plan at every limit; the number of rows of each table."""
    counts = {}
    for section in SECTIONS:
        counts |= fill_section(section, plan, rows=rows, spread=spread, budget=budget)
    return counts
