"""Health screening: the questions (data a manager edits), their published versions, the patient's
answers and what happens to a "refer" or "flag" answer.

- `models`: `ScreeningQuestion`, `QuestionnaireVersion` (an immutable snapshot of the questions),
  `AnswerSet` (one patient's answers to one version). Re-exported by `bookings.models`.
- `questions`: the default questions in plain words (seeded by a data migration) and the pure
  reading of a set of answers (`assess`).
- `services`: every write (publishing a version, recording answers with consent, referring).
- `referrals`: how a referral reaches reception's queue without bookings importing callbacks.
- `forms`: the questionnaire fields shared by the booking details step and the link reception sends.
- `session`: what one browser answered earlier (the changed-answers trace).

Nothing here is imported by this `__init__` so that `bookings.models` can import the models module
while the app registry is still loading.
"""
