from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_production_settings() -> None:
    """Refuse to serve without a secret key (production has no default one: Django raises
    ImproperlyConfigured when the setting read here is empty) or, with DEBUG off, without
    the database named in DATABASE_URL."""
    settings.SECRET_KEY  # noqa: B018  (reading it is the check)
    if not settings.DEBUG and not settings.DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_URL is required when DEBUG is off.")
