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

import json
import math
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cellmap import strict_json
from cellmap.resolve.names import AnalysedName, NamePart, grams
from cellmap.resolve.scorer import Scorer

DEFAULT_CANDIDATES = 60
GRAM_SHARE = 0.5  # a part found only by its n-grams counts at most half an exact key
MAX_QUERY_LENGTH = 300  # characters: a name, not a document
INDEX_FORMAT = 1  # the saved index's layout and keys (keys_of, grams): bump when either changes


@dataclass(frozen=True)
class Hit:
    person_id: int
    name: str  # the person's name that scored best
    score: float
    label: str  # the person's main name


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
    """An inverted index of persons' names for :meth:`search`; see the module docstring.

    Posting lists are kept as compressed sparse rows (one sorted key table, one offsets array, one
    flat array of person indexes), which is also how :meth:`save` writes them: loading a saved index
    is reading arrays, not analysing names again."""

    def __init__(
        self,
        persons: Sequence[tuple[int, str, Sequence[str]]],
        scorer: Scorer | None = None,
        model: str = "alias",
    ):
        """``persons``: (person id, main name, all names incl. the main one)."""
        self._set_persons(
            [int(p[0]) for p in persons],
            [p[1] for p in persons],
            [list(dict.fromkeys(n for n in p[2] if n)) or [p[1]] for p in persons],
            scorer,
            model,
        )
        postings: dict[str, set[int]] = {}
        gram_postings: dict[str, set[int]] = {}
        for index, names in enumerate(self.names):
            for name in names:
                for part in identifying_parts(self.scorer.analyse_person(name)):
                    for key in keys_of(part):
                        postings.setdefault(key, set()).add(index)
                    for gram in grams(part.key):
                        gram_postings.setdefault(gram, set()).add(index)
        self._keys = Postings.of(postings, len(self.ids))
        self._grams = Postings.of(gram_postings, len(self.ids))

    def _set_persons(self, ids, labels, names, scorer: Scorer | None, model: str) -> None:
        self.scorer = scorer or Scorer()
        self.model = self.scorer.matcher.model_for(model, True)  # "person" without an alias model
        self.ids: list[int] = ids
        self.labels: list[str] = labels
        self.names: list[list[str]] = names
        self._unseen_idf = math.log(1 + max(len(ids), 1))

    def __len__(self) -> int:
        return len(self.ids)

    # --- persistence -------------------------------------------------------------------------

    def save(self, path: Path, meta: dict) -> None:
        """Write the index to ``path`` (NumPy ``.npz``, no pickled objects; readable by its owner
        only), atomically: a reader sees the old file or the new one, never half of one. ``meta``
        (JSON) is stored beside the arrays for :meth:`load` to check."""
        people = strict_json.dumps({"labels": self.labels, "names": self.names}, ensure_ascii=False)
        arrays = {
            "meta": _text_array(
                strict_json.dumps({**meta, "format": INDEX_FORMAT}, sort_keys=True)
            ),
            "ids": np.asarray(self.ids, dtype=np.int64),
            "people": _text_array(people),
            **self._keys.arrays("keys"),
            **self._grams.arrays("grams"),
        }
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:  # mkstemp creates it 0600
                np.savez(fh, allow_pickle=False, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(
        cls, path: Path, meta: dict, scorer: Scorer | None = None, model: str = "alias"
    ) -> NameIndex | None:
        """The index saved at ``path`` if its stored ``meta`` equals ``meta`` (same store state, same
        matcher, same index format), else None (absent, stale, or unreadable: the caller rebuilds)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                stored = json.loads(_array_text(data["meta"]))
                if stored != {**meta, "format": INDEX_FORMAT}:
                    return None
                people = json.loads(_array_text(data["people"]))
                index = cls.__new__(cls)
                index._set_persons(
                    data["ids"].tolist(), people["labels"], people["names"], scorer, model
                )
                index._keys = Postings.read(data, "keys")
                index._grams = Postings.read(data, "grams")
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            return None
        if len(index.labels) != len(index.ids) or len(index.names) != len(index.ids):
            return None
        return index

    # --- retrieval ---------------------------------------------------------------------------

    def candidates(self, name: str, limit: int = DEFAULT_CANDIDATES) -> list[int]:
        """Indexes of the ``limit`` persons with the highest summed key weight (ties: index order)."""
        if not self.ids:
            return []
        size = len(self.ids)
        total = np.zeros(size, dtype=np.float64)
        for query_part in identifying_parts(self.scorer.analyse_person(name)):
            # spelling slips: the share of the part's n-gram weight a person's part holds, at half weight
            rows = [r for r in map(self._grams.row, grams(query_part.key)) if r is not None]
            if rows:
                weights = [self._grams.idf[r] for r in rows]
                lists = [self._grams.held(r) for r in rows]
                counts = np.repeat(weights, [len(held) for held in lists])
                part = np.bincount(np.concatenate(lists), weights=counts, minlength=size).astype(
                    np.float64
                )
                # weighed as the part itself: its fold key's idf, the rarest when no one holds it
                own = self._keys.row("k:" + query_part.key)
                rarity = self._unseen_idf if own is None else self._keys.idf[own]
                part *= GRAM_SHARE * rarity / sum(weights)
            else:
                part = np.zeros(size, dtype=np.float64)
            # coarser keys first: the more specific (rarer, higher-weighted) key overwrites them
            found = [r for r in map(self._keys.row, keys_of(query_part)) if r is not None]
            for row in sorted(found, key=lambda r: self._keys.idf[r]):
                held = self._keys.held(row)
                part[held] = np.maximum(part[held], self._keys.idf[row])
            total += part
        found_ = np.flatnonzero(total)
        if len(found_) > limit:
            found_ = found_[np.argpartition(-total[found_], limit - 1)[:limit]]
        return sorted(found_.tolist(), key=lambda i: (-total[i], i))

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


@dataclass
class Postings:
    """Posting lists as compressed sparse rows: key ``keys[r]`` is held by the persons
    ``flat[offsets[r]:offsets[r + 1]]``; ``idf[r] = ln(1 + N / df)``."""

    keys: list[str]
    offsets: np.ndarray  # int64, len(keys) + 1
    flat: np.ndarray  # int32 person indexes
    idf: np.ndarray  # float64 per key
    rows: dict[str, int]

    @classmethod
    def of(cls, lists: dict[str, set[int]], persons: int) -> Postings:
        keys = sorted(lists)
        sizes = np.fromiter((len(lists[k]) for k in keys), dtype=np.int64, count=len(keys))
        offsets = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        flat = np.fromiter(
            (i for k in keys for i in sorted(lists[k])), dtype=np.int32, count=int(offsets[-1])
        )
        return cls.build(keys, offsets, flat, persons)

    @classmethod
    def build(cls, keys: list[str], offsets, flat, persons: int) -> Postings:
        sizes = np.diff(offsets)
        idf = np.log1p(max(persons, 1) / np.maximum(sizes, 1))
        return cls(keys, offsets, flat, idf, {k: r for r, k in enumerate(keys)})

    def row(self, key: str) -> int | None:
        return self.rows.get(key)

    def held(self, row: int) -> np.ndarray:
        return self.flat[self.offsets[row] : self.offsets[row + 1]]

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}_names": _text_array("\n".join(self.keys)),
            f"{prefix}_offsets": self.offsets,
            f"{prefix}_flat": self.flat,
        }

    @classmethod
    def read(cls, data, prefix: str) -> Postings:
        text = _array_text(data[f"{prefix}_names"])
        keys = text.split("\n") if text else []
        offsets, flat = data[f"{prefix}_offsets"], data[f"{prefix}_flat"]
        if len(offsets) != len(keys) + 1 or (len(keys) and int(offsets[-1]) != len(flat)):
            raise ValueError(f"{prefix}: offsets do not match the keys")
        return cls.build(keys, offsets, flat, len(data["ids"]))


def _text_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _array_text(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")
