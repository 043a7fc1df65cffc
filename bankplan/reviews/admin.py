"""Review records are read in the admin, never edited there: history is append-only and
versions are frozen."""

from django.contrib import admin

from .models import AuditEntry, Thread, Version, VersionPdf


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "submitted_by", "submitted_at", "approved_by"]
    # No filter listing every unit (thousands of branches); search by branch instead.
    list_filter = ["plan__cycle"]
    search_fields = ["plan__branch__code", "plan__branch__name"]
    show_full_result_count = False
    list_select_related = ["plan__branch", "plan__cycle", "submitted_by", "approved_by"]
    exclude = ["snapshot"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["plan", "action", "from_status", "to_status", "actor", "at"]
    list_filter = ["action", "plan__cycle"]
    list_select_related = ["plan__branch", "plan__cycle", "actor"]


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["plan", "section", "row_label", "created_by", "created_at", "resolved_at"]
    list_filter = ["section", "plan__cycle"]
    list_select_related = ["plan__branch", "plan__cycle", "created_by"]


@admin.register(VersionPdf)
class VersionPdfAdmin(ReadOnlyAdmin):
    """Where head office's admins see PDFs that could not be made (and why); the failed
    tasks themselves are under "Tasks". ``manage.py requeue_pdfs`` tries them again."""

    list_display = ["version", "kind", "state", "attempts", "requested_at", "rendered_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["version__plan__branch", "version__plan__cycle"]
    readonly_fields = ["error"]
