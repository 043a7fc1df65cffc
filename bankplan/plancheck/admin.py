from django.contrib import admin

from bankplan.audit.admin import AuditedAdmin
from bankplan.plans.models import Kpi

from .models import CheckConfig, GrowthBand, RuleSetting


class RuleSettingInline(admin.TabularInline):
    model = RuleSetting
    extra = 0


class GrowthBandInline(admin.TabularInline):
    model = GrowthBand
    extra = 0
    config: CheckConfig | None = None  # the configuration being edited

    def get_formset(self, request, obj=None, **kwargs):
        # The admin makes its inlines anew for each request, so the configuration can be
        # kept here for formfield_for_foreignkey (obj is None on the add page).
        self.config = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "kpi" and self.config is not None:
            kwargs["queryset"] = Kpi.objects.filter(cycle_id=self.config.cycle_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CheckConfig)
class CheckConfigAdmin(AuditedAdmin):
    list_display = ["cycle", "customers_per_manager", "tolerance"]
    list_select_related = ["cycle"]
    inlines = [RuleSettingInline, GrowthBandInline]
    filter_horizontal = ["capacity_kpis"]

    def get_form(self, request, obj=None, **kwargs):
        self.editing = obj  # for formfield_for_manytomany, as GrowthBandInline does
        return super().get_form(request, obj, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        editing = getattr(self, "editing", None)
        if db_field.name == "capacity_kpis" and editing is not None:
            kwargs["queryset"] = Kpi.objects.filter(cycle_id=editing.cycle_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
