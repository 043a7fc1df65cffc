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
