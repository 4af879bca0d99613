"""Municipality names in the genitive, for the draft order's header («органа … Успенского муниципального
района», «… городского округа Северск»), with pymorphy3's dictionary of Russian.

A name is a noun phrase: the words up to its head noun (район, округ, образование, поселение, город…) agree with
it and are inflected; what follows the head is a proper name in apposition and stays as it is («городского
округа Северск», «муниципального района Ишимбайский район»), except a town after «город» («города Иркутска»).
Quoted parts never change («муниципального образования «Город Томск»»).
"""
from __future__ import annotations

import re
from functools import cache

HEADS = {"район", "округ", "образование", "поселение", "город", "муниципалитет", "область", "край", "округа"}
# Common words a name may start with in capitals that read in lower case inside a sentence.
COMMON = {"городской", "муниципальный", "сельский", "районный", "город", "район", "округ", "муниципальное",
          "образование", "поселение", "городское", "сельское"}
WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")


@cache
def _morph():
    import pymorphy3  # a 20 MB dictionary: loaded once, only by documents that need it

    return pymorphy3.MorphAnalyzer()


def _nominative(word: str, pos: str | None = None, gender: str | None = None):
    parses = [p for p in _morph().parse(word) if "nomn" in p.tag]
    for wanted in ((pos, gender), (pos, None), (None, None)):
        found = [p for p in parses if (wanted[0] is None or wanted[0] in p.tag)
                 and (wanted[1] is None or wanted[1] in p.tag)]
        if found:
            return found[0]
    return None


def _like(word: str, original: str) -> str:
    """`word` with the capitals of `original`, part by part across hyphens («Усть-Илимского»)."""
    if original.isupper() and len(original) > 1:
        return word.upper()
    parts, shapes = word.split("-"), original.split("-")
    return "-".join(p.capitalize() if i < len(shapes) and shapes[i][:1].isupper() else p
                    for i, p in enumerate(parts))


def _inflect(word: str, pos: str | None, gender: str | None) -> str:
    parse = _nominative(word, pos, gender)
    inflected = parse.inflect({"gent"}) if parse is not None else None
    return _like(inflected.word, word) if inflected is not None else word


def _head(words: list[str]) -> int | None:
    for i, w in enumerate(words):
        parse = _nominative(w, "NOUN")
        if parse is not None and parse.normal_form in HEADS:
            return i
    return None


def genitive(name: str) -> str:
    """«Успенский муниципальный район» → «Успенского муниципального района»; the first word in lower case
    when it is a common word («Городской округ Северск» → «городского округа Северск»)."""
    quoted = re.search(r"[«\"].*$", name)
    plain, tail = (name[:quoted.start()], name[quoted.start():]) if quoted else (name, "")
    matches = list(WORD.finditer(plain))
    words = [m.group(0) for m in matches]
    head = _head(words)
    if head is None:
        head = len(words) - 1  # no known head: the last word is the noun the others agree with
    head_parse = _nominative(words[head], "NOUN") if words else None
    gender = next((g for g in ("masc", "femn", "neut") if head_parse is not None and g in head_parse.tag), None)
    out = []
    for i, w in enumerate(words):
        if i < head:
            out.append(_inflect(w, "ADJF", gender))
        elif i == head or (i == head + 1 and head_parse is not None and head_parse.normal_form == "город"
                           and w[:1].isupper() and not tail):
            out.append(_inflect(w, "NOUN", None))
        else:
            out.append(w)
    first = _nominative(words[0]) if words else None
    if first is not None and first.normal_form in COMMON:
        out[0] = out[0][:1].lower() + out[0][1:]
    result, last = [], 0
    for m, w in zip(matches, out, strict=True):
        result += [plain[last:m.start()], w]
        last = m.end()
    return "".join(result) + plain[last:] + tail


AUTHORITY_RU = "органа местного самоуправления, осуществляющего управление в сфере образования,"


def order_header(municipality_name: str) -> str:
    """The issuing authority in the genitive, as the line under «РАСПОРЯЖЕНИЕ» reads."""
    return f"{AUTHORITY_RU} {genitive(municipality_name)}"
