"""A snapshot read as a document in one language.

Labels, kinds and choices come from the snapshot itself (upgraded first if it is older),
never from today's models, so a version made before a model changed still reads. From
today's code the reader takes only the order and templates of the sections, and the
columns worked out when shown (``Table.derived``).
"""

from dataclasses import replace

from django.utils import translation

from bankplan.plans.sections.describe import Kind
from bankplan.plans.sections.registry import SECTIONS

from . import values
from .document import Cell, Chapter, Column, Document, Facts, Kpi, Row, Table, pick
from .snapshot import SCHEMA, upgrade

_BY_KEY = {section.key: section for section in SECTIONS}
_OTHERS_TEMPLATE = "plans/sections/parts/others.html"  # a section today's plan lacks


def read(
    snapshot: dict,
    *,
    language: str,
    facts: Facts | None = None,
) -> Document:
    """The document of ``snapshot``, its chapters not yet checked (``findings`` None)."""
    snapshot = upgrade(snapshot)
    sections = snapshot.get("sections", {})
    keys = [s.key for s in SECTIONS if s.key in sections]
    keys += [key for key in sections if key not in _BY_KEY]
    with translation.override(language):
        chapters = tuple(
            _chapter(number, key, sections[key], language)
            for number, key in enumerate(keys, start=1)
        )
        catalogue = tuple(_kpi(kpi, language) for kpi in snapshot.get("catalogue", ()))
    return Document(facts or Facts(), chapters, language, catalogue)


def read_chapter(key: str, state: dict, *, language: str) -> Chapter:
    """One section's state (``Section.snapshot`` data: a save the audit log kept, the
    step being edited) read as a chapter."""
    document = read({"schema": SCHEMA, "plan": {}, "sections": {key: state}}, language=language)
    return document.chapters[0]


_SHAPES = {Kind.LONG_TEXT: "long", Kind.LINKS: "items", Kind.BOOLEAN: "boolean"}


def _column(meta: dict, language: str, shown_as: dict[str, str] | None = None) -> Column:
    kind = meta.get("kind", Kind.TEXT)
    return Column(
        name=meta["name"],
        label=pick(meta.get("label"), language) or meta["name"],
        kind=kind,
        places=meta.get("places", 2),
        choices=tuple((code, pick(labels, language)) for code, labels in meta.get("choices", ())),
        unit_from=meta.get("unit_from", ""),
        shape=(shown_as or {}).get(meta["name"]) or _SHAPES.get(kind, ""),
    )


def _cell(column: Column, value, language: str, kpi: Kpi | None = None, unit=None) -> Cell:
    shown = values.shown(column, value, language=language, kpi=kpi, unit=unit)
    items = tuple(values.linked(value, language)) if column.kind == Kind.LINKS else ()
    return Cell(column, value, shown, items, values.falls_short(column, value, kpi))


def _kpi(stored: dict | None, language: str) -> Kpi | None:
    if not stored:
        return None
    return Kpi(
        code=stored.get("code", ""),
        name=pick(stored.get("name"), language),
        measure=stored.get("measure", ""),
        unit=pick(stored.get("unit"), language),
        direction=stored.get("direction", ""),
        is_balance=bool(stored.get("is_balance")),
    )


def _row(stored: dict, columns: list[tuple], language: str, marked_by="") -> Row:
    """``columns``: (column, compute) pairs; compute is None for a stored column."""
    kpi = _kpi(stored.get("kpi"), language)
    stored_values = stored.get("values", {})
    cells = []
    for column, compute in columns:
        if compute is not None:
            value = compute(stored_values, stored.get("kpi"))
            cells.append(_cell(column, value, language, kpi))
            continue
        unit = stored_values.get(column.unit_from) if column.unit_from else None
        cells.append(_cell(column, stored_values.get(column.name), language, kpi, unit or None))
    label = pick(stored.get("labels"), language) or stored.get("label", "")
    marked = bool(marked_by and stored_values.get(marked_by))
    return Row(str(stored["key"]), label, tuple(cells), kpi, marked)


def _computed(derived, row: dict):
    return derived.compute(row.get("values", {}), row.get("kpi"))


def _table(meta: dict, rows: list[dict], descriptor, language: str) -> Table:
    shown_as = dict(descriptor.shown_as) if descriptor else {}
    columns = [_column(column, language, shown_as) for column in meta.get("columns", [])]
    derived = descriptor.derived if descriptor else ()
    hidden = {c.unit_from for c in columns if c.unit_from}  # written beside their figure
    hidden |= {c.name for c in columns if c.shape == "note"}  # written under the table
    hidden |= {name for d in derived for name in d.replaces}
    columns = [(replace(c, merged=True) if c.name in hidden else c, None) for c in columns]
    for d in derived:
        if d.optional and not any(_computed(d, row) is not None for row in rows):
            continue
        column = (Column(d.name, str(d.label), d.kind, derived=True), d.compute)
        names = [c.name for c, _compute in columns]
        if d.after in names:
            at = names.index(d.after) + 1
        else:
            at = min((names.index(n) for n in d.replaces if n in names), default=len(columns))
        columns.insert(at, column)
    stored = {c.name for c, compute in columns if compute is None}
    known = descriptor is not None and stored <= set(descriptor.columns)
    return Table(
        name=meta["name"],
        title=pick(meta.get("title"), language) or meta["name"],
        columns=tuple(column for column, _compute in columns),
        rows=tuple(
            _row(row, columns, language, descriptor.marked_by if descriptor else "") for row in rows
        ),
        kpi=bool(meta.get("kpi")),
        known=known,
    )


def _chapter(number: int, key: str, data: dict, language: str) -> Chapter:
    descriptor = _BY_KEY.get(key)
    meta = data.get("meta", {})
    stored = data.get("fields", {})
    described = {column["name"]: column for column in meta.get("fields", [])}
    names = [name for name in described if name in stored]
    names += [name for name in stored if name not in described]
    fields = tuple(
        _cell(_column(described.get(name, {"name": name}), language), stored[name], language)
        for name in names
    )
    rows = data.get("tables", {})
    today = {table.name: table for table in descriptor.tables} if descriptor else {}
    metas = {table["name"]: table for table in meta.get("tables", [])}
    metas |= {name: {"name": name} for name in rows if name not in metas}
    tables = tuple(
        _table(table, rows.get(name, []), today.get(name), language)
        for name, table in metas.items()
    )
    if descriptor:
        template = descriptor.display_template
        known = frozenset(descriptor.field_names) | frozenset(today)
    else:
        template, known = _OTHERS_TEMPLATE, frozenset()
    return Chapter(
        number=number,
        key=key,
        title=pick(data.get("title"), language) or (str(descriptor.title) if descriptor else key),
        fields=fields,
        tables=tables,
        template=template,
        known=known,
    )
