"""PostgreSQL's timestamps are read by psycopg's C parser (clinic/core/pg_timestamps.py), with
exactly the values Django's own loader gives."""

from datetime import UTC, datetime

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

VALUES = [
    "2030-01-09 09:00:00+00",
    "2030-03-31 00:59:59.999999+00",  # a second before the clocks go forward in London
    "2030-10-27 01:30:00.5+01",  # the hour that happens twice, with a fraction
    "1999-12-31 23:59:59-05:30",
    "0001-01-01 00:00:00+00",
]


def read(literals, loader=None):
    with connection.cursor() as cursor:
        if loader is not None:  # on this cursor only (psycopg copies the map on write)
            cursor.cursor.adapters.register_loader("timestamptz", loader)
        cursor.execute("SELECT " + ", ".join("%s::timestamptz" for _ in literals), literals)
        return list(cursor.fetchone())


def test_the_site_reads_timestamps_with_the_c_parser():
    adapters = connection.connection.adapters
    loader = adapters.get_loader(adapters.types["timestamptz"].oid, 0)
    assert loader.__module__ == "clinic.core.pg_timestamps"
    assert loader.timezone == connection.timezone  # so Django does not register its own per cursor


def test_each_value_is_the_one_djangos_own_loader_gives():
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    class Django(BaseTzLoader):
        timezone = connection.timezone

    got = read(VALUES)
    assert got == read(VALUES, loader=Django)
    assert all(value.tzinfo is UTC for value in got)
    assert got[0] == datetime(2030, 1, 9, 9, tzinfo=UTC)
