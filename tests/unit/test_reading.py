"""Tests for annotate.text.reading: formats, encodings, repair, corpus walking, bad input."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.model import Document, Skipped
from annotate.text import reading
from annotate.text.reading import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_SUFFIXES,
    NotTextError,
    corpus_files,
    decode,
    iter_corpus,
    read_bytes,
    read_file,
    repair,
)
from annotate.text.walk import corpus_paths, entry_path

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SAMPLE = CORPUS / "000_5a2869755751f143.txt"


def read_one(path: Path, root: Path, **kwargs) -> Document | Skipped:
    items = list(read_file(path, root, **kwargs))
    assert len(items) == 1, items
    return items[0]


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- API constants ---------------------------------------------------------------------


def test_constants():
    assert DEFAULT_MAX_BYTES == 20_000_000
    assert SUPPORTED_SUFFIXES == {".txt", ".md", ".markdown", ".html", ".htm", ".jsonl", ".json"}


# --- decode ----------------------------------------------------------------------------

TEXT = "“Smart quotes” and café — naïve résumé, it’s 5 €."


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
        codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"),
        TEXT.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16le", "utf16be", "utf32le", "utf32be", "cp1252"],
)
def test_decode_encodings(data):
    assert decode(data) == TEXT


def test_decode_cp1252_longer_text_is_not_taken_for_cp1250():
    # charset-normalizer alone guesses cp1250 here and turns "ï" into "ď".
    text = "Le “café” de la gare est fermé — c’est la fin d’une époque, dit-il. Naïve idée. " * 3
    assert decode(text.encode("cp1252")) == text


def test_decode_latin1():
    assert decode("Ça coûte 5 £, señor.".encode("latin-1")) == "Ça coûte 5 £, señor."


def test_decode_other_legacy_encodings_detected():
    russian = "Привет, как дела? Это тестовый текст на русском языке, совсем обычный."
    assert decode(russian.encode("cp1251")) == russian
    polish = "Zażółć gęślą jaźń. Pójdźmy do lasu, który był ładny i zielony tego lata."
    assert decode(polish.encode("cp1250")) == polish


def test_decode_utf8_with_a_stray_cp1252_byte():
    data = "Café “déjà vu” and naïve ".encode() + b"\x92quote"
    assert decode(data) == "Café “déjà vu” and naïve ’quote"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_decode_any_bytes(data):
    try:
        assert isinstance(decode(data), str)
    except NotTextError as error:
        assert str(error)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"abc\x00def", "binary file (contains NUL bytes)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary file (PDF document)"),
        (b"PK\x03\x04\x14\x00", "binary file (ZIP archive or Office document)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file (PNG image)"),
        (b"SQLite format 3\x00\x10\x00", "binary file (SQLite database)"),
        (bytes(range(1, 9)) * 20, "binary file (mostly control characters)"),
    ],
)
def test_decode_binary(data, reason):
    with pytest.raises(NotTextError) as info:
        decode(data)
    assert isinstance(info.value, ValueError)
    assert str(info.value) == reason


# --- repair ----------------------------------------------------------------------------


def test_repair_line_ends():
    assert repair("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert repair("a\r\r\nb") == "a\n\nb"


def test_repair_spaces_and_invisible_characters():
    text = "a\xa0b\u2009c\u202fd\u2007e\u3000f\tg"
    assert repair(text) == "a b c d e f g"
    assert repair("zero\u200bwidth\u200c\u200d\u2060 soft\xadhyphen\ufeffbom") == (
        "zerowidth softhyphenbom"
    )


def test_repair_control_characters():
    assert repair("a\x00b\x07c\x7fd\x81e\x9df\nkeep\ttab") == "abcdef\nkeep tab"
    # A C1 control with a cp1252 meaning is a cp1252 character that was read as Latin-1.
    assert repair("It\x92s \x85") == "It’s …"
    assert repair("page\x0cbreak") == "page\nbreak"


def test_repair_ansi_escapes():
    assert repair("\x1b[1;31mred\x1b[0m text") == "red text"
    assert repair("\x1b]0;window title\x07shown") == "shown"
    assert repair("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\") == "link"
    assert repair("lone \x1b escape") == "lone  escape"


def test_repair_lone_surrogate():
    assert repair("bad \ud800 half") == "bad \ufffd half"


def test_repair_mojibake_cp1252():
    assert repair("The worldâ€™s cafÃ© â€œquotedâ€\x9d") == "The world’s café “quoted”"
    assert repair("Â© 2025") == "© 2025"
    assert repair("\x93quoted\x94") == "“quoted”"


def test_repair_mojibake_cp874():
    assert repair("Honor to debut worldโ€™s first") == "Honor to debut world’s first"
    assert repair("ยฉ 2025 by GCN") == "© 2025 by GCN"
    # "”" is E2 80 9D; 0x9D is undefined in cp874 and cp1252, so it came through as U+009D.
    assert repair("โ€œquotedโ€\x9d and dash โ€”") == "“quoted” and dash —"


def test_repair_cp874_table_uses_cp1252_fallback():
    # 0x99 is undefined in cp874; the scraper fell back to cp1252, giving "™".
    assert reading._CP874["™"] == 0x99
    assert reading._CP874["€"] == 0x80
    assert reading._CP874["ย"] == 0xC2


@pytest.mark.parametrize(
    "thai",
    [
        "ภาษาไทย สวัสดีครับ",
        "ยกเลิก การประชุม ภัยฉุกเฉิน",
        "“ไทย”\xa0ไทย… — โดย เขต",
        "ภาษาไทย and ยก",
    ],
)
def test_repair_leaves_real_thai_alone(thai):
    assert repair(thai) == thai.replace("\xa0", " ")


def test_repair_mixed_thai_and_cp874_mojibake():
    assert repair("ภาษาไทย worldโ€™s") == "ภาษาไทย world’s"


def test_repair_clean_text_unchanged():
    for text in (
        "NASA’s chief said “yes” – twice.\n\nNew paragraph.",
        "Le café était fermé à Noël ; « non », dit-il — 5 €.",
        "Straße, Ärger, ½ © ® ° ± × ÷ ¿qué? ¡sí!",
        "中文 日本語 한국어 العربية עברית Ελληνικά Русский 😀👍",
    ):
        assert repair(text) == text


def test_sample_article_repaired():
    doc = read_one(SAMPLE, CORPUS)
    assert isinstance(doc, Document)
    assert doc.path == SAMPLE.name
    assert doc.sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    for bad in ("โ€", "ยฉ", "â€", "Ã", "\r", "\xa0"):
        assert bad not in doc.text
    assert "world’s first AI-robot smartphone" in doc.text
    assert "© 2025 by GCN" in doc.text
    assert "“discussed continued cooperation and collaboration in space,”" in doc.text
    assert "relations with Russia – especially" in doc.text


def test_both_sample_articles_read():
    docs = list(iter_corpus(CORPUS))
    assert [d.path for d in docs] == sorted(p.name for p in CORPUS.glob("*.txt"))
    for doc in docs:
        assert isinstance(doc, Document)
        assert not any(bad in doc.text for bad in ("โ€", "ยฉ", "â€", "\xa0"))
        assert "’" in doc.text and "“" in doc.text


# hypothesis: repair never raises and is idempotent on arbitrary text, including text
# built from the characters mojibake and controls are made of.
MOJIBAKE_ALPHABET = st.sampled_from(
    list("โเยฉกรร€™’“”–—…•ÂÃâ©é\xa0\xad\x81\x85\x93\x9d\x1b[]m;\r\n\t \u200b\ufeffa")
)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_repair_idempotent_any_text(text):
    once = repair(text)
    assert repair(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(categories=["Cs", "Cc", "Cf", "Zs", "Zl", "Zp", "Lo", "Po"])))
def test_repair_idempotent_controls_and_surrogates(text):
    once = repair(text)
    assert repair(once) == once
    once.encode("utf-8")  # no lone surrogates left


@settings(max_examples=400, deadline=None)
@given(st.text(MOJIBAKE_ALPHABET, max_size=40))
def test_repair_idempotent_mojibake_alphabet(text):
    once = repair(text)
    assert repair(once) == once
    assert "\r" not in once and "\x1b" not in once and "\xa0" not in once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_repair_undoes_cp1252_mojibake_of_any_text(text):
    clean = repair(text)
    garbled = clean.encode("utf-8").decode("cp1252", errors="ignore")
    repair(garbled)  # must not raise; exact round trip is ftfy's business


# --- formats ---------------------------------------------------------------------------


def test_txt(tmp_path):
    path = write(tmp_path, "a.txt", "Title line\r\n\r\nBody\xa0text.\r\n")
    doc = read_one(path, tmp_path)
    assert doc == Document(
        path="a.txt",
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        text="Title line\n\nBody text.\n",
    )


def test_markdown(tmp_path):
    source = (
        "---\n"
        'title: "Moon talks"\n'
        "source: Reuters\n"
        "url: https://example.com/moon\n"
        "date: 2025-08-04\n"
        "tags: [space]\n"
        "---\n"
        "# Moon talks\n"
        "\n"
        'The **chiefs** met in [Florida](https://example.com/fl "FL") on __Thursday__.\n'
        "![a photo](https://example.com/p.jpg)\n"
        "Run `make` and see *this* and _that_; snake_case_name stays.\n"
        "\n"
        "## Background\n"
        "\n"
        "> A quoted line.\n"
        "Escaped \\*stars\\* stay.\n"
    )
    doc = read_one(write(tmp_path, "m.md", source), tmp_path)
    assert (doc.title, doc.source, doc.url, doc.date) == (
        "Moon talks",
        "Reuters",
        "https://example.com/moon",
        "2025-08-04",
    )
    assert doc.text == (
        "# Moon talks\n"
        "\n"
        "The chiefs met in Florida on Thursday.\n"
        "\n"
        "Run make and see this and that; snake_case_name stays.\n"
        "\n"
        "## Background\n"
        "\n"
        "A quoted line.\n"
        "Escaped *stars* stay.\n"
    )


def test_markdown_without_front_matter_and_setext(tmp_path):
    source = "Big title\n=========\n\nText.\nSub\n---\n- item\n---\n```python\ncode\n```\n"
    doc = read_one(write(tmp_path, "m.markdown", source), tmp_path)
    assert doc.text == "# Big title\n\nText.\n## Sub\n- item\n\n\ncode\n\n"
    assert doc.title == "Big title"


@pytest.fixture
def own_html_reader(monkeypatch):
    """HTML read by annotate's own reader, as for a page trafilatura finds no article in."""
    monkeypatch.setattr("annotate.text.extract.extract_article", lambda html: None)


HTML = """<!doctype html>
<html><head>
<title>Moon talks | The Daily Planet</title>
<meta property="og:site_name" content="The Daily Planet">
<link rel="canonical" href="https://planet.example/moon">
<meta property="article:published_time" content="2025-08-04T10:00:00Z">
<script>var ads = "not text";</script><style>p { color: red }</style>
</head><body>
<header><a href="/">The Daily Planet</a><nav><a>News</a><a>Sport</a></nav></header>
<aside>Trending: cats</aside>
<article>
  <header><h1>U.S. &amp; Russian   space chiefs
  talk</h1><p class="byline">By A. Writer</p></header>
  <figure><img src="x.jpg" alt="rocket"><figcaption>A rocket. Photo: AP</figcaption></figure>
  <p>First   paragraph with <a href="#">a link</a> and &ldquo;quotes&rdquo;.</p>
  <h2>Background</h2>
  <p>Line one<br>line two</p>
  <ul><li>Item one</li><li>Item two</li></ul>
  <blockquote>Quoted words.</blockquote>
  <form><button>Subscribe</button></form>
  <noscript>Enable JS</noscript>
  <footer>Share this</footer>
</article>
<footer>© Planet</footer>
</body></html>
"""


def test_html(tmp_path, own_html_reader):
    doc = read_one(write(tmp_path, "p.html", HTML), tmp_path)
    assert doc.title == "U.S. & Russian space chiefs talk"
    assert doc.source == "The Daily Planet"
    assert doc.url == "https://planet.example/moon"
    assert doc.date == "2025-08-04T10:00:00Z"
    assert doc.text == (
        "# U.S. & Russian space chiefs talk\n\n"
        "By A. Writer\n\n"
        "First paragraph with a link and “quotes”.\n\n"
        "## Background\n\n"
        "Line one\nline two\n\n"
        "Item one\n\n"
        "Item two\n\n"
        "Quoted words."
    )


def test_html_title_from_title_tag_without_h1(tmp_path, own_html_reader):
    page = (
        "<html><head><title>Moon talks - Daily Planet</title></head><body>"
        "<nav>Menu</nav><div>Body one.</div><div>Body&nbsp;two.</div>"
        "<script>alert(1)</script><footer>Footer</footer></body></html>"
    )
    doc = read_one(write(tmp_path, "p.htm", page), tmp_path)
    assert doc.title == "Moon talks"
    assert doc.text == "Body one.\n\nBody two."


def test_html_uses_main_only(tmp_path, own_html_reader):
    page = "<body><div>Sidebar junk</div><main><h1>T</h1><p>Story.</p></main><div>x</div></body>"
    doc = read_one(write(tmp_path, "p.html", page), tmp_path)
    assert doc.text == "# T\n\nStory."


def test_html_h1_outside_article_and_largest_article(tmp_path, own_html_reader):
    page = (
        "<body><h1>The title</h1>"
        "<article><p>Teaser.</p></article>"
        "<article><p>The real story, which is long.</p><p>More of it.</p>"
        "<div hidden>Hidden text</div><span aria-hidden='true'>icon</span></article>"
        "<p>Outside.</p></body>"
    )
    doc = read_one(write(tmp_path, "p.html", page), tmp_path)
    assert doc.title == "The title"
    assert doc.text == "# The title\n\nThe real story, which is long.\n\nMore of it."


def test_html_odd_markup(tmp_path, own_html_reader):
    page = "<p>a <![CDATA[x]]> b<br/>c</p><h2>Sub <span>head</span> <div>ing</div></h2><p>d"
    doc = read_one(write(tmp_path, "p.html", page), tmp_path)
    assert doc.text == "a b\nc\n\n## Sub head ing\n\nd"
    assert doc.title is None


def test_html_without_text_skipped(tmp_path):
    item = read_one(write(tmp_path, "p.html", "<nav>Only a menu</nav>"), tmp_path)
    assert item == Skipped("p.html", "no article text")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<", ">", "/", "!", "<![", "<!--", "-->", "<?", "&", "#", "p", "h1", "nav", "a",
             "=", '"', "br", "article", "script", "x", " ", "&amp;", "]]>", "\n"]
        ),
        max_size=40,
    ).map("".join)
)  # fmt: skip
def test_html_never_raises(page):
    read_bytes(page.encode(), "x.html")


def test_jsonl(tmp_path):
    lines = [
        json.dumps({"text": "First article.", "title": "One", "url": "u1", "extra": 5}),
        "",
        '{"text": "broken", "title": "x" "y"}',
        json.dumps({"title": "no text"}),
        json.dumps({"text": "Third\r\narticle.", "date": "2025-08-04", "source": "S"}),
        json.dumps({"text": "Bad title", "title": 7}),
        json.dumps(["not", "an", "object"]),
        "   ",
    ]
    path = write(tmp_path, "a.jsonl", "\n".join(lines) + "\n")
    items = list(read_file(path, tmp_path))
    raw = path.read_bytes().split(b"\n")
    assert items == [
        Document(
            "a.jsonl#1", hashlib.sha256(raw[0]).hexdigest(), "First article.", "One", url="u1"
        ),
        Skipped("a.jsonl", "invalid JSON: Expecting ',' delimiter (column 33)", line=3),
        Skipped("a.jsonl", 'no "text" field', line=4),
        Document(
            "a.jsonl#5",
            hashlib.sha256(raw[4]).hexdigest(),
            "Third\narticle.",
            source="S",
            date="2025-08-04",
        ),
        Skipped("a.jsonl", '"title" is not a string (got number)', line=6),
        Skipped("a.jsonl", "not a JSON object (got array)", line=7),
    ]


def test_jsonl_line_over_limit_and_crlf(tmp_path):
    big = json.dumps({"text": "x" * 500})
    small = json.dumps({"text": "small"})
    path = write(tmp_path, "a.jsonl", f"{small}\r\n{big}\r\n{small}")
    items = list(read_file(path, tmp_path, max_bytes=100))
    assert items[0].path == "a.jsonl#1" and items[0].text == "small"
    assert items[1] == Skipped("a.jsonl", "too large (514 bytes > 100 bytes limit)", line=2)
    assert items[2].path == "a.jsonl#3"
    assert items[0].sha256 == hashlib.sha256(small.encode()).hexdigest()


def test_jsonl_blank_and_binary(tmp_path):
    assert read_one(write(tmp_path, "b.jsonl", "\n\n  \n"), tmp_path) == Skipped(
        "b.jsonl", "no articles (only blank lines)"
    )
    assert read_one(write(tmp_path, "c.jsonl", b"PK\x03\x04zip\n"), tmp_path) == Skipped(
        "c.jsonl", "binary file (ZIP archive or Office document)"
    )


def test_jsonl_utf16(tmp_path):
    content = json.dumps({"text": "Café"}, ensure_ascii=False) + "\n"
    path = write(tmp_path, "u.jsonl", codecs.BOM_UTF16_LE + content.encode("utf-16-le"))
    doc = read_one(path, tmp_path)
    assert doc.text == "Café" and doc.path == "u.jsonl#1"


def test_json_lone_surrogate_and_null_fields(tmp_path):
    path = write(tmp_path, "a.jsonl", '{"text": "bad \\ud800 half", "title": null, "url": ""}')
    doc = read_one(path, tmp_path)
    assert doc.text == "bad \ufffd half"
    assert doc.title is None and doc.url is None


def test_json_object(tmp_path):
    path = write(tmp_path, "a.json", json.dumps({"text": "Only one.", "title": " T "}))
    doc = read_one(path, tmp_path)
    assert doc.path == "a.json"
    assert doc.title == "T"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_json_array(tmp_path):
    elements = [{"text": "One.", "b": 1, "a": "é"}, {"title": "none"}, 3, {"text": "Three."}]
    path = write(tmp_path, "a.json", json.dumps(elements, indent=2))
    items = list(read_file(path, tmp_path))
    canonical = '{"a":"é","b":1,"text":"One."}'.encode()
    assert items[0] == Document("a.json#1", hashlib.sha256(canonical).hexdigest(), "One.")
    assert items[1] == Skipped("a.json", 'element 2: no "text" field')
    assert items[2] == Skipped("a.json", "element 3: not a JSON object (got number)")
    assert items[3].path == "a.json#4" and items[3].text == "Three."


def test_json_lines_mislabelled_as_json(tmp_path):
    path = write(tmp_path, "a.json", '{"text": "One."}\n{"text": "Two."}\n')
    assert [d.path for d in read_file(path, tmp_path)] == ["a.json#1", "a.json#2"]


def test_json_invalid(tmp_path):
    path = write(tmp_path, "a.json", '{\n  "text": "x",\n  "title" "y"\n}')
    assert read_one(path, tmp_path) == Skipped(
        "a.json", "invalid JSON: Expecting ':' delimiter (column 11)", line=3
    )
    deep = write(tmp_path, "deep.json", "[" * 100_000)
    assert read_one(deep, tmp_path).reason.startswith("invalid JSON")
    empty = write(tmp_path, "e.json", "[]")
    assert read_one(empty, tmp_path) == Skipped("e.json", "no articles (empty JSON array)")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["txt", "md", "html", "json", "jsonl"]))
def test_read_bytes_never_raises(data, fmt):
    for item in read_bytes(data, f"x.{fmt}"):
        assert isinstance(item, Document | Skipped)


def test_read_bytes():
    (doc,) = read_bytes(b"Hello\r\nworld", "<stdin>")
    assert doc == Document("<stdin>", hashlib.sha256(b"Hello\r\nworld").hexdigest(), "Hello\nworld")
    items = read_bytes(b'{"text": "a"}\n{"text": "b"}', "<stdin>", fmt="jsonl")
    assert [d.path for d in items] == ["<stdin>#1", "<stdin>#2"]
    assert read_bytes(b"# T\n\n**x**", "page.md")[0].text == "# T\n\nx"
    assert read_bytes(b"", "<stdin>") == [Skipped("<stdin>", "empty file")]
    with pytest.raises(ValueError):
        read_bytes(b"x", "<stdin>", fmt="pdf")


# --- skipped files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b" \r\n\t\n", "no text (only whitespace)"),
        ("nul.txt", b"text\x00more", "binary file (contains NUL bytes)"),
        ("doc.pdf", b"%PDF-1.4", "unsupported file type .pdf"),
        ("LICENSE", b"MIT", "unsupported file type (no extension)"),
        ("fake.txt", b"%PDF-1.4\n...", "binary file (PDF document)"),
        ("empty.jsonl", b"", "empty file"),
    ],
)
def test_skipped_with_reason(tmp_path, name, data, reason):
    assert read_one(write(tmp_path, name, data), tmp_path) == Skipped(name, reason)


def test_too_large(tmp_path):
    path = write(tmp_path, "big.txt", b"x" * 2500)
    assert read_one(path, tmp_path, max_bytes=1000) == Skipped(
        "big.txt", "too large (2.5 kB > 1 kB limit)"
    )
    assert reading._too_large(31_200_000, DEFAULT_MAX_BYTES) == "too large (31.2 MB > 20 MB limit)"


# --- gzip-compressed files ---------------------------------------------------------------


def test_a_gzip_file_is_read_as_the_file_it_holds(tmp_path):
    import gzip

    page = b"<html><head><title>T</title></head><body><p>Plain words here.</p></body></html>"
    text = "Line one.\r\nLine two."
    html_doc = read_one(write(tmp_path, "p.html", page), tmp_path)
    gz_doc = read_one(write(tmp_path, "p.html.gz", gzip.compress(page)), tmp_path)
    assert isinstance(gz_doc, Document) and isinstance(html_doc, Document)
    assert (gz_doc.path, gz_doc.text, gz_doc.title) == ("p.html.gz", html_doc.text, html_doc.title)
    txt = read_one(write(tmp_path, "a.TXT.gz", gzip.compress(text.encode())), tmp_path)
    assert isinstance(txt, Document) and txt.text == "Line one.\nLine two."
    rows = gzip.compress(b'{"text": "a"}\n{"text": "b"}\n')
    assert [d.path for d in read_file(write(tmp_path, "r.jsonl.gz", rows), tmp_path)] == [
        "r.jsonl.gz#1",
        "r.jsonl.gz#2",
    ]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("x.pdf.gz", b"", "unsupported file type .pdf.gz"),
        ("x.gz", b"", "unsupported file type .gz"),
        ("bad.txt.gz", b"not gzip at all", "not a readable gzip file"),
    ],
)
def test_a_gzip_file_that_cannot_be_read_says_why(tmp_path, name, data, reason):
    import gzip

    if name == "x.pdf.gz":
        data = gzip.compress(b"%PDF-1.4")
    got = read_one(write(tmp_path, name, data), tmp_path)
    assert isinstance(got, Skipped) and got.path == name and got.reason.startswith(reason)


def test_a_gzip_file_cut_short_or_too_large_uncompressed_is_skipped(tmp_path):
    import gzip

    whole = gzip.compress(b"Some words. " * 400)
    cut = read_one(write(tmp_path, "cut.txt.gz", whole[: len(whole) // 2]), tmp_path)
    assert isinstance(cut, Skipped) and cut.reason.startswith("not a readable gzip file")
    # A small archive holding a huge file is measured by what it holds.
    bomb = write(tmp_path, "big.txt.gz", gzip.compress(b"x" * 50_000))
    assert bomb.stat().st_size < 1000
    assert read_one(bomb, tmp_path, max_bytes=10_000) == Skipped(
        "big.txt.gz", "too large uncompressed (more than the 10 kB limit)"
    )
    rows = gzip.compress(b'{"text": "a"}\n{"text": "b"}\n')
    items = list(read_file(write(tmp_path, "r.jsonl.gz", rows[:-6]), tmp_path))
    assert isinstance(items[-1], Skipped) and items[-1].reason.startswith("not a readable gzip")


def _damaged_gzip_files() -> list[tuple[str, bytes, str]]:
    import gzip

    # mtime=0: the same bytes in every test process (pytest-xdist compares the test ids).
    whole = gzip.compress(b"Some words. " * 400, mtime=0)
    flipped_crc = bytearray(whole)
    flipped_crc[-6] ^= 0xFF
    flipped_size = bytearray(whole)
    flipped_size[-2] ^= 0xFF
    bad_method = bytearray(whole)
    bad_method[2] = 9
    corrupt = bytearray(whole)
    corrupt[20] ^= 0xFF
    return [
        ("no", b"not gzip at all", "not gzip data"),
        ("cut", whole[: len(whole) // 2], "cut short"),
        ("header", whole[:5], "cut short"),
        ("crc", bytes(flipped_crc), "damaged: its checksum does not match what it holds"),
        ("size", bytes(flipped_size), "damaged: its recorded length does not match what it holds"),
        ("method", bytes(bad_method), "an unknown compression method"),
        ("corrupt", bytes(corrupt), "damaged: its compressed data cannot be unpacked"),
        ("junk", whole + b"junk", "not gzip data after its end"),
    ]


@pytest.mark.parametrize(
    ("stem", "data", "what"), [pytest.param(*case, id=case[0]) for case in _damaged_gzip_files()]
)
def test_a_damaged_gzip_file_is_named_with_what_is_wrong_in_our_words(tmp_path, stem, data, what):
    # Never zlib's wording ("Not a gzipped file (b'no')", "Error -3 while decompressing").
    got = read_one(write(tmp_path, f"{stem}.txt.gz", data), tmp_path)
    assert got == Skipped(f"{stem}.txt.gz", f"not a readable gzip file ({what}): not read")


def test_permission_denied(tmp_path, monkeypatch):
    path = write(tmp_path, "secret.txt", "x")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(reading.os, "open", refuse)
    assert read_one(path, tmp_path) == Skipped("secret.txt", "permission denied")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_permission_denied_for_real(tmp_path):
    path = write(tmp_path, "secret.txt", "x")
    path.chmod(0)
    assert read_one(path, tmp_path) == Skipped("secret.txt", "permission denied")


def test_directory_given_as_file(tmp_path):
    (tmp_path / "sub.txt").mkdir()
    assert read_one(tmp_path / "sub.txt", tmp_path) == Skipped("sub.txt", "is a directory")


def test_vanished_file(tmp_path):
    path = write(tmp_path, "gone.txt", "x")
    files = corpus_files(tmp_path)
    path.unlink()
    assert list(read_file(files[0], tmp_path)) == [
        Skipped("gone.txt", "file not found (removed during the run?)")
    ]


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlinks(tmp_path):
    write(tmp_path, "sub/a.txt", "A")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)  # a directory symlink loop
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")
    (tmp_path / "other").symlink_to(tmp_path / "sub")  # followed: not a loop
    items = list(iter_corpus(tmp_path))
    assert items == [
        Skipped("broken.txt", "broken symlink"),
        Document("other/a.txt", hashlib.sha256(b"A").hexdigest(), "A"),
        Skipped("other/loop", "directory symlink loop"),
        Skipped("self.txt", "symlink loop"),
        Document("sub/a.txt", hashlib.sha256(b"A").hexdigest(), "A"),
        Skipped("sub/loop", "directory symlink loop"),
    ]


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_links_below_a_linked_root_resolve_as_realpath_says(tmp_path):
    # The corpus is reached through a link, and holds links to its own files and folders
    # (read) and to a file and a folder outside it (not read), at every depth: reading
    # with the root resolved once decides as resolving each file whole does.
    real = tmp_path / "real"
    write(real, "sub/deep/a.txt", "A")
    write(tmp_path, "outside/b.txt", "B")
    (real / "sub" / "inner.txt").symlink_to(real / "sub" / "deep" / "a.txt")
    (real / "sub" / "deep" / "out.txt").symlink_to(tmp_path / "outside" / "b.txt")
    (real / "linked").symlink_to(real / "sub" / "deep")
    (real / "away").symlink_to(tmp_path / "outside")
    root = tmp_path / "corpus"
    root.symlink_to(real)
    names = ["sub/deep/a.txt", "sub/inner.txt", "sub/deep/out.txt", "linked/a.txt", "away/b.txt"]
    given = [list(read_file(root / n, root, real_root=os.path.realpath(root))) for n in names]
    assert given == [list(read_file(root / n, root)) for n in names]
    assert [type(items[0]).__name__ for items in given] == [
        *("Document", "Document", "Skipped", "Document", "Skipped")
    ]
    prefixes = [reading.read_prefix(root / n, root, 10, real_root=str(real)) for n in names]
    assert prefixes == [b"A", b"A", None, b"A", None]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_fifo_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    reason = "not a regular file (a FIFO): not opened"
    assert list(iter_corpus(tmp_path)) == [Skipped("pipe.txt", reason)]


# --- corpus walking --------------------------------------------------------------------


def test_corpus_files_order_hidden_and_exclude(tmp_path):
    for name in ["b.txt", "a/z.md", "a/b/c.json", "A.txt", ".hidden.txt", ".git/x.txt",
                 "d/.cache/y.txt", "notes.db", "notes.db-wal", "x.pdf"]:  # fmt: skip
        write(tmp_path, name, "x")
    db = tmp_path / "notes.db"
    exclude = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")]
    files = corpus_files(tmp_path, exclude=exclude)
    rel = [p.relative_to(tmp_path).as_posix() for p in files]
    assert rel == ["A.txt", "a/b/c.json", "a/z.md", "b.txt", "x.pdf"]
    assert corpus_files(tmp_path, exclude=exclude) == files


def test_corpus_paths_lead_to_the_paths_the_walk_found(tmp_path, monkeypatch):
    for name in ["b.txt", "a/z.md", "a/b/c.json"]:
        write(tmp_path, name, "x")
    monkeypatch.chdir(tmp_path)
    for root in [tmp_path, Path("."), Path("a")]:
        found = sorted(
            os.path.join(folder, name) for folder, _, names in os.walk(root) for name in names
        )
        paths = sorted(entry_path(str(root), rel) for rel in corpus_paths(root))
        assert paths == found
    assert entry_path("/", "a/z.md") == os.path.join("/", "a/z.md")


def test_exclude_matches_through_relative_paths(tmp_path, monkeypatch):
    write(tmp_path, "keep.txt", "x")
    write(tmp_path, "store.sqlite", "x")
    monkeypatch.chdir(tmp_path)
    files = corpus_files(Path("."), exclude=[Path("store.sqlite")])
    assert [p.name for p in files] == ["keep.txt"]


def test_iter_corpus_single_file_and_missing_root(tmp_path):
    path = write(tmp_path, "one.txt", "Just me.")
    assert [d.path for d in iter_corpus(path)] == ["one.txt"]
    assert list(iter_corpus(tmp_path / "missing")) == [
        Skipped((tmp_path / "missing").as_posix(), "no such file or directory")
    ]


def test_iter_corpus_is_lazy(tmp_path):
    for i in range(3):
        write(tmp_path, f"{i}.txt", f"Article {i}.")
    stream = iter_corpus(tmp_path)
    assert next(stream).path == "0.txt"
    (tmp_path / "2.txt").unlink()
    assert [item.path for item in stream] == ["1.txt", "2.txt"]
