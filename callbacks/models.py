from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

# After this many calls without reaching the person, the queue suggests closing the request.
UNREACHED_ATTEMPTS_BEFORE_CLOSING = 3


class SmsKind(models.TextChoices):
    """The texts callback requests cause (templates/sms/<kind>.txt)."""

    CALLBACK_ACK = "callback_ack", "Callback request received"
    CALLBACK_NOTICE = "callback_notice", "Callback notice to reception"


class CallbackRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=CallbackRequest.Status.open_statuses())

    def closed(self):
        return self.exclude(status__in=CallbackRequest.Status.open_statuses())

    def queue(self):
        """Reception's working order: open clinical reviews first (a patient waiting for a therapist's
        call before they can be booked), then other open requests, then closed ones; the
        longest-waiting first within each."""
        open_statuses = CallbackRequest.Status.open_statuses()
        return self.annotate(
            open_rank=Case(
                When(status__in=open_statuses, clinical_review=True, then=Value(0)),
                When(status__in=open_statuses, then=Value(1)),
                default=Value(2),
            )
        ).order_by("open_rank", "created_at", "pk")

    def with_attempt_counts(self):
        """`attempt_count`, `unreached_count` (calls that did not reach them) and `reached_count`."""
        outcome = CallAttempt.Outcome
        return self.annotate(
            attempt_count=Count("attempts"),
            reached_count=Count("attempts", filter=Q(attempts__outcome=outcome.REACHED)),
            unreached_count=Count("attempts", filter=Q(attempts__outcome__in=outcome.unreached())),
        )


class CallbackRequest(models.Model):
    """A patient asking reception to phone them; worked as a queue, oldest first."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CLOSED = "closed", "Closed without contact"

        @classmethod
        def open_statuses(cls):
            return [cls.NEW, cls.IN_PROGRESS]

    class When(models.TextChoices):
        ASAP = "asap", "As soon as possible"
        DAY = "day", "On a particular day"

    class Period(models.TextChoices):
        MORNING = "morning", "Morning"
        AFTERNOON = "afternoon", "Afternoon"
        EVENING = "evening", "Evening"

    class Reason(models.TextChoices):
        BOOK = "book", "Book an appointment"
        TREATMENT_QUESTION = "question", "A question about treatment"
        EXISTING_APPOINTMENT = "existing", "An existing appointment"
        OTHER = "other", "Something else"
        TEXT = "text", "Text from patient"  # a text reply the system could not act on itself

        @classmethod
        def public_choices(cls):
            """What patients choose from on the callback form."""
            return [(value, label) for value, label in cls.choices if value != cls.TEXT]

    name = models.CharField(max_length=120)
    phone = PhoneNumberField()
    when = models.CharField("when to call", max_length=10, choices=When.choices, default=When.ASAP)
    preferred_day = models.DateField(null=True, blank=True)
    preferred_period = models.CharField(max_length=10, choices=Period.choices, blank=True)
    reason = models.CharField("what it is about", max_length=10, choices=Reason.choices, default=Reason.BOOK)
    message = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    patient = models.ForeignKey(
        "bookings.Patient", null=True, blank=True, on_delete=models.SET_NULL, related_name="callback_requests"
    )
    clinical_review = models.BooleanField(
        "clinical review",
        default=False,
        db_index=True,
        help_text="A health answer means a therapist should call before this patient is booked or treated.",
    )
    # A referral from the health questions: the answers (clinical-notes permission only), and what
    # the patient was trying to book, or the reception booking whose link they answered.
    screening = models.ForeignKey(
        "bookings.AnswerSet",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callback_requests",
        verbose_name="health answers",
    )
    appointment = models.ForeignKey(
        "bookings.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="callback_requests"
    )
    wanted_length = models.ForeignKey(
        "bookings.TreatmentLength", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    wanted_therapist = models.ForeignKey(
        "therapists.Therapist", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    wanted_start = models.DateTimeField("wanted time", null=True, blank=True)
    times_asked = models.PositiveSmallIntegerField(
        default=1, help_text="How often the patient asked while this request was open."
    )
    acknowledged_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the last acknowledgement text was queued."
    )
    # The email to reception is a row-level promise, like the SMS outbox: due (after quiet hours),
    # then sent by whichever of the request's on-commit hook or the periodic catch-up gets there.
    reception_email_due_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    reception_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField("asked at", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The texts about this request; they go with it when retention deletes it.
    sms_messages = GenericRelation("sms.Message", content_type_field="about_type", object_id_field="about_id")
    consents = GenericRelation("bookings.ConsentRecord", content_type_field="about_type", object_id_field="about_id")

    objects = CallbackRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # The same number asking again updates its open request; the database has the last word
            # when two submissions race.
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(status__in=["new", "in_progress"]),
                name="callback_one_open_request_per_phone",
                violation_error_message="This phone number already has an open callback request.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.phone.as_national if self.phone else ''})"

    def save(self, *args, **kwargs):
        # Retention counts from the moment a request is closed, whoever closes it (admin, action).
        if self.is_open:
            self.closed_at = None
        elif self.closed_at is None:
            self.closed_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "closed_at"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in self.Status.open_statuses()

    def suggests_closing(self, *, reached: int, unreached: int) -> bool:
        """Several calls and never reached: reception should consider closing without contact."""
        return self.is_open and reached == 0 and unreached >= UNREACHED_ATTEMPTS_BEFORE_CLOSING

    @property
    def preferred_time_display(self) -> str:
        """'As soon as possible' or 'Tue 24 Nov, morning'."""
        if self.when == self.When.DAY and self.preferred_day:
            text = f"{self.preferred_day:%a} {self.preferred_day.day} {self.preferred_day:%b}"
            if self.preferred_period:
                text += f", {self.get_preferred_period_display().lower()}"
            return text
        return self.When.ASAP.label

    @property
    def wanted_display(self) -> str:
        """What a referred patient was booking: '45 min with Alice Example, Mon 7 Dec 10:00' (the
        length names its treatment once there are several)."""
        if not (self.wanted_length and self.wanted_start):
            return ""
        local = timezone.localtime(self.wanted_start)
        who = self.wanted_therapist.name if self.wanted_therapist else "no preference"
        return f"{self.wanted_length.label(short=True)} with {who}, {local:%a} {local.day} {local:%b %H:%M}"


class CallAttempt(models.Model):
    """One phone call reception made for a request, and how it went."""

    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached"
        NO_ANSWER = "no_answer", "No answer"
        VOICEMAIL = "voicemail", "Left voicemail"
        WRONG_NUMBER = "wrong_number", "Wrong number"

        @classmethod
        def unreached(cls):
            return [cls.NO_ANSWER, cls.VOICEMAIL, cls.WRONG_NUMBER]

    request = models.ForeignKey(CallbackRequest, on_delete=models.CASCADE, related_name="attempts")
    # A callable default makes the admin inline render "now" and still treat an untouched extra
    # row as empty (Django keeps the rendered initial in a hidden field to compare against).
    at = models.DateTimeField("when", default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return f"{self.get_outcome_display()} at {self.at:%d %b %H:%M}"
