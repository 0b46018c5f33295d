"""The incident trend as a figure: yearly counts under the three counting methods side by side (the
workbench's overview chart), drawn with Matplotlib's Agg backend for the brief."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

from cellmap.incidents.vocabulary import COUNTING_METHODS  # noqa: E402

__all__ = ["trend_figure"]


def trend_figure(yearly: pl.DataFrame, title: str = "Violence counted three ways"):
    """One line per counting method over ``period`` (a frame from
    `cellmap.incidents.trends.counts_by_method(..., "year")`); counts on a shared axis."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    years = [d.year for d in yearly["period"].to_list()] if yearly.height else []
    for method in COUNTING_METHODS:
        if method in yearly.columns:
            ax.plot(years, yearly[method].to_list(), marker="o", label=method.replace("_", " "))
    ax.set_xticks(years)
    ax.set_ylabel("incidents per year")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig
