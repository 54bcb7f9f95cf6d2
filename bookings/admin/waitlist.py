"""The wait list in admin: who is waiting for what (filters by length, therapist, weekday), adding
a patient who phoned, and for each freed time who was offered it and who booked it.

Writes go through `bookings.waitlist.entries` (adding, taking off the list); the offers and freed
time are read-only records of what the system did.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from clinic.core.admin import ReadOnlyAdmin
from clinic.core.models import Weekday
from clinic.core.phones import PhoneField, PhoneSearchMixin
from therapists.models import Therapist

from ..models import FreedTime, TreatmentLength, WaitListEntry, WaitListOffer
from ..waitlist.entries import WaitListError, Wish, add_to_wait_list, check_wish, leave_wait_list
from ..waitlist.models import LONGEST_WAIT_DAYS, PART_LABELS


class WaitListEntryForm(forms.ModelForm):
    """Reception adds a patient who phoned: what suits them, and until when."""

    phone = PhoneField(mobile_only=True, label="Mobile", help_text="A UK mobile: offers come by text.")
    day_choices = forms.TypedMultipleChoiceField(
        label="Days that suit",
        coerce=int,
        choices=Weekday.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4, 5],
    )
    part_choices = forms.MultipleChoiceField(
        label="Times of day",
        choices=list(PART_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        initial=list(PART_LABELS),
    )

    class Meta:
        model = WaitListEntry
        fields = ["name", "phone", "length", "therapist", "last_day", "note"]
        help_texts = {"last_day": f"At most {LONGEST_WAIT_DAYS // 7} weeks from today."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "length" not in self.fields:
            return  # the read-only view of an entry
        self.fields["length"].queryset = TreatmentLength.objects.bookable().select_related("treatment")
        self.fields["therapist"].empty_label = "Anyone"
        self.fields["last_day"].initial = timezone.localdate() + timedelta(days=14)

    def _get_validation_exclusions(self):
        # The phone is checked by PhoneField; the model field's validator would reject the
        # fictional 07700 900xxx numbers (as in PatientAdminForm).
        return {*super()._get_validation_exclusions(), "phone"}

    def wish(self) -> Wish:
        data = self.cleaned_data
        return Wish(
            length=data["length"],
            therapist=data["therapist"],
            days=data["day_choices"],
            parts=data["part_choices"],
            last_day=data["last_day"],
        )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                check_wish(self.wish(), timezone.localdate())
            except WaitListError as error:
                raise forms.ValidationError(error.message) from error
        return cleaned


class WeekdayFilter(admin.SimpleListFilter):
    title = "day of the week"
    parameter_name = "weekday"

    def lookups(self, request, model_admin):
        return [(str(value), label) for value, label in Weekday.choices]

    def queryset(self, request, queryset):
        value = self.value() or ""
        return queryset.filter(days__contains=value) if len(value) == 1 and value in "0123456" else queryset


class LengthFilter(admin.SimpleListFilter):
    title = "length"
    parameter_name = "minutes"

    def lookups(self, request, model_admin):
        minutes = sorted(set(TreatmentLength.objects.values_list("minutes", flat=True)))
        return [(str(m), f"{m} minutes") for m in minutes]

    def queryset(self, request, queryset):
        return queryset.filter(length__minutes=self.value()) if self.value() else queryset


class TherapistFilter(admin.SimpleListFilter):
    """A therapist's entries include those who would see anyone: they are waiting for that diary too."""

    title = "therapist"
    parameter_name = "therapist"

    def lookups(self, request, model_admin):
        return [(str(t.pk), t.name) for t in Therapist.objects.all()] + [("anyone", "Anyone (no preference)")]

    def queryset(self, request, queryset):
        if self.value() == "anyone":
            return queryset.filter(therapist__isnull=True)
        if self.value():
            return queryset.filter(therapist_id=self.value()) | queryset.filter(therapist__isnull=True)
        return queryset


class WaitingFilter(admin.SimpleListFilter):
    title = "on the list"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("yes", "Waiting now"), ("all", "All")]

    def choices(self, changelist):
        # "Waiting now" is the default view: reception rarely needs past entries.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "yes") == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        return queryset if self.value() == "all" else queryset.waiting()


class OfferInline(admin.TabularInline):
    model = WaitListOffer
    fk_name = "entry"
    extra = 0
    can_delete = False
    fields = readonly_fields = ["start", "therapist", "status", "offered_at", "expires_at", "appointment"]
    verbose_name_plural = "offers texted"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WaitListEntry)
class WaitListEntryAdmin(PhoneSearchMixin, admin.ModelAdmin):
    form = WaitListEntryForm
    list_display = [
        "created_at",
        "name",
        "phone_number",
        "minutes",
        "who",
        "days_display",
        "parts",
        "last_day",
        "status",
    ]
    list_filter = [WaitingFilter, LengthFilter, TherapistFilter, WeekdayFilter, "status", "source"]
    list_select_related = ["length__treatment", "therapist"]
    search_fields = ["name", "phone"]
    phone_search_fields = ("phone",)
    actions = ["take_off_the_list"]
    inlines = [OfferInline]

    @admin.display(description="phone", ordering="phone")
    def phone_number(self, obj):
        return obj.phone.as_national if obj.phone else ""

    @admin.display(description="length", ordering="length__minutes")
    def minutes(self, obj):
        return obj.length.label(short=True)

    @admin.display(description="therapist", ordering="therapist__name")
    def who(self, obj):
        return obj.therapist or "Anyone"

    @admin.display(description="days")
    def days_display(self, obj):
        return obj.days_display

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "phone", "length", "therapist", "day_choices", "part_choices", "last_day", "note"]
        return ["name", "phone", "length", "therapist", "days_display", "parts", "last_day", "status", "source",
                "created_at", "confirmed_at", "created_by", "appointment", "note"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        # An entry is changed only through its services (taking it off the list, booking an offer).
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = add_to_wait_list(
            name=data["name"], phone=data["phone"], wish=form.wish(), note=data.get("note", ""), by_user=request.user
        )
        obj.pk, obj._state.adding, obj._state.db = saved.pk, False, saved._state.db

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    @admin.action(description="Take the selected entries off the wait list", permissions=["change"])
    def take_off_the_list(self, request, queryset):
        for entry in queryset:
            leave_wait_list(entry=entry)
        self.message_user(request, f"{queryset.count()} taken off the wait list.", messages.SUCCESS)


class FreedOfferInline(OfferInline):
    fk_name = "freed"
    fields = readonly_fields = ["entry_link", "start", "length", "status", "offered_at", "expires_at", "appointment"]
    verbose_name_plural = "offered to"

    @admin.display(description="wait-list entry")
    def entry_link(self, obj):
        url = reverse("admin:bookings_waitlistentry_change", args=[obj.entry_id])
        return format_html('<a href="{}">{} ({})</a>', url, obj.entry.name, obj.entry.phone.as_national)


@admin.register(FreedTime)
class FreedTimeAdmin(ReadOnlyAdmin):
    """Each time that came free, and who was offered it and who booked it."""

    list_display = ["created_at", "therapist", "when", "cause", "offered_to", "state"]
    list_filter = ["cause", "therapist"]
    list_select_related = ["therapist"]
    date_hierarchy = "created_at"
    fields = readonly_fields = ["therapist", "when", "cause", "appointment", "created_at", "due_at", "done_at"]
    inlines = [FreedOfferInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("offers__entry")

    @admin.display(description="time freed", ordering="start")
    def when(self, obj):
        start, end = timezone.localtime(obj.start), timezone.localtime(obj.end)
        return f"{start:%a %-d %b %H:%M}–{end:%H:%M}"

    @admin.display(description="offered to (outcome)")
    def offered_to(self, obj):
        offers = list(obj.offers.all())
        if not offers:
            return "-"
        return format_html_join(", ", "{} ({})", ((o.entry.name, o.get_status_display().lower()) for o in offers))

    @admin.display(description="status")
    def state(self, obj):
        if obj.done_at:
            return "Done"
        return "Offers open" if obj.offers.exists() else "Not offered yet (quiet hours)"
