"""Production settings plus one bench-only route (`bench/http_urls.py`), for `bench/http_load.py`.

Production itself never loads this module, so it has no extra endpoint."""

from datetime import datetime
from zoneinfo import ZoneInfo

from clinic.settings.prod import *  # noqa: F403

ROOT_URLCONF = "bench.http_urls"
# The workload's "now" (bench/http_wsgi.py and the preparing process run at it).
CLOCK = datetime(2030, 1, 6, 12, tzinfo=ZoneInfo("Europe/London"))
