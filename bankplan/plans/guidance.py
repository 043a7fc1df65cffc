"""The guidance panel of a section page: open on a user's first visit to the section,
collapsed from then on unless the user left it open. Each user sets their own
preference; it is kept per section, on the server, so it follows them to another PC."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST

from .models import GuidancePreference
from .sections.registry import get_section


def shown_open(user, key: str) -> bool:
    """Whether ``user``'s panel of section ``key`` opens. One query; on the first visit
    to the section a second records the visit (the panel is collapsed from the next)."""
    stored = GuidancePreference.objects.filter(user=user, section=key).values_list(
        "open", flat=True
    )
    for is_open in stored:
        return is_open
    # A concurrent first visit (another tab) may have recorded it already: no error.
    GuidancePreference.objects.bulk_create(
        [GuidancePreference(user=user, section=key, open=False)], ignore_conflicts=True
    )
    return True


@require_POST
def remember(request, key):
    """The user opened or closed the panel of section ``key`` (``open`` is "1" or "0")."""
    section = get_section(key)  # 404 for a key that names no section
    if request.POST.get("open") not in ("0", "1"):
        return HttpResponseBadRequest()
    is_open = request.POST["open"] == "1"
    GuidancePreference.objects.update_or_create(
        user=request.user, section=section.key, defaults={"open": is_open}
    )
    return JsonResponse({"open": is_open})
