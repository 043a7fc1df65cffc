"""Filters for laying out a document in the section templates:
``{{ row|cell:"text" }}``, ``{{ chapter|fields:"location headcount" }}``,
``{% for code, label, rows in table|grouped:"kind" %}``."""

from django import template

register = template.Library()


@register.filter
def cell(row, name: str):
    """The row's cell of column ``name`` (None if the row has no such column)."""
    return row.by_name.get(name)


@register.filter
def fields(chapter, names: str) -> list:
    """The chapter's fields of these names (space-separated), in that order; names the
    document lacks are skipped."""
    by_name = {field.column.name: field for field in chapter.fields}
    return [by_name[name] for name in names.split() if name in by_name]


@register.filter
def filled(cells) -> list:
    """The cells that hold something."""
    return [one for one in cells if one.shown]


@register.filter
def grouped(table, name: str) -> list[tuple[object, str, list]]:
    """The rows grouped by their choice in column ``name``, in the order of the choices
    (every choice, even with no rows), then any code the column no longer describes."""
    column = next((c for c in table.columns if c.name == name), None)
    if column is None:
        return []
    groups = {code: (code, label, []) for code, label in column.choices}
    for row in table.rows:
        code = row.by_name[name].value
        groups.setdefault(code, (code, str(code), []))[2].append(row)
    return list(groups.values())
