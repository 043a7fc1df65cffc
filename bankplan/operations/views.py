from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .health import run_checks


@login_not_required
@never_cache
def healthz(request):
    """200 when the database answers, a task worker reported lately and the file storage
    takes a write; 503 naming what failed."""
    results = run_checks()
    healthy = all(results.values())
    body = {name: "ok" if ok else "failing" for name, ok in results.items()}
    return JsonResponse(body, status=200 if healthy else 503)
