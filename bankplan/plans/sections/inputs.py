"""The widgets of the section forms that read the way the screens write: a figure with
thousands separators and without a useless ".00", which accepts back what it shows (and
what a Chinese keyboard types: full-width digits, "，", "。"); and a one-line text box
that wraps a long name instead of cutting it.

Both work on the text alone: the form fields behind them (Django's decimal, integer and
char fields) check and convert as ever, so an amount stays a Decimal."""

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import partial

from django import forms
from django.utils import numberformat

# A figure as typed once full-width characters are folded: digits in groups of three
# separated by commas, or without separators, and an optional decimal part.
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
# Spaces a figure may carry: typed around it, or pasted from a sheet (no-break, thin).
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def plain_figure(text: str) -> str:
    """A typed figure as the form field reads it: ``"2,600.5"`` and ``"２，６００"`` give
    ``"2600.5"`` and ``"2600"``. Text that is no well-grouped figure comes back folded but
    otherwise as typed, for the field to refuse ("1,5" is not read as 15)."""
    folded = _SPACES.sub("", unicodedata.normalize("NFKC", text)).replace("。", ".")
    if "," in folded and _GROUPED.fullmatch(folded):
        return folded.replace(",", "")
    return folded


def grouped(value: Decimal, places: int) -> str:
    """``value`` with thousands separators and ``places`` decimals, the same separators in
    every language (as ``bankplan.lib.figures`` writes figures on the screens)."""
    return numberformat.format(
        value, ".", decimal_pos=places, grouping=3, thousand_sep=",", force_grouping=True
    )


def editable(value: Decimal | int, places: int = 2) -> str:
    """A figure as an input shows it: a whole number without decimals (``2,600``),
    otherwise with the field's ``places`` (``1,086.30`` 万元, ``16.7`` %)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return grouped(value, 0)
    return grouped(value, places)


def editable_ratio(value: Decimal | int) -> str:
    """A ratio as the screens write it: one decimal, two when the second is not zero."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return grouped(value, 0)
    return grouped(value, 1 if value == value.quantize(Decimal("0.1")) else 2)


class FigureInput(forms.TextInput):
    """A figure typed and shown as text: ``type=number`` would neither show separators
    nor accept them. ``unit`` is written beside the input (``row.html``)."""

    def __init__(self, attrs=None, *, write: Callable[[Decimal], str] = editable, unit=""):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})
        self.write, self.unit = write, unit

    def format_value(self, value):
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            try:
                return self.write(value)
            except (InvalidOperation, ValueError):
                pass
        return super().format_value(value)  # as typed, when shown back with an error

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return plain_figure(value) if isinstance(value, str) else value


def readable_figures(form: forms.BaseForm) -> None:
    """Every figure of ``form`` shown and read the way the screens write it."""
    for form_field in form.fields.values():
        if isinstance(form_field, forms.DecimalField | forms.IntegerField):
            places = getattr(form_field, "decimal_places", None) or 0
            form_field.widget = FigureInput(write=partial(editable, places=places))
            form_field.widget.is_required = form_field.required


class LineInput(forms.Textarea):
    """A one-line text (a name, a goal) in a table cell: it wraps and grows instead of
    cutting what does not fit (app.js keeps Enter from breaking the line). A line break
    pasted in is saved as a space."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 1, "data-single-line": "", **(attrs or {})})

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return _LINE_BREAKS.sub(" ", value) if isinstance(value, str) else value
