"""A section's text budget: the characters an author may type into one section, its own
fields and every row of its tables together.

The field limits alone (LONG_TEXT, ROW_TEXT, MAX_ROWS) allowed a plan far longer than
WeasyPrint can set within PDF_TIMEOUT: every table at MAX_ROWS rows of ROW_TEXT
characters is over a million characters. The budget bounds the whole section, so a plan
the forms accept always becomes a PDF in time, and rendering.MAX_CHARACTERS (the last
guard, above the sum of the budgets and the document's own text) never refuses it.

Measured with benchmarks/worst_case_pdf.py on the 2-core machine (WeasyPrint 70; the
machine shared with other test runs, so the best of several runs is the cleanest):
- before: every table at 100 rows and at most 20,000 characters a section, the texts in
  the tables first: 42.7 s for one render (246 pages); every table at 100 rows of
  one-character texts took some 20 s on its own (rows cost time whatever their text,
  some 13 ms a row), and 70,000 characters more cost some 6 s;
- so MAX_ROWS is 50 (was 100) and SECTION_TEXT 12,000: the worst case the forms accept
  (734 rows, 84,000 typed characters, 143 pages) renders in 13-29 s alone (13.3 s on a
  quiet machine, 29.2 s on a busy one) and in 30-44 s with a second one rendering at
  once (PDF_WORKERS is 2), against PDF_TIMEOUT 60 s; 15,000 characters a section took
  28.5 s alone and 52 s two at once, too close to the limit. In English (longer labels)
  20-21 s.
12,000 characters is some twelve printed pages of Chinese: three full narratives
(LONG_TEXT) in one section, or two and a dozen long rows.

What counts: every text an author types (a CharField or TextField of the section form
or of a row form, not a choice), as it will be stored: the posted value of every row
kept, plus the stored rows the form did not post (added by a colleague meanwhile), less
the rows being removed.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import ngettext

# Characters of typed text in one section, its tables included.
SECTION_TEXT = 12_000


def budgeted_fields(form_class: type[forms.ModelForm]) -> list[str]:
    """The form's fields an author types text into (not a choice, not a figure)."""
    opts = form_class._meta.model._meta
    names = []
    for name in form_class._meta.fields or ():
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:  # a form-only field
            continue
        chosen = isinstance(form_class.base_fields.get(name), forms.ChoiceField)  # among names
        if isinstance(field, models.CharField | models.TextField) and not (field.choices or chosen):
            names.append(name)
    return names


def stored_length(instance: models.Model, names: list[str]) -> int:
    return sum(len(getattr(instance, name) or "") for name in names)


def posted_length(form: forms.BaseForm, names: list[str]) -> int:
    """The characters the form's posted values will store (as the field cleans them:
    stripped), valid or not: a refused value still tells how long the section is."""
    total = 0
    for name in names:
        if name not in form.fields:
            continue
        try:
            value = form.fields[name].to_python(form[name].data)
        except forms.ValidationError:
            value = form[name].data
        total += len(value) if isinstance(value, str) else 0
    return total


def _posted_for_deletion(formset, form) -> bool:
    return bool(formset.can_delete and form[forms.formsets.DELETION_FIELD_NAME].data)


def table_length(formset) -> int:
    """The characters of the table's rows once the save applies."""
    names = budgeted_fields(formset.form)
    pk_name = formset.model._meta.pk.name
    total, posted_ids = 0, set()
    for form in formset.forms:
        if pk_name in form.fields:
            posted_ids.add(str(form[pk_name].data or ""))
        if _posted_for_deletion(formset, form):
            continue
        total += posted_length(form, names)
    if formset.instance.pk is not None and hasattr(formset, "_rows_by_key"):
        for key, row in formset._rows_by_key().items():  # loaded once, no query
            if key not in posted_ids:
                total += stored_length(row, names)
    return total


def section_length(form: forms.BaseForm, formsets) -> int:
    """The characters a bound section form and its tables will store."""
    total = posted_length(form, budgeted_fields(type(form)))
    return total + sum(table_length(formset) for formset in formsets)


def content_length(section, content) -> int:
    """The characters a stored section holds (its fields and all its rows)."""
    total = stored_length(content, budgeted_fields(section.form))
    for table in section.tables:
        names = budgeted_fields(table.formset.form)
        total += sum(stored_length(row, names) for row in table.rows(content))
    return total


def check_budget(form: forms.BaseForm, formsets) -> None:
    """Refuse, as the section form's own error, a section over its budget."""
    length = section_length(form, formsets)
    if length <= SECTION_TEXT:
        return
    excess = length - SECTION_TEXT
    message = ngettext(
        "This section holds %(length)s characters of text, more than the %(limit)s one "
        "section may hold so that the plan can still be printed. Shorten it by %(excess)s "
        "character: its texts and the texts in all its tables count together. Nothing "
        "has been saved; your input is shown below.",
        "This section holds %(length)s characters of text, more than the %(limit)s one "
        "section may hold so that the plan can still be printed. Shorten it by %(excess)s "
        "characters: its texts and the texts in all its tables count together. Nothing "
        "has been saved; your input is shown below.",
        excess,
    ) % {
        "length": number_format(length, force_grouping=True),
        "limit": number_format(SECTION_TEXT, force_grouping=True),
        "excess": number_format(excess, force_grouping=True),
    }
    raise forms.ValidationError(message, code="section_too_long")
