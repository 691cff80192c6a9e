"""Helpers for the server-rendered matplotlib charts.

Every chart is an inline SVG whose text stays text (``svg.fonttype: none``): the browser draws the Chinese labels
with the reader's own fonts, so the server needs no CJK font (a closed intranet server often has none). The SVG
names CJK families first so that the browser picks one of them rather than a Latin font's fallback.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

# Written into each text element's font-family, in this order; the first installed one also measures the labels.
FONT_FAMILIES = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC",
                 "Hiragino Sans GB", "SimHei", "DejaVu Sans"]


@contextmanager
def chart_style() -> Iterator[None]:
    """The style every kehu chart is drawn in (see the module's docstring)."""
    # matplotlib loads on the first chart (about 0.4 s): only this path draws one
    import matplotlib

    matplotlib.use("Agg")
    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": ["sans-serif"],
                                "font.sans-serif": FONT_FAMILIES}), warnings.catch_warnings():
        # Without a CJK font on the server matplotlib warns for every Chinese glyph it measures; the browser
        # draws the glyphs, so the warning says nothing about what the reader sees.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        yield


def new_figure(figsize: tuple[float, float]) -> Figure:
    # matplotlib loads on the first chart (about 0.4 s): only this path draws one
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def svg_of(fig: Figure) -> str:
    """The figure as an inline ``<svg>`` element (no XML prologue, to sit inside a page)."""
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight")
    svg = out.getvalue()
    return svg[svg.index("<svg"):]


def count_axis(axis: Axis) -> None:
    """An axis of counts: integer ticks only (no 0.5 customers) and nothing below zero."""
    # matplotlib loads on the first chart (about 0.4 s): only this path draws one
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))


def no_negative(ax: Axes, which: str = "y") -> None:
    """Start a value axis at zero: counts and amounts have no negative ticks."""
    if which == "y":
        ax.set_ylim(bottom=0)
    else:
        ax.set_xlim(left=0)
