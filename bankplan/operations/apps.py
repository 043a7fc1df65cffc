from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """What operators need: task workers that report in, and the health endpoint."""

    name = "bankplan.operations"
    verbose_name = _("operations")
