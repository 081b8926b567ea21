"""Off-screen matplotlib figures for the dashboard, turned into PNG bytes.

Figures are made with ``matplotlib.figure.Figure`` (not pyplot), so every browser session
draws in its own figures without sharing pyplot's global state, and nothing leaks.

A live figure is drawn in two layers (blitting): the static layer - axes, ticks, labels,
the organisation's ties - is drawn once and kept as a pixel buffer; each week only the
artists that change (member markers, chart lines) are drawn over a copy of it. When a
change needs the static layer again (a chart's y-axis grows, the organisation gains
positions) the whole figure is redrawn once.
"""

from __future__ import annotations

import io
import threading

import matplotlib

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402  (Pillow comes with matplotlib)

DPI = 100
# Colours of the two runs in compare mode (colour-blind safe blue and orange).
RUN_COLOURS = ("#1f5fa8", "#e07000")


def new_figure(figsize) -> Figure:
    fig = Figure(figsize=figsize, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's current pixels as PNG (fast compression: these pictures change every week)."""
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


class LiveFigure:
    """A figure whose dynamic artists are redrawn over a cached static layer.

    Subclasses create the figure and its artists, mark the changing ones with
    ``set_animated(True)`` (a full draw skips them) and implement :meth:`update`, which
    sets this week's data and returns True when the static layer must be redrawn.
    """

    def __init__(self, fig: Figure):
        self.fig = fig
        self.canvas = fig.canvas
        self._background = None
        self._lock = threading.Lock()  # a session may render from the play thread and a click at once

    def dynamic_artists(self) -> list:
        raise NotImplementedError

    def update(self, *args, **kwargs) -> bool:
        raise NotImplementedError

    def png(self, *args, **kwargs) -> bytes:
        with self._lock:
            dirty = self.update(*args, **kwargs)
            if dirty or self._background is None:
                self.canvas.draw()
                self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            else:
                self.canvas.restore_region(self._background)
            for artist in self.dynamic_artists():
                if artist.get_visible():
                    self.fig.draw_artist(artist)
            return encode_png(self.canvas)
