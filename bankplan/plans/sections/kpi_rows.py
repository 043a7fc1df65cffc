"""Tables with exactly one row per KPI of the plan's catalogue (last year's results,
this year's targets). Rows are never added or removed by hand: the catalogue decides."""

from decimal import Decimal

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..models import Kpi
from .base import LoadedChoiceField, RowForm, RowFormSet
from .inputs import FigureInput, editable, editable_ratio


class KpiRow(models.Model):
    """Abstract row holding figures for one catalogue KPI."""

    kpi = models.ForeignKey(
        "plans.Kpi", verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


WHOLE_NUMBER_MEASURES = {"customers", "cards"}


class KpiRowForm(RowForm):
    """The KPI is fixed (a hidden field); its figures must suit its unit."""

    # One of the plan's catalogue, loaded once by the formset.
    kpi = LoadedChoiceField(Kpi.objects.all(), label=_("KPI"), widget=forms.HiddenInput)

    # Shown beside the KPI where the author sets this year's figures. Not named after a
    # field: templates look up form["name"] before form.name.
    last_year_actual = None
    allocated_target = None  # and the target allocated from above, and the saved
    against_allocation = None  # target against it (``products.AllocationGap``)
    official_actual = None  # last year's official figure, and how far the saved one
    against_official = None  # is from it (``background.LastYearResultForm``)

    def show_in_unit(self, kpi) -> None:
        """The row's figures written as the screens write its KPI's (a ratio as entered,
        a count whole) with the KPI's unit beside each input."""
        self.catalogue_kpi = kpi
        if kpi is None:
            return
        write = editable_ratio if kpi.measure == Kpi.Measure.PERCENT else editable
        for form_field in self.fields.values():
            if isinstance(form_field.widget, FigureInput):
                form_field.widget.write = write
                form_field.widget.unit = kpi.get_measure_display()

    def clean(self):
        cleaned = super().clean()
        kpi = cleaned.get("kpi")
        if kpi is None:
            return cleaned
        for name, value in list(cleaned.items()):
            if isinstance(value, Decimal) and (error := figure_error(kpi, value)):
                self.add_error(name, error)
        return cleaned


def figure_error(kpi, value: Decimal) -> forms.ValidationError | None:
    """What is wrong with ``value`` as a figure of ``kpi``, if anything: customers and
    cards are counted whole, a percentage lies between 0 and 100, nothing is negative.
    Shared by the plan's KPI tables and the targets head office allocates."""
    if kpi.measure in WHOLE_NUMBER_MEASURES and value != value.to_integral_value():
        return forms.ValidationError(
            _("%(kpi)s is counted in whole %(unit)s."),
            code="whole_number",
            params={"kpi": kpi.display_name, "unit": kpi.get_measure_display()},
        )
    if kpi.measure == "percent" and not 0 <= value <= 100:
        return forms.ValidationError(
            _("A percentage lies between 0 and 100."), code="percent_range"
        )
    if value < 0:
        return forms.ValidationError(_("Enter a figure of zero or more."), code="negative")
    return None


class KpiRowFormSet(RowFormSet):
    """Existing rows in catalogue order, plus a blank row for any KPI added to the
    catalogue since the plan was started."""

    def __init__(self, data=None, *, instance, **kwargs):
        self.catalogue = instance.plan.cycle.kpis.all()
        kpis = list(self.catalogue)  # read once: also what the hidden KPI field accepts
        self.kpis_by_id = {kpi.pk: kpi for kpi in kpis}
        rows = self.model.objects.filter(**{self.fk.name: instance})
        have = set(rows.values_list("kpi_id", flat=True)) if instance.pk else set()
        missing = [kpi for kpi in kpis if kpi.pk not in have]
        self.extra = len(missing)
        kwargs["initial"] = [{"kpi": kpi.pk} for kpi in missing]
        kwargs["queryset"] = self.model.objects.filter(kpi__in=kpis).order_by(
            "kpi__position", "kpi__pk"
        )
        super().__init__(data, instance=instance, **kwargs)

    def choice_querysets(self):
        return {"kpi": self.catalogue}

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        kpi_id = form.instance.kpi_id if form.instance.pk else form.initial.get("kpi")
        form.show_in_unit(self.kpis_by_id.get(kpi_id))
        return form
