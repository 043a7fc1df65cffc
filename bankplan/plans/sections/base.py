"""What every section has in common: the abstract models and the section descriptor.

Everything the app does to a plan walks the ordered list of descriptors in
``registry.SECTIONS``; a section's own module describes it once.
"""

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Prefetch
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.functional import Promise
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from bankplan.lib.ids import is_id

from .budget import check_budget
from .describe import (
    Kind,
    describe_field,
    describe_kpis,
    in_languages,
    in_languages_each,
    plain_values,
)
from .inputs import LineInput, readable_figures


class SectionContent(models.Model):
    """One section of one plan. Row models hang off it with a foreign key."""

    plan = models.OneToOneField(
        "plans.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="%(class)s"
    )
    # Bumped by every save; a form carrying an older number was based on stale data.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    updated_at = models.DateTimeField(_("last saved"), null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last saved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name} · {self.plan}"


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


MONTHS = list(MONTH_NAMES.items())


def month_field(verbose_name=None, **kwargs):
    return models.PositiveSmallIntegerField(
        verbose_name or _("month"),
        choices=MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        **kwargs,
    )


# Text limits keep a plan readable and its PDF bounded in size and rendering time.
LONG_TEXT = 4000  # a section's narrative: about two printed pages of Chinese
ROW_TEXT = 1000  # the text in one table row


def long_text(verbose_name, **kwargs):
    return models.TextField(verbose_name, max_length=LONG_TEXT, **kwargs)


def row_text(verbose_name, **kwargs):
    return models.TextField(verbose_name, max_length=ROW_TEXT, **kwargs)


def amount_field(verbose_name, **kwargs):
    """An amount in 万元: a decimal with two places, never a float."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


NOT_NEGATIVE = _("Enter a figure of zero or more.")


def balance_field(verbose_name, **kwargs):
    """An amount that is never below zero (a balance held, a target to reach); only a
    change over time (a KPI's growth) can be negative. The table backs it with
    ``not_negative``."""
    return amount_field(verbose_name, validators=[MinValueValidator(0, NOT_NEGATIVE)], **kwargs)


def not_negative(field_name: str, name: str) -> models.CheckConstraint:
    """The database's refusal of a negative ``balance_field`` (an empty one passes)."""
    return models.CheckConstraint(condition=models.Q((f"{field_name}__gte", 0)), name=name)


def share_field(verbose_name, **kwargs):
    """A percentage between 0 and 100 with one decimal."""
    return models.DecimalField(
        verbose_name,
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **kwargs,
    )


def section_helper() -> FormHelper:
    """Crispy helper for a section form: the step template owns <form> and its buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


BLANK_CHOICE_LABEL = _("Choose…")


def label_blank_choices(form: forms.BaseForm) -> None:
    """Word the empty choice of every select in our own (translated) words."""
    for form_field in form.fields.values():
        if isinstance(form_field, forms.ModelChoiceField):
            if form_field.empty_label is not None:
                form_field.empty_label = BLANK_CHOICE_LABEL
        elif isinstance(form_field, forms.ChoiceField) and form_field.choices:
            choices = list(form_field.choices)
            if choices[0][0] in ("", None):
                form_field.choices = [("", BLANK_CHOICE_LABEL), *choices[1:]]


def keep_long_pastes(form: forms.Form) -> None:
    """No maxlength attributes: a browser silently cuts a longer paste. The limits are
    checked on saving instead, and the whole text comes back with the message."""
    for form_field in form.fields.values():
        form_field.widget.attrs.pop("maxlength", None)


class SectionForm(forms.ModelForm):
    """Base for a section's own form (the fields above its tables)."""

    helper = section_helper()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_blank_choices(self)
        keep_long_pastes(self)
        readable_figures(self)

    # The section's row formsets, bound to the same POST (set by Section.bind): the text
    # budget counts the section's fields and all its rows together.
    row_formsets: Sequence[forms.BaseFormSet] = ()

    def clean(self):
        cleaned = super().clean()
        check_budget(self, self.row_formsets)
        return cleaned


class LoadedChoiceField(forms.ModelChoiceField):
    """A select of related objects that a row formset read once for all its rows: the
    submitted value is looked up among them, not in the database once a row."""

    loaded: dict[str, models.Model] | None = None  # by str(pk); None: ask the database

    def to_python(self, value):
        if self.loaded is None or value in self.empty_values:
            return super().to_python(value)
        key = str(value.pk if isinstance(value, models.Model) else value)
        try:
            return self.loaded[key]
        except KeyError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None


class RowIdField(LoadedChoiceField):
    """The hidden id of a saved row. A row that a colleague removed after the page was
    loaded (its id is nowhere any more) cleans to None: the row is saved anew with what
    the author typed, instead of failing on a field nobody can see."""

    vanished: frozenset[str] = frozenset()

    def clean(self, value):
        if str(value) in self.vanished:
            return None  # saved anew (Django marks a saved row's id "required")
        return super().clean(value)


class LoadedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The many-valued LoadedChoiceField (a strategy's SWOT items). Cleans to a list."""

    loaded: dict[str, models.Model] | None = None

    def clean(self, value):
        if self.loaded is None:
            return super().clean(value)
        value = self.prepare_value(value)
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if not value:
            return []
        if not isinstance(value, list | tuple):
            raise forms.ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        chosen = []
        for key in dict.fromkeys(str(pk) for pk in value):
            if key not in self.loaded:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": key},
                )
            chosen.append(self.loaded[key])
        self.run_validators(value)
        return chosen


def row_formfield(model_field: models.Field, **kwargs) -> forms.Field | None:
    """Form fields of a table row: related objects are chosen among those loaded once."""
    if isinstance(model_field, models.ManyToManyField):
        kwargs.setdefault("form_class", LoadedMultipleChoiceField)
    elif isinstance(model_field, models.ForeignKey):
        kwargs.setdefault("form_class", LoadedChoiceField)
    return model_field.formfield(**kwargs)


class RowForm(forms.ModelForm):
    """Base for the forms of one table row: compact Bootstrap widgets for a table cell.

    A row is checked without the database: its related objects come from lists the
    formset loaded once (see ``RowFormSet``), uniqueness among the table's rows is the
    formset's to check, and what the models' check constraints require the fields already
    refuse (their choices, validators and ``clean``). The database constraints stand
    behind all of it. Use a row form within its RowFormSet only."""

    textarea_rows = 2

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_blank_choices(self)
        keep_long_pastes(self)
        readable_figures(self)
        table = (self.prefix or "").rpartition("-")[0]  # "lines" of "lines-0"
        for name, form_field in self.fields.items():
            if _wraps(form_field):
                form_field.widget = LineInput()
            widget = form_field.widget
            # In a table the column header is the only visible label (HTML allows no
            # aria-* on a hidden input: a fixed table's KPI).
            if not widget.is_hidden:
                widget.attrs.setdefault("aria-label", form_field.label)
            if form_field.help_text:  # shown once, under the column's header
                widget.attrs["aria-describedby"] = f"{table}-{name}-help"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = css
            if isinstance(widget, forms.Textarea) and not isinstance(widget, LineInput):
                widget.attrs["rows"] = self.textarea_rows

    def _get_validation_exclusions(self):
        # The model would look each chosen object up again (ForeignKey.validate).
        exclude = super()._get_validation_exclusions()
        exclude.update(
            name
            for name, form_field in self.fields.items()
            if isinstance(form_field, LoadedChoiceField) and form_field.loaded is not None
        )
        return exclude

    def validate_unique(self):
        """Checked by the formset, in memory, for all rows at once."""

    def validate_constraints(self):
        """Enforced by the fields (see the class's docstring) and by the database."""


# A one-line text that may hold this many characters (a name, a goal) would be cut in a
# table cell: it wraps in a LineInput instead.
WRAPPED_LENGTH = 100


def _wraps(form_field: forms.Field) -> bool:
    return (
        type(form_field.widget) is forms.TextInput
        and (getattr(form_field, "max_length", None) or 0) >= WRAPPED_LENGTH
    )


class RowFormSet(forms.BaseInlineFormSet):
    """Row formset whose selects list objects of this plan (its segments, its SWOT items,
    its catalogue) and the rows themselves: each list is read once per request, then
    serves every row's options and the check of every submitted value. The formsets of
    one section share the lists they read (``shared_choices``, see ``Section.bind``):
    two tables offering the plan's strategies read them once. The rows come with what
    they link to, which their forms show and a snapshot of them names."""

    default_error_messages = {
        "too_many_forms": ngettext_lazy(
            "A table holds at most %(num)d row; remove some before saving.",
            "A table holds at most %(num)d rows; remove some before saving.",
            "num",
        )
    }

    def __init__(self, *args, shared_choices: dict | None = None, **kwargs):
        self._lists = {} if shared_choices is None else shared_choices
        rows = kwargs.get("queryset")
        kwargs["queryset"] = self._with_links(
            self.model._default_manager.all() if rows is None else rows
        )
        super().__init__(*args, **kwargs)

    def _with_links(self, rows: models.QuerySet) -> models.QuerySet:
        """``rows`` with the row each column points to joined in, the rows each
        many-to-many column links prefetched (a query each, whatever the rows)."""
        shown = [self.model._meta.get_field(name) for name in self.form._meta.fields]
        pointed = [f.name for f in shown if f.many_to_one and f.name != self.fk.name]
        linked = [f.name for f in shown if f.many_to_many]
        return (rows.select_related(*pointed) if pointed else rows).prefetch_related(*linked)

    def choice_querysets(self) -> dict[str, models.QuerySet]:
        """What a select offers, where it is narrower than its model's every object."""
        return {}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if not hasattr(self, "_shared_choices"):
            self._shared_choices = self._load_choices(form)
        for name, (queryset, choices, loaded) in self._shared_choices.items():
            form_field = form.fields[name]
            form_field.queryset = queryset
            form_field.choices = choices
            form_field.loaded = loaded
        # The hidden id of a saved row names one of this table's rows, already loaded.
        pk_name = self.model._meta.pk.name
        pk_field = form.fields[pk_name]
        form.fields[pk_name] = RowIdField(
            pk_field.queryset,
            required=pk_field.required,
            initial=pk_field.initial,
            widget=pk_field.widget,
        )
        form.fields[pk_name].loaded = self._rows_by_key()
        form.fields[pk_name].vanished = self._vanished_ids()

    def _load_choices(self, form) -> dict:
        querysets = {
            name: form_field.queryset
            for name, form_field in form.fields.items()
            if isinstance(form_field, LoadedChoiceField | LoadedMultipleChoiceField)
        } | self.choice_querysets()
        shared = {}
        for name, queryset in querysets.items():
            objects = self._objects(queryset)
            form_field = form.fields[name]
            option = form_field.iterator(form_field).choice
            blank = [("", form_field.empty_label)] if form_field.empty_label is not None else []
            loaded = {str(obj.pk): obj for obj in objects}
            shared[name] = (queryset, blank + [option(obj) for obj in objects], loaded)
        return shared

    def _objects(self, queryset: models.QuerySet) -> list[models.Model]:
        """The objects of a choice list, read once for all the section's tables: the
        same query (the same SQL and parameters) is the same list."""
        try:
            key = (queryset.model, str(queryset.query))
        except EmptyResultSet:  # a query that cannot match anything has no SQL
            return []
        if key not in self._lists:
            self._lists[key] = list(queryset)
        return self._lists[key]

    def _rows_by_key(self) -> dict[str, models.Model]:
        if not hasattr(self, "_rows"):
            rows = list(self.get_queryset())
            self._rows = {str(row.pk): row for row in rows}
            # Each row's values as read, before a bound form writes what was posted into
            # its instance (ModelForm's cleaning does): the state a save starts from.
            self._as_read = [copy.copy(row) for row in rows]
        return self._rows

    def rows_as_read(self) -> list[models.Model]:
        """The table's stored rows as this request read them, with what they link to."""
        self._rows_by_key()
        return self._as_read

    def _vanished_ids(self) -> frozenset[str]:
        """Posted ids of saved rows that exist nowhere any more (removed by a colleague
        since the page was loaded). An id of another table's row is not among them: it
        stays refused. One query, and only when an unknown id was posted."""
        if not hasattr(self, "_vanished"):
            self._vanished = frozenset()
            if self.is_bound:
                pk_name = self.model._meta.pk.name
                # INITIAL_FORMS is as posted (any number): the rows are those Django builds.
                rows = min(self.initial_form_count(), self.total_form_count())
                posted = {self.data.get(f"{self.add_prefix(i)}-{pk_name}", "") for i in range(rows)}
                unknown = {pk for pk in posted if is_id(pk) and pk not in self._rows_by_key()}
                if unknown:
                    elsewhere = self.model._default_manager.filter(pk__in=unknown)
                    found = {str(pk) for pk in elsewhere.values_list("pk", flat=True)}
                    self._vanished = frozenset(unknown - found)
        return self._vanished

    def clean(self):
        super().clean()
        # Django counts the rows in the POST only: posting a full table of new rows again
        # and again would grow it without end. The limit holds for what is stored.
        if self.rows_after_save() > self.max_num and not self._refused_for_length():
            raise forms.ValidationError(
                self.error_messages["too_many_forms"] % {"num": self.max_num},
                code="too_many_forms",
            )

    def rows_after_save(self) -> int:
        """The rows this table holds once the save applies: every stored row (some added
        by a colleague since the page was loaded, so not in the POST), less those
        removed, plus those added. Counted on the rows loaded once (no query)."""
        removing = [form for form in self.forms if self._should_delete_form(form)]
        removed = {str(form.instance.pk) for form in removing if form.instance.pk is not None}
        skipped, initial = set(map(id, removing)), set(map(id, self.initial_forms))
        added = [
            form
            for form in self.forms
            if id(form) not in skipped
            and form.instance.pk is None
            and (id(form) in initial or form.has_changed())
        ]
        return len(self._rows_by_key().keys() - removed) + len(added)

    def _refused_for_length(self) -> bool:
        """Django already refused the POST's own rows: the message is there once."""
        return any(e.code == "too_many_forms" for e in self._non_form_errors.as_data())

    def unique_columns(self) -> list[tuple[str, ...]]:
        """Columns whose values may appear only once in this table (a role has one row):
        the model's unique constraints, all scoped to the table's parent."""
        opts, parent = self.model._meta, self.fk.name
        together = [c.fields for c in opts.total_unique_constraints] + list(opts.unique_together)
        return [tuple(name for name in fields if name != parent) for fields in together]

    def validate_unique(self):
        """Uniqueness in memory: the table holds all its parent's rows. A value may appear
        once among the rows being saved, and a saved row may not take over a value another
        kept row holds until this save changes it (rows are updated in no set order)."""
        deleted = set(map(id, self.deleted_forms))
        valid = [form for form in self.forms if form.is_valid() and id(form) not in deleted]
        kept = [form for form in self.initial_forms if id(form) not in deleted]
        errors = []
        for columns in self.unique_columns():
            seen = set()
            stored = {_unique_key(form.initial, columns): form for form in kept}
            for form in valid:
                key = _unique_key(form.cleaned_data, columns)
                if None in key:
                    continue
                holder = stored.get(key)
                if key in seen:
                    errors.append(self.get_unique_error_message(list(columns)))
                    form.add_error(None, self.get_form_error())
                elif holder is not None and holder is not form and form in kept:
                    form.add_error(
                        None,
                        form.instance.unique_error_message(self.model, (self.fk.name, *columns)),
                    )
                seen.add(key)
        if errors:
            raise forms.ValidationError(errors)


def _unique_key(values: dict, columns: tuple[str, ...]) -> tuple:
    return tuple(getattr(values.get(name), "pk", values.get(name)) for name in columns)


# Rows in one table: a plan's tables are lists a person reads, and the PDF stays bounded.
# A row costs rendering time whatever its text (some 13 ms a row on the 2-core machine:
# every table at 100 rows was 20 s of the PDF's time on its own); with the sections' text
# budgets (budget.py), 50 rows keep the worst case the forms accept well within
# PDF_TIMEOUT. Was 100 until issue 11.
MAX_ROWS = 50


def row_formset(parent, model, form, formset=RowFormSet):
    """The formset of a table whose rows the author adds and removes."""
    return forms.inlineformset_factory(
        parent,
        model,
        form=form,
        formset=formset,
        formfield_callback=row_formfield,
        extra=0,
        max_num=MAX_ROWS,
        validate_max=True,
        # How many posted rows Django builds at most (1,050 by default: seconds of work for
        # one forged TOTAL_FORMS). Room above MAX_ROWS for a table stored before the limit
        # became 50, so its author can still post it and remove rows.
        absolute_max=4 * MAX_ROWS,
    )


# Descriptions of sections and tables by model: the same for every plan, so made once and
# shared by every snapshot (which is why nothing may change a snapshot in place).
_described: dict[type[models.Model], dict] = {}


@dataclass(frozen=True)
class Derived:
    """A column worked out from a row's stored values whenever the row is shown, never
    stored: last year's achievement from its target and actual; a scorecard line's
    measure, from its KPI or its own name."""

    name: str
    label: Promise
    kind: Kind
    compute: Callable[[dict, dict | None], object]  # (row values, row KPI) -> value
    # Stored columns this one is shown in place of (they are still compared between
    # versions); it takes the place of the first of them.
    replaces: tuple[str, ...] = ()
    after: str = ""  # or the column it is shown right after
    optional: bool = False  # left out of a table where no row has a value for it


@dataclass(frozen=True)
class Given:
    """A figure each row of a KPI table shows that the branch does not type, given by
    the level above (the target allocated to the branch). A version keeps it with the
    row's values as it was when the version was made, for derived columns to show."""

    name: str
    read: Callable[[models.Model], dict[int, object]]  # the plan -> KPI id -> value


@dataclass(frozen=True)
class Table:
    """An inline table of rows in a section (competitors, SWOT items, ...)."""

    name: str  # the rows' related name on the section model, also the formset prefix
    formset: type[forms.BaseInlineFormSet]
    title: Promise
    help_text: Promise | str = ""
    fixed: bool = False  # one row per catalogue KPI: rows are neither added nor removed
    related: tuple[str, ...] = ()  # what each row points to, loaded along with the rows
    derived: tuple["Derived", ...] = ()  # columns worked out when the table is shown
    units: tuple[tuple[str, str], ...] = ()  # (a figure column, the column naming its unit)
    # (a column, "badge", "code" or "note"): a priority shown as a coloured badge, a choice
    # as its code (SO, WT) with its label on hover, a sentence written under the table
    shown_as: tuple[tuple[str, str], ...] = ()
    marked_by: str = ""  # a yes/no column whose rows stand out (the segments pursued)
    given: tuple[Given, ...] = ()  # a KPI table's figures set from above, kept in versions
    # A template shown under the table on the section's step (given ``plan``), e.g. what
    # the scorecard pays as last saved.
    below: str = ""
    # Rolling a plan into the next cycle (rollforward/carry.py): the table's first rows,
    # made (unsaved, KPIs still last year's) from last year's plan as ``load_plan`` reads
    # it. None: last year's rows of the table itself are copied.
    roll_forward: Callable[[models.Model], list[models.Model]] | None = None

    def rows(self, content) -> Sequence[models.Model]:
        return list(getattr(content, self.name).all())

    @property
    def row_model(self) -> type[models.Model]:
        return self.formset.model

    @property
    def columns(self) -> list[str]:
        """The row fields an author fills in (a fixed table's KPI is its key instead)."""
        skipped = {self.formset.fk.name, "kpi" if self.fixed else ""}
        return [name for name in self.formset.form._meta.fields if name not in skipped]

    def row_key(self, row) -> str:
        """What identifies a row across versions: its KPI's code, or its id."""
        return row.kpi.code if self.fixed else str(row.pk)

    def row_label(self, row) -> str:
        return row.kpi.display_name if self.fixed else str(row)

    def describe(self) -> dict:
        """The table's title and columns as plain data (the same for every plan)."""
        if self.row_model not in _described:
            units = dict(self.units)
            _described[self.row_model] = {
                "name": self.name,
                "title": in_languages(self.title),
                "kpi": self.fixed,
                "columns": [
                    describe_field(
                        self.row_model._meta.get_field(name),
                        kpi_row=self.fixed,
                        unit_from=units.get(name, ""),
                    )
                    for name in self.columns
                ],
            }
        return _described[self.row_model]

    def snapshot(
        self, content, rows: Sequence[models.Model] | None = None, links: dict | None = None
    ) -> list[dict]:
        """The rows (``content``'s, unless given) as plain data. A row keeps its name in
        every language, and a KPI row its KPI, so the version reads 1.25% or 2,600 户
        whatever the catalogue becomes. ``label`` is the name in the bank's language, what
        a comment on the row records. ``links`` gives a many-to-many column's linked rows
        (column -> row id -> rows) instead of the rows' own."""
        rows = self.rows(content) if rows is None else list(rows)
        if self.fixed:  # in catalogue order, whatever order the rows were saved in
            rows = sorted(rows, key=lambda row: (row.kpi.position, row.kpi.pk))
        fields = [self.row_model._meta.get_field(name) for name in self.columns]
        labels = in_languages_each(rows, self.row_label)
        shots = [
            {
                "key": self.row_key(row),
                "label": names.get(settings.LANGUAGE_CODE) or next(iter(names.values())),
                "labels": names,
                "values": values,
            }
            for row, names, values in zip(
                rows, labels, plain_values(rows, fields, links), strict=True
            )
        ]
        if self.fixed:
            for shot, kpi in zip(shots, describe_kpis([row.kpi for row in rows]), strict=True):
                shot["kpi"] = kpi
        for given in self.given:
            by_kpi = given.read(content.plan)
            for shot, row in zip(shots, rows, strict=True):
                if (value := by_kpi.get(row.kpi_id)) is not None:
                    shot["values"][given.name] = str(value)  # a figure, as text
        return shots


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    model: type[SectionContent]
    form: type[forms.ModelForm]
    tables: tuple[Table, ...] = field(default=())

    @property
    def number(self) -> int:
        from .registry import SECTIONS

        return SECTIONS.index(self) + 1

    @property
    def related_name(self) -> str:
        return self.model._meta.model_name

    @property
    def guidance_template(self) -> str:
        language = "en" if not (get_language() or "").startswith("zh") else "zh-hans"
        return f"plans/guidance/{language}/{self.key}.html"

    @property
    def display_template(self) -> str:
        return f"plans/sections/{self.key}.html"

    def content_of(self, plan) -> SectionContent:
        return getattr(plan, self.related_name)

    def row_lookups(self, through: str = "", *, links: bool = True) -> list:
        """Each table's rows (reached through ``through``: "" from the section's content)
        with the single row each points to joined in, and unless not ``links`` the rows
        each links to prefetched: a query per table and per many-to-many column."""
        lookups = []
        for table in self.tables:
            path, model = f"{through}{table.name}", table.row_model
            joined = [name for name in table.related if model._meta.get_field(name).many_to_one]
            rows = model._default_manager.all()
            lookups.append(Prefetch(path, rows.select_related(*joined) if joined else rows))
            if links:
                lookups += [f"{path}__{name}" for name in table.related if name not in joined]
        return lookups

    def prefetch_lookups(self) -> list:
        """The plan's rows of this section, for ``load_plan``."""
        return self.row_lookups(f"{self.related_name}__")

    @property
    def field_names(self) -> list[str]:
        return list(self.form._meta.fields)

    def describe(self) -> dict:
        """The section's fields and tables as plain data (the same for every plan)."""
        if self.model not in _described:
            _described[self.model] = {
                "fields": [
                    describe_field(self.model._meta.get_field(name)) for name in self.field_names
                ],
                "tables": [table.describe() for table in self.tables],
            }
        return _described[self.model]

    def snapshot(self, content, rows: dict | None = None, links: dict | None = None) -> dict:
        """The section as plain data (JSON), frozen into a submitted version: its values,
        and in ``meta`` the labels and kinds to read them by (see ``describe.py``).
        ``rows`` and ``links`` give, by table name, what ``Table.snapshot`` takes."""
        fields = [self.model._meta.get_field(name) for name in self.field_names]
        rows, links = rows or {}, links or {}
        return {
            "title": in_languages(self.title),
            "fields": plain_values([content], fields)[0],
            "tables": {
                table.name: table.snapshot(content, rows.get(table.name), links.get(table.name))
                for table in self.tables
            },
            "meta": self.describe(),
        }

    def bind(self, content, data=None):
        """The section form and its row formsets, bound to POST data when given."""
        form = self.form(data, instance=content)
        lists: dict = {}  # the choice lists the tables read, shared among them
        formsets = [
            table.formset(data, instance=content, prefix=table.name, shared_choices=lists)
            for table in self.tables
        ]
        form.row_formsets = formsets
        return form, formsets
