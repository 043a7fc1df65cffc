"""What every rule family reads from a document, and how its messages name things.

Values are as a snapshot stores them (``documents/snapshot.py``): text, figures as text,
choice codes, booleans, linked rows as their names. A section, field or table a snapshot
lacks (an older version, a plan without the section) reads as empty.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bankplan.documents.document import Chapter, Document, Row, Table


def chapter(document: Document, key: str) -> Chapter | None:
    return document.chapter(key)


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


def number(stored) -> Decimal | None:
    """A figure as stored (text), as a Decimal; None when empty or not a figure."""
    if stored is None or stored == "":
        return None
    try:
        return Decimal(str(stored))
    except InvalidOperation:
        return None


def links(row: Row, name: str) -> tuple[str, ...]:
    """The names of the rows a link column of ``row`` points to."""
    cell = row.by_name.get(name)
    return cell.items if cell else ()


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
