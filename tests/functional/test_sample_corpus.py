"""The units a careful reader sees in the two sample articles: every body sentence whole,
no sentence split at "U.S.", "Mr" or "US$100", no page chrome."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate.ingest import split_text
from annotate.model import HEADING, SENTENCE, TITLE
from annotate.text.reading import read_file

SAMPLE_CORPUS = Path(__file__).resolve().parents[2] / "corpus"

EXPECTED = {
    "000_5a2869755751f143.txt": [
        (TITLE, "U.S., Russian space leaders discuss ISS, moon in Florida"),
        (
            SENTENCE,
            "NASA leaders have joined forces with Roscosmos, the Russian space agency, marking a rare diplomatic gesture between the two countries, which are experiencing intense geopolitical tensions.",
        ),
        (
            SENTENCE,
            "The in-person meeting on American soil is an attempt at technical cooperation, especially regarding the International Space Station, with the potential for future collaboration on lunar missions.",
        ),
        (HEADING, "Dialogue is rekindled with the first in-person meeting"),
        (
            SENTENCE,
            "NASA’s new temporary administrator on Thursday held a rare face-to-face meeting in Florida with Russia’s space agency chief, where they discussed cooperation on the moon and maintaining the space powers’ longstanding relationship on the International Space Station, Roscosmos said.",
        ),
        (
            SENTENCE,
            "The talks between Sean Duffy and Dmitry Bakanov at the U.S. space agency’s Kennedy Space Center represented the first in-person meeting between the heads of NASA and Russia’s space agency, Roscosmos, since 2018.",
        ),
        (
            SENTENCE,
            "NASA said late on Thursday the two chiefs “discussed continued cooperation and collaboration in space,” without providing further details.",
        ),
        (
            SENTENCE,
            "The meeting coincided with an attempt to launch a joint astronaut crew from Florida to the ISS that was postponed due to weather.",
        ),
        (
            SENTENCE,
            "It was a significant moment for Washington’s bifurcated space relations with Russia – especially for Duffy, an acting NASA administrator who was assigned to the role just this month while also overseeing the Transportation Department.",
        ),
        (
            SENTENCE,
            "Roscosmos showed on Telegram a video of the meeting between Duffy and Bakanov, each flanked by staff, and other events where Bakanov and his delegation can be seen mingling with U.S. officials.",
        ),
        (
            SENTENCE,
            "The Russian space agency said: “The parties discussed further work on the ISS, cooperation on lunar programs, joint exploration of deep space, and continued interaction on other space projects.”",
        ),
        (HEADING, "Divergent paths of the Moon"),
        (
            SENTENCE,
            "Russia’s withdrawal from the Artemis program was not only a technical departure, but also a repositioning for lunar exploration.",
        ),
        (
            SENTENCE,
            "The country then aligned itself with China, intending to maintain a leading role in long-term missions.",
        ),
        (
            SENTENCE,
            "Now, with this meeting between Russia and the US, the country can rebalance its international relations, ensuring that political isolation will not compromise its presence in space exploration.",
        ),
        (
            SENTENCE,
            "Russia had plans to participate in NASA’s flagship Artemis moon program until it invaded Ukraine in February 2022.",
        ),
        (
            SENTENCE,
            "It became a partner on China’s moon program, the International Lunar Research Station, a direct rival to the U.S. Artemis program.",
        ),
        (
            SENTENCE,
            "The war in Ukraine has led to a vastly isolated Russian space program, which has since boosted investments in military space efforts while nearly all of its joint space exploration projects with the West have collapsed.",
        ),
        (HEADING, "ISS remains an essential link despite geopolitical tensions"),
        (
            SENTENCE,
            "The Russian delegation visited NASA’s Johnson Space Center in Houston on Wednesday and on Thursday was poised to watch the launch of Crew-11, a routine mission to the ISS featuring two U.S. astronauts, a Russian cosmonaut, and a Japanese astronaut.",
        ),
        (SENTENCE, "But bad weather pushed the launch to Friday morning, SpaceX said."),
        (
            SENTENCE,
            "While U.S.-Russian tensions over the war in Ukraine have limited contact between NASA and Roscosmos, they have continued to share astronaut flights and cooperate on the ISS, a 25-year-old totem of scientific diplomacy crucial to maintaining the two space powers’ storied human spaceflight capabilities.",
        ),
        (
            SENTENCE,
            "The International Space Station, even after sanctions, continues to serve as an essential point of contact between the US and Russia.",
        ),
        (
            SENTENCE,
            "Despite the climate of distrust between the countries, international cooperation continues to exist through shared flights aboard the ISS.",
        ),
        (HEADING, "Diplomacy wins over rivalry"),
        (
            SENTENCE,
            "Although the meeting between the countries does not represent a broad rapprochement, it does signal that the countries intend to maintain an open channel for space exploration, as this is a mutual interest.",
        ),
        (
            SENTENCE,
            "Space remains one of the few areas where the US and Russia share goals, and perhaps it could serve as a bridge for future joint initiatives.",
        ),
    ],
    "003_3b0ee42016bb75ed.txt": [
        (TITLE, "US, Russian space chiefs talk moon cooperation in rare Florida meeting"),
        (
            SENTENCE,
            "Nasa's new temporary administrator, Sean Duffy, on July 31 held a rare face-to-face meeting in Florida with the chief of Russia's space agency, Dmitry Bakanov, where they discussed cooperation on the moon and maintaining the two space powers' longstanding relationship on the International Space Station, Roscosmos said.",
        ),
        (
            SENTENCE,
            "The talks at the US space agency's Kennedy Space Centre were the first in-person meeting between the heads of Nasa and Russia's space agency, Roscosmos, since 2018.",
        ),
        (
            SENTENCE,
            "Nasa has not shared any information on the meeting or responded to questions about it.",
        ),
        (
            SENTENCE,
            "The meeting, coinciding with an attempt to launch a joint astronaut crew from Florida to the ISS, was a significant moment for Washington's sometimes bumpy space relations with Russia - especially for Mr Duffy, an acting Nasa administrator who was assigned to the role just in July while also overseeing the Department of Transportation.",
        ),
        (
            SENTENCE,
            "Roscosmos showed on Telegram a video of the meeting between Mr Duffy and Mr Bakanov, each flanked by staff, and other events where Mr Bakanov and his delegation can be seen mingling with US officials.",
        ),
        (
            SENTENCE,
            "The Russian space agency said “the parties discussed further work on the ISS, cooperation on lunar programs, joint exploration of deep space, continued interaction on other space projects”.",
        ),
        (
            SENTENCE,
            "Roscosmos and Nasa did not respond to questions about the nature of the lunar programme or deep space discussions.",
        ),
        (
            SENTENCE,
            "Such talks could signal thawing relations between the two countries' civil space programmes and represent a shift in global space relations.",
        ),
        (
            SENTENCE,
            "Russia had plans to participate in Nasa's flagship Artemis moon program until it invaded Ukraine in February 2022.",
        ),
        (
            SENTENCE,
            "It became a partner on China's moon program, the International Lunar Research Station, a direct rival to the US Artemis programme.",
        ),
        (
            SENTENCE,
            "The war has led to a vastly isolated Russian space programme, which has since boosted investments in military space efforts while nearly all of its joint space exploration projects with the West collapsed.",
        ),
        (
            SENTENCE,
            "The Russian delegation visited Nasa's Johnson Space Centre in Houston on July 30 and on July 31 was poised to watch the launch of Crew-11, a routine mission to the ISS featuring two US astronauts, a Russian cosmonaut and a Japanese astronaut.",
        ),
        (SENTENCE, "But bad weather pushed the launch to Aug 1 morning, SpaceX said."),
        (
            SENTENCE,
            "While US-Russian tensions over the war in Ukraine have limited contact between Nasa and Roscosmos, they have continued to share astronaut flights and cooperate on the ISS, a 25-year-old totem of scientific diplomacy crucial to maintaining the two space powers' storied human spaceflight capabilities.",
        ),
        (
            SENTENCE,
            "Amity on the US$100 billion (S$130 billion) ISS is buoyed primarily by a technical interdependency: the Russian segment relies on power generated by American solar panels, while the task of maintaining the station's altitude is assigned to Russia's thrusters.",
        ),
        (
            SENTENCE,
            "Multiple other countries depend on the ISS for microgravity research, prominently the European Space Agency, Canada and Japan.",
        ),
        (
            SENTENCE,
            "Mr Bakanov and Mr Duffy were expected to discuss extending the two countries' astronaut seat exchange agreement - in which US astronauts fly on Russian Soyuz capsules in exchange for Russian astronauts flying on US capsules - and the planned disposal of the ISS in 2030, according to Russian news agency TASS.",
        ),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_article_units(name):
    (doc,) = list(read_file(SAMPLE_CORPUS / name, SAMPLE_CORPUS))
    split = split_text(doc.text, title=doc.title)
    assert [(u.kind, u.text) for u in split.units] == EXPECTED[name]
    for u in split.units:
        assert split.cleaned[u.start : u.end] == u.text


CHROME = [
    "No Result",
    "View All Result",
    "Credits:",
    "PHOTO:",
    "Sign up now",
    "Follow topic",
    "See more on",
    "GCN.com",
    "©",
    "by Juliane",
    "Apple",
    "Huawei",
    "Samsung",
    "Valve",
    "Legal notice",
    "REUTERS",
    "WASHINGTON -",
    "โ",
    "ยฉ",
    "â€",
]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_chrome_or_mojibake_survives(name):
    (doc,) = list(read_file(SAMPLE_CORPUS / name, SAMPLE_CORPUS))
    cleaned = split_text(doc.text, title=doc.title).cleaned
    for piece in CHROME:
        assert piece not in cleaned, piece


def test_tricky_sentences_are_whole():
    texts = [t for units in EXPECTED.values() for _, t in units]
    assert any("at the U.S. space agency’s Kennedy Space Center" in t for t in texts)
    assert any(t.startswith("Amity on the US$100 billion (S$130 billion) ISS") for t in texts)
    assert any(
        t.startswith("Roscosmos showed on Telegram a video of the meeting between Mr Duffy")
        for t in texts
    )
    assert any(t.startswith("The Russian space agency said: “The parties") for t in texts)
    assert not any(t.endswith(("U.S.", "Mr", "US$")) for t in texts)
