import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankplan.settings")
application = get_wsgi_application()

from bankplan.startup import require_production_settings  # noqa: E402  (needs the settings loaded)

require_production_settings()
