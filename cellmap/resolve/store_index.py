"""The name index of a store's persons, built once per state of the store and kept on disk.

Building a :class:`~cellmap.resolve.search.NameIndex` analyses every name (about 20–30 s for
100,000 persons); a search reads it in a fraction of a second. So the index of a store is saved
(:meth:`NameIndex.save`: NumPy arrays, no pickled objects, mode 0600 in a 0700 directory) and
reused while the store's records are unchanged.

**Key.** A saved index belongs to: the store (its URL without password), the compartments the
caller sees, the matcher (name and version), the index format, and the records' state — the
import part of :meth:`Store.change_counter` (the newest import batch, as the workbench's
``cached_records`` use it: judgements merge persons but change no name, and the index holds
records, not clusters), plus the newest import's start time and the number of retracted imports,
so a store deleted and imported again, or an import retracted, is not mistaken for the old one.
Any difference rebuilds the index and replaces the file. The file lives in ``CELLMAP_CACHE_DIR``,
else ``$XDG_CACHE_HOME/cellmap``, else ``~/.cache/cellmap``.

Cost: reading the key is three aggregate queries; a hit loads O(postings) arrays; a miss is one
build, O(Σ name parts), and one write.
Example: ``index, fresh = store_index(store, Scorer("names-v1"))`` — ``fresh`` is False on a hit.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sqlalchemy import func, select

from cellmap.resolve.scorer import Scorer
from cellmap.resolve.search import NameIndex

NAME_PROPS = ("name", "alias", "kunya", "laqab")


def cache_dir() -> Path:
    """Where saved indexes live (see the module docstring)."""
    explicit = os.environ.get("CELLMAP_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "cellmap"


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


def records_state(store, conn) -> list:
    """The records' state the index is keyed on: newest import id, its start time, retractions."""
    from cellmap.store import tables as t

    newest = store.change_counter()[0]  # on an unrestricted connection (see change_counter)
    started = conn.execute(
        select(t.import_batch.c.started_at).where(t.import_batch.c.id == newest)
    ).scalar_one_or_none()
    retracted = conn.execute(select(func.count()).select_from(t.retraction)).scalar_one()
    return [newest, str(started) if started is not None else None, int(retracted)]


def store_index(store, scorer: Scorer, model: str = "alias") -> tuple[NameIndex, bool]:
    """The name index of ``store``'s persons as the caller (``store`` may be a scoped store) sees
    them, and whether it was built now (True) or read from the saved one (False)."""
    visible = getattr(store, "visible", None)
    meta = {
        "store": store.display_url(),
        "visible": sorted(visible) if visible is not None else None,
        "matcher": scorer.matcher.ident,
        "model": model,
    }
    ident = hashlib.sha256(repr(sorted(meta.items())).encode()).hexdigest()[:24]
    path = cache_dir() / f"names-{ident}.npz"
    with store.session() as conn:
        meta["records"] = records_state(store, conn)
        index = NameIndex.load(path, meta, scorer, model)
        if index is not None:
            return index, False
        persons = store_persons(conn)
    index = NameIndex(persons, scorer, model)
    try:
        index.save(path, meta)
    except OSError:
        pass  # an unwritable cache costs speed, not the answer
    return index, True
