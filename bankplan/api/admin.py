"""Issuing and revoking API tokens. Issuing shows the token once, in the message after
saving; what is kept is its digest. A token is never edited: its user, name and expiry
are fixed at issue, and revoking is the one change (the list's action). Both go to the
audit log (AuditedAdmin)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bankplan.audit.admin import AuditedAdmin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = [
        "prefix", "user", "name", "created_at", "expires_at", "revoked_at", "last_used_at", "usable"
    ]  # fmt: skip
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["prefix", "name", "user__username", "user__full_name"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    fields = ["user", "name", "expires_at"]
    readonly_fields = ["prefix", "created_at", "created_by", "revoked_at", "last_used_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.readonly_fields]

    def has_change_permission(self, request, obj=None):
        # A token's page is for reading; the list (and its revoke action) stays open to
        # those who may change tokens.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: who had access stays on record

    @admin.display(boolean=True, description=_("usable"))
    def usable(self, token):
        return token.is_usable

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        raw = obj.set_secret()
        super().save_model(request, obj, form, change)
        # The one time the token is shown: the message is read on the next page and gone.
        self.message_user(
            request,
            _("The API token for %(user)s is %(token)s — copy it now: it will not be shown again.")
            % {"user": obj.user, "token": raw},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True).select_related("user"))
        for token in tokens:
            token.revoke()
            self.log_change(request, token, [{"changed": {"fields": ["revoked at"]}}])
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(tokens))
            % {"count": len(tokens)},
            messages.SUCCESS,
        )
