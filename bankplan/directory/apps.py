from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "bankplan.directory"
    verbose_name = _("Directory sign-in")

    def ready(self):
        from . import signals  # noqa: F401
