import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

SIGNED_IN_AT = "signed_in_at"
RENEWED_AT = "renewed_at"
# The inactivity limit is renewed by saving the session, a database write: at most once
# a minute, not on every request (the limit is then exact to within that minute).
RENEW_EVERY = 60


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user picked English with the language switch.

    The browser's Accept-Language is ignored on purpose: many bank PCs run an English
    Windows, and their users still expect the Chinese application.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Log-in required everywhere; a page's own background request (an autosave) whose
    session has expired gets 401 instead of the log-in page, so the page can ask the
    user to sign in again without leaving what they typed."""

    def handle_no_permission(self, request, view_func):
        if request.accepts("application/json") and not request.accepts("text/html"):
            return JsonResponse({"state": "signed_out"}, status=401)
        return super().handle_no_permission(request, view_func)


@receiver(user_logged_in)
def note_the_log_in_time(sender, request, user, **kwargs):
    request.session[SIGNED_IN_AT] = request.session[RENEWED_AT] = time.time()


class SessionLifetimeMiddleware:
    """Ends a session SESSION_COOKIE_AGE seconds after its last request, and
    SESSION_MAX_AGE seconds after its log-in however active it was. The request then goes
    on signed out: a page gets the log-in page, an autosave the 401 that opens its
    dialog."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            # A session from before this middleware (or a log-in this process missed the
            # signal of) starts counting now.
            now = time.time()
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            if now - signed_in_at > settings.SESSION_MAX_AGE:
                logout(request)
            elif now - request.session.get(RENEWED_AT, 0) > RENEW_EVERY:
                # A changed session is saved, with a fresh expiry and cookie.
                request.session[RENEWED_AT] = now
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Pages, exports and PDFs for a signed-in user are kept by no cache, shared or the
    browser's own, unless the view chose its caching itself. Static files never get
    here: WhiteNoise answers them first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response
