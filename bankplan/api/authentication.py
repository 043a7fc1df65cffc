"""``Authorization: Bearer <token>``: an API token (models.ApiToken) signs the request in
as its user, for as long as the token is unexpired and unrevoked and the user active.

Failed attempts are counted per address in the cache every process shares, like password
reset requests (organisation/throttling.py): past the log-in failure limit the address is
refused with 429 until the cool-off has passed, even with a good token. A token's 256
random bits cannot be guessed anyway; the limit keeps a scanner from flooding the
database with look-ups.
"""

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from bankplan.organisation.throttling import client_address, over_limit

from .models import ApiToken, digest_of

KEYWORD = "Bearer"


def _failures_key(request) -> str:
    return f"api-token:ip:{client_address(request)}"


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        # Read as the server decoded it (DRF's helper fails on what is not Latin-1).
        words = request.META.get("HTTP_AUTHORIZATION", "").split()
        if not words or words[0].lower() != KEYWORD.lower():
            return None  # not ours: the session may sign the request in
        key = _failures_key(request)
        cool_off = settings.LOGIN_COOLOFF_MINUTES * 60
        if caches["shared"].get(key, 0) > settings.LOGIN_FAILURE_LIMIT:
            raise exceptions.Throttled(wait=cool_off)
        token = self._token(words)
        if token is None or not token.is_usable:
            if over_limit(key):
                raise exceptions.Throttled(wait=cool_off)
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: unknown, expired or revoked, or its user deactivated.")
            )
        token.note_use()
        return token.user, token

    @staticmethod
    def _token(words: list[str]) -> ApiToken | None:
        if len(words) != 2 or not words[1].isascii():
            return None
        return ApiToken.objects.select_related("user").filter(digest=digest_of(words[1])).first()

    def authenticate_header(self, request):
        # Named in a 401's WWW-Authenticate (without it DRF answers 403).
        return f'{KEYWORD} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The scheme in the OpenAPI schema (and Swagger UI's "Authorize" dialog)."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token: `python manage.py api_token USERNAME`, or the admin.",
        }
