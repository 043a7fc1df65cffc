"""Guessing passwords and flooding mailboxes is slowed down.

Log-in failures are counted by django-axes (settings.AXES_*): per username and address,
and per address alone, never per username alone, so nobody can lock a manager out from
elsewhere by guessing at their name. Password reset requests are counted here, in the
cache every process shares, per address and per e-mail address, with the same limit and
cool-off.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import caches
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _


class ThrottlingBackend(AxesStandaloneBackend):
    """Axes' gate in front of the model backend. Only a web request can be throttled, so
    a call without one (a shell, a test's `client.login`) goes on to the next backend
    instead of failing as axes' own backend does."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str:
    """Where the request came from (AXES_CLIENT_IP_CALLABLE). Behind PROXY_COUNT proxies
    the connection is the nearest proxy's; each appends the address it was reached from
    to X-Forwarded-For, so the client's is that many entries from the end. Entries
    further left are the client's own say and are not trusted."""
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [address.strip() for address in header.split(",") if address.strip()]
    if settings.PROXY_COUNT and len(forwarded) >= settings.PROXY_COUNT:
        return forwarded[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def cool_off_message() -> str:
    return _(
        "Too many failed log-ins. Try again in %(minutes)s minutes, or ask head office "
        "to unlock your account."
    ) % {"minutes": settings.LOGIN_COOLOFF_MINUTES}


def locked_out(request, original_response=None, credentials=None):
    """Axes' answer to a locked-out attempt (AXES_LOCKOUT_CALLABLE): the log-in page with
    the reason, or for the page's sign-in-again dialog the same reason in JSON."""
    message = cool_off_message()
    if request.path == reverse("sign_in_again"):
        return JsonResponse({"state": "refused", "message": message}, status=429)
    # Unbound: validating the posted form again would count one more failure.
    form = auth_views.AuthenticationForm(
        request, initial={"username": request.POST.get("username", "")}
    )
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out": message, "next": request.POST.get("next", "")},
        status=429,
    )


def over_limit(*keys: str) -> bool:
    """Count one more request under each key; True when any reached the limit within
    the cool-off (the first request opens the window, later ones do not extend it)."""
    timeout = settings.LOGIN_COOLOFF_MINUTES * 60
    cache = caches["shared"]
    counts = []
    for key in keys:
        cache.add(key, 0, timeout)
        try:
            counts.append(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout)
            counts.append(1)
    return max(counts) > settings.LOGIN_FAILURE_LIMIT


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, refused with a message once an address or an e-mail
    address has asked too often."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        address = client_address(self.request)
        if over_limit(f"password-reset:ip:{address}", f"password-reset:email:{email}"):
            # On the field: the admin's reset page shows no form-wide errors.
            form.add_error(
                "email",
                _("Too many password reset requests. Try again in %(minutes)s minutes.")
                % {"minutes": settings.LOGIN_COOLOFF_MINUTES},
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
