from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from bankplan.audit.admin import AuditedAdmin
from bankplan.organisation.models import Membership
from bankplan.reviews.admin import ReadOnlyAdmin

from .models import DirectoryAccount, DirectoryMapping, DirectoryRole


@admin.register(DirectoryMapping)
class DirectoryMappingAdmin(AuditedAdmin):
    """Head office's say on what the directory's groups and attributes mean; a change
    counts at each user's next sign-in."""

    list_display = ["__str__", "group_dn", "attribute", "value", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["group_dn", "attribute", "value", "unit__code", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    fieldsets = (
        (_("In the directory"), {"fields": ("group_dn", ("attribute", "value"))}),
        (
            _("Role in bankplan"),
            {
                "fields": ("role", "unit"),
                "description": _("Given, or taken away, at each person's next directory sign-in."),
            },
        ),
    )


@admin.register(DirectoryAccount)
class DirectoryAccountAdmin(ReadOnlyAdmin):
    """What the directory says about its users; changed by sign-ins and sync_directory
    only (a user's roles and activity are edited on the user)."""

    list_display = ["user", "dn", "synced_at", "left_at", "is_active"]
    list_filter = [("left_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__full_name", "dn"]
    list_select_related = ["user"]
    fields = ["user", "dn", "synced_at", "left_at", "directory_roles"]

    @admin.display(boolean=True, description=_("active"))
    def is_active(self, account):
        return account.user.is_active

    @admin.display(description=_("roles from the directory"))
    def directory_roles(self, account):
        roles = Membership.objects.filter(
            user=account.user_id,
            pk__in=DirectoryRole.objects.values("membership"),
        ).select_related("unit")
        return "; ".join(f"{m.get_role_display()} · {m.unit}" for m in roles) or "—"
