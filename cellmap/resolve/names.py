"""Name analysis for Arabic-origin names in Latin and Arabic script.

A name is split into parts and each part is tagged with its role in the classical Arabic name
(Schimmel, *Islamic Names*, Edinburgh UP 1989; Beeston, "Arabic Nomenclature", 1971):

- ``title``  honorific (Sheikh, Haji, Mullah, Dr) — weak evidence;
- ``kunya``  teknonym ``Abu X`` / ``Umm X`` ("father/mother of X");
- ``ism``    the given name (first plain part; ``Abd al-Rahman``, ``Salah al-Din`` are one ism);
- ``nasab``  patronymic, written ``bin/ibn/bint X`` or implied by position (``Ibrahim Awad Ibrahim``);
- ``nisba``  attributive adjective of origin or tribe, ``al-Baghdadi``, ``ad-Dulaimi``, ``al-Iraqi``;
- ``laqab``  epithet / nom de guerre with the article that is no nisba (``al-Muhajir``);
- ``family`` last plain part of a Western-style name, or ``al-X`` in last position;
- ``initial`` a single letter.

Every part carries a *fold key*: its spelling with transliteration variants folded together
(``ou/u``, ``ee/i``, ``dh/z/d``, ``q/k``, ``kh/h``, doubled letters, hyphens, ʿayn/hamza marks) by
ordered rewrite rules read from ``data/translit.yaml``, then mapped through the given-name
equivalences of ``data/given_names.csv`` (Mohammed = Muhammad = Mohd). Arabic script is first
transliterated letter by letter to Latin (``data/translit.yaml: arabic_letters``). The *skeleton*
drops the vowels the fold key still holds, which makes Latin and unvocalised Arabic comparable.

Cost: O(L) per name of L characters (each rewrite rule is one regular-expression pass).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml
from rigour.text.translit import ascii_text

MAX_TOKENS = 24
PART_TAGS = ("title", "kunya", "ism", "nasab", "nisba", "laqab", "family", "name", "initial")


def _data_text(filename: str) -> str:
    return resources.files("cellmap.resolve").joinpath("data", filename).read_text(encoding="utf-8")


@dataclass(frozen=True)
class NameKnowledge:
    """The name knowledge read from the data files (particles, rewrite rules, equivalences)."""

    kunya: frozenset[str]
    nasab: frozenset[str]
    article: frozenset[str]
    abd: frozenset[str]
    compound_tail: frozenset[str]
    title: frozenset[str]
    nisba_suffix: tuple[str, ...]
    fold_rules: tuple[tuple[re.Pattern[str], str], ...]
    skeleton_drop: re.Pattern[str]
    skeleton_merge: dict[int, str]
    arabic_letters: dict[str, str]
    arabic_words: dict[str, str]
    equivalents: dict[
        str, str
    ]  # fold key of a variant -> canonical spelling (may be several words)


@lru_cache(maxsize=1)
def knowledge() -> NameKnowledge:
    """Load the name knowledge once (data files under ``cellmap/resolve/data``)."""
    particles = yaml.safe_load(_data_text("particles.yaml"))
    translit = yaml.safe_load(_data_text("translit.yaml"))
    rules = tuple((re.compile(pattern), repl) for pattern, repl in translit["latin_fold"])
    base = NameKnowledge(
        kunya=frozenset(particles["kunya"]),
        nasab=frozenset(particles["nasab"]),
        article=frozenset(particles["article"]),
        abd=frozenset(particles["abd"]),
        compound_tail=frozenset(particles["compound_tail"]),
        title=frozenset(particles["title"]),
        nisba_suffix=tuple(sorted(particles["nisba_suffix"], key=len, reverse=True)),
        fold_rules=rules,
        skeleton_drop=re.compile(translit["skeleton_drop"]),
        skeleton_merge=str.maketrans(translit.get("skeleton_merge") or {}),
        arabic_letters=dict(translit["arabic_letters"]),
        arabic_words=dict(translit["arabic_words"]),
        equivalents={},
    )
    rows = csv.DictReader(_data_text("given_names.csv").splitlines())
    for row in rows:
        variant_key = _fold_with(base.fold_rules, row["variant"].strip().lower())
        canonical = row["canonical"].strip().lower()
        if variant_key != _fold_with(base.fold_rules, _NON_ALNUM.sub("", canonical)):
            base.equivalents[variant_key] = canonical
    # a canonical spelling must not itself be some other variant: keeps fold() idempotent
    for variant_key, canonical in list(base.equivalents.items()):
        if _fold_with(base.fold_rules, _NON_ALNUM.sub("", canonical)) in base.equivalents:
            del base.equivalents[variant_key]
    return base


def _fold_with(rules: Iterable[tuple[re.Pattern[str], str]], token: str) -> str:
    rules = tuple(rules)
    # Iterate to a fixed point so that fold(fold(x)) == fold(x) even when a rewrite creates
    # a pattern an earlier rule handles (x -> ks followed by h -> ksh -> ks).
    for _ in range(6):
        folded = token
        for pattern, repl in rules:
            folded = pattern.sub(repl, folded)
        if folded == token:
            break
        token = folded
    return token


@lru_cache(maxsize=500_000)
def _fold_ascii(token: str) -> str:
    """Fold rules only (no equivalences) on a lower-case ASCII token, cached: names repeat."""
    return _fold_with(knowledge().fold_rules, token)


@lru_cache(maxsize=1)
def _articles_longest_first() -> tuple[str, ...]:
    return tuple(sorted(knowledge().article, key=len, reverse=True))


_MARKS = "'’‘`ʿʾ´ʻʼ\u02bf\u02be"
_SPLIT = re.compile(r"[\s\-‐‑–—_.,;:/\\|()\[\]{}\"“”«»+&*!?]+")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_ARABIC_DIACRITICS = re.compile(r"[\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")  # harakat, tatweel
_NON_ALNUM = re.compile(r"[^a-z0-9]")


def has_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text or ""))


def arabic_to_latin(text: str) -> str:
    """Transliterate Arabic-script text to a comparable Latin form, word by word.

    Fixed readings (particles, frequent names) come from ``arabic_words``; other words go letter
    by letter through ``arabic_letters``; the article ``ال`` is split off as ``al-``.
    Short vowels are not written in Arabic, so the result is compared on its skeleton. O(L).
    """
    k = knowledge()
    words = []
    for word in _ARABIC_DIACRITICS.sub("", text).split():
        if word in k.arabic_words:
            words.append(k.arabic_words[word])
            continue
        prefix = ""
        if len(word) > 3 and word.startswith("ال"):
            prefix, word = "al-", word[2:]
            if word in k.arabic_words:
                words.append(prefix + k.arabic_words[word])
                continue
        latin = ""
        for ch in word:
            letter = k.arabic_letters.get(ch, ch)
            if letter.startswith("h") and latin[-1:] in _DIGRAPH_FIRST:
                latin += "a"  # س+ه is "s-h" (Suhail), not the ش that Latin "sh" would be read as
            latin += letter
        words.append(prefix + latin)
    return " ".join(words)


_DIGRAPH_FIRST = frozenset(
    "sktdgzc"
)  # letters that form a digraph with a following "h" (sh, kh, th, dh, gh, zh, ch)


def to_ascii(text: str) -> str:
    """Latin ASCII form of a name in any script (Arabic by ``arabic_to_latin``, others by rigour)."""
    text = unicodedata.normalize("NFC", text or "")
    for mark in _MARKS:
        text = text.replace(mark, "")
    if has_arabic(text):
        text = arabic_to_latin(text)
    return ascii_text(text)


@lru_cache(maxsize=500_000)
def fold(token: str) -> str:
    """Fold key of one name token: variant spellings of the same token share it. Idempotent."""
    k = knowledge()
    token = _NON_ALNUM.sub("", to_ascii(token).lower())
    if not token:
        return ""
    folded = _fold_ascii(token)
    canonical = k.equivalents.get(folded)
    if canonical is not None and " " not in canonical:
        folded = _fold_ascii(_NON_ALNUM.sub("", canonical))
    return folded


@lru_cache(maxsize=500_000)
def skeleton(key: str) -> str:
    """Consonant skeleton of a fold key (vowels after the first letter dropped)."""
    rules = knowledge()
    return rules.skeleton_drop.sub("", key).translate(rules.skeleton_merge)


def grams(key: str, n: int = 3) -> list[str]:
    """The character n-grams of a part's fold key, padded (``#kalaf#`` -> ``#ka``, ``kal``, …)."""
    padded = f"#{key}#"
    return sorted({padded[i : i + n] for i in range(len(padded) - n + 1)})


_SIGNATURES: dict[tuple[str, str, str, str], int] = {}
SIMILARITY_TAGS = frozenset({"initial", "kunya", "title"})  # the tags a part similarity looks at


@dataclass(
    frozen=True, eq=False
)  # identity hashing: one shared instance per value (name_part), compared by key
class NamePart:
    text: str  # the part as written (Latin, lower case; particles kept: "abu bakr", "al-baghdadi")
    tag: str  # one of PART_TAGS
    key: str  # fold key of the part without its particle
    skeleton: str
    # small integer naming everything a part similarity reads (tag class, key, skeleton, first
    # letter): "Mohammed" and "Muhammad" share it, so their similarities are computed once per run
    signature: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        value = (
            self.tag if self.tag in SIMILARITY_TAGS else "",
            self.key,
            self.skeleton,
            self.text[:1],
        )
        object.__setattr__(self, "signature", _SIGNATURES.setdefault(value, len(_SIGNATURES)))

    def __reduce__(self):
        # signatures are numbered per process: a part sent to another process is rebuilt there
        return (name_part, (self.text, self.tag, self.key, self.skeleton))


@dataclass(frozen=True)
class AnalysedName:
    original: str
    parts: tuple[NamePart, ...]
    arabic_script: bool

    @property
    def key(self) -> str:
        """Key of the whole name: the fold keys of its parts (titles left out), in order."""
        return " ".join(p.key for p in self.parts if p.tag != "title" and p.key)

    def by_tag(self, tag: str) -> list[NamePart]:
        return [p for p in self.parts if p.tag == tag]


def _reorder_comma(text: str) -> str:
    """Sanctions lists write "FAMILY, Given": put the given names first."""
    if text.count(",") == 1:
        family, given = (s.strip() for s in text.split(","))
        if family and given:
            return f"{given} {family}"
    return text


_ABD_JOINED = re.compile(r"^abd(?:[aeiou](?:l|sh|[tdrzsn])?)?(?P<rest>[a-z]{3,})$")
_KUNYA_JOINED = re.compile(r"^(?:abu|abou|abo)(?P<rest>[a-z]{4,})$")


@lru_cache(maxsize=200_000)
def _strip_article(token: str) -> str:
    for art in _articles_longest_first():
        if token.startswith(art) and len(token) - len(art) >= 3 and token[len(art)] not in "aeiou":
            return token[len(art) :]
    return token


@lru_cache(maxsize=200_000)
def _is_article_tail(token: str) -> str | None:
    """``eddine``/``uddin``/``ul-islam`` -> the compound tail (``dine``, ``din``, ``islam``), else None."""
    k = knowledge()
    if token in k.compound_tail:
        return token
    for art in _articles_longest_first():
        rest = token[len(art) :] if token.startswith(art) else None
        if rest and rest in k.compound_tail:
            return rest
    return None


def _is_nisba(word: str) -> bool:
    return word.endswith(knowledge().nisba_suffix) and len(word) >= 4


def tokens(name: str) -> list[str]:
    """Lower-case ASCII tokens of a name (comma order fixed, equivalences expanded)."""
    k = knowledge()
    text = _reorder_comma(to_ascii(name)).lower()
    out: list[str] = []
    for raw in _SPLIT.split(text):
        token = _NON_ALNUM.sub("", raw)
        if not token:
            continue
        canonical = k.equivalents.get(_fold_ascii(token))
        if canonical is not None and " " in canonical:
            out.extend(_NON_ALNUM.sub("", t) for t in canonical.replace("-", " ").split())
        else:
            out.append(token)
        if len(out) >= MAX_TOKENS:  # a name, not a document: bounds the O(m·n) alignment
            break
    return out[:MAX_TOKENS]


def _abd_compound(toks: list[str], j: int, n: int, k) -> tuple[str, str, int]:
    """'Abd' at toks[j] with the name after it (past an article) as one part: (core, shown, last index used)."""
    if toks[j + 1] in k.article and j + 2 < n:
        j += 1
    rest = _strip_article(toks[j + 1])
    return "abd" + rest, f"abd {rest}", j + 1


def _part(text: str, tag: str, core: str) -> NamePart:
    key = fold(core)
    return name_part(text, tag, key, skeleton(key))


_PARTS: dict[tuple[str, str, str, str], NamePart] = {}


def name_part(text: str, tag: str, key: str, skeleton_: str) -> NamePart:
    """The one shared NamePart of these values: 200,000 names hold about a million parts but a few tens of
    thousands of distinct ones (fewer objects to build, keep and walk for the garbage collector)."""
    found = _PARTS.get((text, tag, key, skeleton_))
    if found is None:
        found = _PARTS[(text, tag, key, skeleton_)] = NamePart(
            text=text, tag=tag, key=key, skeleton=skeleton_
        )
    return found


def analyse_name(name: str) -> AnalysedName:
    """Split a name into tagged parts with fold keys. See the module docstring. O(L)."""
    k = knowledge()
    toks = tokens(name)
    parts: list[NamePart] = []
    i = 0
    n = len(toks)
    while i < n:
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < n else None
        # the clan marker "Al" (آل) before a nasab: "Al Bin Ali"
        if tok in k.article and nxt is not None and nxt in k.nasab:
            i += 1
            continue
        if tok in k.title and n > 1:
            parts.append(_part(tok, "title", tok))
            i += 1
            continue
        if tok in k.kunya and nxt is not None:
            j = i + 1
            if toks[j] in k.article and j + 1 < n:
                j += 1
            core, shown = toks[j], toks[j]
            if (
                core in k.abd and j + 1 < n
            ):  # Abu Abd al-Aziz, Abou Abdel Aziz: one kunya, not kunya + ism
                core, shown, j = _abd_compound(toks, j, n, k)
            parts.append(_part(f"{tok} {shown}", "kunya", core))
            i = j + 1
            continue
        if tok in k.nasab and nxt is not None and (tok != "ben" or i > 0):
            j = i + 1
            if toks[j] in k.article and j + 1 < n:
                j += 1
            core = _strip_article(toks[j]) if toks[j] not in k.abd else toks[j]
            shown = toks[j]
            joined = _ABD_JOINED.match(core) if core not in k.abd else None
            if joined:  # bin Abdullah = bin Abd Allah
                core = "abd" + _strip_article(joined.group("rest"))
                shown = f"abd {_strip_article(joined.group('rest'))}"
            if core in k.abd and j + 1 < n:  # bin Abd al-Aziz
                core, shown, j = _abd_compound(toks, j, n, k)
            parts.append(_part(f"{tok} {shown}", "nasab", core))
            i = j + 1
            continue
        if tok in k.abd and nxt is not None:
            j = i + 1
            if toks[j] in k.article and j + 1 < n:
                j += 1
            rest = _strip_article(toks[j])
            parts.append(_part(f"abd {rest}", "ism", "abd" + rest))
            i = j + 1
            continue
        joined_abd = _ABD_JOINED.match(tok)
        if joined_abd and tok not in k.abd:
            rest = joined_abd.group("rest")
            parts.append(_part(f"abd {rest}", "ism", "abd" + _strip_article(rest)))
            i += 1
            continue
        joined_kunya = _KUNYA_JOINED.match(tok)
        if joined_kunya:
            rest = _strip_article(joined_kunya.group("rest"))
            parts.append(_part(f"abu {rest}", "kunya", rest))
            i += 1
            continue
        if tok in k.article and nxt is not None:
            # "al-Din" after a plain part is the tail of a compound ism (Salah al-Din)
            if nxt in k.compound_tail and parts and parts[-1].tag in ("ism", "name"):
                prev = parts.pop()
                parts.append(
                    _part(f"{prev.text} al-{nxt}", prev.tag, prev.text.replace(" ", "") + "a" + nxt)
                )
                i += 2
                continue
            tag = "nisba" if _is_nisba(nxt) else ("family" if i + 2 >= n else "laqab")
            parts.append(_part(f"al-{nxt}", tag, nxt))
            i += 2
            continue
        tail = _is_article_tail(tok)
        if tail is not None and parts and parts[-1].tag in ("ism", "name"):
            prev = parts.pop()
            parts.append(
                _part(f"{prev.text} al-{tail}", prev.tag, prev.text.replace(" ", "") + "a" + tail)
            )
            i += 1
            continue
        if (
            len(tok) >= 7
            and tok[:2] in ("al", "el")
            and tok[2] not in "aeiou"
            and _is_nisba(tok[2:])
        ):
            parts.append(_part(f"al-{tok[2:]}", "nisba", tok[2:]))
            i += 1
            continue
        if len(tok) == 1 and tok.isalpha():
            parts.append(_part(tok, "initial", tok))
            i += 1
            continue
        parts.append(_part(tok, "name", tok))
        i += 1
    parts = _assign_plain_tags(parts)
    return AnalysedName(
        original=name or "", parts=tuple(parts), arabic_script=has_arabic(name or "")
    )


def _assign_plain_tags(parts: list[NamePart]) -> list[NamePart]:
    """The first plain part is the ism; later plain parts are implied nasab (father, grandfather),
    except the last one of a name without nisba/family, which is tagged ``family``."""
    plain = [i for i, p in enumerate(parts) if p.tag in ("name", "ism")]
    if not plain:
        return parts
    out = list(parts)
    first = plain[0]
    out[first] = name_part(out[first].text, "ism", out[first].key, out[first].skeleton)
    has_surname = any(p.tag in ("nisba", "family", "laqab") for p in parts)
    for idx in plain[1:]:
        tag = "family" if (idx == plain[-1] and not has_surname) else "nasab"
        out[idx] = name_part(out[idx].text, tag, out[idx].key, out[idx].skeleton)
    return out


def name_key(name: str) -> str:
    """Spelling-independent key of a whole name (see :class:`AnalysedName.key`)."""
    return analyse_name(name).key
