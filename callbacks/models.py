from django.conf import settings
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField


class CallbackRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=CallbackRequest.Status.open_statuses())


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = CallbackRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.name} ({self.phone.as_national if self.phone else ''})"


class CallAttempt(models.Model):
    """One phone call reception made for a request, and how it went."""

    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached"
        NO_ANSWER = "no_answer", "No answer"
        VOICEMAIL = "voicemail", "Left voicemail"
        WRONG_NUMBER = "wrong_number", "Wrong number"

    request = models.ForeignKey(CallbackRequest, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField("when")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return f"{self.get_outcome_display()} at {self.at:%d %b %H:%M}"
