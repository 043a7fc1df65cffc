from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
