from django.contrib import admin

from bankplan.audit.admin import AuditedAdmin

from .models import Cycle, Kpi, Plan, SectionNote


class KpiInline(admin.TabularInline):
    model = Kpi
    fields = [
        "position",
        "code",
        "name",
        "name_en",
        "measure",
        "direction",
        "is_balance",
        "aggregation",
        "base",
        "previous_code",
    ]
    extra = 0
    ordering = ["position"]


class SectionNoteInline(admin.StackedInline):
    model = SectionNote
    extra = 0


@admin.register(Cycle)
class CycleAdmin(AuditedAdmin):
    list_display = ["name", "year", "opens_on", "deadline", "closed_at"]
    inlines = [KpiInline, SectionNoteInline]


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    """Plans are written in the app; the admin only lists them. Status changes go through
    the review workflow, never through this form."""

    list_display = ["branch", "cycle", "status", "updated_at"]
    # Not a filter of every unit: thousands of branches would make the sidebar unusable;
    # the search box finds a branch or region by code or name.
    list_filter = ["cycle", "status"]
    search_fields = ["branch__name", "branch__code", "branch__region__code", "branch__region__name"]
    show_full_result_count = False
    list_select_related = ["branch", "cycle"]
    readonly_fields = ["cycle", "branch", "status", "created_by", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False
