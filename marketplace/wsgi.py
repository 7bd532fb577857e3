import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.development")
application = get_wsgi_application()

# The API's views are lazy for Celery workers (marketplace.lazy_views); a
# web process imports them now, so no request waits for them.
from marketplace.lazy_views import load_lazy_views  # noqa: E402 - needs the application's setup

load_lazy_views()
