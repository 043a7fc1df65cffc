from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RollForwardConfig(AppConfig):
    name = "bankplan.rollforward"
    verbose_name = _("Roll forward")
