"""The default health questions, and the pure reading of a set of answers.

The questions follow the clinic's safety rule (soft tissue release is never used on the site of a
recent injury) and the contraindications common to massage: "refer" questions stop an online
booking until a therapist has talked to the patient; "flag" questions book, and the therapist
reviews the answer before treating. A manager edits them in admin; these are only the starting set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

REFER = "refer"
FLAG = "flag"
YES = "yes"
NO = "no"

DEFAULT_QUESTIONS: list[dict] = [
    {
        "key": "recent-injury",
        "outcome": REFER,
        "text": "In the last 6 weeks, have you had an injury, strain, sprain, broken bone, surgery or an open wound "
        "in the area you want treated?",
        "help_text": "For example a pulled muscle, a fall or knock, stitches or a cut.",
        "explanation": "Soft tissue release is never used on the site of a recent injury. A therapist may be able to "
        "work around the injury rather than on it, but they need to talk to you first.",
    },
    {
        "key": "blood-clot",
        "outcome": REFER,
        "text": "Do you have, or have you had, a blood clot (such as a DVT) or a blood-clotting disorder?",
        "help_text": "DVT is deep vein thrombosis, a clot usually in the leg.",
        "explanation": "Massage could move a clot, so a therapist needs to talk to you first.",
    },
    {
        "key": "infection-or-fever",
        "outcome": REFER,
        "text": "Do you have a fever today, or an infectious skin condition?",
        "help_text": "For example flu, impetigo, ringworm, cellulitis or scabies.",
        "explanation": "We need to talk to you first: it may be best to wait until it has cleared up.",
    },
    {
        "key": "pregnancy",
        "outcome": FLAG,
        "text": "Are you pregnant?",
        "help_text": "",
        "explanation": "Your therapist will adapt the treatment and how you lie so that you are comfortable.",
    },
    {
        "key": "blood-thinners",
        "outcome": FLAG,
        "text": "Do you take blood-thinning medicine?",
        "help_text": "For example warfarin, apixaban, rivaroxaban or a daily aspirin.",
        "explanation": "You may bruise more easily, so your therapist will use lighter pressure.",
    },
    {
        "key": "varicose-veins",
        "outcome": FLAG,
        "text": "Do you have varicose veins?",
        "help_text": "",
        "explanation": "Your therapist will not work directly on them.",
    },
    {
        "key": "diabetes-reduced-feeling",
        "outcome": FLAG,
        "text": "Do you have diabetes with reduced feeling (numbness) anywhere, such as your feet?",
        "help_text": "",
        "explanation": "You may not feel too much pressure, so your therapist will check with you often.",
    },
    {
        "key": "osteoporosis",
        "outcome": FLAG,
        "text": "Do you have osteoporosis (thin or fragile bones)?",
        "help_text": "",
        "explanation": "Your therapist will use gentler pressure.",
    },
    {
        "key": "cancer-treatment",
        "outcome": FLAG,
        "text": "Have you had treatment for cancer in the last year?",
        "help_text": "For example surgery, chemotherapy or radiotherapy.",
        "explanation": "Your therapist will talk it through with you before treating.",
    },
    {
        "key": "pacemaker-or-metalwork",
        "outcome": FLAG,
        "text": "Do you have a pacemaker, or metal plates, pins or screws anywhere in your body?",
        "help_text": "",
        "explanation": "Your therapist will avoid working directly over them.",
    },
]


@dataclass(frozen=True)
class Assessment:
    """What a set of answers adds up to: the overall outcome and the questions answered Yes."""

    outcome: str  # "clear", "flag" or "refer"
    refer_keys: tuple[str, ...] = ()
    flag_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answers:
    """A patient's answers to one questionnaire version, as the forms hand them to the services.

    `earlier` is a set this browser gave before, with a refer answer, when the patient then changed
    their answers and booked (the trace staff must see).
    """

    version_number: int
    answers: dict[str, dict] = field(default_factory=dict)  # key -> {"answer": "yes"|"no", "detail": str}
    earlier: Answers | None = None

    def assess(self, questions: list[dict]) -> Assessment:
        return assess(questions, self.answers)


def assess(questions: list[dict], answers: dict[str, dict]) -> Assessment:
    """The outcome of `answers` to `questions` (a version's snapshot): refer beats flag beats clear."""
    refer, flag = [], []
    for question in questions:
        if (answers.get(question["key"]) or {}).get("answer") != YES:
            continue
        (refer if question["outcome"] == REFER else flag).append(question["key"])
    outcome = REFER if refer else FLAG if flag else "clear"
    return Assessment(outcome=outcome, refer_keys=tuple(refer), flag_keys=tuple(flag))
