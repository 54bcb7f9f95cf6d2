"""GSM-7 text: what fits in a plain SMS without switching the whole message to UCS-2 (70 characters)."""

import math
import unicodedata

BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = set("^{}\\[~]|€\f")  # each costs two septets

# What word processors and phones put in text, mapped to the plain characters GSM-7 has.
REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u200b": "",
    "\u2022": "-",
    "\t": " ",
}

SINGLE_SEGMENT = 160
PER_SEGMENT = 153  # a 7-septet header joins the parts of a longer message


def to_gsm7(text: str) -> str:
    """Replace typographic characters, strip accents GSM-7 lacks, and put '?' for anything else."""
    out = []
    for char in text:
        char = REPLACEMENTS.get(char, char)
        for c in char:
            if c in BASIC or c in EXTENSION:
                out.append(c)
                continue
            plain = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
            out.append(plain if plain and all(x in BASIC for x in plain) else "?")
    return "".join(out)


def is_gsm7(text: str) -> bool:
    return all(c in BASIC or c in EXTENSION for c in text)


def segments(text: str) -> int:
    """How many SMS parts a GSM-7 text takes."""
    septets = sum(2 if c in EXTENSION else 1 for c in text)
    return 1 if septets <= SINGLE_SEGMENT else math.ceil(septets / PER_SEGMENT)
