"""The guidance panel of a section page: open on a user's first visit to the section,
collapsed from then on unless the user left it open. Each user sets their own
preference; it is kept per section, on the server, so it follows them to another PC."""

from django.db import connection
from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST

from .models import GuidancePreference
from .sections.registry import get_section


def shown_open(user, key: str) -> bool:
    """Whether ``user``'s panel of section ``key`` opens, and the visit recorded, in one
    statement (a page view costs the same on the first visit as on later ones): the first
    visit stores "no choice yet" and opens the panel; the next turns that into closed; a
    choice the user made stays. (SQLite 3.35+ and PostgreSQL both speak this upsert.)"""
    quote = connection.ops.quote_name
    table = quote(GuidancePreference._meta.db_table)
    user_id, section, is_open = (
        quote(GuidancePreference._meta.get_field(name).column)
        for name in ("user", "section", "open")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({user_id}, {section}, {is_open}) VALUES (%s, %s, NULL) "
            f"ON CONFLICT ({user_id}, {section}) "
            f"DO UPDATE SET {is_open} = COALESCE({table}.{is_open}, %s) RETURNING {is_open}",
            [user.pk, key, False],
        )
        (stored,) = cursor.fetchone()
    return stored is None or bool(stored)


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
