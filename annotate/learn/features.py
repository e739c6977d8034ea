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
from collections.abc import Sequence
from dataclasses import dataclass
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


def rule_tokens(e: Example) -> str:
    """The rules' signals of a unit as space-separated tokens (a bag of features)."""
    r = e.rules
    out = [f"rl={r.label}", f"rc={r.label}:{r.confidence:.2f}"]
    if r.cue:
        cue = r.cue.strip()
        if cue[:1] in _QUOTE_MARKS:
            out.append("cue=quote")
        else:
            out.append("cue=" + "_".join(cue.lower().split()[:3]))
    else:
        out.append("cue=none")
    if r.source:
        words = r.source.lower().split()
        out.append("src=pronoun" if len(words) == 1 and words[0] in _PRONOUNS else "src=named")
    else:
        out.append("src=none")
    if r.continued:
        out.append("continued")
    # The rule that decided: the words of its reason line without what it quotes.
    out.extend("rw=" + w for w in dict.fromkeys(_WORD.findall(_QUOTED.sub(" ", r.reason).lower())))
    out.append(f"prev={e.previous_rules or 'none'}")
    s = e.text.strip()
    if s[:1] in _QUOTE_MARKS:
        out.append("starts_quote")
    if s[-1:] in _QUOTE_MARKS:
        out.append("ends_quote")
    p = e.previous.strip()
    if p[-1:] in _QUOTE_MARKS or p.count("“") > p.count("”"):
        out.append("prev_quote_end")
    return " ".join(out)


class CharGrams:
    """TF-IDF of character 3-4 grams within words (scikit-learn's ``char_wb``), counted
    once per distinct word: a unit's grams are the sum of its words' grams, so a corpus
    costs one pass of the n-gram code per word of its vocabulary, not per word read."""

    def __init__(self, ngram_range: tuple[int, int] = (3, 4), min_df: int = 3) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.words: dict[str, int] = {}  # word -> row of self.grams_of
        self.vocabulary: dict[str, int] = {}  # gram -> column
        self.grams_of: Any = None  # words x grams counts (CSR)
        self.tfidf: Any = None

    def _grams(self, word: str) -> list[str]:
        w = f" {word} "
        lo, hi = self.ngram_range
        return [w[i : i + n] for n in range(lo, hi + 1) for i in range(len(w) - n + 1)]

    def _word_rows(self, texts: Sequence[str], grow: bool) -> Any:
        """Documents x words counts; with ``grow``, new words join the vocabulary."""
        import numpy as np
        from scipy.sparse import csr_matrix

        words = self.words
        indptr, indices = [0], []
        for t in texts:
            for w in t.lower().split():
                j = words.get(w)
                if j is None:
                    j = words[w] = len(words)
                indices.append(j)
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float32)
        m = csr_matrix((data, indices, indptr), shape=(len(texts), len(words)))
        m.sum_duplicates()
        return m

    def _gram_rows(self, words: Sequence[str], vocabulary: dict[str, int], grow: bool) -> Any:
        import numpy as np
        from scipy.sparse import csr_matrix

        indptr, indices = [0], []
        for w in words:
            for g in self._grams(w):
                j = vocabulary.get(g)
                if j is None:
                    if not grow:
                        continue
                    j = vocabulary[g] = len(vocabulary)
                indices.append(j)
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float32)
        m = csr_matrix((data, indices, indptr), shape=(len(words), len(vocabulary)))
        m.sum_duplicates()
        return m

    def fit_transform(self, texts: Sequence[str]) -> Any:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfTransformer

        self.words = {}
        docs = self._word_rows(texts, grow=True)
        vocabulary: dict[str, int] = {}
        grams = self._gram_rows(list(self.words), vocabulary, grow=True)
        counts = (docs @ grams).tocsc()
        df = np.diff(counts.indptr)
        keep = np.flatnonzero(df >= self.min_df)
        names = list(vocabulary)
        self.vocabulary = {names[j]: i for i, j in enumerate(keep)}
        self.grams_of = grams[:, keep].tocsr()
        self.tfidf = TfidfTransformer(sublinear_tf=True)
        return self.tfidf.fit_transform(counts[:, keep].tocsr())

    def transform(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import vstack

        known = len(self.words)
        docs = self._word_rows(texts, grow=True)
        if len(self.words) > known:  # words not seen in training: their grams, once
            new = list(self.words)[known:]
            self.grams_of = vstack(
                [self.grams_of, self._gram_rows(new, self.vocabulary, grow=False)], format="csr"
            )
        return self.tfidf.transform(docs @ self.grams_of)


class Featurizer:
    """Turns examples into one sparse matrix: TF-IDF of word 1-2 grams and character 3-4
    grams of the unit, word grams of the sentence before, and the rules' signals."""

    def __init__(self) -> None:
        import numpy as np
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

        self.words = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, min_df=2, dtype=np.float32
        )
        self.chars = CharGrams()
        self.previous = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, min_df=2, dtype=np.float32
        )
        self.rules = CountVectorizer(
            token_pattern=r"\S+", lowercase=False, binary=True, dtype=np.float32
        )

    def fit_transform(self, examples: Sequence[Example]) -> Any:
        """Learn the vocabularies (no labels are read) and return the examples' matrix."""
        from scipy.sparse import hstack

        texts = [e.text for e in examples]
        return hstack(
            [
                _fit_text(self.words, texts),
                self.chars.fit_transform(texts),
                _fit_text(self.previous, [_CONTEXT + e.previous for e in examples]),
                self.rules.fit_transform([rule_tokens(e) for e in examples]),
            ],
            format="csr",
        )

    def transform(self, examples: Sequence[Example]) -> Any:
        from scipy.sparse import hstack

        texts = [e.text for e in examples]
        return hstack(
            [
                self.words.transform(texts),
                self.chars.transform(texts),
                self.previous.transform([_CONTEXT + e.previous for e in examples]),
                self.rules.transform([rule_tokens(e) for e in examples]),
            ],
            format="csr",
        )


# Every sentence-before starts with this word, so its vocabulary is never empty (a corpus
# of sentences without context, such as a list of headlines).
_CONTEXT = "context "


def _fit_text(vectorizer: Any, docs: list[str]) -> Any:
    """Fit a TF-IDF vectorizer; on a corpus too small for its ``min_df``, keep every word."""
    try:
        return vectorizer.fit_transform(docs)
    except ValueError:
        vectorizer.set_params(min_df=1)
        return vectorizer.fit_transform(docs)
