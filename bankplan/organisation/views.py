"""Signing in again from a page whose session expired, without leaving it."""

from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.views.decorators.http import require_POST


@login_not_required
@require_POST
def sign_in_again(request):
    """The log-in form's check, answered in JSON: the page that asked keeps what the user
    typed and carries on with the fresh session. Signing in rotates the CSRF token, so
    the new one goes back to the page for its forms."""
    form = AuthenticationForm(request, data=request.POST)
    if not form.is_valid():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        return JsonResponse({"state": "refused", "message": message}, status=400)
    login(request, form.get_user())
    return JsonResponse({"state": "signed_in", "csrf_token": get_token(request)})
