"""The notice on a rolled-forward plan: what was not carried over, in the reader's
language, section by section."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bankplan.plans.sections.registry import SECTIONS

from .carry import Why


@dataclass(frozen=True)
class SectionNotes:
    title: str  # "4. Products and business targets"
    lines: list[str]


def _in_reader_language(names: dict[str, str]) -> str:
    if not names:
        return ""
    return (
        names.get(get_language() or "")
        or names.get(settings.LANGUAGE_CODE)
        or next(iter(names.values()))
    )


def _line(section, item: dict) -> str:
    tables = {table.name: table for table in section.tables}
    table = tables.get(item.get("table", ""))
    model = table.row_model if table else section.model
    place = str(table.title) if table else str(section.title)
    row, value = _in_reader_language(item.get("row", {})), _in_reader_language(item["value"])
    column = item.get("column", "")
    names = {"place": place, "row": row, "value": value}
    if column:
        names["field"] = model._meta.get_field(column).verbose_name
        if item["why"] == Why.KPI:
            message = _(
                "%(place)s · %(row)s: %(field)s “%(value)s” is not in this cycle's KPI "
                "catalogue; left empty."
            )
        elif row:
            message = _(
                "%(place)s · %(row)s: %(field)s “%(value)s” is no longer a choice; left empty."
            )
        else:
            message = _("%(place)s: %(field)s “%(value)s” is no longer a choice; left empty.")
    elif item["why"] == Why.KPI and row == value:  # a KPI's own row (a target)
        message = _(
            "%(place)s: “%(value)s” is not in this cycle's catalogue; its row was not carried over."
        )
    elif item["why"] == Why.KPI:
        message = _(
            "%(place)s: “%(row)s” not carried over: KPI “%(value)s” is not in this cycle's "
            "catalogue."
        )
    elif item["why"] == Why.CHOICE:
        message = _("%(place)s: “%(row)s” not carried over: “%(value)s” is no longer a choice.")
    else:
        message = _("%(place)s: “%(row)s” not carried over: the table was over its row limit.")
    return message % names


def notes(dropped: list[dict]) -> list[SectionNotes]:
    """What was dropped, by section in the plan's order."""
    found = []
    for section in SECTIONS:
        lines = [_line(section, item) for item in dropped if item["section"] == section.key]
        if lines:
            found.append(SectionNotes(f"{section.number}. {section.title}", lines))
    return found
