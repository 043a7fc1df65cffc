from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from bankplan.headoffice.views import home
from bankplan.operations.views import healthz
from bankplan.organisation.throttling import PasswordResetView
from bankplan.organisation.views import sign_in_again


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's). The static
    URL is looked up per request: in production it comes from the collected manifest."""
    return redirect(static("img/favicon.svg"), permanent=True)


admin.site.site_header = _("bankplan administration")
admin.site.site_title = _("bankplan")

urlpatterns = [
    path("", home, name="home"),
    path("plans/", include("bankplan.plans.urls")),
    path("plans/", include("bankplan.documents.urls")),
    path("", include("bankplan.reviews.urls")),
    path("dashboard/", include("bankplan.headoffice.urls")),
    path("dashboard/actuals/", include("bankplan.actuals.urls")),
    path("", include("bankplan.rollforward.urls")),
    path("api/", include("bankplan.api.urls")),
    path("", include("bankplan.audit.urls")),
    path("accounts/sign-in-again/", sign_in_again, name="sign_in_again"),
    # Before Django's own: reset requests are throttled like log-ins.
    path(
        "accounts/password_reset/",
        login_not_required(PasswordResetView.as_view()),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language can be switched on the log-in page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
    path("healthz", healthz, name="healthz"),
]

# A request Django refuses before any view (too many fields, too large): a page that says
# what happened, or JSON for a section page's background save.
handler400 = "bankplan.plans.autosave.bad_request"
