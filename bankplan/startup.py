from django.conf import settings


def require_secret_key() -> str:
    """Refuse to serve without a secret key (production has no default one): Django
    raises ImproperlyConfigured when the setting read here is empty."""
    return settings.SECRET_KEY
