"""What the model reads of a unit: its words, its characters, the sentence before it and
what the rules found in it.

The rules' signals come from the suggestion the rules stored for the unit (its label,
confidence, cue, source, whether it continues a quote, and the rule that decided, read
from its reason line: reporting cue, hearsay, negated reporting, editorial wording,
furniture ...). They are read from the store, not recomputed, so training and
predicting cost no pass of the rules; the same fields come from a fresh ``Suggestion``
when there is no store (``RuleView.of_suggestion``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotate.store import SuggestionRecord
    from annotate.suggest import Suggestion


@dataclass(frozen=True)
class RuleView:
    """What the rules said about a unit, as the store keeps it."""

    label: str
    confidence: float
    reason: str
    cue: str | None = None
    source: str | None = None
    continued: bool = False  # the source is named in another unit (a continuing quote)

    @classmethod
    def of_suggestion(cls, s: Suggestion) -> RuleView:
        return cls(
            s.label,
            s.confidence,
            s.reason,
            s.cue.text if s.cue else None,
            s.source.text if s.source else None,
            s.quote_of is not None,
        )

    @classmethod
    def of_record(cls, r: SuggestionRecord) -> RuleView:
        return cls(
            r.suggested_label,
            r.confidence,
            r.reason,
            r.cue,
            r.source,
            r.quote_of is not None,
        )

    def why(self) -> str:
        """The reason line in a few words, for "rules: …" in a blended reason."""
        if self.cue and len(self.cue) <= 40:
            return f"cue “{self.cue}”"
        return _QUOTED.sub("…", self.reason)[:60]


@dataclass(frozen=True)
class Example:
    """One claim unit as the model sees it."""

    unit_id: str
    article_id: str
    text: str
    previous: str  # the unit before it in its article ("" for the first)
    rules: RuleView
    previous_rules: str | None = None  # the rules' label of the unit before


_QUOTED = re.compile(r"“[^”]*”|\([^)]*\)")
_WORD = re.compile(r"[a-z]+")
_PRONOUNS = frozenset("he she they it we i you who his her their them".split())
_QUOTE_MARKS = "\"“”„«»'‘’`"


def rule_tokens(e: Example) -> list[str]:
    """The rules' signals of a unit as tokens (a bag of features)."""
    r = e.rules
    out = [f"rl={r.label}", f"rc={r.label}:{r.confidence:.2f}", _cue_token(r.cue)]
    if r.source:
        words = r.source.lower().split()
        out.append("src=pronoun" if len(words) == 1 and words[0] in _PRONOUNS else "src=named")
    else:
        out.append("src=none")
    if r.continued:
        out.append("continued")
    out.extend(_reason_tokens(r.reason))
    out.append(f"prev={e.previous_rules or 'none'}")
    # (Index a mark, never slice: the empty slice of an empty text is "in" any string.)
    s = e.text.strip()
    if s and s[0] in _QUOTE_MARKS:
        out.append("starts_quote")
    if s and s[-1] in _QUOTE_MARKS:
        out.append("ends_quote")
    p = e.previous.strip()
    if p and (p[-1] in _QUOTE_MARKS or p.count("“") > p.count("”")):
        out.append("prev_quote_end")
    return out


@lru_cache(maxsize=1 << 14)
def _cue_token(cue: str | None) -> str:
    if not cue:
        return "cue=none"
    cue = cue.strip()
    if cue[:1] in _QUOTE_MARKS:
        return "cue=quote"
    return "cue=" + "_".join(cue.lower().split()[:3])


@lru_cache(maxsize=1 << 16)
def _reason_tokens(reason: str) -> tuple[str, ...]:
    """The rule that decided: the words of its reason line without what it quotes."""
    return tuple("rw=" + w for w in dict.fromkeys(_WORD.findall(_QUOTED.sub(" ", reason).lower())))


# A unit's tokens: runs of word characters and single marks (quotation marks and
# punctuation say much about attribution: “…,” he said).
_TOKEN = re.compile(r"\w+|[^\w\s]")
_BIGRAM = 1 << 32  # gram key: a word id for a word, (first + 1) * _BIGRAM + second for a pair


def bag(rows: Iterable[Iterable[str]], vocabulary: dict[str, int], grow: bool) -> Any:
    """Counts of each row's items as a sparse matrix, a column per item of ``vocabulary``;
    with ``grow``, unknown items join it, else they are left out."""
    import numpy as np
    from scipy.sparse import csr_matrix

    indptr, indices = [0], []
    for items in rows:
        for item in items:
            j = vocabulary.get(item)
            if j is None:
                if not grow:
                    continue
                j = vocabulary[item] = len(vocabulary)
            indices.append(j)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    m = csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, len(vocabulary)))
    m.sum_duplicates()
    return m


class Grams:
    """Counts of word 1-2 grams and of character 4-grams within words (scikit-learn's
    ``char_wb``; 3-grams as well scored no better on held-out news and cost a third more
    time to fit), both from one tokenization of each text. Words get ids once; a text's
    word pairs are numbered from those ids with array operations, and a word's character
    grams are counted once per distinct word (a text's grams are the sum of its words'),
    so a corpus costs one regular-expression pass per text and one n-gram pass per word
    of its vocabulary. Grams in fewer than ``min_df`` training texts are dropped."""

    def __init__(self, min_df: int = 2, char_min_df: int = 3) -> None:
        self.min_df = min_df
        self.char_min_df = char_min_df
        self.words: dict[str, int] = {}  # word -> id
        self.keys: Any = None  # sorted gram keys kept, column i is keys[i]
        self.char_vocabulary: dict[str, int] = {}  # character gram -> column
        self.grams_of: Any = None  # word ids x character grams counts (CSR)

    @staticmethod
    def _char_grams(word: str) -> list[str]:
        w = f" {word} "
        return [w[i : i + 4] for i in range(len(w) - 3)]

    def _ids(self, texts: Sequence[str]) -> tuple[Any, Any]:
        """Every text's word ids, end to end, and where each text starts (new words get
        new ids: their character grams are needed even when the model never saw them)."""
        import numpy as np

        words = self.words
        ids: list[int] = []
        starts = [0]
        for t in texts:
            for w in _TOKEN.findall(t.lower()):
                j = words.get(w)
                if j is None:
                    j = words[w] = len(words)
                ids.append(j)
            starts.append(len(ids))
        return np.asarray(ids, dtype=np.int64), np.asarray(starts, dtype=np.int64)

    @staticmethod
    def _gram_keys(ids: Any, starts: Any) -> tuple[Any, Any]:
        """The word and word-pair keys of every text, with the row of each."""
        import numpy as np

        n = len(starts) - 1
        rows = np.repeat(np.arange(n), np.diff(starts))
        at = np.flatnonzero(rows[:-1] == rows[1:])  # a word and the next, in one text
        keys = np.concatenate([ids, (ids[at] + 1) * _BIGRAM + ids[at + 1]])
        return keys, np.concatenate([rows, rows[at]])

    def _counts(self, rows: Any, cols: Any, n: int, width: int) -> Any:
        import numpy as np
        from scipy.sparse import csr_matrix

        m = csr_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(n, width))
        m.sum_duplicates()
        return m

    def _char_rows(self, words: Sequence[str], grow: bool) -> Any:
        return bag((self._char_grams(w) for w in words), self.char_vocabulary, grow)

    def _word_counts(self, ids: Any, starts: Any) -> Any:
        import numpy as np

        n = len(starts) - 1
        rows = np.repeat(np.arange(n), np.diff(starts))
        return self._counts(rows, ids, n, len(self.words))

    def fit(self, texts: Sequence[str]) -> tuple[Any, Any]:
        """Learn the vocabularies from ``texts``; their (word grams, character grams)."""
        import numpy as np

        self.words = {}
        ids, starts = self._ids(texts)
        n = len(texts)
        keys, rows = self._gram_keys(ids, starts)
        # Distinct keys by sorting (faster than np.unique's hashing on millions of keys).
        order = np.argsort(keys)
        ordered = keys[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = ordered[1:] != ordered[:-1]
        col = np.empty(len(keys), dtype=np.int64)
        col[order] = np.cumsum(first) - 1
        unique = ordered[first]
        counts = self._counts(rows, col, n, len(unique))
        df = np.bincount(counts.indices, minlength=len(unique))
        keep = df >= min(self.min_df, int(df.max(initial=0)))
        self.keys = unique[keep]
        new_col = np.cumsum(keep) - 1
        kept = keep[col]
        words = self._counts(rows[kept], new_col[col[kept]], n, len(self.keys))
        self.char_vocabulary = {}
        grams = self._char_rows(list(self.words), grow=True)
        chars = (self._word_counts(ids, starts) @ grams).tocsc()
        cdf = np.diff(chars.indptr)
        ckeep = np.flatnonzero(cdf >= min(self.char_min_df, int(cdf.max(initial=0))))
        names = list(self.char_vocabulary)
        self.char_vocabulary = {names[j]: i for i, j in enumerate(ckeep)}
        self.grams_of = grams[:, ckeep].tocsr()
        return words, chars[:, ckeep].tocsr()

    def _word_grams(self, keys: Any, rows: Any, n: int) -> Any:
        import numpy as np

        at = np.searchsorted(self.keys, keys)
        at[at == len(self.keys)] = 0
        found = self.keys[at] == keys if len(self.keys) else np.zeros(len(keys), dtype=bool)
        return self._counts(rows[found], at[found], n, len(self.keys))

    def transform(self, texts: Sequence[str]) -> tuple[Any, Any]:
        """(word grams, character grams) of ``texts`` in the learnt vocabularies."""
        from scipy.sparse import vstack

        known = len(self.words)
        ids, starts = self._ids(texts)
        keys, rows = self._gram_keys(ids, starts)
        words = self._word_grams(keys, rows, len(texts))
        if len(self.words) > known:  # words not seen in training: their grams, once
            new = list(self.words)[known:]
            self.grams_of = vstack([self.grams_of, self._char_rows(new, grow=False)], format="csr")
        return words, self._word_counts(ids, starts) @ self.grams_of


class Featurizer:
    """Turns examples into one sparse matrix: TF-IDF of word 1-2 grams and character
    4-grams of the unit, word grams of the sentence before, and the rules' signals.

    A unit's sentence before is most often the unit before it in the list (a store's
    queue order, an article read in order): its grams are then taken from that unit's
    row, not counted again."""

    def __init__(self) -> None:
        self.grams = Grams()
        self.tfidf: list[Any] = []  # words, characters, sentence before
        self.rule_vocabulary: dict[str, int] = {}

    def _parts(self, examples: Sequence[Example], fit: bool) -> list[Any]:
        import numpy as np

        texts = [e.text for e in examples]
        # Where the sentence before is the unit before: that row; else a text of its own.
        own: list[str] = []
        prev_row = np.empty(len(examples), dtype=np.int64)
        for i, e in enumerate(examples):
            if i and e.previous == texts[i - 1] and examples[i - 1].article_id == e.article_id:
                prev_row[i] = i - 1
            else:
                prev_row[i] = len(texts) + len(own)
                own.append(e.previous)
        if fit:
            words, chars = self.grams.fit(texts)
            extra = self.grams.transform(own)[0] if own else None
        else:
            words, chars = self.grams.transform(texts + own)
            words, extra = words[: len(texts)], words[len(texts) :]
            chars = chars[: len(texts)]
        from scipy.sparse import vstack

        every = vstack([words, extra], format="csr") if extra is not None else words
        return [words, chars, every[prev_row], self._rules(examples, fit)]

    def _rules(self, examples: Sequence[Example], fit: bool) -> Any:
        if fit:
            self.rule_vocabulary = {}
        return bag((set(rule_tokens(e)) for e in examples), self.rule_vocabulary, fit)

    def fit_transform(self, examples: Sequence[Example]) -> Any:
        """Learn the vocabularies (no labels are read) and return the examples' matrix."""
        import numpy as np
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfTransformer

        words, chars, previous, rules = self._parts(examples, fit=True)
        self.tfidf = [TfidfTransformer(sublinear_tf=True) for _ in range(3)]
        grams = [
            t.fit_transform(m) for t, m in zip(self.tfidf, (words, chars, previous), strict=True)
        ]
        return hstack([*grams, rules], format="csr", dtype=np.float32)

    def transform(self, examples: Sequence[Example]) -> Any:
        import numpy as np
        from scipy.sparse import hstack

        words, chars, previous, rules = self._parts(examples, fit=False)
        grams = [t.transform(m) for t, m in zip(self.tfidf, (words, chars, previous), strict=True)]
        return hstack([*grams, rules], format="csr", dtype=np.float32)
