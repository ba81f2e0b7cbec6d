"""The CLASI body map: a front and a back figure with each of the 13 areas shaded by its activity.

Pure: a scored CLASI (or nothing yet) in, SVG text out, so the same drawing serves the entry page
(where `clasi.js` recolours it live), the read-only view of a past assessment and any report.

Every area is one `<g class="clasi-area" id="clasi-area-<key>">` holding all of its shapes on both
figures (the arms appear front and back, left and right), with the fill set as a presentation
attribute on the group: the page's Content-Security-Policy forbids inline `style`, not `fill`. The
area's activity (erythema + scale, 0-5) picks the colour; the legend's swatches carry the same
palette with `data-level`, which is where the script reads it, so the colours live only here.
"""

from __future__ import annotations

from html import escape

from equipoise.instruments.clasi import ERYTHEMA, SCALE, CLASIScore, score_clasi

AREA_ACTIVITY_MAX = max(ERYTHEMA) + max(SCALE)
"""Highest activity of one area: erythema 3 + scale/hypertrophy 2."""

PALETTE: tuple[str, ...] = ("#eef0f4", "#fde0dd", "#fbb4b9", "#f768a1", "#c51b8a", "#7a0177")
"""Fill for an area activity of 0, 1, ... 5: pale grey for none, then light pink to deep purple."""

OUTLINE = "#6b7280"

AREA_LABELS: dict[str, dict[str, str]] = {
    "scalp": {"en": "Scalp", "fr": "Cuir chevelu"},
    "ears": {"en": "Ears", "fr": "Oreilles"},
    "nose": {"en": "Nose (with malar area)", "fr": "Nez (et zone malaire)"},
    "face": {"en": "Rest of the face", "fr": "Reste du visage"},
    "v_neck": {"en": "V of the neck (front)", "fr": "Décolleté (V du cou)"},
    "neck_shoulders": {"en": "Back of neck and shoulders", "fr": "Nuque et épaules"},
    "chest": {"en": "Chest", "fr": "Thorax"},
    "abdomen": {"en": "Abdomen", "fr": "Abdomen"},
    "back_buttocks": {"en": "Back and buttocks", "fr": "Dos et fesses"},
    "arms": {"en": "Arms", "fr": "Bras"},
    "hands": {"en": "Hands", "fr": "Mains"},
    "legs": {"en": "Legs", "fr": "Jambes"},
    "feet": {"en": "Feet", "fr": "Pieds"},
}
"""Area names in the two languages of the UI, keyed like the data dictionary."""

WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "CLASI body map", "fr": "Carte corporelle du CLASI"},
    "desc": {
        "en": "Front and back figures; each CLASI area is shaded by its activity score "
              "(erythema plus scale, 0 to 5).",
        "fr": "Silhouettes de face et de dos ; chaque zone du CLASI est teintée selon son score "
              "d'activité (érythème plus squames, de 0 à 5).",
    },
    "activity": {"en": "activity", "fr": "activité"},
    "front": {"en": "Front", "fr": "Face"},
    "back": {"en": "Back", "fr": "Dos"},
    "legend": {"en": "Area activity", "fr": "Activité de la zone"},
}

DRAW_ORDER: tuple[str, ...] = (
    "scalp", "face", "ears", "nose", "chest", "v_neck", "abdomen", "legs", "back_buttocks",
    "neck_shoulders", "arms", "hands", "feet",
)
"""Painting order, back to front: the nose over the face, the buttocks over the tops of the legs."""

FRONT_X = 100
BACK_X = 300
WIDTH = 400
HEIGHT = 510


def _lang(language: str) -> str:
    return "fr" if language.startswith("fr") else "en"


def _ellipse(cx: float, cy: float, rx: float, ry: float) -> str:
    return f'<ellipse cx="{cx:g}" cy="{cy:g}" rx="{rx:g}" ry="{ry:g}"/>'


def _poly(*points: tuple[float, float]) -> str:
    return '<polygon points="' + " ".join(f"{x:g},{y:g}" for x, y in points) + '"/>'


def _rect(x: float, y: float, w: float, h: float, r: float = 6) -> str:
    return f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="{r:g}"/>'


def _mirror(shape, cx: float, dx: float, *args: float) -> list[str]:
    """The same shape on the left and the right of a figure's midline."""
    return [shape(cx - dx, *args), shape(cx + dx, *args)]


def _limbs(c: float) -> dict[str, list[str]]:
    """Arms, hands, legs and feet: the same outline on both figures."""
    return {
        "arms": [_poly((c - 40, 84), (c - 55, 90), (c - 66, 200), (c - 52, 203), (c - 40, 116)),
                 _poly((c + 40, 84), (c + 55, 90), (c + 66, 200), (c + 52, 203), (c + 40, 116))],
        "hands": _mirror(_ellipse, c, 60, 218, 9, 14),
        "legs": [_rect(c - 35, 214, 31, 158, 8), _rect(c + 4, 214, 31, 158, 8)],
        "feet": _mirror(_ellipse, c, 21, 384, 16, 9),
    }


def _shapes() -> dict[str, list[str]]:
    """Every area's shapes, front figure then back figure, in drawing order within each area."""
    f, b = FRONT_X, BACK_X
    front_limbs, back_limbs = _limbs(f), _limbs(b)
    return {
        # Back of the head is all scalp; on the front only the hairline cap shows.
        "scalp": [f'<path d="M{f - 23},42 C{f - 24},8 {f + 24},8 {f + 23},42 '
                  f'C{f + 14},26 {f - 14},26 {f - 23},42 Z"/>', _ellipse(b, 40, 23, 27)],
        "ears": [*_mirror(_ellipse, f, 24, 46, 4.5, 8), *_mirror(_ellipse, b, 24, 46, 4.5, 8)],
        "face": [f'<path d="M{f - 23},42 C{f - 14},26 {f + 14},26 {f + 23},42 '
                 f'C{f + 22},62 {f + 12},70 {f},70 C{f - 12},70 {f - 22},62 {f - 23},42 Z"/>'],
        "nose": [_rect(f - 3.5, 40, 7, 16, 3), *_mirror(_ellipse, f, 10, 53, 6, 4)],
        "v_neck": [_poly((f - 8, 66), (f + 8, 66), (f + 8, 78), (f + 24, 82), (f, 108),
                         (f - 24, 82), (f - 8, 78))],
        "neck_shoulders": [_poly((b - 8, 66), (b + 8, 66), (b + 8, 78), (b + 41, 83), (b + 41, 100),
                                 (b - 41, 100), (b - 41, 83), (b - 8, 78))],
        "chest": [_poly((f - 40, 82), (f - 24, 82), (f, 108), (f + 24, 82), (f + 40, 82),
                        (f + 38, 150), (f - 38, 150))],
        "abdomen": [_poly((f - 38, 150), (f + 38, 150), (f + 37, 216), (f - 37, 216))],
        "back_buttocks": [_poly((b - 41, 100), (b + 41, 100), (b + 38, 200), (b + 39, 238),
                                (b - 39, 238), (b - 38, 200))],
        **{area: front_limbs[area] + back_limbs[area] for area in front_limbs},
    }


def _title(area: str, activity: int, lang: str) -> str:
    return f"{AREA_LABELS[area][lang]}: {WORDS['activity'][lang]} {activity}"


def body_map_svg(score: CLASIScore | None = None, *, language: str = "fr") -> str:
    """Draw the body map for a scored CLASI (all areas unshaded when `score` is None).

    The SVG is self-contained (no scripts, no styles) and accessible: the figure has a title and a
    description, each area group a `<title>` naming the area and its activity.
    """
    lang = _lang(language)
    score = score if score is not None else score_clasi({})
    shapes = _shapes()
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="body-map" '
        f'font-family="system-ui, sans-serif" role="img" aria-labelledby="body-map-title body-map-desc" '
        f'data-activity-word="{escape(WORDS["activity"][lang])}">',
        f'<title id="body-map-title">{escape(WORDS["title"][lang])}</title>',
        f'<desc id="body-map-desc">{escape(WORDS["desc"][lang])}</desc>',
    ]
    for area in DRAW_ORDER:
        activity = score.area(area).activity
        out.append(
            f'<g class="clasi-area level-{activity}" id="clasi-area-{area}" data-area="{area}" '
            f'data-label="{escape(AREA_LABELS[area][lang])}" data-activity="{activity}" '
            f'fill="{PALETTE[activity]}" stroke="{OUTLINE}" stroke-width="1">'
            f"<title>{escape(_title(area, activity, lang))}</title>{''.join(shapes[area])}</g>"
        )
    for x, key in ((FRONT_X, "front"), (BACK_X, "back")):
        out.append(f'<text x="{x}" y="416" text-anchor="middle" font-size="20" fill="#1d2433">'
                   f"{escape(WORDS[key][lang])}</text>")
    # Text sizes are large because the map is usually shown at about half its drawn size.
    out.append(f'<g class="body-map-legend"><text x="{WIDTH / 2:g}" y="448" text-anchor="middle" '
               f'font-size="17" fill="#1d2433">{escape(WORDS["legend"][lang])}</text>')
    for level, colour in enumerate(PALETTE):
        x = 62 + level * 48
        out.append(f'<rect x="{x}" y="458" width="36" height="22" rx="3" fill="{colour}" '
                   f'stroke="{OUTLINE}" data-level="{level}"/>'
                   f'<text x="{x + 18}" y="502" text-anchor="middle" font-size="17" '
                   f'fill="#1d2433">{level}</text>')
    out.append("</g></svg>")
    return "".join(out)


__all__ = ["AREA_ACTIVITY_MAX", "AREA_LABELS", "PALETTE", "body_map_svg"]
