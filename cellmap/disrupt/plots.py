"""Plots of strike curves, Monte Carlo bands, tenure survival and recovery spreads (PNG and SVG).

Matplotlib with the Agg backend (no display needed). Each ``plot_*`` function writes ``<stem>.png``
and ``<stem>.svg`` and returns both paths; its ``*_figure`` twin returns the figure itself (the brief
embeds it as SVG).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

__all__ = ["plot_curves", "plot_survival", "plot_spread", "curves_figure", "survival_figure"]

LABELS = {
    "largest_share": "largest component\n(share of persons)",
    "components": "components",
    "fragmentation": "fragmentation F\n(Borgatti)",
    "distance_fragmentation": "distance-weighted\nfragmentation DF",
    "efficiency": "global efficiency\n(of the intact network's)",
    "cells_cut_from_leadership": "cells cut off\nfrom leadership",
    "cells_drop_cut_from_sector_head": "cells whose drop cannot\nreach the sector head",
}


def _save(fig, stem: str | Path) -> list[Path]:
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    for path in paths:
        fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return paths


def plot_curves(
    curves: Mapping[str, pl.DataFrame],
    metrics: Sequence[str],
    stem: str | Path,
    title: str = "What each removal does",
    note: str = "",
) -> list[Path]:
    """`curves_figure` written to ``<stem>.png`` and ``<stem>.svg``."""
    return _save(curves_figure(curves, metrics, title, note), stem)


def curves_figure(
    curves: Mapping[str, pl.DataFrame],
    metrics: Sequence[str],
    title: str = "What each removal does",
    note: str = "",
):
    """One panel per metric; one line per strategy (a Monte Carlo summary — columns
    ``<metric>_mean/_lo/_hi`` — is drawn as its mean with a shaded band)."""
    fig, axes = plt.subplots(
        len(metrics), 1, figsize=(7, 2.4 * len(metrics)), sharex=True, squeeze=False
    )
    for ax, metric in zip(axes[:, 0], metrics, strict=False):
        for name, curve in curves.items():
            if f"{metric}_mean" in curve.columns:
                x = curve["step"].to_numpy()
                ax.plot(x, curve[f"{metric}_mean"].to_numpy(), label=f"{name} (mean)")
                ax.fill_between(
                    x,
                    curve[f"{metric}_lo"].to_numpy(),
                    curve[f"{metric}_hi"].to_numpy(),
                    alpha=0.25,
                    label=f"{name} (band)",
                )
            elif metric in curve.columns:
                ax.step(
                    curve["step"].to_numpy(), curve[metric].to_numpy(), where="post", label=name
                )
        ax.set_ylabel(LABELS.get(metric, metric), fontsize=8)
        ax.grid(alpha=0.3)
    axes[0, 0].set_title(title)
    axes[0, 0].legend(fontsize=7, loc="best")
    axes[-1, 0].set_xlabel("removals")
    if note:
        fig.text(0.01, -0.01, note, fontsize=7, ha="left", va="top", wrap=True)
    return fig


def plot_survival(
    tables: Mapping[str, pl.DataFrame],
    stem: str | Path,
    unit: str = "days",
    title: str = "Time in post (Kaplan–Meier)",
) -> list[Path]:
    """`survival_figure` written to ``<stem>.png`` and ``<stem>.svg``."""
    return _save(survival_figure(tables, unit, title), stem)


def survival_figure(
    tables: Mapping[str, pl.DataFrame],
    unit: str = "days",
    title: str = "Time in post (Kaplan–Meier)",
):
    """Kaplan–Meier step curves with censoring ticks, and their confidence bands when ≤ 3 curves."""
    fig, ax = plt.subplots(figsize=(7, 4))
    bands = len(tables) <= 3  # more overlapping bands hide the curves
    for name, table in tables.items():
        t = [0.0] + table["time"].to_list()
        s = [1.0] + table["survival"].to_list()
        line = ax.step(
            t,
            s,
            where="post",
            label=f"{name} (n={int(table['at_risk'][0]) if table.height else 0})",
        )[0]
        if bands:
            ax.fill_between(
                t,
                [1.0] + table["ci_low"].to_list(),
                [1.0] + table["ci_high"].to_list(),
                step="post",
                alpha=0.15,
                color=line.get_color(),
            )
        cens = table.filter(pl.col("censored") > 0)
        ax.plot(
            cens["time"].to_numpy(),
            cens["survival"].to_numpy(),
            "|",
            color=line.get_color(),
            markersize=8,
        )
    ax.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(unit)
    ax.set_ylabel("share still in post (not killed or arrested)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def plot_spread(
    values: Mapping[str, Sequence[float]], stem: str | Path, ylabel: str, title: str, note: str = ""
) -> list[Path]:
    """Box plots of an outcome per structure (censored runs are left out and counted in the label)."""
    fig, ax = plt.subplots(figsize=(6, 4))
    names = list(values)
    data = [[v for v in values[n] if v is not None] for n in names]
    labels = [f"{n}\n({sum(v is None for v in values[n])} censored)" for n in names]
    ax.boxplot([d if d else [float("nan")] for d in data], tick_labels=labels)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if note:
        fig.text(0.01, -0.02, note, fontsize=7, ha="left", va="top", wrap=True)
    return _save(fig, stem)
