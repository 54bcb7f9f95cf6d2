"""Production settings plus one bench-only route (`bench/http_urls.py`), for `bench/http_load.py`.

Production itself never loads this module, so it has no extra endpoint."""

from clinic.settings.prod import *  # noqa: F403

ROOT_URLCONF = "bench.http_urls"
