"""One live render at a time per user.

A plan at its limits takes tens of seconds to render and the render workers are few: a
user who clicks "PDF" again and again, or opens it in several tabs, would take them all
and make everyone else wait. A user's render holds a RenderSlot row; while it does, their
next one is refused at once (the view answers "busy, try again in a moment").
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from bankplan.operations.models import RenderSlot


class Busy(Exception):
    """The user has a render running already."""


def _lease() -> timedelta:
    # The render gives up after PDF_TIMEOUT; the margin covers making the HTML before it.
    return timedelta(seconds=settings.PDF_TIMEOUT + 30)


def _take(user, token: uuid.UUID) -> bool:
    now = timezone.now()
    expires = now + _lease()
    try:
        with transaction.atomic():
            RenderSlot.objects.create(user=user, token=token, expires_at=expires)
        return True
    except IntegrityError:
        # Held: by a running render, or by a process that died mid-render (expired).
        stale = RenderSlot.objects.filter(user=user, expires_at__lt=now)
        return stale.update(token=token, expires_at=expires) == 1


@contextmanager
def render_slot(user) -> Iterator[None]:
    """Hold the user's slot for the block; Busy if it is held."""
    token = uuid.uuid4()
    if not _take(user, token):
        raise Busy
    try:
        yield
    finally:
        RenderSlot.objects.filter(user=user, token=token).delete()
