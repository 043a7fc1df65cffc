"""``{{ field|column_class }}``: how wide a row table's column is, from the widget its
header names (app.css sizes each kind). A table is as wide as its columns' minimums, so
each gets what its content needs and no more: a select as wide as its longest choice, a
figure as wide as a bank's figures; text wraps and grows (see ``sections/inputs.py``)."""

import math

from django import forms, template

from bankplan.plans.sections.inputs import FigureInput, LineInput

register = template.Library()

SHORT_FIGURE = 5  # digits

# A select's width in rem: its longest choice (a CJK character is 1em of the .875rem
# text, other characters about .55em), plus its padding, arrow, border and cell padding
# (2.875rem); capped, a longer choice is cut only in its closed box.
SELECT_TEXT_REM = 0.875
SELECT_FRAME_REM = 2.875
SELECT_MIN_REM, SELECT_MAX_REM = 4, 11  # app.css has a rule for each width between


@register.filter
def column_class(bound_field) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, FigureInput):
        # A share or weight (at most 100.0) needs half the room of an amount.
        short = (getattr(bound_field.field, "max_digits", None) or SHORT_FIGURE + 1) <= SHORT_FIGURE
        return "col-figure col-figure-short" if short else "col-figure"
    if isinstance(widget, LineInput):
        return "col-line"
    if isinstance(widget, forms.Textarea):
        return "col-text"
    if isinstance(widget, forms.CheckboxInput):
        return "col-check"
    if isinstance(widget, forms.SelectMultiple):
        return "col-choices"
    if isinstance(widget, forms.Select):
        return f"col-choice-{select_rem(bound_field.field.choices)}"
    return "col-short"


def select_rem(choices) -> int:
    longest = max((_text_em(str(label)) for _value, label in choices), default=0)
    wanted = math.ceil(longest * SELECT_TEXT_REM + SELECT_FRAME_REM)
    return max(SELECT_MIN_REM, min(SELECT_MAX_REM, wanted))


def _text_em(text: str) -> float:
    return sum(1 if ord(char) >= 0x2E80 else 0.55 for char in text)
