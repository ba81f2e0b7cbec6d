"""Matplotlib plumbing shared by the report figures: headless, reproducible, embeddable.

Figures are built on `matplotlib.figure.Figure` directly (never pyplot), so no global state or
GUI backend is involved and concurrent report requests cannot tangle. SVG output keeps text as
text (searchable in the report, checkable in tests, crisp in print) and carries no creation date
or random ids, so the same data gives byte-identical figures.
"""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.typing import RcKeyType  # noqa: E402

FORMATS: tuple[str, ...] = ("svg", "png")
# Colour-blind-safe pair (Okabe-Ito) for two arms, then more for pooled/extra series.
PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "equipoise",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def house_style():
    """Context in which to build and draw a figure, so fonts and spines follow the house style."""
    return matplotlib.rc_context(_RC)


def new_figure(width_in: float = 7.0, height_in: float = 4.0, constrained: bool = True) -> Figure:
    """A fresh figure; call inside `house_style()` and draw on `fig.subplots()`."""
    return Figure(figsize=(width_in, height_in), layout="constrained" if constrained else None)


def figure_bytes(fig: Figure, fmt: str = "svg", dpi: int = 150) -> bytes:
    """Serialize a figure to SVG or PNG bytes (deterministic metadata)."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)} (got {fmt!r})")
    buffer = io.BytesIO()
    metadata = {"Date": None, "Creator": "Equipoise"} if fmt == "svg" else {"Software": "Equipoise"}
    with matplotlib.rc_context(_RC):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def inline_svg(svg: bytes) -> str:
    """SVG bytes as a fragment to paste inside HTML (drops the XML prolog and DOCTYPE).

    Matplotlib names clip paths and glyphs with ids that repeat from one figure to the next;
    several figures inline in one page would then share ids and clip each other. Every id and
    reference is prefixed with a digest of the figure, so ids are unique per figure yet stable.
    """
    text = svg.decode("utf-8")
    start = text.find("<svg")
    if start < 0:
        raise ValueError("not an SVG document: no <svg element")
    prefix = "f" + hashlib.sha1(svg).hexdigest()[:8] + "-"
    body = re.sub(r"<metadata>.*?</metadata>", "", text[start:], flags=re.S)
    body = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', body)
    body = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", body)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', body)


def series_colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]
