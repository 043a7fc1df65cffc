"""Copying last year's plan into this year's: every section's narrative and rows, walked
from the section registry, with the links between rows pointing at the new rows.

A row keeps what still fits the new cycle. A KPI is the new catalogue's KPI of the same
code; a choice must still be one of its field's choices. What no longer fits is dropped
and listed (``Dropped``): a link that may be empty is emptied (a product line's KPI, set
to null when a KPI goes, as its ``on_delete`` says), a row that cannot stand without it
is left out (a target for a KPI that is gone). A table with its own start (last year's
targets becoming this year's baseline) says so on its descriptor (``Table.roll_forward``).

Each table is written with one insert, each many-to-many column with one more, whatever
the rows: a plan costs the same number of queries however long it is.
"""

from dataclasses import asdict, dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from bankplan.plans.models import Kpi, Plan
from bankplan.plans.sections.base import SectionContent, Table
from bankplan.plans.sections.describe import in_languages
from bankplan.plans.sections.registry import SECTIONS

ROW_MODELS = frozenset(table.row_model for section in SECTIONS for table in section.tables)


class Why:
    """Why something was not carried over (kept as data: read in any language)."""

    KPI = "kpi"  # its KPI is not in the new cycle's catalogue
    CHOICE = "choice"  # the choice no longer exists
    LIMIT = "limit"  # the table was over its row limit
    LINK = "link"  # the row it must point to was not carried over


@dataclass(frozen=True)
class Dropped:
    """One thing not carried over: a row (``column`` empty) or one value of a row or of
    the section's own fields (``table`` empty)."""

    section: str
    why: str
    table: str = ""
    column: str = ""
    row: dict[str, str] = field(default_factory=dict)  # its name in every language
    value: dict[str, str] = field(default_factory=dict)  # what it held, in every language

    def as_data(self) -> dict:
        return asdict(self)


class _Lost(Exception):
    """A value that does not fit the new cycle, in a column that cannot be left empty."""


def successors(cycle) -> dict[str, Kpi]:
    """``cycle``'s KPIs by the codes an earlier cycle knew them by: their own, and the
    code a KPI took the place of (``Kpi.previous_code``) unless that code is still in the
    catalogue itself."""
    kpis = list(Kpi.objects.filter(cycle=cycle))
    renamed = {kpi.previous_code: kpi for kpi in kpis if kpi.previous_code}
    return renamed | {kpi.code: kpi for kpi in kpis}


class Carrier:
    """Copies ``source`` (read by ``load_plan``) into ``plan``, just created and empty."""

    def __init__(self, source: Plan, plan: Plan):
        self.source, self.plan = source, plan
        new = successors(plan.cycle_id)
        self.old_kpis = {kpi.pk: kpi for kpi in source.cycle.kpis.all()}
        self.kpis = {pk: new.get(kpi.code) for pk, kpi in self.old_kpis.items()}
        # Row model -> last year's row id -> its copy's id.
        self.copies: dict[type[models.Model], dict[int, int]] = {}
        self.dropped: list[Dropped] = []

    def carry(self) -> dict[str, SectionContent]:
        """Write every section; its content by section key."""
        contents = {}
        for section in SECTIONS:
            old = section.content_of(self.source)
            content = section.model(plan=self.plan)
            for name in section.field_names:
                model_field = section.model._meta.get_field(name)
                try:
                    value = self._value(model_field, getattr(old, model_field.attname))
                except _Lost as lost:
                    self._drop(section.key, lost.args[0], column=name, value=lost.args[1])
                    value = model_field.get_default()
                setattr(content, model_field.attname, value)
            content.save()
            contents[section.key] = content
            for table in section.tables:
                self._carry_table(section.key, table, old, content)
        return contents

    def _carry_table(self, key: str, table: Table, old, content) -> None:
        model, parent = table.row_model, table.formset.fk
        rows = table.roll_forward(self.source) if table.roll_forward else table.rows(old)
        for row in rows[table.formset.max_num :]:  # a table stored before its limit
            self._drop(key, Why.LIMIT, table=table.name, row=self._label(table, row))
        columns = [
            f for f in model._meta.concrete_fields if not f.primary_key and f.name != parent.name
        ]
        kept, made = [], []
        for row in rows[: table.formset.max_num]:
            values, row_lost = {}, None
            for column in columns:
                try:
                    values[column.attname] = self._value(column, getattr(row, column.attname))
                except _Lost as lost:
                    why, value = lost.args
                    if self._may_empty(column):
                        values[column.attname] = None if column.null else ""
                        if why != Why.LINK:  # the row it pointed to is listed itself
                            self._drop(
                                key,
                                why,
                                table=table.name,
                                column=column.name,
                                row=self._label(table, row),
                                value=value,
                            )
                    else:
                        row_lost = row_lost or (why, value)
            if row_lost:
                why, value = row_lost
                self._drop(key, why, table=table.name, row=self._label(table, row), value=value)
                continue
            kept.append(row)
            made.append(model(**values, **{parent.attname: content.pk}))
        model._default_manager.bulk_create(made)
        self.copies[model] = {
            row.pk: copy.pk for row, copy in zip(kept, made, strict=True) if row.pk is not None
        }
        for link in model._meta.many_to_many:
            self._carry_links(link, kept, made)

    def _carry_links(self, link: models.ManyToManyField, rows: list, made: list) -> None:
        """One insert of the copies' links, to the copies of the rows linked last year; a
        link to a row not carried over goes with it."""
        targets = self._copies_of(link.related_model)
        through = link.remote_field.through
        own = through._meta.get_field(link.m2m_field_name()).attname
        other = through._meta.get_field(link.m2m_reverse_field_name()).attname
        through._default_manager.bulk_create(
            through(**{own: copy.pk, other: targets[linked.pk]})
            for row, copy in zip(rows, made, strict=True)
            if row.pk is not None
            for linked in getattr(row, link.name).all()
            if linked.pk in targets
        )

    def _copies_of(self, model: type[models.Model]) -> dict[int, int]:
        # Sections and tables are copied in their order; a row only ever points back.
        if model not in self.copies:
            raise ImproperlyConfigured(f"{model.__name__} is linked to before it is copied.")
        return self.copies[model]

    def _value(self, model_field: models.Field, value):
        """``value`` as the new plan holds it; _Lost(why, its names) when it is gone."""
        if value is None or value == "":
            return value
        if model_field.is_relation:
            if model_field.related_model is Kpi:
                kpi = self.kpis.get(value)
                if kpi is None:
                    old = self.old_kpis.get(value)
                    raise _Lost(Why.KPI, in_languages(lambda: old.display_name if old else ""))
                return kpi.pk
            if model_field.related_model in ROW_MODELS:
                copied = self._copies_of(model_field.related_model).get(value)
                if copied is None:
                    raise _Lost(Why.LINK, {})
                return copied
            return value
        if model_field.choices and value not in {choice for choice, _l in model_field.flatchoices}:
            raise _Lost(Why.CHOICE, in_languages(str(value)))
        return value

    @staticmethod
    def _may_empty(model_field: models.Field) -> bool:
        """Whether a column can be emptied and its row still kept: a choice that may be
        blank, a link whose row outlives its target (``on_delete=SET_NULL``)."""
        if model_field.is_relation:
            return model_field.null and model_field.remote_field.on_delete is models.SET_NULL
        return model_field.blank

    def _label(self, table: Table, row) -> dict[str, str]:
        if table.fixed:  # a KPI row, named by last year's KPI
            kpi = self.old_kpis.get(row.kpi_id)
            return in_languages(lambda: kpi.display_name if kpi else "")
        return in_languages(lambda: str(row))

    def _drop(self, section: str, why: str, **found) -> None:
        self.dropped.append(Dropped(section, why, **found))
