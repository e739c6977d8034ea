"""The learning curve (``annotate train --curve``): held-out macro-F1 when the model
learns from 10, 25, 50, 75 and 100% of the labelled articles, the rules beside it, as a
table and as a small SVG chart written by hand (no plotting library)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import escape

from annotate.learn.features import Example, Featurizer
from annotate.learn.model import FOLDS, cross_validate

FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class CurvePoint:
    fraction: float
    labels: int  # labels each fold trained on, on average
    rules: float
    model: float
    blend: float


def learning_curve(
    examples: Sequence[Example],
    labels: Sequence[str],
    *,
    folds: int = FOLDS,
    seed: int = 0,
    fractions: Sequence[float] = FRACTIONS,
) -> list[CurvePoint]:
    """Grouped cross-validation at each share of the training articles; every point is
    scored on the same held-out folds (all their units), so the points compare."""
    x = Featurizer().fit_transform(examples)
    out = []
    for f in fractions:
        cv, _, _ = cross_validate(x, examples, labels, folds=folds, seed=seed, fraction=f)
        out.append(
            CurvePoint(f, cv.trained_on, cv.rules.macro_f1, cv.model.macro_f1, cv.blend.macro_f1)
        )
    return out


def table_lines(points: Sequence[CurvePoint]) -> Iterator[str]:
    yield f"  {'share':>6} {'labels':>7} {'rules':>6} {'model':>6} {'rules+model':>11}"
    for p in points:
        yield (
            f"  {p.fraction:>6.0%} {p.labels:>7} {p.rules:>6.3f} {p.model:>6.3f} {p.blend:>11.3f}"
        )
    if len(points) > 1:
        gain = points[-1].blend - points[-2].blend
        yield (
            f"  last step {points[-2].fraction:.0%} -> {points[-1].fraction:.0%}: "
            f"{gain:+.3f} macro-F1 ({'labelling more still helps' if gain > 0.005 else 'flat'})"
        )


_SERIES = (("rules", "#888888", "4 3"), ("model", "#1f77b4", ""), ("rules + model", "#d62728", ""))


_LABEL_GAP = 34  # pixels between the centres of two label counts under the x axis
_TICK_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2)


def y_ticks(values: Sequence[float]) -> tuple[float, float, float]:
    """The y axis for these scores: (low, high, step), both ends multiples of a round
    step, at most six intervals, a little room around the values, within 0..1."""
    lo, hi = max(0.0, min(values) - 0.03), min(1.0, max(values) + 0.03)
    step = next((s for s in _TICK_STEPS if (hi - lo) / s <= 6), _TICK_STEPS[-1])
    low = math.floor(lo / step + 1e-9)
    high = max(math.ceil(hi / step - 1e-9), low + 1)
    return round(low * step, 2), round(min(1.0, high * step), 2), step


def _steps(lo: float, hi: float, step: float) -> list[float]:
    return [round(lo + i * step, 2) for i in range(round((hi - lo) / step) + 1)]


def svg(points: Sequence[CurvePoint], title: str = "annotate train --curve") -> str:
    """A line chart of the curve: labels on x, held-out macro-F1 on y."""
    w, h, left, right, top, bottom = 560, 340, 56, 150, 36, 44
    xs = [p.labels for p in points]
    values = [v for p in points for v in (p.rules, p.model, p.blend)]
    lo, hi, step = y_ticks(values)
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1

    def px(n: float) -> float:
        return left + (n - x0) / (x1 - x0) * (w - left - right)

    def py(v: float) -> float:
        return top + (hi - v) / (hi - lo) * (h - top - bottom)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        f'<text x="{left}" y="20" font-size="14">{escape(title)}</text>',
    ]
    for v in _steps(lo, hi, step):  # horizontal grid with round macro-F1 ticks
        y = py(v)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{w - right}" y2="{y:.1f}" stroke="#eeeeee"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{v:.2f}</text>'
        )
    placed: list[float] = []  # x labels far enough apart to read, the ends first
    for p in [*points[:1], *points[-1:], *points[1:-1]]:
        x = px(p.labels)
        if all(abs(x - other) >= _LABEL_GAP for other in placed):
            placed.append(x)
            parts.append(
                f'<text x="{x:.1f}" y="{h - bottom + 16}" text-anchor="middle">{p.labels}</text>'
            )
    parts.append(
        f'<text x="{(left + w - right) / 2:.0f}" y="{h - 8}" text-anchor="middle">'
        "labels trained on (per fold)</text>"
        f'<text x="14" y="{(top + h - bottom) / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {(top + h - bottom) / 2:.0f})">held-out macro-F1</text>'
    )
    for k, (name, colour, dash) in enumerate(_SERIES):
        vals = [(p.labels, (p.rules, p.model, p.blend)[k]) for p in points]
        path = " ".join(f"{px(n):.1f},{py(v):.1f}" for n, v in vals)
        style = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{style}/>'
        )
        parts.extend(
            f'<circle cx="{px(n):.1f}" cy="{py(v):.1f}" r="3" fill="{colour}"/>' for n, v in vals
        )
        y = top + 14 + 18 * k
        parts.append(
            f'<line x1="{w - right + 12}" y1="{y - 4}" x2="{w - right + 32}" y2="{y - 4}" '
            f'stroke="{colour}" stroke-width="2"{style}/>'
            f'<text x="{w - right + 38}" y="{y}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
