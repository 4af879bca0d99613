"""Look-alike codes: a school code typed with a Cyrillic «О» for the Latin «O», in lower case, or with an
invisible character is a different string but the same school to a person. The message names the code it
looks like and why, instead of «not in the reference»."""
from __future__ import annotations

# Cyrillic letters that look like Latin ones, in both cases.
_LOOKALIKE = str.maketrans("АВЕКМНОРСТХУаеорсух", "ABEKMHOPCTXYaeopcyx")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u00a0 \t"), None)


def canonical(code: str) -> str:
    return code.translate(_INVISIBLE).translate(_LOOKALIKE).upper()


def differences(code: str, known: str) -> str:
    """What sets `code` apart from the `known` code it looks like, in Russian."""
    why = []
    if code.translate(_INVISIBLE) != code:
        why.append("невидимый символ или пробел в коде")
    visible = code.translate(_INVISIBLE)
    pairs = zip(visible.upper(), known.upper())
    if any(a != b and a.translate(_LOOKALIKE) == b.translate(_LOOKALIKE) for a, b in pairs):
        cyrillic = any("А" <= ch <= "я" for ch in visible)
        why.append("кириллическая буква вместо латинской" if cyrillic else "латинская буква вместо кириллической")
    if visible.upper() != visible and visible.upper().translate(_LOOKALIKE) == known.translate(_LOOKALIKE):
        why.append("строчные буквы вместо прописных")
    return f"похоже на {known}: " + ", ".join(why or ["другое написание"])


class LookAlikes:
    """Known codes by their canonical form, to name the one an unknown code looks like."""

    def __init__(self, known: frozenset[str] | set[str]):
        self.by_canonical = {canonical(k): k for k in known}

    def hint(self, code: str) -> str | None:
        found = self.by_canonical.get(canonical(code))
        return differences(code, found) if found is not None and found != code else None
