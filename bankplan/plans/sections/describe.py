"""A section's fields and table columns described as plain data: labels in every language
the app speaks, and a kind that says how a value is written.

A version's snapshot carries these descriptions beside its values, so it reads (and
diffs) in either language after the models have changed: nothing is looked up in
today's models when a version is shown.
"""

from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import translation
from django.utils.text import capfirst

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"  # with its "places"
    SHARE = "share"  # a percentage between 0 and 100
    CHOICE = "choice"  # the stored code; "choices" pairs each code with its labels
    BOOLEAN = "boolean"
    LINK = "link"  # another row of the plan, kept as its name in every language
    LINKS = "links"  # several rows, each kept as its name
    KPI_FIGURE = "kpi_figure"  # written the way the row's KPI is measured
    # the row's target less the one allocated to it, marked where it falls short in the
    # KPI's direction (``lib/figures.gap_in_measure``)
    KPI_GAP = "kpi_gap"


FIGURES = frozenset({Kind.INTEGER, Kind.DECIMAL, Kind.SHARE, Kind.KPI_FIGURE, Kind.KPI_GAP})


def in_languages(text: str | Callable[[], str]) -> dict[str, str]:
    """A translatable text (or a function making one) in every language:
    ``{"zh-hans": "本年目标", "en": "This year's target"}``."""
    texts = {}
    for code in LANGUAGES:
        with translation.override(code):
            texts[code] = str(text() if callable(text) else text)
    return texts


def _is_share(field: models.Field) -> bool:
    # A decimal capped at 100 is a percentage: shares, weights.
    return any(
        isinstance(validator, MaxValueValidator) and validator.limit_value == 100
        for validator in field.validators
    )


def kind_of(field: models.Field, *, kpi_row: bool = False) -> Kind:
    if field.many_to_many:
        return Kind.LINKS
    if field.is_relation:
        return Kind.LINK
    if field.choices:
        return Kind.CHOICE
    if isinstance(field, models.BooleanField):
        return Kind.BOOLEAN
    if isinstance(field, models.DecimalField):
        if kpi_row:
            return Kind.KPI_FIGURE
        return Kind.SHARE if _is_share(field) else Kind.DECIMAL
    if isinstance(field, models.IntegerField):
        return Kind.INTEGER
    if isinstance(field, models.TextField):
        return Kind.LONG_TEXT
    return Kind.TEXT


def describe_field(field: models.Field, *, kpi_row: bool = False, unit_from: str = "") -> dict:
    """What a reader needs to show a field's values without its model."""
    kind = kind_of(field, kpi_row=kpi_row)
    described = {
        "name": field.name,
        "label": in_languages(capfirst(field.verbose_name)),
        "kind": kind,
    }
    if kind == Kind.DECIMAL:
        described["places"] = field.decimal_places
    if kind == Kind.CHOICE:
        described["choices"] = [
            [code, in_languages(label)]
            for code, label in field.flatchoices
            if code not in ("", None)
        ]
    if unit_from:  # a figure counted in the unit another column names (万元, 户, 张 …)
        described["unit_from"] = unit_from
    return described


def in_languages_each(items: list, text_of: Callable) -> list[dict[str, str]]:
    """``in_languages(text_of(item))`` for every item, switching language once per
    language rather than once per item (a snapshot names hundreds of rows)."""
    texts = [{} for _item in items]
    for code in LANGUAGES:
        with translation.override(code):
            for found, item in zip(texts, items, strict=True):
                found[code] = str(text_of(item))
    return texts


def _links(objs: list[models.Model], field: models.Field, given: dict | None = None) -> list:
    """Each object's linked row (or rows) by name in every language; ``given``: an
    object's linked rows by its id, instead of its own."""
    if field.many_to_many:
        if given is not None:
            linked = [list(given.get(obj.pk, ())) for obj in objs]
        else:
            linked = [list(getattr(obj, field.name).all()) for obj in objs]
        names = iter(in_languages_each([item for items in linked for item in items], str))
        return [[next(names) for _item in items] for items in linked]
    linked = [getattr(obj, field.name) for obj in objs]
    names = iter(in_languages_each([item for item in linked if item is not None], str))
    return [None if item is None else next(names) for item in linked]


def plain_values(
    objs: list[models.Model], fields: list[models.Field], links: dict | None = None
) -> list[dict]:
    """The objects' values as JSON: text, a number as text, a choice's code, a linked
    row's name in every language. ``links``: a many-to-many field's linked rows by
    object id (field name -> id -> rows), where the objects' own are not to be read."""
    found = [{} for _obj in objs]
    links = links or {}
    for field in fields:
        if field.is_relation:
            column = _links(objs, field, links.get(field.name))
        else:
            column = [getattr(obj, field.name) for obj in objs]
            column = [str(v) if isinstance(v, Decimal) else v for v in column]
        for values, value in zip(found, column, strict=True):
            values[field.name] = value
    return found


def describe_kpis(kpis: list) -> list[dict]:
    """Each KPI row's KPI, enough to write its figures and draw it after the catalogue
    changes."""
    names = in_languages_each(kpis, lambda kpi: kpi.display_name)
    units = in_languages_each(kpis, lambda kpi: kpi.get_measure_display())
    return [
        {
            "code": kpi.code,
            "name": name,
            "measure": kpi.measure,
            "unit": unit,
            "direction": kpi.direction,
            "is_balance": kpi.is_balance,
        }
        for kpi, name, unit in zip(kpis, names, units, strict=True)
    ]
