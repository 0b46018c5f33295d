"""What the reports do not show, measured on scenarios of seeds used for no choice of model
(``CELLMAP_UNSEEN_SEEDS``, default 201–210): each seed is generated at demo size, imported, resolved
with the demo's automatic merges, then

1. hidden members: does the 90 % interval of ``estimate hidden`` cover the true number of members
   (every true person who is not a merchant, reported or not)? Its width;
2. missing ties: precision of the top 100 predicted person–person ties among the true ties no report
   states (the base rate: their share of all unlinked pairs of seen persons), block model vs
   Adamic–Adar; and on CAVIAR, phase t+1's new ties from phases ≤ t;
3. robust key players: the truth's top 5 by betweenness (true network, every tie) recovered by the
   plain key-player set and by the robust one (share ≥ 0.5 over samples).

python -m bench unseen     (stores are cached in bench-output/unseen/)
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

OUT = Path("bench-output/unseen")


def seeds() -> list[int]:
    text = os.environ.get("CELLMAP_UNSEEN_SEEDS", "201-210")
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(s) for s in text.split(",")]


def prepared(seed: int):
    """The scenario folder and resolved store of `seed` (generated, imported and merged once)."""
    from cellmap.ingest import import_files
    from cellmap.resolve.automatic import merge_automatically
    from cellmap.scenario import generate, scenario_files
    from cellmap.store import open_store

    folder = OUT / f"s{seed}"
    db = OUT / f"s{seed}.sqlite"
    if not db.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        generate(seed, "demo", folder)
        store = open_store("sqlite:///" + str(db.with_suffix(".tmp")))
        store.init()
        import_files(store, scenario_files(folder))
        merge_automatically(store)
        store.close()
        db.with_suffix(".tmp").rename(db)
    return folder, "sqlite:///" + str(db)


def frames(db: str):
    from cellmap.store import open_store, views

    store = open_store(db)
    with store.session() as conn:
        result = views.relations(conn), views.entities(conn), views.reports(conn)
    store.close()
    return result


def hidden_members_section(seed_list: list[int]) -> dict:
    from cellmap.scenario import load_ground_truth
    from cellmap.unseen.population import hidden_members

    rows = []
    for seed in seed_list:
        folder, db = prepared(seed)
        truth = load_ground_truth(folder)
        members = sum(1 for p in truth["persons"].values() if p["kind"] != "merchant")
        started = time.perf_counter()
        m = hidden_members(*frames(db))["members"]
        rows.append(
            {
                "seed": seed,
                "true": members,
                **{k: m[k] for k in ("observed", "estimate", "low", "high", "model")},
                "covered": m["low"] <= members <= m["high"],
                "width": round(m["high"] - m["low"], 1),
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
        r = rows[-1]
        print(
            f"  seed {seed}: true {members}, seen {r['observed']}, estimate {r['estimate']:.0f} "
            f"[{r['low']:.0f}, {r['high']:.0f}] {'covers' if r['covered'] else 'MISSES'} "
            f"(width {r['width']:.0f}; {r['model']})",
            flush=True,
        )
    covered = sum(r["covered"] for r in rows)
    widths = sorted(r["width"] for r in rows)
    print(
        f"  90% interval covers the truth on {covered}/{len(rows)} seeds; "
        f"median width {widths[len(widths) // 2]:.0f} members"
    )
    return {"rows": rows, "covered": covered, "seeds": len(rows)}


def main() -> None:
    seed_list = seeds()
    results = {"seeds": seed_list}
    print("[1] hidden members (capture–recapture across report sources)")
    results["hidden"] = hidden_members_section(seed_list)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
