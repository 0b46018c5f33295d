"""Name slots of a record: the parts that fill its surname, father, given-name and kunya slots.

Over all of a record's names, each part is read into a slot by its tag (Schimmel, *Islamic Names*,
1989): a nisba or family name is a surname, a nasab the father, the ism opening a name of two or
more parts (no kunya in it) the given name, ``Abu X`` the kunya. Two records *clash* on a slot when
both fill it and no value of one agrees with any of the other (part similarity ≥ PART_AGREE):
"Abu Ali al-Zubaydi" is not the cell's "Abu Ali al-Deiri". A man may carry several nisbas
(al-Husseini al-Qurashi al-Baghdadi): one shared value is enough.

Cost: O(parts) to fill the slots, O(n·m) per clash test. Example:
``slots_clash(name_slots([analyse("Marwan bin Mahmud")])["father"], name_slots([analyse("Marwan
bin Ahmad")])["father"], sim)`` is True.
"""

from __future__ import annotations

from collections.abc import Iterable

from cellmap.resolve.features.name_parts import PART_AGREE, PartSimilarity
from cellmap.resolve.names import AnalysedName, NamePart

NAME_SLOTS = ("surname", "father", "given", "kunya")
Slots = dict[str, tuple[tuple[NamePart, bool], ...]]


def name_slots(analysed_names: Iterable[AnalysedName]) -> Slots:
    """The parts that fill each slot of :data:`NAME_SLOTS` over all of a record's names, with whether
    each part was written in Arabic script. O(parts)."""
    out: dict[str, list] = {slot: [] for slot in NAME_SLOTS}
    for analysed in analysed_names:
        core = [part for part in analysed.parts if part.tag not in ("title", "initial")]
        script = analysed.arabic_script
        # the given name opening a name of two or more parts; a lone word ("Idari", "Dheeb") is a laqab
        # more often than an ism, and the plain word after a kunya ("Abu Uthman Babi") is a nisba
        if (
            len(core) >= 2
            and core[0].tag == "ism"
            and not any(part.tag == "kunya" for part in core)
        ):
            out["given"].append((core[0], script))
        # a nisba written without its article ("Suhayb Zakareeya Jazrawee") is read as a family name; in
        # a two-part name ("Hamza Raed") the last part is the father's name, not a surname
        surname_tags = ("nisba", "family") if len(core) >= 3 else ("nisba",)
        for part in core:
            if part.tag in surname_tags:
                out["surname"].append((part, script))
            elif part.tag == "nasab":
                out["father"].append((part, script))
            elif part.tag == "kunya":
                out["kunya"].append((part, script))
    return {slot: tuple(parts) for slot, parts in out.items()}


def slots_clash(left: tuple, right: tuple, sim: PartSimilarity) -> bool:
    """Both sides fill the slot and no value of one agrees with any value of the other. O(n·m)."""
    return bool(left and right) and not any(
        sim(p, q, ap != bq) >= PART_AGREE for p, ap in left for q, bq in right
    )
