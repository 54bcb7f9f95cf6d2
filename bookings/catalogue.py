"""What patients can book online: the bookable lengths and who offers each, read from the cache.

Every step of the booking flow validates the patient's choice of length and therapist against
this; it changes only when the manager edits treatments, lengths or therapists, each of which
bumps the `setup` version (`clinic.core.versions`), so it is read from the shared cache instead
of three queries per request. Treat what it returns as read-only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from clinic.core.versions import SETUP, cached
from therapists.models import Therapist

from .models import Treatment, TreatmentLength

# The therapist choice meaning "whoever is free" (an address parameter).
NO_PREFERENCE = "any"


@dataclass(frozen=True)
class Catalogue:
    lengths: tuple[TreatmentLength, ...]  # bookable (active, of an active treatment), treatment joined
    therapists: tuple[Therapist, ...]  # active and offering at least one bookable length, in order
    offered: dict[int, tuple[int, ...]]  # therapist id -> ids of the bookable lengths they offer
    _lengths_by_id: dict[int, TreatmentLength] = field(default_factory=dict, repr=False)

    def length(self, pk) -> TreatmentLength | None:
        """The bookable length with this id (a string from the address is fine), or None."""
        try:
            return self._lengths_by_id.get(int(pk))
        except (TypeError, ValueError):
            return None

    def therapist(self, pk) -> Therapist | None:
        return next((t for t in self.therapists if str(t.pk) == str(pk)), None)

    def offers(self, therapist: Therapist, length: TreatmentLength) -> bool:
        return length.pk in self.offered.get(therapist.pk, ())

    def choice(self, length_value, therapist_value) -> tuple[TreatmentLength, Therapist | None] | None:
        """The patient's choice from the address, exactly as the booking pages write it, when it
        can be booked online: a bookable length and either "no preference" (someone offers it)
        or a therapist who offers it. None for anything else, and `ChoiceForm` then says what is
        wrong; its rules are these (a test holds the two to the same answers)."""
        length = self.length(length_value)
        if length is None or str(length.pk) != length_value:
            return None
        if therapist_value == NO_PREFERENCE:
            return (length, None) if self.offering(length) else None
        therapist = self.therapist(therapist_value)
        return (length, therapist) if therapist is not None and self.offers(therapist, length) else None

    def offering(self, length: TreatmentLength) -> list[int]:
        """Ids of the active therapists offering `length`, in display order."""
        return [t.pk for t in self.therapists if length.pk in self.offered[t.pk]]

    # --- treatments: derived from the lengths, so the cached shape (and its 3 queries) is unchanged

    @property
    def treatments(self) -> list[Treatment]:
        """The treatments someone offers online (a bookable length an active therapist gives),
        in display order, each once."""
        offered = {pk for pks in self.offered.values() for pk in pks}
        found = {length.treatment_id: length.treatment for length in self.lengths if length.pk in offered}
        return sorted(found.values(), key=lambda t: (t.display_order, t.name))

    @property
    def names_treatments(self) -> bool:
        """Whether length labels name the treatment (`bookings.lengths.names_treatments`, same rule)."""
        return len(self.treatments) > 1

    def treatment(self, slug) -> Treatment | None:
        """The offered treatment with this slug (from the address), or None."""
        return next((t for t in self.treatments if t.slug == slug), None)

    def lengths_of(self, treatment: Treatment | None) -> list[TreatmentLength]:
        """The bookable lengths of `treatment` (all of them for None), in order."""
        return [length for length in self.lengths if treatment is None or length.treatment_id == treatment.pk]

    def therapists_for(self, treatment: Treatment | None) -> list[Therapist]:
        """The therapists offering at least one length of `treatment` (everyone for None)."""
        if treatment is None:
            return list(self.therapists)
        ids = {length.pk for length in self.lengths_of(treatment)}
        return [t for t in self.therapists if ids.intersection(self.offered[t.pk])]


def load_catalogue() -> Catalogue:
    # Read-only by contract (the module's docstring), so every request shares one object.
    return cached("booking-catalogue", depends_on=[SETUP], compute=load_catalogue_fresh, shared=True)


def load_catalogue_fresh() -> Catalogue:
    """The catalogue from the database: three queries."""
    lengths = tuple(TreatmentLength.objects.bookable().select_related("treatment"))
    ids = {length.pk for length in lengths}
    offered = defaultdict(list)
    for therapist_id, length_id in Therapist.lengths.through.objects.filter(treatmentlength_id__in=ids).values_list(
        "therapist_id", "treatmentlength_id"
    ):
        offered[therapist_id].append(length_id)
    therapists = tuple(Therapist.objects.active().filter(pk__in=offered.keys()))
    return Catalogue(
        lengths=lengths,
        therapists=therapists,
        offered={t.pk: tuple(sorted(offered[t.pk])) for t in therapists},
        _lengths_by_id={length.pk: length for length in lengths},
    )
