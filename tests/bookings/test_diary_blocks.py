"""The diary's blocks: prepared in Python, escaped when printed, and open to other features."""

from contextlib import contextmanager

import pytest
from django.db.models import Exists, OuterRef
from django.urls import reverse

from bookings.diary import Badge, BlockExtension, Line, Viewer, load_day, register, unregister
from bookings.models import Appointment, Patient
from clinic.core.roles import THERAPIST
from tests.bookings.diary_support import book, ensure_roles_exist, staff
from tests.bookings.test_diary_queries import DIARY_QUERIES, WARM_DIARY_QUERIES
from tests.conftest import at

pytestmark = pytest.mark.django_db

DIARY = reverse("admin:bookings_diary")


@pytest.fixture(autouse=True)
def _roles(db):
    ensure_roles_exist()


@contextmanager
def registered(extension):
    register(extension)
    try:
        yield
    finally:
        unregister(extension.name)


def cell_of(diary, pk):
    return next(c for col in diary.grid.columns for c in col.cells if c and c.block and c.block.pk == pk)


def block_of(diary, pk):
    return cell_of(diary, pk).block


def test_a_block_carries_its_labels_and_link_ready_to_print(alice, patient, lengths, next_monday):
    appointment = book(patient, alice, lengths[60], at(next_monday, "10:00"), status=Appointment.Status.ARRIVED)

    cell = cell_of(load_day(next_monday), appointment.pk)
    block = cell.block

    assert block.time_label == "10:00–11:00"
    assert (block.status_label, block.status_class) == ("Arrived", "status-arrived")
    assert block.patient_name == "Pat Example"
    assert cell.length_label == "60 min · Soft tissue release massage"  # four rows: room for it
    assert block.url == reverse("admin:bookings_appointment_change", args=[appointment.pk])
    assert block.title == "10:00–11:00 Pat Example, 60 min, Arrived"


def test_a_short_block_leaves_the_treatment_name_out(alice, patient, lengths, next_monday):
    appointment = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    assert cell_of(load_day(next_monday), appointment.pk).length_label == "30 min"


def test_names_and_notes_are_escaped_in_the_page(client, manager, alice, lengths, next_monday):
    sneaky = Patient.objects.create(name='<script>alert("x")</script> O\'Neil & Co', phone="+447700900555")
    book(sneaky, alice, lengths[30], at(next_monday, "10:00"), note="<b>sore</b>")
    client.force_login(manager)

    page = client.get(DIARY, {"date": next_monday.isoformat()}).content.decode()

    assert "<script>alert" not in page and "<b>sore</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#x27;Neil &amp; Co" in page
    assert 'title="10:00–10:30 &lt;script&gt;' in page
    assert "&lt;b&gt;sore&lt;/b&gt;" in page


def test_the_note_is_read_only_for_those_allowed_to_see_it(client, receptionist, alice, patient, lengths, next_monday):
    appointment = book(patient, alice, lengths[30], at(next_monday, "10:00"), note="Tight left hamstring")

    assert block_of(load_day(next_monday), appointment.pk).note == ""
    assert block_of(load_day(next_monday, viewer=Viewer(can_see_notes=True)), appointment.pk).note == (
        "Tight left hamstring"
    )
    client.force_login(receptionist)  # Reception: no clinical notes
    assert "Tight left hamstring" not in client.get(DIARY, {"date": next_monday.isoformat()}).content.decode()
    client.force_login(staff("alice", THERAPIST, therapist=alice))
    assert "Tight left hamstring" in client.get(DIARY, {"date": next_monday.isoformat()}).content.decode()


def _first_visit(block, row, viewer):
    if row["first_visit"]:
        block.badges.append(Badge("New", css="badge-new", title="First visit"))
    block.lines.append(Line(str(row["patient__phone"]), css="block-phone"))
    block.attrs["data-appointment"] = str(block.pk)
    block.attrs["data-hint"] = '"><script>'


FIRST_VISIT = BlockExtension(
    name="test-first-visit",
    values=("patient__phone",),
    annotations={
        "first_visit": lambda: (
            ~Exists(Appointment.objects.filter(patient=OuterRef("patient"), start__lt=OuterRef("start")))
        )
    },
    apply=_first_visit,
)


def test_an_extension_adds_badges_lines_and_attributes_within_the_same_queries(
    client, receptionist, alice, patient, lengths, next_monday, clinic_settings, django_assert_num_queries
):
    book(patient, alice, lengths[30], at(next_monday, "09:00"))
    book(patient, alice, lengths[30], at(next_monday, "11:00"))
    client.force_login(receptionist)
    with django_assert_num_queries(DIARY_QUERIES):
        client.get(DIARY, {"date": next_monday.isoformat()})

    # The day's set-up is cached now: the extension adds nothing to the warm page's queries.
    with registered(FIRST_VISIT), django_assert_num_queries(WARM_DIARY_QUERIES):
        page = client.get(DIARY, {"date": next_monday.isoformat()}).content.decode()

    assert page.count('<span class="badge badge-new" title="First visit">New</span>') == 1
    assert page.count('<span class="block-line block-phone">+447700900123</span>') == 2
    assert 'data-appointment="' in page
    assert 'data-hint="&quot;&gt;&lt;script&gt;"' in page


def test_an_unregistered_extension_is_gone(client, receptionist, alice, patient, lengths, next_monday):
    book(patient, alice, lengths[30], at(next_monday, "09:00"))
    with registered(FIRST_VISIT):
        pass
    client.force_login(receptionist)
    assert "badge-new" not in client.get(DIARY, {"date": next_monday.isoformat()}).content.decode()


def test_the_week_shows_the_same_blocks(client, receptionist, alice, patient, lengths, next_monday):
    book(patient, alice, lengths[30], at(next_monday, "09:00"))
    client.force_login(receptionist)
    with registered(FIRST_VISIT):
        page = client.get(
            reverse("admin:bookings_diary_week"), {"therapist": alice.pk, "date": next_monday.isoformat()}
        ).content.decode()
    assert '<span class="badge badge-new" title="First visit">New</span>' in page
    add = reverse("admin:bookings_appointment_add")
    assert f'href="{add}?therapist={alice.pk}&amp;start={next_monday.isoformat()}T10:00"' in page
