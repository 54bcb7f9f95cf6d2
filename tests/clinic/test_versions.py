"""Version-keyed caching (clinic.core.versions): a write makes stale values unreachable, after
commit too, and a dead cache means computing, never an error."""

import socket

import pytest
from django.db import transaction
from django.test import override_settings

from clinic.core import versions
from clinic.core.models import ClinicSettings

pytestmark = pytest.mark.django_db


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return f"value {self.calls}"


def test_a_value_is_computed_once_while_its_inputs_keep_their_versions():
    compute = Counter()
    assert versions.cached("thing", depends_on=["a", "b"], compute=compute) == "value 1"
    assert versions.cached("thing", depends_on=["a", "b"], compute=compute) == "value 1"
    assert compute.calls == 1


def test_bumping_any_input_makes_the_value_computed_again_and_others_stay():
    thing, other = Counter(), Counter()
    versions.cached("thing", depends_on=["a", "b"], compute=thing)
    versions.cached("other", depends_on=["c"], compute=other)

    versions.bump("b")

    assert versions.cached("thing", depends_on=["a", "b"], compute=thing) == "value 2"
    assert versions.cached("other", depends_on=["c"], compute=other) == "value 1"


@pytest.mark.django_db(transaction=True)
def test_a_write_bumps_again_after_its_transaction_commits():
    """Between the bump inside the transaction and the commit, another request can only read the
    old rows; whatever it caches then must not survive the commit."""
    compute = Counter()
    with transaction.atomic():
        versions.bump("a")
        # Another request, meanwhile, caches what it sees under the version bumped above.
        versions.cached("thing", depends_on=["a"], compute=compute)
        assert versions.cached("thing", depends_on=["a"], compute=compute) == "value 1"
    assert versions.cached("thing", depends_on=["a"], compute=compute) == "value 2"


@pytest.mark.django_db(transaction=True)
def test_a_transactions_bumps_move_each_version_once_at_once_and_all_together_after_commit(monkeypatch):
    """A booking writes a patient, an appointment and two texts, each bumping: one round trip to
    the shared cache per name at once, and one for all of them after commit."""
    moved = []
    real = versions._set_new_versions
    monkeypatch.setattr(versions, "_set_new_versions", lambda names: (moved.append(names), real(names)))
    with transaction.atomic():
        versions.bump("pages")
        versions.bump("pages")
        versions.bump("any", "one")
        versions.bump("texts")
        versions.bump("texts", "pages")
        assert moved == [("pages",), ("any", "one"), ("texts",)]
    assert moved[3:] == [("any", "one", "pages", "texts")]


@pytest.mark.django_db(transaction=True)
def test_a_value_read_between_two_writes_of_one_transaction_is_not_read_after_the_second():
    compute = Counter()
    with transaction.atomic():
        versions.bump("a")
        assert versions.cached("thing", depends_on=["a"], compute=compute) == "value 1"
        versions.bump("a")  # read since the first bump: the version moves again at once
        assert versions.cached("thing", depends_on=["a"], compute=compute) == "value 2"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transactions_bumps_are_not_taken_for_the_next_ones():
    compute = Counter()
    with pytest.raises(RuntimeError), transaction.atomic():
        versions.bump("a")
        raise RuntimeError
    assert versions.cached("thing", depends_on=["a"], compute=compute) == "value 1"
    with transaction.atomic():
        versions.bump("a")
        assert versions.cached("thing", depends_on=["a"], compute=compute) == "value 2"


def test_cached_many_computes_only_what_is_missing_in_one_call():
    loads = []

    def compute(items):
        loads.append(sorted(items))
        return {item: f"{item}!" for item in items}

    keys = {n: (f"item:{n}", [f"v{n}"]) for n in (1, 2, 3)}
    assert versions.cached_many(keys, compute) == {1: "1!", 2: "2!", 3: "3!"}
    versions.bump("v2")
    assert versions.cached_many(keys, compute) == {1: "1!", 2: "2!", 3: "3!"}
    assert loads == [[1, 2, 3], [2]]


def test_many_values_their_readers_promise_not_to_change_are_kept_as_objects():
    """`cached_many(..., shared=True)` (a fortnight of free starts per therapist): the second read
    unpickles nothing."""
    keys = {n: (f"item:{n}", ["v"]) for n in (1, 2)}
    first = versions.cached_many(keys, lambda items: {item: (item, "starts") for item in items}, shared=True)
    again = versions.cached_many(keys, lambda items: dict.fromkeys(items, "computed again"), shared=True)
    assert again == first and all(again[n] is first[n] for n in (1, 2))


# Round trips to Redis: Django's local-memory cache answers get_many with a get per key.
@pytest.mark.redis
def test_a_fortnight_of_forty_therapists_is_kept_whole_in_the_process_beside_the_pages(monkeypatch):
    """A "no preference" panel in a 40-therapist clinic reads 560 therapist-days: the second time,
    all of them come from this process's copies (none from Redis, however many pages were cached
    meanwhile), and only the version is read from the shared cache."""
    keys = {n: (f"day:{n}", ["diary"]) for n in range(40 * 14)}
    versions.cached_many(keys, lambda items: {item: (item, "starts") for item in items}, shared=True)
    for n in range(versions.LOCAL_ENTRIES):
        versions.cached(f"panel:{n}", depends_on=["setup"], compute=lambda: "<html>", shared=True)
    counting = CountingCache(monkeypatch)

    again = versions.cached_many(keys, lambda items: pytest.fail(f"{len(items)} computed again"), shared=True)

    assert again == {n: (n, "starts") for n in keys}
    assert counting.reads == 1


def test_saving_a_versioned_model_bumps_its_versions():
    clinic_settings = ClinicSettings.load()
    before = versions.current([versions.CLINIC, versions.SETUP])
    clinic_settings.min_notice_minutes = 60
    clinic_settings.save()
    after = versions.current([versions.CLINIC, versions.SETUP])
    assert before[versions.CLINIC] != after[versions.CLINIC]
    assert before[versions.SETUP] != after[versions.SETUP]
    assert ClinicSettings.load().min_notice_minutes == 60


def test_bulk_writes_bump_too(alice):
    from therapists.models import WorkingHours

    before = versions.current([versions.SETUP])
    WorkingHours.objects.filter(therapist=alice, weekday=0, start="09:00").update(end="12:00")
    assert versions.current([versions.SETUP]) != before


def test_changing_the_lengths_a_therapist_offers_bumps_the_set_up(alice, lengths):
    before = versions.current([versions.SETUP])
    alice.lengths.remove(lengths[60])
    assert versions.current([versions.SETUP]) != before


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is


@pytest.fixture
def dead_cache():
    """The shared cache pointed at a port nobody listens on (Redis down)."""
    cache = {
        "BACKEND": "clinic.core.redis_cache.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
    }
    with override_settings(CACHES={"default": cache}):
        yield
    versions.forget_outage()


def test_a_dead_cache_means_computing_every_time(dead_cache):
    compute = Counter()
    assert versions.cached("thing", depends_on=["a"], compute=compute) == "value 1"
    assert versions.cached("thing", depends_on=["a"], compute=compute) == "value 2"
    versions.bump("a")  # no error either
    assert versions.current(["a"]) is None


def test_each_reader_gets_its_own_copy_of_a_value_kept_in_the_process():
    """Values are also kept in this process (no round trip to Redis), pickled, so a reader that
    changes what it got changes nobody else's, exactly as with values read from Redis."""
    first = versions.cached("list", depends_on=["a"], compute=lambda: [1, 2])
    first.append(3)
    assert versions.cached("list", depends_on=["a"], compute=lambda: ["computed again"]) == [1, 2]


def test_a_value_its_readers_promise_not_to_change_is_one_object_for_the_whole_process():
    """`shared=True` (the catalogue, rendered panels): no unpickling on every request."""
    first = versions.cached("catalogue", depends_on=["a"], compute=lambda: ("one", "two"), shared=True)
    assert versions.cached("catalogue", depends_on=["a"], compute=lambda: "computed again", shared=True) is first


def test_a_value_too_big_to_keep_in_every_process_is_kept_in_the_shared_cache_alone():
    """`local=False` (the diary's megabyte pages): read from the shared cache, never held by the
    process, whose own copies are bounded by count, not size."""
    compute = Counter()
    assert versions.cached("page", depends_on=["a"], compute=compute, local=False) == "value 1"
    assert not any(":page:" in key for key in versions._local)
    assert versions.cached("page", depends_on=["a"], compute=compute, local=False) == "value 1"
    assert compute.calls == 1


def test_values_cached_by_another_release_are_never_read(monkeypatch):
    """A deploy changes templates or static files' hashed names: the new code computes its own
    panels and pages even while the previous release's hosts still serve theirs."""
    compute = Counter()
    versions.cached("page", depends_on=["a"], compute=compute)
    monkeypatch.setattr(versions, "_release", "the next release")
    assert versions.cached("page", depends_on=["a"], compute=compute) == "value 2"


def test_the_release_is_a_digest_of_the_templates(monkeypatch, settings, tmp_path):
    (tmp_path / "page.html").write_text("<p>one</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    monkeypatch.setattr(versions, "_release", None)
    before = versions.release()
    (tmp_path / "page.html").write_text("<p>two</p>")
    monkeypatch.setattr(versions, "_release", None)
    assert versions.release() != before


def test_one_redis_client_serves_every_cache_call_of_the_process():
    """Django's backend builds a client per call (a third of a cached page's cost in Redis calls)."""
    from clinic.core.redis_cache import RedisCache

    backend = RedisCache("redis://127.0.0.1:6379/15", {})
    assert backend._cache.get_client() is backend._cache.get_client(write=True)


def test_a_value_kept_in_the_process_is_never_read_once_its_inputs_moved_on():
    compute = Counter()
    versions.cached("thing", depends_on=["a"], compute=compute)
    versions.bump("a")  # another host's write: only the version in the shared cache moves
    assert versions.cached("thing", depends_on=["a"], compute=compute) == "value 2"


class CountingCache:
    """Counts the shared cache's reads (each one a round trip to Redis in production)."""

    def __init__(self, monkeypatch):
        from django.core.cache import cache

        self.reads = 0
        for name in ("get", "get_many"):
            real = getattr(cache, name)

            def counted(*args, _real=real, **kwargs):
                self.reads += 1
                return _real(*args, **kwargs)

            monkeypatch.setattr(cache, name, counted)


# Round trips to Redis: Django's local-memory cache answers get_many with a get per key.
@pytest.mark.redis
def test_a_warm_day_time_panel_costs_one_round_trip_to_the_shared_cache(client, alice, lengths, monkeypatch):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    url = reverse("bookings:time")
    day = (timezone.localdate() + timedelta(days=8)).isoformat()
    query = {"length": lengths[30].pk, "therapist": alice.pk, "day": day}
    ClinicSettings.load()  # the first load inserts the row, which bumps the set-up's version
    client.get(url, query, HTTP_HX_REQUEST="true")  # computed and cached
    counting = CountingCache(monkeypatch)

    response = client.get(url, query, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    # The versions of the set-up and of Alice's diary in one read; the catalogue and the panel
    # from this process's copies.
    assert counting.reads == 1


def test_a_warm_no_preference_panel_reads_two_versions_however_many_therapists(client, lengths, monkeypatch):
    """The set-up's and the "any diary" version: not one per therapist (docs/caching.md)."""
    from datetime import timedelta

    from django.core.cache import cache
    from django.urls import reverse
    from django.utils import timezone

    from tests.conftest import make_therapist

    for i in range(12):
        make_therapist(f"Therapist {i}", lengths=lengths.values(), order=i)
    ClinicSettings.load()
    url = reverse("bookings:time")
    day = (timezone.localdate() + timedelta(days=8)).isoformat()
    query = {"length": lengths[30].pk, "therapist": "any", "day": day}
    client.get(url, query, HTTP_HX_REQUEST="true")  # computed and cached
    asked = []
    real = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **k: asked.append(list(keys)) or real(keys, *a, **k))

    assert client.get(url, query, HTTP_HX_REQUEST="true").status_code == 200
    assert asked == [["v1:version:setup", "v1:version:diary:any"]]
