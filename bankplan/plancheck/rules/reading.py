"""What every rule family reads from a document, and how its messages name things.

Values are as a snapshot stores them (``documents/snapshot.py``): text, figures as text,
choice codes, booleans, linked rows as their names. A section, field or table a snapshot
lacks (an older version, a plan without the section) reads as empty.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bankplan.documents.document import Document, Kpi, Row, Table
from bankplan.documents.values import number


def table(document: Document, section: str, name: str) -> Table | None:
    found = document.chapter(section)
    return next((t for t in found.tables if t.name == name), None) if found else None


def rows(document: Document, section: str, name: str) -> tuple[Row, ...]:
    found = table(document, section, name)
    return found.rows if found else ()


def field(document: Document, section: str, name: str):
    """A section field's stored value; None when the snapshot has no such field."""
    found = document.chapter(section)
    cell = found.parts.get(name) if found else None
    return getattr(cell, "value", None)


def value(row: Row, name: str):
    cell = row.by_name.get(name)
    return cell.value if cell else None


def text(stored) -> str:
    return str(stored).strip() if stored is not None else ""


@dataclass(frozen=True)
class KpiFigures:
    """One catalogue KPI's figures across the plan: last year's actual (background;
    official where there is one), this year's target, the reason given for it and the
    target allocated from above (products and targets)."""

    kpi: Kpi
    last: Decimal | None = None
    target: Decimal | None = None
    allocated: Decimal | None = None
    reason: str = ""


def last_actual(result: Row | None) -> Decimal | None:
    """Last year's actual in a background results row: the bank's official figure where
    head office imported one (kept beside the row, ``background.official_actuals``),
    otherwise the one the branch typed."""
    if result is None:
        return None
    official = number(value(result, "official"))
    return official if official is not None else number(value(result, "last_actual"))


def kpi_figures(document: Document) -> dict[str, KpiFigures]:
    """Each KPI's figures by code, in catalogue order (an older snapshot without the
    catalogue: the KPIs its target rows name)."""
    targets = {row.kpi.code: row for row in rows(document, "products", "targets") if row.kpi}
    results = {row.kpi.code: row for row in rows(document, "background", "results") if row.kpi}
    catalogue = document.catalogue or tuple(row.kpi for row in targets.values())
    found = {}
    for kpi in catalogue:
        target, result = targets.get(kpi.code), results.get(kpi.code)
        found[kpi.code] = KpiFigures(
            kpi=kpi,
            last=last_actual(result),
            target=number(value(target, "target")) if target else None,
            allocated=number(value(target, "allocated")) if target else None,
            reason=text(value(target, "reason")) if target else "",
        )
    return found


def kpi_named(document: Document, name: str) -> Kpi | None:
    """The catalogue KPI a link names (a link keeps the KPI's name, not its code)."""
    known = document.catalogue or tuple(row.kpi for row in document.kpi_rows)
    return next((kpi for kpi in known if kpi.name == name), None)


def links(row: Row, name: str) -> tuple[str, ...]:
    """The names of the rows a link column of ``row`` points to: several for a
    many-to-many column, the one a foreign key names (as the reader shows it)."""
    cell = row.by_name.get(name)
    if cell is None:
        return ()
    return cell.items or ((cell.shown,) if cell.shown else ())


def link(row: Row, name: str) -> str:
    """The name of the row a single-link column of ``row`` points to; "" for none."""
    return next(iter(links(row, name)), "")


def has_column(document: Document, section: str, name: str, column: str) -> bool:
    """Whether the table has the column: a version frozen before the column existed
    cannot be asked about it (it would read as linking nothing)."""
    found = table(document, section, name)
    return found is not None and any(c.name == column for c in found.columns)


def short(words: str) -> str:
    """A row's text cut to what a message can quote."""
    return words if len(words) <= 30 else words[:29] + "…"


def quoted(words: str) -> str:
    return f"“{words}”"  # the quotation marks both languages use


def either(first: str, second: str | None = None) -> str:
    if second is None:
        return first
    return _("%(first)s or %(second)s") % {"first": first, "second": second}


def all_of(texts: list[str]) -> str:
    """“A”, “B” and “C”; “A”、“B”和“C” (Django's get_text_list spaces Chinese words)."""
    *others, last = texts
    if not others:
        return last
    joined = pgettext("between the items of a list", ", ").join(others)
    return _("%(items)s and %(last)s") % {"items": joined, "last": last}
