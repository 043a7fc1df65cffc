"""The API's error answers: DRF's, except that a 404 never says what was looked for."""

from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler


def handle(exc, context):
    """``get_object_or_404`` names the model it looked in ("No Plan matches..."), in
    English; the API answers every 404 alike, in the reader's language, so that a plan
    that does not exist and one that is not the user's cannot be told apart."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return exception_handler(exc, context)
