from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActualsConfig(AppConfig):
    name = "bankplan.actuals"
    verbose_name = _("Official actuals")
