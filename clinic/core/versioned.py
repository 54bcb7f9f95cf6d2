"""Models whose writes bump versions (`clinic.core.versions`): every save or delete, bulk writes
too, and many-to-many changes, so a value cached from their rows is never read after they change."""

from __future__ import annotations

from django.db import models

from .versions import SETUP, bump


class VersionedQuerySet(models.QuerySet):
    """Bulk writes bump the model's versions too (after the write, like a save)."""

    def _bumped(self, result):
        bump(*self.model.bumps_versions)
        return result

    def update(self, **kwargs):
        return self._bumped(super().update(**kwargs))

    def delete(self):
        return self._bumped(super().delete())

    def bulk_create(self, objs, *args, **kwargs):
        return self._bumped(super().bulk_create(objs, *args, **kwargs))

    def bulk_update(self, objs, *args, **kwargs):
        return self._bumped(super().bulk_update(objs, *args, **kwargs))


class VersionedModel(models.Model):
    """A model that cached values are computed from: every save or delete bumps `bumps_versions`."""

    bumps_versions: tuple[str, ...] = (SETUP,)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        bump(*self.bumps_versions)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        bump(*self.bumps_versions)
        return result


def bump_on_m2m_change(relation, *names: str) -> None:
    """Many-to-many changes (`therapist.lengths.set(...)`) save no model: bump on them too.

    A cache-keeping hook on the relation's own signal, not a domain flow."""
    from django.db.models.signals import m2m_changed

    def changed(action, **kwargs):
        if action in ("post_add", "post_remove", "post_clear"):
            bump(*names)

    m2m_changed.connect(changed, sender=relation.through, weak=False, dispatch_uid=f"versions:{relation.through}")
