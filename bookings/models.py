import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, connections, models, transaction
from django.db.models import F, Func, Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from clinic.core.versioned import VersionedModel, VersionedQuerySet

from .lengths import label as plain_label
from .lengths import length_label

# Unambiguous characters only: a patient reads the reference out over the phone.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY3467"


# The version every write to an appointment or a patient bumps, whatever it changes (a note, a
# status, a name): the reception diary's pages are cached under it (`bookings.diary.page`), where
# the availability caches depend only on the writes that move time (`schedules.diary_version`).
DIARY_PAGES = "diary:pages"


def new_reference() -> str:
    """A short, human-friendly reference such as K7Q-4MX (24^6, about 190 million)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"{chars[:3]}-{chars[3:]}"


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The aware instants of local midnight at the start of `day` and of the next day.

    On clock-change days the span is 23 or 25 hours, which is why it is not start + 24 h.
    """
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return start, end


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresOnlyExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that is simply absent on other databases.

    The demo runs on SQLite, which has no exclusion constraints; there the booking service's
    IMMEDIATE transaction serialises check-then-insert instead. Returning no SQL makes Django skip
    the constraint when it creates, rebuilds or alters the table on SQLite.
    """

    def _is_postgres(self, schema_editor_or_alias):
        connection = getattr(schema_editor_or_alias, "connection", None)
        if connection is None:
            connection = connections[schema_editor_or_alias]
        return connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def validate(self, model, instance, exclude=None, using="default"):
        if self._is_postgres(using):
            super().validate(model, instance, exclude=exclude, using=using)


class Treatment(VersionedModel):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    # Bulk writes bump the `setup` version too: the catalogue and the length labels depend on it.
    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self):
        return self.name


class TreatmentLengthQuerySet(VersionedQuerySet):
    def bookable(self):
        return self.filter(active=True, treatment__active=True)


class TreatmentLength(VersionedModel):
    """One bookable length of a treatment, with its own price and clean-up time after."""

    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="lengths")
    minutes = models.PositiveSmallIntegerField()
    price = models.DecimalField("price (£)", max_digits=7, decimal_places=2)
    buffer_minutes = models.PositiveSmallIntegerField(
        "buffer after (minutes)", default=0, help_text="Time kept free after the appointment."
    )
    active = models.BooleanField(default=True)

    objects = TreatmentLengthQuerySet.as_manager()

    class Meta:
        ordering = ["treatment", "minutes"]
        constraints = [
            models.UniqueConstraint(fields=["treatment", "minutes"], name="treatment_length_unique"),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="treatment_length_positive"),
        ]

    def __str__(self):
        # Always named: admin choices list every treatment's lengths together (bookings/lengths.py).
        return plain_label(self.minutes, self.treatment.name, named=True, short=True)

    def label(self, *, price: bool = False, short: bool = False) -> str:
        """How people see this length, naming the treatment once there are several
        (`bookings.lengths.length_label`): "30 minutes", "Sports massage, 30 min"."""
        return length_label(self, price=price, short=short)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_minutes)

    @property
    def price_display(self) -> str:
        return f"£{self.price:,.0f}" if self.price == self.price.to_integral() else f"£{self.price:,.2f}"


class Patient(VersionedModel):
    bumps_versions = (DIARY_PAGES,)

    name = models.CharField(max_length=120)
    # Empty (NULL) only once the patient is erased: the number then identifies no one.
    phone = PhoneNumberField(unique=True, null=True, help_text="Stored in international form, e.g. +447700900123.")
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the patient's details were erased (UK GDPR)."
    )

    history = HistoricalRecords()
    # The texts this patient sent us (clinic.sms matches them by number; the link lives here).
    incoming_texts = GenericRelation(
        "sms.IncomingText", content_type_field="contact_type", object_id_field="contact_id"
    )

    class Meta:
        ordering = ["name"]
        permissions = [
            ("export_patient_data", "Can export a patient's data (subject access request)"),
            ("erase_patient", "Can erase a patient's personal data"),
        ]

    def __str__(self):
        return f"{self.name} ({self.phone.as_national if self.phone else ''})"


class Course(models.Model):
    """Sessions booked together as one course (soft tissue release is usually given weekly).

    The sessions are appointments (`Appointment.course`); each went through the booking service
    like any other. The course records how it was asked for, and who cancelled its remainder.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="courses")
    therapist = models.ForeignKey("therapists.Therapist", on_delete=models.PROTECT, related_name="+")
    length = models.ForeignKey(TreatmentLength, on_delete=models.PROTECT, related_name="+")
    every_weeks = models.PositiveSmallIntegerField(
        "every (weeks)", validators=[MinValueValidator(1), MaxValueValidator(4)], default=1
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancellation_reason = models.CharField(max_length=200, blank=True)

    # The texts listing the course's dates (one per course, not one per session).
    sms_messages = GenericRelation("sms.Message", content_type_field="about_type", object_id_field="about_id")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(every_weeks__gte=1, every_weeks__lte=4), name="course_every_one_to_four_weeks"
            ),
        ]

    def __str__(self):
        return f"{self.patient.name}'s course with {self.therapist}"


class AppointmentQuerySet(VersionedQuerySet):
    def holding_time(self):
        return self.filter(status__in=Appointment.Status.holding_time())

    def on_day(self, day):
        """Appointments starting on this local calendar day (a range, so the index is used)."""
        start, end = local_day_bounds(day)
        return self.filter(start__gte=start, start__lt=end)

    def overlapping(self, start, end):
        """Appointments whose held time (buffer included) overlaps [start, end)."""
        return self.filter(start__lt=end, blocked_until__gt=start)


class ScreeningStatus(models.TextChoices):
    """Where an appointment's health screening stands (the diary badge)."""

    NOT_SCREENED = "not_screened", "Not yet screened"
    CLEAR = "clear", "Screened"
    FLAGGED = "flagged", "Flagged: therapist reviews"
    REFERRAL = "referral", "Referral: call before treating"


class Appointment(VersionedModel):
    bumps_versions = (DIARY_PAGES,)
    ScreeningStatus = ScreeningStatus

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        ARRIVED = "arrived", "Arrived"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

        @classmethod
        def holding_time(cls):
            """Statuses whose appointment keeps the therapist's time taken."""
            return [cls.BOOKED, cls.ARRIVED, cls.COMPLETED]

    class Source(models.TextChoices):
        ONLINE = "online", "Online"
        RECEPTION = "reception", "Reception"

    class CancelledBy(models.TextChoices):
        PATIENT = "patient", "Patient (online)"
        CLINIC = "clinic", "Clinic"

    reference = models.CharField(max_length=7, unique=True, default=new_reference, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    therapist = models.ForeignKey("therapists.Therapist", on_delete=models.PROTECT, related_name="appointments")
    length = models.ForeignKey(
        TreatmentLength, on_delete=models.PROTECT, related_name="appointments", verbose_name="treatment length"
    )
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField(editable=False)
    # end + the length's buffer, stored so that the exclusion constraint and the availability
    # loader see exactly the time the appointment holds, even if the buffer is edited later.
    blocked_until = models.DateTimeField(editable=False)
    price = models.DecimalField("price (£)", max_digits=7, decimal_places=2, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED, db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.RECEPTION)
    note = models.TextField("patient's note", blank=True, help_text="What the patient said the problem is.")
    # The badge staff see; the answers themselves are `answer_sets` (clinical-notes permission only).
    screening_status = models.CharField(
        "screening", max_length=12, choices=ScreeningStatus.choices, default=ScreeningStatus.NOT_SCREENED
    )
    answers_changed = models.BooleanField(
        "answers changed during booking",
        default=False,
        help_text="The patient gave a refer answer earlier and then booked with different answers.",
    )
    # The booking form's one-time token: a repeated submit finds this row instead of booking twice.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_by = models.CharField(max_length=10, choices=CancelledBy.choices, blank=True, editable=False)
    cancelled_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    cancellation_reason = models.CharField(max_length=200, blank=True)
    # A session of a course booked together ("session 2 of 6"), or None for a one-off.
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions", editable=False
    )
    # When the patient said they are coming (replied Y to the reminder); shown on the diary block.
    confirmed_at = models.DateTimeField("confirmed by the patient", null=True, blank=True, editable=False)
    # The calendar invitation's SEQUENCE (RFC 5545): raised by every move and cancellation, so a
    # calendar app updates the event it has instead of keeping the older version (bookings/ics.py).
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["idempotency_key"])
    # The texts and emails about this appointment (clinic.sms and clinic.mail know no domain
    # model; the links live here), deleted with it.
    sms_messages = GenericRelation("sms.Message", content_type_field="about_type", object_id_field="about_id")
    emails = GenericRelation("mail.Email", content_type_field="about_type", object_id_field="about_id")
    consents = GenericRelation("bookings.ConsentRecord", content_type_field="about_type", object_id_field="about_id")
    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        permissions = [("view_clinical_notes", "Can view patients' notes and screening answers")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_end_after_start"),
            models.CheckConstraint(condition=Q(blocked_until__gte=F("end")), name="appointment_buffer_not_negative"),
            PostgresOnlyExclusionConstraint(
                name="appointment_no_overlap",
                expressions=[
                    (TsTzRange("start", "blocked_until", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("therapist", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=["booked", "arrived", "completed"]),
                violation_error_message="This therapist already has an appointment at that time.",
            ),
        ]

    def __str__(self):
        local = timezone.localtime(self.start)
        return f"{self.reference} {local:%a %d %b %H:%M} {self.patient.name} with {self.therapist}"

    def set_times(self):
        """Derive end, held time and price from the start and the treatment length."""
        if self.start and self.length_id:
            self.end = self.start + self.length.duration
            self.blocked_until = self.end + self.length.buffer
            if self.price is None:
                self.price = self.length.price

    def clean(self):
        self.set_times()

    def save(self, *args, redraw_reference: bool = True, **kwargs):
        """`redraw_reference=False`: insert without a savepoint, for a caller that retries the
        whole transaction on a clash (`create_booking`: two queries fewer per booking)."""
        self.set_times()
        if not self._state.adding or not redraw_reference:
            return super().save(*args, **kwargs)
        # References are short so they can be read out over the phone, which makes a clash with an
        # existing one possible (about 1 in 4,000 after 50,000 bookings): draw again, never a 500.
        for attempt in range(5):
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError as error:
                if attempt == 4 or "reference" not in str(error):
                    raise
                self.reference = new_reference()

    @property
    def holds_time(self) -> bool:
        return self.status in Appointment.Status.holding_time()

    @property
    def local_start(self):
        return timezone.localtime(self.start)

    @property
    def local_end(self):
        return timezone.localtime(self.end)

    @property
    def times_held(self) -> str:
        """'09:45–10:15', with ', clearing up until 10:30' when a buffer keeps the time after it."""
        text = f"{self.local_start:%H:%M}–{self.local_end:%H:%M}"
        if self.blocked_until and self.blocked_until > self.end:
            text += f", clearing up until {timezone.localtime(self.blocked_until):%H:%M}"
        return text

    @property
    def screening_badges(self) -> list[tuple[str, str]]:
        return screening_badges(self.screening_status, self.answers_changed)


# A diary shows a thousand blocks: the badge of each status is made once, not an enum per block.
_SCREENING_BADGE = {value: (value.replace("_", "-"), label) for value, label in ScreeningStatus.choices}


def screening_badges(status: str, answers_changed: bool) -> list[tuple[str, str]]:
    """(css name, words) for the screening badges staff see: the status, and a warning when the
    answers changed during booking. No health detail: safe for every staff member."""
    badges = [_SCREENING_BADGE[status]]
    if answers_changed:
        badges.append(("answers-changed", "Answers changed during booking"))
    return badges


# Screening and consent models live in their own modules (this one would pass 400 lines); importing
# them here registers them with the app.
from .consents import ConsentRecord  # noqa: E402, F401
from .screening.models import AnswerSet, QuestionnaireVersion, ScreeningQuestion  # noqa: E402, F401

# The wait list's models live with its code; importing them here registers them with the app.
from .waitlist.models import FreedTime, WaitListEntry, WaitListOffer  # noqa: E402, F401
