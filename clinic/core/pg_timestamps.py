"""Reading PostgreSQL's timestamps at C speed under Django.

To give every `timestamptz` value the time zone of the connection, Django registers its own
loader, a Python subclass of psycopg's pure-Python `TimestamptzLoader`: each value is parsed
with a regular expression in Python (about 7 µs). The reception diary reads four per
appointment (start, end, time held, last change), about 4,000 on a 40-therapist day, so that
parsing alone was a tenth of the page.

psycopg's C loader (psycopg[binary]) parses the same text to the same aware datetime in the
connection's time zone; it cannot be subclassed, so the loader below wraps it and then does
exactly what Django's does, `replace(tzinfo=<Django's connection time zone>)`. It also carries the
`timezone` attribute Django compares before it re-registers its own loader on a cursor.
`tests/clinic/test_pg_timestamps.py` holds the two to the same values.
"""

from __future__ import annotations


def install() -> None:
    """Make Django register the wrapped C loader wherever it registers its own (call once,
    before the first connection: `CoreConfig.ready`)."""
    try:
        import psycopg
        from django.db.backends.postgresql import base, psycopg_any
    except ImportError:  # no psycopg 3 (or no PostgreSQL backend): nothing to speed up
        return
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    fast = psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)
    if fast is None or fast.__module__.startswith("psycopg.types"):
        return  # the pure-Python implementation: Django's loader is as fast

    def register_tzloader(tz, context):
        class TimestamptzLoader(Loader):
            timezone = tz

            def __init__(self, oid, context=None):
                super().__init__(oid, context)
                self._parse = fast(oid, context).load

            def load(self, data):
                return self._parse(data).replace(tzinfo=self.timezone)

        context.adapters.register_loader("timestamptz", TimestamptzLoader)

    psycopg_any.register_tzloader = register_tzloader
    base.register_tzloader = register_tzloader  # create_cursor's own reference
    psycopg_any.get_adapters_template.cache_clear()
