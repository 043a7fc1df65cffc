from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

admin.site.site_header = _("bankplan administration")
admin.site.site_title = _("bankplan")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="plans:list"), name="home"),
    path("plans/", include("bankplan.plans.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
