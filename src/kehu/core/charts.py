"""Helpers for the server-rendered matplotlib charts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis


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
