"""What the model reads of a unit: word and character grams from one tokenization, the
sentence before taken from the unit before, and the rules' signals as tokens."""

from __future__ import annotations

from annotate.learn.features import Example, Featurizer, Grams, RuleView, rule_tokens


def _names(g: Grams) -> list[str]:
    word = {i: w for w, i in g.words.items()}
    out = []
    for k in map(int, g.keys):
        out.append(word[k] if k < 1 << 32 else f"{word[(k >> 32) - 1]} {word[k & 0xFFFFFFFF]}")
    return out


def test_word_pairs_never_run_across_two_texts_and_rare_grams_are_dropped():
    g = Grams(min_df=2, char_min_df=1)
    words, _ = g.fit(["He said no", "no comment", "he said", ""])
    names = _names(g)
    assert "he said" in names and "said" in names
    assert "no no" not in names  # the last word of one text and the first of the next
    assert "comment" not in names  # in one text only
    assert words.shape == (4, len(names)) and words[3].nnz == 0


def test_quotation_marks_are_tokens_and_unknown_words_still_get_character_grams():
    g = Grams(min_df=1, char_min_df=1)
    g.fit(["“We will win,” she said.", "said the minister"])
    assert {"“", "”", "she said", "said"} <= set(_names(g))
    words, chars = g.transform(["saidxyz minister"])
    assert words.nnz == 1  # "minister": the unknown word has no column of its own
    assert chars[0, g.char_vocabulary[" sai"]] == 1  # but shares its grams with "said"


def _example(i: int, article: str, text: str, previous: str) -> Example:
    rules = RuleView("unattributed", 0.65, "no source named and no editorial wording")
    return Example(f"u{i}", article, text, previous, rules)


def test_the_sentence_before_reads_the_same_whether_shared_with_the_unit_before_or_not():
    texts = ["Prices rose again.", "“It hurts,” a shopper said.", "Shops closed early."]
    chained = [_example(i, "a", t, texts[i - 1] if i else "") for i, t in enumerate(texts)]
    f = Featurizer()
    x = f.fit_transform(chained)
    alone = f.transform(chained[2:])  # its sentence before is not in the list now
    assert abs(x[2] - alone[0]).max() < 1e-6


def test_rule_tokens_say_what_the_rules_found_and_how_quotes_run():
    rules = RuleView("attributed", 0.55, "a direct quote whose speaker is not named here", "“")
    e = Example("u", "a", "“We will not stop.”", "He spoke at noon: “This is", rules, "attributed")
    tokens = rule_tokens(e)
    assert {"rl=attributed", "cue=quote", "src=none", "starts_quote", "ends_quote"} <= set(tokens)
    assert {"prev_quote_end", "prev=attributed", "rw=direct", "rw=quote"} <= set(tokens)
    plain = Example("v", "a", "Sales fell.", "Prices rose.", RuleView("unattributed", 0.65, "r"))
    assert not {"starts_quote", "prev_quote_end", "cue=quote"} & set(rule_tokens(plain))
    # The first unit of an article (no sentence before) does not follow a quote.
    first = Example("w", "a", "Sales fell.", "", RuleView("unattributed", 0.65, "r"))
    assert "prev_quote_end" not in rule_tokens(first)
