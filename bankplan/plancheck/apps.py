from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanCheckConfig(AppConfig):
    name = "bankplan.plancheck"
    verbose_name = _("Plan check")

    def ready(self):
        from . import rules  # noqa: F401  registers every rule family
