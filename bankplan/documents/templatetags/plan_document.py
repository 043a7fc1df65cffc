"""Filters for laying out a document in the section templates:
``{{ cell|table_cell:"td" }}``, ``{{ row|cell:"text" }}``,
``{{ chapter|fields:"location headcount" }}``,
``{% for code, label, rows in table|grouped:"kind" %}``."""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

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


@register.filter
def table_cell(cell, tag: str = "td") -> SafeString:
    """One cell of a plan table, ``<td>`` or ``<th scope="row">`` (a row's first cell),
    laid out by its column's shape; made here rather than in a template because a plan
    has hundreds of cells (as the admin builds its change-list cells)."""
    column = cell.column
    shape = column.shape
    if shape == "boolean":
        inner = format_html(
            '<span aria-hidden="true">{}</span><span class="visually-hidden">{}</span>',
            "✓" if cell.value else "–",
            cell.shown,
        )
    elif not cell.shown:
        inner = "–"
    elif shape == "long":
        inner = linebreaksbr(cell.shown, autoescape=True)
    elif shape == "items":
        items = format_html_join("", "<li>{}</li>", ((item,) for item in cell.items))
        inner = format_html('<ul class="list-unstyled mb-0">{}</ul>', items)
    elif shape == "badge":
        inner = render_to_string(
            "plans/includes/priority_badge.html", {"priority": cell.value, "label": cell.shown}
        )
    elif shape == "code":
        inner = format_html('<abbr title="{}">{}</abbr>', cell.shown, cell.value)
    else:
        inner = escape(cell.shown)
    if tag == "th":
        return format_html('<th scope="row" class="fw-normal">{}</th>', inner)
    if cell.short:
        return format_html(
            '<td class="{} text-danger fw-semibold">{}</td>', column.cell_class, inner
        )
    if column.cell_class:
        return format_html('<td class="{}">{}</td>', column.cell_class, inner)
    return format_html("<td>{}</td>", inner)
