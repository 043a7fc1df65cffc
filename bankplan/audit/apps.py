from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The bank's audit log: who did what to which plan, unit or setting, and when."""

    name = "bankplan.audit"
    verbose_name = _("Audit log")
