"""Inter-annotator agreement: Cohen's kappa, Fleiss' kappa, Krippendorff's alpha, and friends.

Pure functions over plain data, no SQL: the store hands over ``(unit_id, annotator, label)``
rows and ``ratings_from_rows`` folds them into ``{unit_id: {annotator: label}}``.

Every figure is a ``Figure``: a value (None when it cannot be computed, with the reason) and
the number of units it rests on. A degenerate case (one category only, fewer than two
raters, no overlap) is "n/a", never a ZeroDivisionError.

Which forms:

- Cohen's kappa per pair of annotators, on the units both labelled.
- Fleiss' kappa in its generalised form for a varying number of raters per unit: every unit
  with at least two ratings counts, the observed agreement is the unweighted mean of the
  per-unit agreement ``sum_j n_ij (n_ij - 1) / (n_i (n_i - 1))``, the chance agreement is
  ``sum_j p_j^2`` with ``p_j`` pooled over all those ratings. With the same number of
  raters on every unit it is exactly Fleiss (1971).
- Krippendorff's alpha, nominal, from the coincidence matrix; missing data is the normal
  case (units with one rating are unpairable and left out).
- Per label: specific agreement (the chance that, given one rater chose the label, another
  rater of the same unit chose it too; 2a / (2a + b + c) for a pair) and Fleiss'
  per-category kappa.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotate.store import Store

from annotate.model import LABELS
from annotate.visible import visible

# {unit_id: {annotator: label}}
Ratings = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class Figure:
    """One agreement figure: its value, or None and why not; and the units it rests on."""

    value: float | None
    units: int
    reason: str | None = None

    def __str__(self) -> str:
        return "n/a" if self.value is None else f"{self.value:.3f}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "units": self.units}
        if self.reason:
            out["reason"] = self.reason
        return out


def _na(units: int, reason: str) -> Figure:
    return Figure(None, units, reason)


def ratings_from_rows(rows: Iterable[tuple[str, str, str | None]]) -> dict[str, dict[str, str]]:
    """Fold (unit_id, annotator, label) rows into ``{unit_id: {annotator: label}}``."""
    out: dict[str, dict[str, str]] = {}
    for unit, annotator, label in rows:
        if label is not None:
            out.setdefault(unit, {})[annotator] = label
    return out


def categories_of(ratings: Ratings) -> list[str]:
    """The labels in use: the known LABELS in their order, then any others sorted."""
    seen = {label for unit in ratings.values() for label in unit.values()}
    return [c for c in LABELS if c in seen] + sorted(seen - set(LABELS))


# ---------------------------------------------------------------------------------------
# Two annotators
#
# Every pair figure depends only on how many shared units got each (label, label) pair, so
# the figures are computed from those counts (a handful of distinct pairs, whatever the
# number of units): a list of pairs is counted first.

PairCounts = Mapping[tuple[str, str], int]


def pair_items(ratings: Ratings, a: str, b: str) -> list[tuple[str, str]]:
    """(label by a, label by b) for every unit both labelled."""
    return [(r[a], r[b]) for r in ratings.values() if a in r and b in r]


def _pair_counts(pairs: Sequence[tuple[str, str]] | PairCounts) -> PairCounts:
    return pairs if isinstance(pairs, Mapping) else Counter(pairs)


def confusion(
    pairs: Sequence[tuple[str, str]] | PairCounts, categories: Sequence[str]
) -> list[list[int]]:
    """Counts ``m[i][j]`` of units the first rater put in category i and the second in j."""
    index = {c: i for i, c in enumerate(categories)}
    m = [[0] * len(categories) for _ in categories]
    for (x, y), n in _pair_counts(pairs).items():
        m[index[x]][index[y]] += n
    return m


def cohen_kappa(pairs: Sequence[tuple[str, str]] | PairCounts) -> Figure:
    """Cohen's kappa of two raters from their (label, label) pairs on shared units."""
    counts = _pair_counts(pairs)
    n = sum(counts.values())
    if n == 0:
        return _na(0, "no unit labelled by both")
    observed = sum(k for (x, y), k in counts.items() if x == y) / n
    first: Counter[str] = Counter()
    second: Counter[str] = Counter()
    for (x, y), k in counts.items():
        first[x] += k
        second[y] += k
    expected = sum(first[c] * second[c] for c in first) / (n * n)
    if expected == 1:
        return _na(n, "both used one and the same label only")
    return Figure((observed - expected) / (1 - expected), n)


def observed_agreement(pairs: Sequence[tuple[str, str]] | PairCounts) -> Figure:
    """The share of shared units on which two raters gave the same label."""
    counts = _pair_counts(pairs)
    n = sum(counts.values())
    if not n:
        return _na(0, "no unit labelled by both")
    return Figure(sum(k for (x, y), k in counts.items() if x == y) / n, n)


def pair_specific_agreement(pairs: Sequence[tuple[str, str]] | PairCounts, category: str) -> Figure:
    """Specific agreement of two raters on one category: 2a / (2a + b + c)."""
    counts = _pair_counts(pairs)
    both = sum(k for (x, y), k in counts.items() if x == category and y == category)
    either = sum(((x == category) + (y == category)) * k for (x, y), k in counts.items())
    units = sum(k for (x, y), k in counts.items() if x == category or y == category)
    if either == 0:
        return _na(0, f"neither used {category}")
    return Figure(2 * both / either, units)


# ---------------------------------------------------------------------------------------
# Any number of annotators
#
# A count table has one row per unit with two or more ratings; the figures depend only on
# how many units share each row, so they are computed from the distinct rows and their
# multiplicities (``RowCounts``). A plain list of rows is counted first.

RowCounts = Mapping[tuple[int, ...], int]


def count_table(ratings: Ratings, categories: Sequence[str]) -> list[list[int]]:
    """Per unit with two or more ratings, how many raters chose each category (n_ij)."""
    table = []
    for unit in ratings.values():
        if len(unit) < 2:
            continue
        counts = Counter(unit.values())
        table.append([counts[c] for c in categories])
    return table


def row_counts(ratings: Ratings, categories: Sequence[str]) -> Counter[tuple[int, ...]]:
    """The count table as distinct rows and how many units have each."""
    out: Counter[tuple[int, ...]] = Counter()
    for unit in ratings.values():
        if len(unit) >= 2:
            counts = Counter(unit.values())
            out[tuple(counts[c] for c in categories)] += 1
    return out


def _rows(table: Sequence[Sequence[int]] | RowCounts) -> list[tuple[tuple[int, ...], int]]:
    """(row, units with it) for the rows with two or more ratings."""
    counted = table if isinstance(table, Mapping) else Counter(tuple(row) for row in table)
    return [(row, n) for row, n in counted.items() if sum(row) >= 2]


def fleiss_kappa(table: Sequence[Sequence[int]] | RowCounts) -> Figure:
    """Fleiss' kappa from a units x categories count table (generalised: the number of
    raters may differ from unit to unit; rows with fewer than two ratings are ignored)."""
    rows = _rows(table)
    if not rows:
        return _na(0, "no unit with two or more ratings")
    units = sum(n for _, n in rows)
    k = len(rows[0][0])
    total = sum(sum(row) * n for row, n in rows)
    p = [sum(row[j] * n for row, n in rows) / total for j in range(k)]
    agree = sum(n * sum(x * (x - 1) for x in row) / (sum(row) * (sum(row) - 1)) for row, n in rows)
    observed = agree / units
    expected = sum(pj * pj for pj in p)
    if expected == 1:
        return _na(units, "one label only")
    return Figure((observed - expected) / (1 - expected), units)


def fleiss_category_kappa(table: Sequence[Sequence[int]] | RowCounts, j: int) -> Figure:
    """Fleiss' kappa for category j alone (that category against all the others)."""
    rows = _rows(table)
    units = sum(n for row, n in rows if row[j])
    if not rows:
        return _na(0, "no unit with two or more ratings")
    total = sum(sum(row) * n for row, n in rows)
    pj = sum(row[j] * n for row, n in rows) / total
    if pj in (0, 1):
        return _na(units, "label never used" if pj == 0 else "the only label used")
    disagree = sum(row[j] * (sum(row) - row[j]) * n for row, n in rows)
    pairs = sum(sum(row) * (sum(row) - 1) * n for row, n in rows)
    return Figure(1 - disagree / (pairs * pj * (1 - pj)), units)


def specific_agreement(table: Sequence[Sequence[int]] | RowCounts, j: int) -> Figure:
    """Specific agreement on category j over any number of raters:
    sum n_ij (n_ij - 1) / sum n_ij (n_i - 1). For two raters it is 2a / (2a + b + c)."""
    rows = [(row, n) for row, n in _rows(table) if row[j]]
    if not rows:
        return _na(0, "label never used on a unit with two or more ratings")
    agree = sum(row[j] * (row[j] - 1) * n for row, n in rows)
    possible = sum(row[j] * (sum(row) - 1) * n for row, n in rows)
    return Figure(agree / possible, sum(n for _, n in rows))


def krippendorff_alpha(units: Iterable[Iterable[str]] | RowCounts) -> Figure:
    """Krippendorff's alpha for nominal data; each unit is the list of values it got (or,
    already counted, a count table's distinct rows with their multiplicities).

    Units with fewer than two values are unpairable and left out (missing data).
    """
    if isinstance(units, Mapping):
        rows = _rows(units)
    else:
        names: dict[str, int] = {}
        unit_counts = []
        for unit in units:
            counts = Counter(unit)
            for name in counts:
                names.setdefault(name, len(names))
            unit_counts.append(counts)
        table: Counter[tuple[int, ...]] = Counter()
        for counts in unit_counts:
            cells = [0] * len(names)
            for name, nc in counts.items():
                cells[names[name]] = nc
            table[tuple(cells)] += 1
        rows = _rows(table)
    coincidence: defaultdict[tuple[int, int], float] = defaultdict(float)
    pairable = 0
    for row, n in rows:
        m = sum(row)
        pairable += n
        for c, nc in enumerate(row):
            for k, nk in enumerate(row):
                if nc and nk:
                    coincidence[c, k] += n * (nc * (nc - 1) if c == k else nc * nk) / (m - 1)
    if not pairable:
        return _na(0, "no unit with two or more values")
    n_c: defaultdict[int, float] = defaultdict(float)
    for (c, _), v in coincidence.items():
        n_c[c] += v
    total = sum(n_c.values())
    observed = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = (total * total - sum(v * v for v in n_c.values())) / (total - 1)
    if expected == 0:
        return _na(pairable, "one value only")
    return Figure(1 - observed / expected, pairable)


# ---------------------------------------------------------------------------------------
# The whole report


@dataclass(frozen=True)
class PairReport:
    """Agreement of two annotators on the units both labelled."""

    a: str
    b: str
    kappa: Figure
    observed: Figure
    confusion: list[list[int]]
    specific: dict[str, Figure]


@dataclass(frozen=True)
class LabelReport:
    """Agreement on one label over all annotators."""

    label: str
    ratings: int
    specific: Figure
    kappa: Figure


@dataclass(frozen=True)
class Report:
    """Every agreement figure of a set of ratings."""

    annotators: list[str]
    categories: list[str]
    units: int  # units with at least one label
    ratings: int
    pairs: list[PairReport]
    fleiss: Figure
    alpha: Figure
    labels: list[LabelReport] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able data; ``confusion`` is {label by a: {label by b: count}}."""
        return {
            "annotators": self.annotators,
            "labels_used": self.categories,
            "units": self.units,
            "ratings": self.ratings,
            "fleiss_kappa": self.fleiss.to_json(),
            "krippendorff_alpha": self.alpha.to_json(),
            "per_label": {
                r.label: {
                    "ratings": r.ratings,
                    "specific_agreement": r.specific.to_json(),
                    "kappa": r.kappa.to_json(),
                }
                for r in self.labels
            },
            "pairs": [
                {
                    "a": p.a,
                    "b": p.b,
                    "units": p.kappa.units,
                    "cohen_kappa": p.kappa.to_json(),
                    "observed_agreement": p.observed.to_json(),
                    "specific_agreement": {c: f.to_json() for c, f in p.specific.items()},
                    "confusion": {
                        x: dict(zip(self.categories, row, strict=True))
                        for x, row in zip(self.categories, p.confusion, strict=True)
                    },
                }
                for p in self.pairs
            ],
        }


def report(ratings: Ratings, annotators: Sequence[str] | None = None) -> Report:
    """Every figure for ``ratings``, restricted to ``annotators`` when given."""
    if annotators is not None:
        keep = set(annotators)
        ratings = {
            u: {a: v for a, v in r.items() if a in keep}
            for u, r in ratings.items()
            if keep.intersection(r)
        }
    names = (
        sorted({a for r in ratings.values() for a in r}) if annotators is None else list(annotators)
    )
    categories = categories_of(ratings)
    pairs = []
    for a, b in combinations(names, 2):
        items = Counter(pair_items(ratings, a, b))
        pairs.append(
            PairReport(
                a,
                b,
                cohen_kappa(items),
                observed_agreement(items),
                confusion(items, categories),
                {c: pair_specific_agreement(items, c) for c in categories},
            )
        )
    table = row_counts(ratings, categories)
    used = Counter(v for r in ratings.values() for v in r.values())
    labels = [
        LabelReport(c, used[c], specific_agreement(table, j), fleiss_category_kappa(table, j))
        for j, c in enumerate(categories)
    ]
    return Report(
        annotators=names,
        categories=categories,
        units=len(ratings),
        ratings=sum(len(r) for r in ratings.values()),
        pairs=pairs,
        fleiss=fleiss_kappa(table),
        alpha=krippendorff_alpha(table),
        labels=labels,
    )


def collect(store: Store, annotators: Sequence[str] | None = None) -> Report:
    """The report for the labels in ``store`` (claim units only)."""
    return report(ratings_from_rows(store.label_rows(annotators)), annotators)


# ---------------------------------------------------------------------------------------
# Terminal output


def tables(r: Report) -> list[Any]:
    """rich Tables for the terminal: overall figures, per label, pairs, confusion.

    Annotator and label names come from imported and merged databases: every cell is a
    Text of the name with control characters escaped, never markup.
    """
    from rich.table import Table
    from rich.text import Text

    def cell(value: object) -> Text:
        return Text(visible(value))

    overall = Table(title="Agreement over all annotators", title_justify="left")
    overall.add_column("figure")
    overall.add_column("value", justify="right")
    overall.add_column("units", justify="right")
    overall.add_column("note")
    for name, fig in (
        ("Fleiss' kappa (generalised)", r.fleiss),
        ("Krippendorff's alpha (nominal)", r.alpha),
    ):
        overall.add_row(name, str(fig), str(fig.units), cell(fig.reason or ""))
    overall.caption = (
        f"{r.units} unit(s) labelled, {r.ratings} label(s), {len(r.annotators)} annotator(s)"
    )

    per_label = Table(title="Per label", title_justify="left")
    per_label.add_column("label")
    per_label.add_column("labels", justify="right")
    per_label.add_column("specific agreement", justify="right")
    per_label.add_column("kappa", justify="right")
    per_label.add_column("units", justify="right")
    for lr in r.labels:
        per_label.add_row(
            cell(lr.label), str(lr.ratings), str(lr.specific), str(lr.kappa), str(lr.specific.units)
        )

    pairs = Table(title="Pairs of annotators (units both labelled)", title_justify="left")
    for name, justify in (
        ("a", "left"),
        ("b", "left"),
        ("units", "right"),
        ("Cohen's kappa", "right"),
        ("same label", "right"),
        ("note", "left"),
    ):
        pairs.add_column(name, justify=justify)  # type: ignore[arg-type]
    for p in r.pairs:
        pairs.add_row(
            cell(p.a),
            cell(p.b),
            str(p.kappa.units),
            str(p.kappa),
            str(p.observed),
            cell(p.kappa.reason or ""),
        )
    out = [overall, per_label, pairs]
    for p in r.pairs:
        if not p.kappa.units:
            continue
        title = cell(f"Confusion: {p.a} (rows) x {p.b} (columns)")
        m = Table(title=title, title_justify="left")
        m.add_column("")
        for c in r.categories:
            m.add_column(cell(c), justify="right")
        for c, row in zip(r.categories, p.confusion, strict=True):
            m.add_row(cell(c), *(str(v) for v in row))
        out.append(m)
    return out
