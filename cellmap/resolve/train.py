"""Fit the name-score coefficients of a matcher (the ``models`` of data/matchers/*.yaml) on the
training split of public cases.

L2-regularised logistic regression by Newton–Raphson / IRLS (McCullagh & Nelder 1989, §4.4):
w ← w + (XᵀSX + λI)⁻¹ (Xᵀ(y − p) − λw), S = diag(p(1−p)). Cost O(iter · (n·d² + d³)).
Only rows whose split is 'train' are used; 'dev' rows stay for reporting. Run:
``python -m cellmap.resolve.train ../shared/datasets/opensanctions-name-bench/cases.csv``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from cellmap import strict_json
from cellmap.resolve.evaluate import best_threshold, load_name_cases
from cellmap.resolve.score import FEATURES, default_scorer, is_person_schema


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    l2: float = 1.0,
    iterations: int = 50,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Weights (bias first) of an L2-regularised logistic regression (bias not penalised); each
    row counts ``weights[i]`` times (default once)."""
    xb = np.hstack([np.ones((x.shape[0], 1)), x])
    rw = np.ones(x.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    w = np.zeros(xb.shape[1])
    penalty = np.full(xb.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        grad = xb.T @ (rw * (y - p)) - penalty * w
        hess = (
            (xb * (rw * p * (1 - p))[:, None]).T @ xb
            + np.diag(penalty)
            + 1e-9 * np.eye(xb.shape[1])
        )
        step = np.linalg.solve(hess, grad)
        w = w + step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w


def feature_matrix(rows: list[dict], person: bool) -> np.ndarray:
    scorer = default_scorer()
    return np.array(
        [
            [
                scorer.name_features(
                    scorer.analyse(r["name1"], person), scorer.analyse(r["name2"], person), person
                )[f]
                for f in FEATURES
            ]
            for r in rows
        ]
    )


def scenario_pairs(
    records, truth: dict[str, str], max_rows: int = 1500, seed: int = 1
) -> list[dict]:
    """Labelled name pairs from a generated scenario (fictional persons): the candidate pairs of its
    person records (blocking), each as its best-matching pair of names, labelled by the ground truth
    (``record_to_person``). Only scenarios generated with training seeds may be used here."""
    import random

    from cellmap.resolve.candidates import _names_of, block
    from cellmap.resolve.score import score_names

    pairs = block(records, per_record=10, workers=1)
    rows_by_id = {r["record_id"]: r for r in records.iter_rows(named=True)}
    out = []
    for left, right in pairs.select("left_id", "right_id").iter_rows():
        a, b = rows_by_id[left], rows_by_id[right]
        if a["key"] not in truth or b["key"] not in truth:
            continue
        best = max(
            ((na, nb) for na in _names_of(a)[:4] for nb in _names_of(b)[:4]),
            key=lambda p: score_names(p[0], p[1], "Person"),
        )
        out.append(
            {
                "name1": best[0],
                "name2": best[1],
                "schema": "Person",
                "label": truth[a["key"]] == truth[b["key"]],
                "split": "train",
            }
        )
    random.Random(seed).shuffle(out)
    return out[:max_rows]


def _fit_group(rows: list[dict], person: bool, l2: float, threshold_rows: list[bool]) -> dict:
    x = feature_matrix(rows, person)
    y = np.array([1.0 if r["label"] else 0.0 for r in rows])
    w = fit_logistic(x, y, l2=l2)
    coef = {"bias": float(w[0])} | {f: float(v) for f, v in zip(FEATURES, w[1:], strict=False)}
    mask = np.array(threshold_rows)
    z = coef["bias"] + x[mask] @ w[1:]
    best = best_threshold(list(1 / (1 + np.exp(-z))), [bool(v) for v in y[mask]])
    coef["threshold"] = best.threshold
    coef["train_rows"] = len(rows)
    return coef


def train(
    cases_path: str | Path,
    out_path: str | Path | None = None,
    l2: float = 1.0,
    scenario_rows: list[dict] | None = None,
) -> dict:
    """Fit three coefficient sets: ``person`` (public person cases: list screening, score-pairs),
    ``generic`` (public non-person cases), and — when ``scenario_rows`` are given — ``record``
    (public person cases plus scenario pairs: report records that omit name parts; used for the
    store's candidates). Each threshold maximises F1 on the rows of its own kind."""
    public = [r for r in load_name_cases(cases_path) if r["split"] == "train"]
    people = [r for r in public if is_person_schema(r["schema"])]
    others = [r for r in public if not is_person_schema(r["schema"])]
    model: dict = {
        "_note": "fitted by cellmap.resolve.train on the train split of the OpenSanctions "
        "name-bench cases (dev split held back); 'record' adds pairs of synthetic "
        "scenarios generated with training seeds"
    }
    model["person"] = _fit_group(people, True, l2, [True] * len(people))
    model["generic"] = _fit_group(others, False, l2, [True] * len(others))
    if scenario_rows:
        rows = people + scenario_rows
        model["record"] = _fit_group(
            rows, True, l2, [False] * len(people) + [True] * len(scenario_rows)
        )
    if out_path is not None:
        Path(out_path).write_text(strict_json.dumps(model, indent=2) + "\n", encoding="utf-8")
    return model


def store_person_records(url: str):
    """Person records (with keys) of a store, as the CLI builds them."""
    from cellmap.resolve.candidates import store_records
    from cellmap.store import open_store

    store = open_store(url)
    with store.session() as conn:
        records = store_records(conn)
    store.close()
    return records


if __name__ == "__main__":
    # python -m cellmap.resolve.train CASES.csv [OUT.json] [SCENARIO_DIR STORE_URL]...
    # (scenarios generated with training seeds only, imported into the given stores)
    from cellmap.scenario import load_ground_truth

    # the models are written as JSON: copy them into a new matcher version's file (data/matchers/)
    default_out = Path("name_models.json")
    extra: list[dict] = []
    rest = sys.argv[3:]
    for folder, url in zip(rest[::2], rest[1::2], strict=False):
        extra += scenario_pairs(
            store_person_records(url), load_ground_truth(folder)["record_to_person"]
        )
    train(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else default_out, scenario_rows=extra)
