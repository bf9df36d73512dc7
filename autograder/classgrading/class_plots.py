"""The class report's plots, drawn with matplotlib as SVG text to put inline in a page.

matplotlib is an optional extra (`pip install -e '.[report]'`): imported here only, when a
report is built. Text stays text in the SVG (svg.fonttype none), so the page's fonts draw
Hangul and a browser finds the numbers; ids and metadata are fixed, so the same class gives
the same page.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import warnings
from collections.abc import Iterator

from autograder.classgrading import report_labels as labels
from autograder.runtime.language import _

WIDTH, HEIGHT = 4.2, 2.6  # inches, at the SVG's 72 points an inch
BAR = "#3b6ea8"


class PlottingUnavailable(Exception):
    """matplotlib cannot be imported."""


@contextlib.contextmanager
def _figure(height: float = HEIGHT) -> Iterator:
    """A new figure, drawn with the fixed settings; its SVG goes to the list yielded with it."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        raise PlottingUnavailable("course report draws its plots with matplotlib: pip install -e '.[report]'") from None
    # text.parse_math off: a name with $ signs is drawn as it is, never as mathtext
    with matplotlib.rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": "course-report", "font.size": 9, "text.parse_math": False}
    ):
        figure = Figure(figsize=(WIDTH, height), layout="constrained")
        drawn: list[str] = []
        yield figure, drawn
        out = io.StringIO()
        with warnings.catch_warnings():
            # text stays text: the page's fonts draw it, whatever glyphs matplotlib's own font lacks
            warnings.filterwarnings("ignore", "Glyph .* missing from font")
            figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    # without the prolog, the doctype and the metadata of a file
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", out.getvalue(), flags=re.S)
    drawn.append(text[text.index("<svg") :])


def histogram(title: str, scores: list[float], max_points: float) -> str:
    """The spread of scores between 0 and max_points: one bar per point (at most 20 bars)."""
    with _figure() as (figure, drawn):
        axes = figure.subplots()
        top = max(max_points, max(scores, default=0.0), 1e-9)
        axes.hist(scores, bins=min(20, max(1, math.ceil(top))), range=(0, top), color=BAR, edgecolor="white")
        axes.set_title(title)
        axes.set_xlabel(_(labels.HISTOGRAM_X).format(max_points=max_points))
        axes.set_ylabel(_(labels.HISTOGRAM_Y))
        axes.yaxis.get_major_locator().set_params(integer=True)
    return drawn[0]


def pass_rates(title: str, names: list[str], rates: list[float]) -> str:
    """One horizontal bar per name: its pass rate, from 0 to 1, the first name on top."""
    with _figure(max(1.5, 0.8 + 0.16 * len(names))) as (figure, drawn):
        axes = figure.subplots()
        positions = range(len(names))
        axes.barh(positions, rates, color=BAR)
        axes.set_yticks(positions, names, fontsize=7)
        axes.invert_yaxis()
        axes.set_xlim(0, 1)
        axes.set_title(title)
        axes.set_xlabel(_(labels.PASS_RATE_X))
    return drawn[0]
