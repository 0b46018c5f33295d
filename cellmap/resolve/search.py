"""Name search: rank a store's persons for one name (the analyst's "who is this alias?").

Retrieval in two steps, as a search engine with a re-ranker does (Manning, Raghavan & Schütze,
*Introduction to Information Retrieval*, CUP 2008, ch. 6–7):

1. **Candidates** from an inverted index of name-part keys: each part of each person's names is
   indexed under its fold key, its consonant skeleton and its skeleton without a leading vowel or
   semivowel (how Arabic script and Latin differ: يوسف ~ Yusuf); a query part credits each person
   holding one of its keys with that key's inverse document frequency ``ln(N / df)`` — a rare part
   agreeing is strong evidence, "Muhammad" is not (Spärck Jones 1972) — the best key per part, summed
   over the query's parts. Vectorised with NumPy over the posting lists.
2. **Re-ranking**: the ``candidates`` best persons by that sum are scored with the matcher
   (:class:`cellmap.resolve.scorer.Scorer`, the best score over each person's names) and the ``top``
   best returned.

Cost: building O(Σ parts); a query O(Σ posting-list lengths of its keys + candidates · names · m·n).
Example: over persons ``{1: ["Usama bin Ladin"], 2: ["Ayman al-Zawahiri"]}``, ``search("Osama bin
Laden")`` ranks 1 first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cellmap.resolve.names import AnalysedName, NamePart
from cellmap.resolve.scorer import Scorer

DEFAULT_CANDIDATES = 60
GRAM_SHARE = 0.5  # a part found only by its n-grams counts at most half an exact key
MAX_QUERY_LENGTH = 300  # characters: a name, not a document


@dataclass(frozen=True)
class Hit:
    person_id: int
    name: str  # the person's name that scored best
    score: float
    label: str  # the person's main name


def grams(key: str, n: int = 3) -> list[str]:
    """The character n-grams of a part's fold key, padded (``#kalaf#`` -> ``#ka``, ``kal``, …)."""
    padded = f"#{key}#"
    return sorted({padded[i : i + n] for i in range(len(padded) - n + 1)})


def part_keys(analysed: AnalysedName) -> list[list[str]]:
    """Index keys of each identifying part of a name, most specific first (see the module docstring)."""
    return [keys_of(part) for part in identifying_parts(analysed)]


def identifying_parts(analysed: AnalysedName) -> list[NamePart]:
    return [p for p in analysed.parts if p.tag not in ("title", "initial") and p.key]


def keys_of(part: NamePart) -> list[str]:
    keys = ["k:" + part.key]
    if len(part.skeleton) >= 2:
        keys.append("s:" + part.skeleton)
        bare = part.skeleton.lstrip("ayw")
        if len(bare) >= 2 and bare != part.skeleton:
            keys.append("b:" + bare)
    return keys


class NameIndex:
    """An inverted index of persons' names for :meth:`search`; see the module docstring."""

    def __init__(
        self,
        persons: Sequence[tuple[int, str, Sequence[str]]],
        scorer: Scorer | None = None,
        model: str = "alias",
    ):
        """``persons``: (person id, main name, all names incl. the main one)."""
        self.scorer = scorer or Scorer()
        self.model = self.scorer.matcher.model_for(
            model, True
        )  # "person" when it has no alias model
        self.ids = [int(p[0]) for p in persons]
        self.labels = [p[1] for p in persons]
        self.names = [list(dict.fromkeys(n for n in p[2] if n)) or [p[1]] for p in persons]
        postings: dict[str, set[int]] = {}
        gram_postings: dict[str, set[int]] = {}
        for index, names in enumerate(self.names):
            for name in names:
                for part in identifying_parts(self.scorer.analyse_person(name)):
                    for key in keys_of(part):
                        postings.setdefault(key, set()).add(index)
                    for gram in grams(part.key):
                        gram_postings.setdefault(gram, set()).add(index)
        n = max(len(self.ids), 1)
        self._postings = {
            k: np.fromiter(v, dtype=np.int32, count=len(v)) for k, v in postings.items()
        }
        self._idf = {k: math.log(1 + n / len(v)) for k, v in postings.items()}
        self._grams = {
            k: np.fromiter(v, dtype=np.int32, count=len(v)) for k, v in gram_postings.items()
        }
        self._unseen_idf = math.log(1 + n)
        self._gram_idf = {k: math.log(1 + n / len(v)) for k, v in gram_postings.items()}

    def __len__(self) -> int:
        return len(self.ids)

    def candidates(self, name: str, limit: int = DEFAULT_CANDIDATES) -> list[int]:
        """Indexes of the ``limit`` persons with the highest summed key weight (ties: index order)."""
        if not self.ids:
            return []
        size = len(self.ids)
        total = np.zeros(size, dtype=np.float64)
        for query_part in identifying_parts(self.scorer.analyse_person(name)):
            # spelling slips: the share of the part's n-gram weight a person's part holds, at half weight
            part_grams = [g for g in grams(query_part.key) if g in self._grams]
            if part_grams:
                weights = [self._gram_idf[g] for g in part_grams]
                hits = np.concatenate([self._grams[g] for g in part_grams])
                counts = np.repeat(weights, [len(self._grams[g]) for g in part_grams])
                part = np.bincount(hits, weights=counts, minlength=size).astype(np.float64)
                # weighed as the part itself: its fold key's idf, the rarest when no one holds it
                rarity = self._idf.get("k:" + query_part.key, self._unseen_idf)
                part *= GRAM_SHARE * rarity / sum(weights)
            else:
                part = np.zeros(size, dtype=np.float64)
            # coarser keys first: the more specific (rarer, higher-weighted) key overwrites them
            keys = keys_of(query_part)
            for key in sorted(keys, key=lambda k: self._idf.get(k, 0.0)):
                held = self._postings.get(key)
                if held is not None:
                    part[held] = np.maximum(part[held], self._idf[key])
            total += part
        found = np.flatnonzero(total)
        if len(found) > limit:
            found = found[np.argpartition(-total[found], limit - 1)[:limit]]
        return sorted(found.tolist(), key=lambda i: (-total[i], i))

    def search(self, name: str, top: int = 10, candidates: int = DEFAULT_CANDIDATES) -> list[Hit]:
        """The ``top`` persons for a name, best first (score ties: candidate order)."""
        name = (name or "").strip()[:MAX_QUERY_LENGTH]
        if not name:
            return []
        hits = []
        for index in self.candidates(name, max(candidates, top)):
            best_score, best_name = max(
                (self.scorer.score_names(name, other, "Person", self.model), other)
                for other in self.names[index][:8]
            )
            hits.append(Hit(self.ids[index], best_name, best_score, self.labels[index]))
        hits.sort(key=lambda h: -h.score)
        return hits[:top]


NAME_PROPS = ("name", "alias", "kunya", "laqab")


def store_persons(conn) -> list[tuple[int, str, list[str]]]:
    """The persons of a store as :class:`NameIndex` takes them: (entity id, caption, every name,
    alias, kunya and laqab statement). ``conn`` is a store session. O(persons + statements)."""
    from cellmap.store import views

    entities = views.entities(conn, kinds=["person"], resolved=False)
    if entities.is_empty():
        return []
    props = views.properties(conn, entity_ids=entities["entity_id"].to_list(), props=NAME_PROPS)
    names: dict[int, list[str]] = {}
    for entity_id, value in props.select("entity_id", "value").iter_rows():
        if value:
            names.setdefault(entity_id, []).append(value)
    out = []
    for entity_id, caption, key in entities.select("entity_id", "name", "key").iter_rows():
        label = caption or key or str(entity_id)
        out.append((entity_id, label, [label, *names.get(entity_id, [])]))
    return out
