"""Section 2, SWOT (优势、劣势、机会、威胁) and the strategies drawn from it."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import (
    Priority,
    RowForm,
    RowFormSet,
    Section,
    SectionContent,
    SectionForm,
    Table,
    long_text,
    row_formset,
    row_text,
)


class Swot(SectionContent):
    summary = long_text(
        _("summary"),
        blank=True,
        help_text=_("Optional: the two or three conclusions the branch draws from its SWOT."),
    )

    class Meta:
        verbose_name = _("SWOT analysis")
        verbose_name_plural = _("SWOT analyses")


class ItemKind(models.TextChoices):
    STRENGTH = "S", _("Strength")
    WEAKNESS = "W", _("Weakness")
    OPPORTUNITY = "O", _("Opportunity")
    THREAT = "T", _("Threat")


class SwotItem(models.Model):
    Kind = ItemKind

    swot = models.ForeignKey(
        Swot, on_delete=models.CASCADE, related_name="items", verbose_name=_("SWOT analysis")
    )
    kind = models.CharField(_("kind"), max_length=1, choices=Kind.choices)
    text = row_text(_("text"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )

    class Meta:
        verbose_name = _("SWOT item")
        verbose_name_plural = _("SWOT items")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ItemKind.values), name="swot_item_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="swot_item_priority_valid"
            ),
        ]

    def __str__(self):
        return f"{self.kind}: {self.short_text}"

    @property
    def short_text(self) -> str:
        return self.text if len(self.text) <= 30 else self.text[:29] + "…"


class StrategyKind(models.TextChoices):
    SO = "SO", _("SO: use a strength to seize an opportunity")
    ST = "ST", _("ST: use a strength to counter a threat")
    WO = "WO", _("WO: use an opportunity to overcome a weakness")
    WT = "WT", _("WT: reduce a weakness to avoid a threat")


class SwotStrategy(models.Model):
    Kind = StrategyKind

    swot = models.ForeignKey(
        Swot, on_delete=models.CASCADE, related_name="strategies", verbose_name=_("SWOT analysis")
    )
    kind = models.CharField(_("kind"), max_length=2, choices=Kind.choices)
    text = row_text(_("strategy"))
    items = models.ManyToManyField(
        SwotItem, verbose_name=_("items combined"), related_name="strategies", blank=True
    )

    class Meta:
        verbose_name = _("SWOT strategy")
        verbose_name_plural = _("SWOT strategies")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=StrategyKind.values), name="swot_strategy_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.kind}: {self.text[:30]}"


def plan_strategies(plan) -> models.QuerySet:
    """The plan's SWOT strategies, what its actions (products, activities, task-force
    targets, trainings) say they carry out."""
    return SwotStrategy.objects.filter(swot__plan=plan)


class SwotForm(SectionForm):
    class Meta:
        model = Swot
        fields = ["summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class SwotItemForm(RowForm):
    class Meta:
        model = SwotItem
        fields = ["kind", "text", "priority"]


class SwotStrategyForm(RowForm):
    """A strategy may only combine saved items of the two kinds its own kind names."""

    class Meta:
        model = SwotStrategy
        fields = ["kind", "text", "items"]
        widgets = {"items": forms.SelectMultiple(attrs={"size": 4})}

    def clean(self):
        cleaned = super().clean()
        kind, items = cleaned.get("kind"), cleaned.get("items")
        if kind and items:
            wrong = [item for item in items if item.kind not in kind]
            if wrong:
                self.add_error(
                    "items",
                    forms.ValidationError(
                        _("A %(kind)s strategy combines only “%(first)s” and “%(second)s” items."),
                        code="wrong_item_kind",
                        params={
                            "kind": kind,
                            "first": ItemKind(kind[0]).label,
                            "second": ItemKind(kind[1]).label,
                        },
                    ),
                )
        return cleaned


class SwotStrategyFormSet(RowFormSet):
    def choice_querysets(self):
        return {"items": SwotItem.objects.filter(swot=self.instance)}


SECTION = Section(
    key="swot",
    title=_("SWOT analysis"),
    model=Swot,
    form=SwotForm,
    tables=(
        Table(
            "items",
            row_formset(Swot, SwotItem, SwotItemForm),
            _("Strengths, weaknesses, opportunities and threats"),
            _("Short and specific, one point per row."),
            shown_as=(("priority", "badge"),),
        ),
        Table(
            "strategies",
            row_formset(Swot, SwotStrategy, SwotStrategyForm, SwotStrategyFormSet),
            _("Strategies (SO / ST / WO / WT)"),
            _("Items added above can be linked once the page has been saved."),
            related=("items",),
            shown_as=(("kind", "code"),),
        ),
    ),
)
