"""What a refused save lists at the top of a section page: every bad value, where it is
(the section or table, the row, the field) and the id of the input to go to."""

from dataclasses import dataclass

from django.forms.forms import NON_FIELD_ERRORS
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Problem:
    place: str  # the section's or the table's title
    row: str  # "Row 3", or the KPI a fixed table's row stands for; "" for the section form
    label: str  # the field's label; "" for a problem of the whole row or table
    message: str
    anchor: str  # the id of the element to go to


def problems(section, form, tables) -> list[Problem]:
    """The bad values of a bound section form and its tables, in page order."""
    found = _form_problems(form, str(section.title), row="", fallback="section-fields")
    for table, formset in tables:
        title = str(table.title)
        found += [Problem(title, "", "", str(e), table.name) for e in formset.non_form_errors()]
        for index, row in enumerate(formset.forms):
            if formset.can_delete and formset._should_delete_form(row):
                continue  # a row being removed is not checked
            kpi = getattr(row, "catalogue_kpi", None)
            label = kpi.display_name if kpi else _("Row %(number)d") % {"number": index + 1}
            first = next((row[name].auto_id for name in row.fields if not row[name].is_hidden), "")
            found += _form_problems(row, title, row=label, fallback=first or table.name)
    return found


def _form_problems(form, place: str, *, row: str, fallback: str) -> list[Problem]:
    found = []
    for name, messages in form.errors.items():
        field = form[name] if name != NON_FIELD_ERRORS else None
        visible = field is not None and not field.is_hidden
        for message in messages:
            found.append(
                Problem(
                    place,
                    row,
                    str(field.label) if visible else "",
                    message,
                    field.auto_id if visible else fallback,
                )
            )
    return found
