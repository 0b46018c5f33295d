"""Synthetic (fictional) person records with known identities, for benchmarks of blocking and scoring.

Each fictional person has an ism, a father's name, a kunya ``Abu <son>`` and a nisba; each record
writes the person in one *form* (full name, kunya + nisba, ism + father + nisba, Arabic script …)
with transliteration noise (ou/u, ee/i, article forms, doubled letters, one typo) and, sometimes,
a birth year. Deterministic for a seed. Cost O(n).
"""

from __future__ import annotations

import random

import polars as pl

from cellmap.resolve.names import knowledge

ISMS = [
    "Muhammad",
    "Ahmad",
    "Ali",
    "Umar",
    "Khalid",
    "Ibrahim",
    "Yusuf",
    "Hasan",
    "Husayn",
    "Mahmud",
    "Mustafa",
    "Abdallah",
    "Saad",
    "Faisal",
    "Hamza",
    "Bilal",
    "Tariq",
    "Ziyad",
    "Nasser",
    "Karim",
    "Salim",
    "Jamal",
    "Walid",
    "Rashid",
    "Said",
    "Majid",
    "Hamid",
    "Anas",
    "Usama",
    "Ayman",
    "Qasim",
    "Jabir",
    "Marwan",
    "Idris",
    "Yunus",
    "Musa",
    "Isa",
    "Harun",
    "Sulayman",
    "Dawud",
    "Ammar",
    "Suhayb",
    "Hudhayfa",
    "Muadh",
    "Abd al-Rahman",
    "Abd al-Aziz",
    "Abd al-Karim",
    "Abd al-Latif",
    "Nur al-Din",
    "Salah al-Din",
    "Fadil",
    "Adil",
    "Hakim",
    "Nabil",
    "Samir",
    "Shakir",
    "Thamir",
    "Ghazi",
    "Hazim",
    "Wasim",
]
NISBA_STEMS = [
    "Baghdad",
    "Raqqaw",
    "Shami",
    "Mosul",
    "Tikrit",
    "Dulaim",
    "Ansar",
    "Masr",
    "Iraq",
    "Halab",
    "Dayr",
    "Jazraw",
    "Anbar",
    "Falluj",
    "Hashim",
    "Qurash",
    "Utayb",
    "Shammar",
    "Zubayd",
    "Jubur",
    "Ubayd",
    "Kubays",
    "Rawi",
    "Ani",
    "Hadith",
    "Tunis",
    "Libi",
    "Maghrib",
    "Yaman",
    "Urdun",
    "Filastin",
    "Kurd",
    "Turkmen",
    "Shishan",
    "Uzbek",
    "Tajik",
    "Khurasan",
    "Hind",
    "Sudan",
    "Somal",
    "Bahrain",
    "Kuwait",
    "Najd",
    "Hijaz",
    "Qatar",
    "Amrik",
    "Britan",
    "Almani",
    "Faransi",
    "Balkan",
]
ARABIC_LETTERS = {
    "a": "ا",
    "b": "ب",
    "t": "ت",
    "j": "ج",
    "h": "ح",
    "kh": "خ",
    "d": "د",
    "dh": "ذ",
    "r": "ر",
    "z": "ز",
    "s": "س",
    "sh": "ش",
    "q": "ق",
    "k": "ك",
    "l": "ل",
    "m": "م",
    "n": "ن",
    "u": "و",
    "w": "و",
    "i": "ي",
    "y": "ي",
    "f": "ف",
    "gh": "غ",
    "th": "ث",
}


def _nisba(stem: str) -> str:
    return stem if stem.endswith("i") else stem + "i"


def _to_arabic(latin: str) -> str:
    words = []
    for word in latin.lower().replace("-", " ").split():
        out, i = "", 0
        if word == "al":
            words.append("ال")
            continue
        while i < len(word):
            two = word[i : i + 2]
            if two in ARABIC_LETTERS:
                out += ARABIC_LETTERS[two]
                i += 2
                continue
            ch = word[i]
            # short vowels are not written inside a word
            if ch in "aiu" and 0 < i < len(word) - 1 and word[i + 1] != ch:
                i += 1
                continue
            out += ARABIC_LETTERS.get(ch, "")
            i += 1
        words.append(out)
    text = " ".join(words)
    return text.replace("ال ", "ال")


def _spell(word: str, rng: random.Random, typo_rate: float) -> str:
    w = word
    if rng.random() < 0.3:
        w = w.replace("u", "ou") if rng.random() < 0.5 else w.replace("i", "ee")
    if rng.random() < 0.2:
        w = w.replace("q", "k") if "q" in w else w.replace("dh", "z")
    if rng.random() < 0.2 and len(w) > 4:
        i = rng.randrange(1, len(w) - 1)
        w = w[:i] + w[i] + w[i:] if w[i].isalpha() and w[i] not in "aeiou" else w
    if rng.random() < typo_rate and len(w) > 5:
        i = rng.randrange(1, len(w) - 1)
        w = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    return w


def _article(rng: random.Random) -> str:
    return rng.choice(["al-", "al-", "el-", "al ", ""])


def persons(n_persons: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    return [
        {
            "person": p,
            "ism": rng.choice(ISMS),
            "father": rng.choice(ISMS),
            "son": rng.choice(ISMS),
            "grandfather": rng.choice(ISMS),
            "nisba": _nisba(rng.choice(NISBA_STEMS)),
            "birth_year": str(rng.randint(1960, 2002)),
        }
        for p in range(n_persons)
    ]


def write_record(p: dict, rng: random.Random, typo_rate: float = 0.1) -> str:
    form = rng.random()
    sp = lambda w: " ".join(_spell(x, rng, typo_rate) for x in w.split())  # noqa: E731
    kunya = f"{rng.choice(['Abu', 'Abu', 'Abou', 'Abo'])} {sp(p['son'])}"
    nisba = f"{_article(rng)}{sp(p['nisba'])}"
    if form < 0.35:
        return f"{sp(p['ism'])} {sp(p['father'])} {sp(p['grandfather'])} {nisba}"
    if form < 0.6:
        return f"{kunya} {nisba}"
    if form < 0.8:
        return f"{sp(p['ism'])} {rng.choice(['bin', 'ibn', 'ben'])} {sp(p['father'])} {nisba}"
    if form < 0.9:
        return f"{kunya} {sp(p['ism'])} {sp(p['father'])} {nisba}"
    return _to_arabic(f"{p['ism']} {p['father']} {p['grandfather']} al-{p['nisba']}")


def records(
    n_records: int, per_person: int = 2, seed: int = 1, typo_rate: float = 0.1
) -> pl.DataFrame:
    """``n_records`` records (record_id, name, birth_date, schema, person) of n_records/per_person persons."""
    knowledge()  # load once before the loop
    rng = random.Random(seed + 1)
    people = persons(max(1, n_records // per_person), seed)
    rows = []
    for rid in range(n_records):
        p = people[rid % len(people)]
        rows.append(
            {
                "record_id": rid,
                "name": write_record(p, rng, typo_rate),
                "birth_date": p["birth_year"] if rng.random() < 0.4 else None,
                "schema": "Person",
                "person": p["person"],
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "record_id": pl.Int64,
            "name": pl.Utf8,
            "birth_date": pl.Utf8,
            "schema": pl.Utf8,
            "person": pl.Int64,
        },
    )
