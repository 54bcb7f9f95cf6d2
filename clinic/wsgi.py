import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.prod")

application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve with backends that would drop texts.
from clinic.core.checks import refuse_unsafe_production  # noqa: E402

refuse_unsafe_production()
