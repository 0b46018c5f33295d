"""Fictional Arabic-style names built from parts, and their spellings across reports.

A true person is a :class:`NameParts` (ism, father's name, kunya "Abu …", nisba "al-…",
optional laqab). A report writes that person in one *form* (full name, kunya + nisba,
ism + nisba, laqab alone, …) and one *romanisation*: each word may go through the
transliteration habits seen in real reporting on Syria and Iraq:

* article: ``al-`` / ``el-`` / ``al `` / sun-letter assimilation (``ar-Raqqawi``, ``ash-Shami``)
  / no particle at all;
* vowels: ``u`` ↔ ``ou``/``oo``, ``i`` ↔ ``ee``, ``a`` ↔ ``e``;
* consonants: ``dh`` ↔ ``z``/``th``/``d``, ``q`` ↔ ``k``/``g``, doubled consonants written single;
* fixed alternatives for frequent names (Muhammad/Mohammed, Hussein/Husayn, Abd al-/Abdul/Abdel,
  Abu/Abou, bin/ibn);
* Arabic script for some reports.

The spelling is chosen with the caller's ``random.Random``, so a seeded generator stays
deterministic. Cost: O(length of the name) per spelling.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

SUN_LETTERS = ("th", "sh", "dh", "t", "d", "r", "z", "s", "n", "l")

WORD_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "Muhammad": ("Mohammed", "Mohamed", "Mohammad", "Muhammed"),
    "Hussein": ("Husayn", "Hussain", "Husein", "Houssein"),
    "Hassan": ("Hasan", "Hassane"),
    "Omar": ("Umar", "Omer"),
    "Uthman": ("Othman", "Osman", "Usman"),
    "Abdullah": ("Abdallah", "Abd Allah", "Abdulla"),
    "Yusuf": ("Youssef", "Yousef", "Yusif"),
    "Mahmoud": ("Mahmud", "Mahmood"),
    "Mustafa": ("Mostafa", "Moustafa"),
    "Saleh": ("Salih", "Salah"),
    "Usama": ("Osama", "Oussama"),
    "Zaid": ("Zayd", "Zeid"),
    "Qais": ("Qays", "Kais", "Gais"),
    "Abu": ("Abou", "Abo"),
    "bin": ("ibn", "ben", "bin"),
}

ABD_PREFIXES = ("Abd al-", "Abdul ", "Abdel ", "Abd-al-", "Abdul-")


@dataclass(frozen=True)
class NameParts:
    """The parts of one fictional person's name, romanised canonically, with Arabic script."""

    ism: str
    father: str
    kunya_son: str
    nisba: str
    laqab: str | None
    ism_ar: str
    father_ar: str
    kunya_son_ar: str
    nisba_ar: str
    laqab_ar: str | None

    @property
    def kunya(self) -> str:
        return f"Abu {self.kunya_son}"

    @property
    def nisba_full(self) -> str:
        return f"al-{self.nisba}"

    @property
    def full_name(self) -> str:
        return f"{self.ism} {self.father} al-{self.nisba}"

    @property
    def kunya_name(self) -> str:
        return f"Abu {self.kunya_son} al-{self.nisba}"

    def canonical_names(self) -> list[str]:
        names = [self.full_name, self.kunya_name]
        if self.laqab:
            names.append(self.laqab)
        return names

    def arabic(self, form: str) -> str:
        nisba = self.nisba_ar
        if form == "kunya":
            return f"أبو {self.kunya_son_ar} {nisba}"
        if form == "laqab" and self.laqab_ar:
            return self.laqab_ar
        return f"{self.ism_ar} {self.father_ar} {nisba}"


@lru_cache(maxsize=1)
def name_data() -> dict[str, list[list[str]]]:
    text = (
        resources.files("cellmap.scenario").joinpath("data/names.yaml").read_text(encoding="utf-8")
    )
    return yaml.safe_load(text)


def draw_name_parts(
    rng: random.Random,
    nisba: Sequence[str] | None = None,
    father: Sequence[str] | None = None,
) -> NameParts:
    """Draw a fictional person's name; `nisba`/`father` fix parts shared with a brother."""
    data = name_data()
    ism = rng.choice(data["isms"])
    father = father or rng.choice(data["isms"])
    son = rng.choice(data["isms"])
    nisba = nisba or rng.choice(data["nisbas"])
    laqab = rng.choice(data["laqabs"]) if rng.random() < 0.3 else None
    return NameParts(
        ism=ism[0],
        father=father[0],
        kunya_son=son[0],
        nisba=nisba[0],
        laqab=laqab[0] if laqab else None,
        ism_ar=ism[1],
        father_ar=father[1],
        kunya_son_ar=son[1],
        nisba_ar=nisba[1],
        laqab_ar=laqab[1] if laqab else None,
    )


def _article(rng: random.Random, word: str) -> str:
    """Write the Arabic article before `word` in one of the usual romanisations."""
    lower = word.lower()
    sun = next((s for s in SUN_LETTERS if lower.startswith(s)), None)
    choices = ["al-", "al-", "el-", "al ", "Al-", ""]
    if sun:  # sun-letter assimilation: "ar-Raqqawi", "ash-Shami"
        choices.append(f"a{sun}-")
    return rng.choice(choices) + word


_VOWEL_RULES = (
    (re.compile(r"(?<![aeiou])u(?=[^aeiou])"), "ou"),
    (re.compile(r"(?<![aeiou])i(?=[^aeiou]|$)"), "ee"),
    (re.compile(r"a(?=[^aeiou]$)"), "e"),
)
_CONSONANT_RULES = (  # (pattern, replacements): applied in this order, to every match
    (re.compile(r"([bdfjklmnqrstz])\1"), (r"\1",)),
    (re.compile(r"dh", re.I), ("z", "th", "d")),
    (re.compile(r"q", re.I), ("k", "g")),
)


def _replacer(replacement: str):
    def replace(match: re.Match) -> str:
        if replacement.startswith("\\"):
            return match.expand(replacement)
        return replacement.capitalize() if match.group(0)[0].isupper() else replacement

    return replace


def respell_word(rng: random.Random, word: str, strength: float) -> str:
    """One romanisation of `word`; `strength` (0..1) is the chance of each habit applying."""
    if word in WORD_ALTERNATIVES and rng.random() < strength:
        return rng.choice(WORD_ALTERNATIVES[word])
    for pattern, replacements in _CONSONANT_RULES:
        if pattern.search(word) and rng.random() < strength:
            word = pattern.sub(_replacer(rng.choice(replacements)), word)
    for pattern, replacement in _VOWEL_RULES:
        if pattern.search(word) and rng.random() < strength / 2:
            word = pattern.sub(replacement, word, count=1)
    return word[:1].upper() + word[1:]


def _spell_compound(rng: random.Random, name: str, strength: float) -> str:
    """Respell a possibly compound ism ("Abd al-Rahman") word by word."""
    if name.startswith("Abd al-"):
        rest = respell_word(rng, name[len("Abd al-") :], strength)
        prefix = rng.choice(ABD_PREFIXES) if rng.random() < strength + 0.2 else "Abd al-"
        return f"{prefix}{rest}"
    return respell_word(rng, name, strength)


FORMS = ("full", "full", "kunya", "ism_nisba", "ism_father", "laqab", "kunya_only")


def spell(
    rng: random.Random,
    parts: NameParts,
    form: str | None = None,
    strength: float = 0.5,
    arabic: bool = False,
) -> str:
    """Write `parts` as a report would: one name form, one romanisation (or Arabic script)."""
    form = form or rng.choice(FORMS)
    if form == "laqab" and not parts.laqab:
        form = "kunya"
    if arabic:
        return parts.arabic("kunya" if form in ("kunya", "kunya_only") else form)
    nisba = (
        _article(rng, respell_word(rng, parts.nisba, strength))
        if rng.random() < 0.9
        else respell_word(rng, parts.nisba, strength)
    )
    abu = respell_word(rng, "Abu", strength)
    if form == "kunya":
        return f"{abu} {_spell_compound(rng, parts.kunya_son, strength)} {nisba}"
    if form == "kunya_only":
        return f"{abu} {_spell_compound(rng, parts.kunya_son, strength)}"
    if form == "laqab" and parts.laqab:  # (a person without one was given "kunya" above)
        word = parts.laqab.removeprefix("al-")
        return _article(rng, respell_word(rng, word, strength))
    ism = _spell_compound(rng, parts.ism, strength)
    if form == "ism_nisba":
        return f"{ism} {nisba}"
    father = _spell_compound(rng, parts.father, strength)
    if form == "ism_father":
        particle = respell_word(rng, "bin", 1.0) + " " if rng.random() < 0.4 else ""
        return f"{ism} {particle}{father}"
    particle = respell_word(rng, "bin", 1.0) + " " if rng.random() < 0.25 else ""
    return f"{ism} {particle}{father} {nisba}"
