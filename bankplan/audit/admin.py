"""The audit log in the admin (read only, like every record of what happened), and the
mixin that writes an admin change to units, people, roles, cycles and KPIs into it."""

import json

from django.contrib import admin
from django.contrib.admin.models import LogEntry

from bankplan.organisation.models import Unit
from bankplan.reviews.admin import ReadOnlyAdmin

from . import record
from .models import Action, Event


class AuditedAdmin(admin.ModelAdmin):
    """Admin changes go to the audit log as well as to Django's own admin history (which
    an admin could edit or delete; the audit log cannot be). An inline's changes (a
    cycle's KPIs, a user's roles) are named in the change of the object they belong to."""

    def _record(self, request, action: Action, obj, message="") -> None:
        text = LogEntry(change_message=json.dumps(message) if message else "")
        record.event(
            action,
            by=request.user,
            subject=f"{obj._meta.verbose_name}: {obj}"[:255],
            unit_code=_unit_code(obj),
            detail=text.get_change_message(),
            changes={"model": obj._meta.label, "pk": str(obj.pk), "message": message or []},
        )

    def log_addition(self, request, obj, message):
        self._record(request, Action.ADMIN_ADDED, obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._record(request, Action.ADMIN_CHANGED, obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._record(request, Action.ADMIN_DELETED, obj)
        return super().log_deletions(request, queryset)


def _unit_code(obj) -> str:
    """The unit an object is or belongs to (a membership's, a plan's branch), for
    filtering the log by unit."""
    unit = obj if isinstance(obj, Unit) else getattr(obj, "unit", getattr(obj, "branch", None))
    return unit.code if isinstance(unit, Unit) else ""


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_name", "action", "unit_code", "subject", "section"]
    list_filter = ["action"]
    search_fields = ["unit_code", "actor_name", "subject"]
    show_full_result_count = False
    exclude = ["state_before", "state_after"]
