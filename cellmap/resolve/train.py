"""Fit the name-score coefficients (data/name_model.json) on the training split of public cases.

L2-regularised logistic regression by Newton–Raphson / IRLS (McCullagh & Nelder 1989, §4.4):
w ← w + (XᵀSX + λI)⁻¹ (Xᵀ(y − p) − λw), S = diag(p(1−p)). Cost O(iter · (n·d² + d³)).
Only rows whose split is 'train' are used; 'dev' rows stay for reporting. Run:
``python -m cellmap.resolve.train ../shared/datasets/opensanctions-name-bench/cases.csv``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from cellmap.resolve.evaluate import best_threshold, load_name_cases
from cellmap.resolve.score import FEATURES, analyse_generic, analyse_person, is_person_schema, name_features


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> np.ndarray:
    """Weights (bias first) of an L2-regularised logistic regression (bias not penalised)."""
    xb = np.hstack([np.ones((x.shape[0], 1)), x])
    w = np.zeros(xb.shape[1])
    penalty = np.full(xb.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        grad = xb.T @ (y - p) - penalty * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(penalty) + 1e-9 * np.eye(xb.shape[1])
        step = np.linalg.solve(hess, grad)
        w = w + step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w


def feature_matrix(rows: list[dict], person: bool) -> np.ndarray:
    analyse = analyse_person if person else analyse_generic
    return np.array([[name_features(analyse(r["name1"]), analyse(r["name2"]), person)[f] for f in FEATURES]
                     for r in rows])


def train(cases_path: str | Path, out_path: str | Path | None = None, l2: float = 1.0) -> dict:
    rows = [r for r in load_name_cases(cases_path) if r["split"] == "train"]
    model: dict = {"_note": "fitted by cellmap.resolve.train on the train split of the OpenSanctions "
                            "name-bench cases; dev split held back for reporting"}
    for group, person in (("person", True), ("generic", False)):
        subset = [r for r in rows if is_person_schema(r["schema"]) == person]
        x = feature_matrix(subset, person)
        y = np.array([1.0 if r["label"] else 0.0 for r in subset])
        w = fit_logistic(x, y, l2=l2)
        coef = {"bias": float(w[0])} | {f: float(v) for f, v in zip(FEATURES, w[1:])}
        z = coef["bias"] + x @ w[1:]
        scores = list(1 / (1 + np.exp(-z)))
        best = best_threshold(scores, [bool(v) for v in y])
        coef["threshold"] = best.threshold
        coef["train_rows"] = len(subset)
        model[group] = coef
    if out_path is not None:
        Path(out_path).write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    return model


if __name__ == "__main__":
    default_out = Path(__file__).parent / "data" / "name_model.json"
    train(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else default_out)
