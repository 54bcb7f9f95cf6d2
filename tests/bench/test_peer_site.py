"""The peer's copy of the workload (bench/peer_site.py) holds the same working hours as ours,
in the shape its models allow: one range per weekday, the lunch break as an unavailability."""

from datetime import date, datetime, time, timedelta

from bench import workload
from bench.peer_http import free_slots
from bench.peer_site import PEER_WEEKDAY, peer_hours


def _bookable(ranges, breaks, weekday: int) -> set[time]:
    """The 15-minute grid times the peer would treat as working time on a Python weekday."""
    peer_day = PEER_WEEKDAY[weekday]
    if peer_day not in ranges:
        return set()
    start, end = ranges[peer_day]
    lunch = breaks.get(peer_day)
    out, moment = set(), datetime.combine(date.min, start)
    while moment.time() < end:
        if not (lunch and lunch[0] <= moment.time() < lunch[1]):
            out.add(moment.time())
        moment += timedelta(minutes=workload.SLOT_STEP_MIN)
    return out


def test_the_peers_hours_minus_its_breaks_are_the_workloads_hours_on_every_weekday():
    ranges, breaks = peer_hours()
    for weekday, intervals in workload.WEEKDAY_HOURS.items():
        wanted = set()
        for start, end in intervals:
            moment = datetime.combine(date.min, start)
            while moment.time() < end:
                wanted.add(moment.time())
                moment += timedelta(minutes=workload.SLOT_STEP_MIN)
        assert _bookable(ranges, breaks, weekday) == wanted, weekday


def test_the_peer_numbers_weekdays_from_sunday():
    ranges, breaks = peer_hours()
    assert set(ranges) == {1, 2, 3, 4, 5, 6}  # Monday to Saturday; Sunday (0) closed
    assert ranges[6] == (time(9), time(13)) and 6 not in breaks
    assert ranges[1] == (time(9), time(17)) and breaks[1] == (time(13), time(14))


def test_the_bench_books_only_free_slots_of_the_diary_that_never_overlap():
    rows = workload.diary(workload.BASE_DAYS)
    slots = free_slots()
    assert len(slots) > 361  # the default run's bookings, and the check's own
    taken = {}
    for slot in slots:
        day = date.fromisoformat(slot["day"])
        start = time.fromisoformat(slot["time"])
        assert start in workload.free_starts(rows, day, slot["index"], workload.MEASURE_SERVICE)
        begins = datetime.combine(day, start)
        for other in taken.get((day, slot["index"]), []):
            assert begins >= other + timedelta(minutes=45) or begins + timedelta(minutes=45) <= other
        taken.setdefault((day, slot["index"]), []).append(begins)
