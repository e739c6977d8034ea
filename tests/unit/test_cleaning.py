"""Cleaning: the two real sample pages exactly, then one small invented page per rule.

The invented pages imitate other sites (wire services, broadcasters, newspapers, blogs)
so the rules are tested as general patterns, not as the samples' strings. Each rule has
negative cases too: content that looks a little like furniture must survive.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.model import HEADING, TITLE, Block, CleanArticle
from annotate.text.cleaning import REASONS, clean

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

BODY = "Officials said the bridge would reopen on Friday after three weeks of repairs."
BODY2 = "The council has set aside 2 million pounds for further work on the river crossing."


def repaired(name: str) -> str:
    """A sample page as the reading stage hands it on: its two mojibake forms repaired."""
    text = (CORPUS / name).read_bytes().decode("utf-8")
    return text.replace("โ€™", "’").replace("ยฉ", "©")


def paragraphs(article: CleanArticle) -> list[str]:
    return [b.text for b in article.blocks if b.kind == "paragraph"]


def headings(article: CleanArticle) -> list[str]:
    return [b.text for b in article.blocks if b.kind == HEADING]


def reason_of(article: CleanArticle, text: str) -> str | None:
    """The reason the first dropped item containing ``text`` was dropped for."""
    return next((d.reason for d in article.dropped if text in d.text), None)


def kept_text(article: CleanArticle) -> str:
    return "\n".join(b.text for b in article.blocks)


def page(*chunks: str) -> str:
    """A page whose chunks are separated by blank lines."""
    return "\n\n".join(chunks)


# --------------------------------------------------------------------------------------
# The sample pages

SAMPLE_000_BODY = [
    "NASA leaders have joined forces with Roscosmos, the Russian space agency, marking a "
    "rare diplomatic gesture between the two countries, which are experiencing intense "
    "geopolitical tensions. The in-person meeting on American soil is an attempt at technical "
    "cooperation, especially regarding the International Space Station, with the potential "
    "for future collaboration on lunar missions.",
    "NASA’s new temporary administrator on Thursday held a rare face-to-face meeting in "
    "Florida with Russia’s space agency chief, where they discussed cooperation on the moon "
    "and maintaining the space powers’ longstanding relationship on the International Space "
    "Station, Roscosmos said. The talks between Sean Duffy and Dmitry Bakanov at the U.S. "
    "space agency’s Kennedy Space Center represented the first in-person meeting between the "
    "heads of NASA and Russia’s space agency, Roscosmos, since 2018.",
    "NASA said late on Thursday the two chiefs “discussed continued cooperation and "
    "collaboration in space,” without providing further details. The meeting coincided with "
    "an attempt to launch a joint astronaut crew from Florida to the ISS that was postponed "
    "due to weather. It was a significant moment for Washington’s bifurcated space relations "
    "with Russia – especially for Duffy, an acting NASA administrator who was assigned to the "
    "role just this month while also overseeing the Transportation Department.",
    "Roscosmos showed on Telegram a video of the meeting between Duffy and Bakanov, each "
    "flanked by staff, and other events where Bakanov and his delegation can be seen "
    "mingling with U.S. officials. The Russian space agency said: “The parties discussed "
    "further work on the ISS, cooperation on lunar programs, joint exploration of deep "
    "space, and continued interaction on other space projects.”",
    "Russia’s withdrawal from the Artemis program was not only a technical departure, but "
    "also a repositioning for lunar exploration. The country then aligned itself with China, "
    "intending to maintain a leading role in long-term missions. Now, with this meeting "
    "between Russia and the US, the country can rebalance its international relations, "
    "ensuring that political isolation will not compromise its presence in space "
    "exploration.",
    "Russia had plans to participate in NASA’s flagship Artemis moon program until it "
    "invaded Ukraine in February 2022. It became a partner on China’s moon program, the "
    "International Lunar Research Station, a direct rival to the U.S. Artemis program. The "
    "war in Ukraine has led to a vastly isolated Russian space program, which has since "
    "boosted investments in military space efforts while nearly all of its joint space "
    "exploration projects with the West have collapsed.",
    "The Russian delegation visited NASA’s Johnson Space Center in Houston on Wednesday and "
    "on Thursday was poised to watch the launch of Crew-11, a routine mission to the ISS "
    "featuring two U.S. astronauts, a Russian cosmonaut, and a Japanese astronaut. But bad "
    "weather pushed the launch to Friday morning, SpaceX said. While U.S.-Russian tensions "
    "over the war in Ukraine have limited contact between NASA and Roscosmos, they have "
    "continued to share astronaut flights and cooperate on the ISS, a 25-year-old totem of "
    "scientific diplomacy crucial to maintaining the two space powers’ storied human "
    "spaceflight capabilities.",
    "The International Space Station, even after sanctions, continues to serve as an "
    "essential point of contact between the US and Russia. Despite the climate of distrust "
    "between the countries, international cooperation continues to exist through shared "
    "flights aboard the ISS.",
    "Although the meeting between the countries does not represent a broad rapprochement, it "
    "does signal that the countries intend to maintain an open channel for space exploration, "
    "as this is a mutual interest. Space remains one of the few areas where the US and Russia "
    "share goals, and perhaps it could serve as a bridge for future joint initiatives.",
]

SAMPLE_003_BODY = [
    "Nasa's new temporary administrator, Sean Duffy, on July 31 held a rare face-to-face "
    "meeting in Florida with the chief of Russia's space agency, Dmitry Bakanov, where they "
    "discussed cooperation on the moon and maintaining the two space powers' longstanding "
    "relationship on the International Space Station, Roscosmos said.",
    "The talks at the US space agency's Kennedy Space Centre were the first in-person meeting "
    "between the heads of Nasa and Russia's space agency, Roscosmos, since 2018. Nasa has not "
    "shared any information on the meeting or responded to questions about it.",
    "The meeting, coinciding with an attempt to launch a joint astronaut crew from Florida to "
    "the ISS, was a significant moment for Washington's sometimes bumpy space relations with "
    "Russia - especially for Mr Duffy, an acting Nasa administrator who was assigned to the "
    "role just in July while also overseeing the Department of Transportation.",
    "Roscosmos showed on Telegram a video of the meeting between Mr Duffy and Mr Bakanov, "
    "each flanked by staff, and other events where Mr Bakanov and his delegation can be seen "
    "mingling with US officials.",
    "The Russian space agency said “the parties discussed further work on the ISS, "
    "cooperation on lunar programs, joint exploration of deep space, continued interaction on "
    "other space projects”.",
    "Roscosmos and Nasa did not respond to questions about the nature of the lunar programme "
    "or deep space discussions. Such talks could signal thawing relations between the two "
    "countries' civil space programmes and represent a shift in global space relations.",
    "Russia had plans to participate in Nasa's flagship Artemis moon program until it invaded "
    "Ukraine in February 2022. It became a partner on China's moon program, the International "
    "Lunar Research Station, a direct rival to the US Artemis programme.",
    "The war has led to a vastly isolated Russian space programme, which has since boosted "
    "investments in military space efforts while nearly all of its joint space exploration "
    "projects with the West collapsed.",
    "The Russian delegation visited Nasa's Johnson Space Centre in Houston on July 30 and on "
    "July 31 was poised to watch the launch of Crew-11, a routine mission to the ISS "
    "featuring two US astronauts, a Russian cosmonaut and a Japanese astronaut. But bad "
    "weather pushed the launch to Aug 1 morning, SpaceX said.",
    "While US-Russian tensions over the war in Ukraine have limited contact between Nasa and "
    "Roscosmos, they have continued to share astronaut flights and cooperate on the ISS, a "
    "25-year-old totem of scientific diplomacy crucial to maintaining the two space powers' "
    "storied human spaceflight capabilities.",
    "Amity on the US$100 billion (S$130 billion) ISS is buoyed primarily by a technical "
    "interdependency: the Russian segment relies on power generated by American solar panels, "
    "while the task of maintaining the station's altitude is assigned to Russia's thrusters. "
    "Multiple other countries depend on the ISS for microgravity research, prominently the "
    "European Space Agency, Canada and Japan.",
    "Mr Bakanov and Mr Duffy were expected to discuss extending the two countries' astronaut "
    "seat exchange agreement - in which US astronauts fly on Russian Soyuz capsules in "
    "exchange for Russian astronauts flying on US capsules - and the planned disposal of the "
    "ISS in 2030, according to Russian news agency TASS.",
]


@pytest.fixture(scope="module")
def sample_000() -> CleanArticle:
    return clean(repaired("000_5a2869755751f143.txt"))


@pytest.fixture(scope="module")
def sample_003() -> CleanArticle:
    return clean(repaired("003_3b0ee42016bb75ed.txt"))


def test_sample_000_title_headings_and_body(sample_000):
    assert sample_000.title == "U.S., Russian space leaders discuss ISS, moon in Florida"
    assert sample_000.blocks[0].kind == TITLE
    assert headings(sample_000) == [
        "Dialogue is rekindled with the first in-person meeting",
        "Divergent paths of the Moon",
        "ISS remains an essential link despite geopolitical tensions",
        "Diplomacy wins over rivalry",
    ]
    assert paragraphs(sample_000) == SAMPLE_000_BODY


def test_sample_000_headings_sit_between_their_paragraphs(sample_000):
    kinds = [b.kind for b in sample_000.blocks]
    assert kinds == [TITLE, "paragraph", HEADING, "paragraph", "paragraph", "paragraph"] + [
        HEADING,
        "paragraph",
        "paragraph",
        HEADING,
        "paragraph",
        "paragraph",
        HEADING,
        "paragraph",
    ]


def test_sample_000_chrome_is_gone(sample_000):
    kept = kept_text(sample_000)
    for chrome in [
        "GCN",
        "No Result",
        "View All Result",
        "Cybersecurity",
        "Flash News",
        "Juliane",
        "August 4, 2025",
        "Saturday",
        "in Technology",
        "Credits",
        "Stringer",
        "Apple",
        "Huawei",
        "Samsung",
        "Valve",
        "smartphone",
        "©",
        "Legal notice",
        "Contact",
    ]:
        assert chrome not in kept, chrome


def test_sample_000_dropped_reasons(sample_000):
    assert reason_of(sample_000, "Saturday, January 10, 2026") == "date"
    assert reason_of(sample_000, "August 4, 2025") == "date"
    assert reason_of(sample_000, "by Juliane C.") == "byline"
    assert reason_of(sample_000, "in Technology") == "category tag"
    assert reason_of(sample_000, "Russian") == "category tag"
    assert reason_of(sample_000, "Credits: REUTERS/Stringer") == "photo credit"
    assert reason_of(sample_000, "No Result") == "search widget"
    assert reason_of(sample_000, "View All Result") == "search widget"
    assert reason_of(sample_000, "Cybersecurity") == "navigation menu"
    assert reason_of(sample_000, "Apple fast-tracks") == "teaser headline"
    assert reason_of(sample_000, "Valve announces") == "teaser headline"
    assert reason_of(sample_000, "GCN.com/Reuters") == "agency credit"
    assert reason_of(sample_000, "© 2025 by GCN") == "copyright/legal"
    assert reason_of(sample_000, "Legal notice") == "copyright/legal"
    assert reason_of(sample_000, "GCN") == "site name"
    teasers = [d for d in sample_000.dropped if d.reason == "teaser headline"]
    assert [d.line for d in teasers] == [42, 44, 46, 48, 50, 52]
    menu = [d for d in sample_000.dropped if d.reason == "navigation menu"]
    assert len(menu) == 27


def test_sample_003_title_and_body(sample_003):
    assert sample_003.title == (
        "US, Russian space chiefs talk moon cooperation in rare Florida meeting"
    )
    assert headings(sample_003) == []
    assert paragraphs(sample_003) == SAMPLE_003_BODY


def test_sample_003_chrome_is_gone(sample_003):
    kept = kept_text(sample_003)
    for chrome in [
        "Sign up",
        "newsletters",
        "SpaceX Crew Dragon",
        "Nesius",
        "PHOTO",
        "Follow topic",
        "See more on",
        "WASHINGTON",
        "REUTERS",
    ]:
        assert chrome not in kept, chrome
    # The standfirst is kept once, inside its body paragraph.
    assert kept.count("were the first in-person meeting between the heads of Nasa") == 1


def test_sample_003_dropped_reasons(sample_003):
    by_line = {d.line: (d.text, d.reason) for d in sample_003.dropped}
    assert by_line[3] == (
        "Sign up now: Get ST's newsletters delivered to your inbox",
        "newsletter/follow prompt",
    )
    assert by_line[5][1] == "photo caption"
    assert by_line[7][1] == "duplicate paragraph"
    assert by_line[9] == ("PHOTO: REUTERS", "photo credit")
    assert by_line[11] == ("Follow topic:", "newsletter/follow prompt")
    assert by_line[13] == ("WASHINGTON -", "dateline")
    assert by_line[35] == ("REUTERS", "agency credit")
    assert by_line[37] == ("See more on", "newsletter/follow prompt")


def test_every_reason_is_from_the_vocabulary(sample_000, sample_003):
    for article in (sample_000, sample_003):
        assert {d.reason for d in article.dropped} <= set(REASONS)


def test_title_from_metadata_is_not_repeated(sample_003):
    text = repaired("003_3b0ee42016bb75ed.txt")
    title = "US, Russian space chiefs talk moon cooperation in rare Florida meeting"
    article = clean(text, title=title)
    assert article.title == title
    assert [b for b in article.blocks if b.kind == TITLE] == [article.blocks[0]]
    assert title not in paragraphs(article) + headings(article)
    assert paragraphs(article) == SAMPLE_003_BODY


# --------------------------------------------------------------------------------------
# Invented pages in the style of other sites

BBC_STYLE = """\
Skip to content
Home
News
Sport
Weather
Sounds

Flood warnings issued as storm batters south-west coast

2 hours ago

Share

Jane Doe
BBC News, Cornwall

Getty Images

Residents in several coastal towns have been told to prepare for flooding as the storm \
brings winds of up to 80mph.

The Environment Agency said 30 flood warnings were in place on Saturday morning.

What happens next?

Forecasters expect the wind to ease by Sunday evening.

Related topics
Cornwall
Weather

More from BBC News

Copyright 2025 BBC. All rights reserved.
"""


def test_broadcaster_page():
    article = clean(BBC_STYLE)
    assert article.title == "Flood warnings issued as storm batters south-west coast"
    assert paragraphs(article) == [
        "Residents in several coastal towns have been told to prepare for flooding as the "
        "storm brings winds of up to 80mph.",
        "The Environment Agency said 30 flood warnings were in place on Saturday morning.",
        "What happens next?",
        "Forecasters expect the wind to ease by Sunday evening.",
    ]
    assert headings(article) == []
    assert reason_of(article, "Skip to content") == "navigation menu"
    assert reason_of(article, "2 hours ago") == "date"
    assert reason_of(article, "Share") == "share/social"
    assert reason_of(article, "Getty Images") == "photo credit"
    assert reason_of(article, "Related topics") == "related links"
    assert reason_of(article, "Copyright 2025 BBC") == "copyright/legal"
    assert "Jane Doe" not in kept_text(article)
    assert "Cornwall" not in kept_text(article)


AP_STYLE = """\
Menu
World
U.S.
Politics
Sports

Wildfire forces thousands to flee homes in northern California

By Jane Doe and John Roe
Updated 3:45 PM EDT, Mon July 31, 2025

Share
Share on Facebook
Copy link

Firefighters battle the blaze near Oroville, Calif., on Sunday, July 30, 2025. \
(AP Photo/Noah Berger)

SAN FRANCISCO (AP) — A fast-moving wildfire forced thousands of people to flee their \
homes in northern California on Monday, officials said.

Advertisement

The fire had burned more than 10,000 acres by early afternoon, according to the state \
fire agency.

Story continues below advertisement

"We have never seen it move this fast," said Fire Chief Ana Ruiz.

He declined to comment.

Associated Press writer Sam Holt in Sacramento contributed to this report.

Copyright 2025 The Associated Press. All rights reserved. This material may not be \
published, broadcast, rewritten or redistributed.
"""


def test_wire_page():
    article = clean(AP_STYLE)
    assert article.title == "Wildfire forces thousands to flee homes in northern California"
    assert paragraphs(article) == [
        "A fast-moving wildfire forced thousands of people to flee their homes in northern "
        "California on Monday, officials said.",
        "The fire had burned more than 10,000 acres by early afternoon, according to the "
        "state fire agency.",
        '"We have never seen it move this fast," said Fire Chief Ana Ruiz.',
        "He declined to comment.",
    ]
    assert reason_of(article, "By Jane Doe and John Roe") == "byline"
    assert reason_of(article, "Updated 3:45 PM EDT") == "date"
    assert reason_of(article, "Share on Facebook") == "share/social"
    assert reason_of(article, "Copy link") == "share/social"
    assert reason_of(article, "Firefighters battle") == "photo caption"
    assert reason_of(article, "SAN FRANCISCO (AP)") == "dateline"
    assert reason_of(article, "Advertisement") == "advertisement"
    assert reason_of(article, "Story continues below") == "advertisement"
    assert reason_of(article, "contributed to this report") == "wire furniture"
    assert reason_of(article, "Copyright 2025") == "copyright/legal"


REUTERS_STYLE = """\
Germany's economy shrinks more than expected in second quarter

By Jane Doe

August 4, 2025

BERLIN, May 2 (Reuters) - Germany's economy shrank by 0.3% in the second quarter, the \
statistics office said on Friday, a sharper fall than analysts had expected.

Reuters said on Monday that it had seen a draft of the figures.

"The weakness is broad-based," an economist at a Frankfurt bank told Reuters.

Reporting by Jane Doe; Additional reporting by John Roe; Editing by Sam Holmes

Our Standards: The Thomson Reuters Trust Principles.
"""


def test_reuters_page():
    article = clean(REUTERS_STYLE)
    assert article.title == "Germany's economy shrinks more than expected in second quarter"
    assert paragraphs(article) == [
        "Germany's economy shrank by 0.3% in the second quarter, the statistics office said "
        "on Friday, a sharper fall than analysts had expected.",
        "Reuters said on Monday that it had seen a draft of the figures.",
        '"The weakness is broad-based," an economist at a Frankfurt bank told Reuters.',
    ]
    assert reason_of(article, "BERLIN, May 2 (Reuters) -") == "dateline"
    assert reason_of(article, "Reporting by Jane Doe") == "wire furniture"
    assert reason_of(article, "Our Standards") == "wire furniture"
    assert reason_of(article, "By Jane Doe") == "byline"


GUARDIAN_STYLE = """\
Europe | Climate crisis

Heatwave pushes Spain's temperatures past 45C for first time in June

Regional authorities warn of wildfire risk as heat spreads north

Mon 30 Jun 2025 10.30 BST

A man cools off in a fountain in Seville. Photograph: Jane Doe/AFP/Getty Images

Temperatures in southern Spain passed 45C on Sunday, the earliest point in the year \
such heat has been recorded, the state weather agency said.

The agency said the heat would spread north over the coming days.

Why is it so hot?

Scientists say the climate crisis is making heatwaves longer and more intense.

Explore more on these topics
Spain
Europe
Heatwaves
Climate crisis

Reuse this content
"""


def test_newspaper_page():
    article = clean(GUARDIAN_STYLE)
    assert article.title == "Heatwave pushes Spain's temperatures past 45C for first time in June"
    # A long line right under the title is the standfirst: the outlet's own claim, so a
    # paragraph, full stop or not.
    assert headings(article) == []
    assert paragraphs(article) == [
        "Regional authorities warn of wildfire risk as heat spreads north",
        "Temperatures in southern Spain passed 45C on Sunday, the earliest point in the year "
        "such heat has been recorded, the state weather agency said.",
        "The agency said the heat would spread north over the coming days.",
        "Why is it so hot?",
        "Scientists say the climate crisis is making heatwaves longer and more intense.",
    ]
    assert reason_of(article, "Mon 30 Jun 2025") == "date"
    assert reason_of(article, "Photograph: Jane Doe") == "photo caption"
    kept = kept_text(article)
    for chrome in ["Europe", "Explore more", "Heatwaves", "Reuse this content"]:
        assert chrome not in kept


BLOG_STYLE = """\
# Five things we learned from the budget

*Posted by Sam Lee*

Subscribe to our newsletter

The chancellor delivered her budget on Wednesday. Here is what it means for you:

- Income tax thresholds stay frozen until 2028.
- Fuel duty is cut by 5p a litre.
- The state pension rises by 4.1% in April.

## What it means for renters

Rents are expected to keep rising, the Resolution Foundation said.

Share this article

Click here to read our full budget coverage
"""


def test_blog_page_with_markdown_marks_and_a_real_list():
    article = clean(BLOG_STYLE)
    assert article.title == "Five things we learned from the budget"
    assert headings(article) == ["What it means for renters"]
    assert paragraphs(article) == [
        "The chancellor delivered her budget on Wednesday. Here is what it means for you:",
        "Income tax thresholds stay frozen until 2028.",
        "Fuel duty is cut by 5p a litre.",
        "The state pension rises by 4.1% in April.",
        "Rents are expected to keep rising, the Resolution Foundation said.",
    ]
    assert reason_of(article, "Subscribe to our newsletter") == "newsletter/follow prompt"
    assert reason_of(article, "Share this article") == "share/social"
    assert reason_of(article, "Click here") == "share/social"
    assert reason_of(article, "Sam Lee") == "byline"


CABLE_NEWS_STYLE = """\
CNN
  • World
  • Politics
  • Business
Watch
Listen
Live TV
Subscribe
Sign in
My Account
Settings
Sign out
Log in to your CNN account
Europe
Ukraine says it downed 40 Russian drones overnight
By Jane Doe, CNN
3 minute read
Updated 6:02 AM EDT, Sat August 2, 2025
Source: CNN
Firefighters work at the site of a drone strike in Kyiv on August 1, 2025. Gleb Garanich/Reuters
Kyiv, Ukraine CNN — Ukraine’s air force said on Saturday it had shot down 40 of the 52 drones \
Russia launched overnight.
Officials in the Kharkiv region said two people were injured.
“The attack targeted energy infrastructure,” the regional governor wrote on Telegram.
CNN’s John Roe contributed reporting.
Related article
Zelensky urges allies to speed up air defense deliveries
Ad Feedback
Search CNN...
© 2025 Cable News Network. A Warner Bros. Discovery Company. All Rights Reserved.
Terms of Use
Privacy Policy
About
Newsletters
"""


def test_cable_news_page_one_line_per_item():
    article = clean(CABLE_NEWS_STYLE)
    assert article.title == "Ukraine says it downed 40 Russian drones overnight"
    assert paragraphs(article) == [
        "Ukraine’s air force said on Saturday it had shot down 40 of the 52 drones Russia "
        "launched overnight.",
        "Officials in the Kharkiv region said two people were injured.",
        "“The attack targeted energy infrastructure,” the regional governor wrote on Telegram.",
    ]
    assert headings(article) == []
    assert reason_of(article, "Kyiv, Ukraine CNN —") == "dateline"
    assert reason_of(article, "Firefighters work") == "photo caption"
    assert reason_of(article, "3 minute read") == "reading time"
    assert reason_of(article, "contributed reporting") == "wire furniture"
    assert reason_of(article, "Zelensky urges") == "related links"
    assert reason_of(article, "Search CNN") == "search widget"
    assert reason_of(article, "Source: CNN") == "agency credit"


WIRE_SCRAPE_STYLE = """\
Skip to main content
Exclusive news, data and analytics for financial market professionals
World
Business
Markets

Oil prices rise as supply concerns outweigh demand worries

By Jane Doe
August 5, 20252:14 PM GMT+1Updated 2 hours ago

LONDON, Aug 5 (Reuters) - Oil prices rose on Tuesday as concerns about supply from Russia \
outweighed worries about demand.
Brent crude futures were up 60 cents, or 0.9%, at $69.36 a barrel by 1300 GMT.
Reporting by Jane Doe in London; Additional reporting by Sam Lee in Singapore; Editing by \
Jan Harvey
Our Standards: The Thomson Reuters Trust Principles., opens new tab
Suggested Topics:
Commodities
Purchase Licensing Rights
"""


def test_tagline_above_the_menu_is_not_the_title():
    article = clean(WIRE_SCRAPE_STYLE)
    assert article.title == "Oil prices rise as supply concerns outweigh demand worries"
    assert paragraphs(article) == [
        "Oil prices rose on Tuesday as concerns about supply from Russia outweighed worries "
        "about demand.",
        "Brent crude futures were up 60 cents, or 0.9%, at $69.36 a barrel by 1300 GMT.",
    ]
    assert reason_of(article, "Exclusive news") == "page chrome"
    assert reason_of(article, "20252:14 PM") == "date"
    assert reason_of(article, "Our Standards") == "wire furniture"
    assert reason_of(article, "Suggested Topics") == "category tag"
    assert reason_of(article, "Purchase Licensing") == "copyright/legal"


BROADCASTER_WITH_STANDFIRST = """\
Skip links
Skip to Content
Navigation menu
News
Middle East
Africa

Flooding kills dozens in southern Pakistan as monsoon rains intensify

Rescue teams struggle to reach cut-off villages as more rain is forecast for the coming week.

Rescue workers evacuate residents from a flooded area in Sindh province [Asif Hassan/AFP]

Published On 2 Aug 2025

At least 36 people have been killed in floods in southern Pakistan after days of heavy \
monsoon rain, officials say.

Here is what we know:

Rain is expected to continue until Wednesday.
The army has been deployed to help with evacuations.

Source: Al Jazeera and news agencies
"""


def test_standfirst_is_kept_and_bracketed_caption_dropped():
    article = clean(BROADCASTER_WITH_STANDFIRST)
    assert article.title == "Flooding kills dozens in southern Pakistan as monsoon rains intensify"
    assert paragraphs(article) == [
        "Rescue teams struggle to reach cut-off villages as more rain is forecast for the "
        "coming week.",
        "At least 36 people have been killed in floods in southern Pakistan after days of heavy "
        "monsoon rain, officials say.",
        "Here is what we know:",
        "Rain is expected to continue until Wednesday.",
        "The army has been deployed to help with evacuations.",
    ]
    assert reason_of(article, "Rescue workers evacuate") == "photo caption"
    assert reason_of(article, "Published On") == "date"
    assert reason_of(article, "Source: Al Jazeera") == "agency credit"


# --------------------------------------------------------------------------------------
# Line shapes: blank-line paragraphs, one paragraph per line, hard-wrapped prose


def test_one_paragraph_per_line_without_blank_lines():
    text = "\n".join(
        [
            "Council votes to close library branches",
            "The city council voted on Tuesday to close three library branches.",
            "Opponents said the decision would hurt children most.",
            "The mayor defended the plan",
            "She said the savings would fund longer opening hours at the central library.",
        ]
    )
    article = clean(text)
    assert article.title == "Council votes to close library branches"
    assert headings(article) == ["The mayor defended the plan"]
    assert paragraphs(article) == [
        "The city council voted on Tuesday to close three library branches.",
        "Opponents said the decision would hurt children most.",
        "She said the savings would fund longer opening hours at the central library.",
    ]


WRAPPED = """\
Port strike enters second week as talks stall

Dock workers at the country's largest port extended their strike on Monday,
leaving more than 40 ships waiting offshore. The union said it would not return
to the table until managers withdrew a plan to cut night shifts.
Managers said the plan was needed to keep the port competitive with rivals in
the region, and that pay would not be affected by the change.
Shipping lines diverted
Several shipping lines said they had begun diverting vessels to neighbouring
ports, adding days to delivery times for importers across the country.
"""


def test_hard_wrapped_prose_is_joined_per_paragraph():
    article = clean(WRAPPED)
    assert article.title == "Port strike enters second week as talks stall"
    assert headings(article) == ["Shipping lines diverted"]
    assert paragraphs(article) == [
        "Dock workers at the country's largest port extended their strike on Monday, leaving "
        "more than 40 ships waiting offshore. The union said it would not return to the table "
        "until managers withdrew a plan to cut night shifts.",
        "Managers said the plan was needed to keep the port competitive with rivals in the "
        "region, and that pay would not be affected by the change.",
        "Several shipping lines said they had begun diverting vessels to neighbouring ports, "
        "adding days to delivery times for importers across the country.",
    ]


def test_wrapped_line_ending_a_sentence_mid_paragraph_is_joined():
    text = """\
Rail fares to rise by 5% in March, operators say

Fares on most routes will go up by an average of 5% from March, the train
operators' group said on Wednesday. Season tickets will rise by the same.
Passenger groups said the increase would push more people back into their
cars, and called on ministers to freeze fares for a year.
"""
    article = clean(text)
    assert paragraphs(article) == [
        "Fares on most routes will go up by an average of 5% from March, the train operators' "
        "group said on Wednesday. Season tickets will rise by the same. Passenger groups said "
        "the increase would push more people back into their cars, and called on ministers to "
        "freeze fares for a year."
    ]


def test_wrapped_lines_inside_blank_line_paragraphs():
    text = page(
        "A headline about the local election results",
        "Turnout fell to its lowest level in twenty years, the electoral commission\n"
        "said on Friday, as fewer than a third of voters cast a ballot.",
        "The commission blamed bad weather.",
    )
    article = clean(text)
    assert paragraphs(article) == [
        "Turnout fell to its lowest level in twenty years, the electoral commission said on "
        "Friday, as fewer than a third of voters cast a ballot.",
        "The commission blamed bad weather.",
    ]


def test_blocks_are_single_line_with_collapsed_whitespace():
    text = page("A  headline   with odd\tspacing here", f"  {BODY}  \u00a0", BODY2)
    article = clean(text)
    assert article.title == "A headline with odd spacing here"
    for block in article.blocks:
        assert "\n" not in block.text
        assert "  " not in block.text
        assert block.text == block.text.strip()


# --------------------------------------------------------------------------------------
# Headings and teaser headlines


def test_single_headline_between_paragraphs_is_a_heading():
    text = page("Title of the story goes here", BODY, "The repairs in detail", BODY2)
    article = clean(text)
    assert headings(article) == ["The repairs in detail"]
    assert paragraphs(article) == [BODY, BODY2]


def test_run_of_headlines_between_paragraphs_is_teasers():
    teasers = [
        "Man arrested after crash on the motorway near Leeds",
        "Schools to stay shut as teachers strike for a third day",
        "Tech giant unveils its new folding phone at event in Seoul",
    ]
    text = page("Title of the story goes here", BODY, *teasers, BODY2)
    article = clean(text)
    assert paragraphs(article) == [BODY, BODY2]
    assert headings(article) == []
    for teaser in teasers:
        assert reason_of(article, teaser) == "teaser headline"


def test_headlines_after_the_last_paragraph_are_chrome():
    text = page("Title of the story goes here", BODY, BODY2, "The Daily Planet", "Our journalism")
    article = clean(text)
    assert headings(article) == []
    assert reason_of(article, "The Daily Planet") == "page chrome"


def test_short_capitalised_lines_are_a_menu():
    text = page("Politics\nBusiness\nCulture\nOpinion", "Title of the story goes here", BODY)
    article = clean(text)
    assert article.title == "Title of the story goes here"
    assert reason_of(article, "Culture") == "navigation menu"


def test_bullet_menu_is_dropped_but_a_list_of_sentences_is_kept():
    menu = "• Home\n• World\n• Business\n• Climate"
    items = "• Prices rose 3% in May.\n• Wages rose 4%.\n• Rents rose 6% over the year."
    article = clean(page(menu, "Title of the story goes here", BODY, items))
    assert reason_of(article, "Business") == "navigation menu"
    assert paragraphs(article) == [
        BODY,
        "Prices rose 3% in May.",
        "Wages rose 4%.",
        "Rents rose 6% over the year.",
    ]


def test_links_after_a_related_label_are_dropped():
    text = page(
        "Title of the story goes here",
        BODY,
        "Read more:",
        "Bridge closure causes traffic chaos in the city centre",
        BODY2,
    )
    article = clean(text)
    assert paragraphs(article) == [BODY, BODY2]
    assert reason_of(article, "Bridge closure causes") == "related links"


def test_inline_read_more_teaser_is_dropped():
    text = page("Title of the story goes here", BODY, "READ MORE: Why bridges fail", BODY2)
    assert reason_of(clean(text), "READ MORE") == "related links"


def test_marked_headings_in_a_row_stay_headings():
    text = page("# Budget explained", BODY, "## Taxes", "### Income tax", BODY2)
    article = clean(text)
    assert headings(article) == ["Taxes", "Income tax"]
    assert paragraphs(article) == [BODY, BODY2]


def test_dash_list_of_sentences_is_kept_without_markers():
    items = "- Prices rose 3% in May.\n- Wages rose 4%.\n- Rents rose 6% over the year."
    article = clean(page("Title of the story goes here", BODY, items))
    assert paragraphs(article) == [
        BODY,
        "Prices rose 3% in May.",
        "Wages rose 4%.",
        "Rents rose 6% over the year.",
    ]


def test_short_line_repeated_on_the_page_is_dropped():
    text = page("Live updates", "Title of the story goes here", BODY, "Live updates", BODY2)
    article = clean(text)
    assert paragraphs(article) == [BODY, BODY2]
    assert headings(article) == []
    assert [d.reason for d in article.dropped] == ["repeated line", "repeated line"]


def test_site_name_is_dropped_where_the_copyright_line_names_it():
    text = page("The Harbour Gazette", "Title of the story goes here", BODY)
    text += "\n\nThe Harbour Gazette\n\n© 2024 The Harbour Gazette. All rights reserved."
    article = clean(text)
    assert article.title == "Title of the story goes here"
    assert paragraphs(article) == [BODY]
    assert [d.reason for d in article.dropped].count("site name") == 2


# --------------------------------------------------------------------------------------
# Title


def test_title_from_markdown_mark_and_text_before_it_is_chrome():
    text = page("The Evening Post", "# Council approves new budget", BODY)
    article = clean(text)
    assert article.title == "Council approves new budget"
    assert reason_of(article, "The Evening Post") == "page chrome"


def test_given_title_is_used_and_removed_from_the_text():
    text = page("Menu", "Council approves new budget", BODY)
    article = clean(text, title="Council approves new budget")
    assert article.blocks[0] == Block(TITLE, "Council approves new budget")
    assert headings(article) == []
    assert paragraphs(article) == [BODY]


@pytest.mark.parametrize(
    "given",
    [
        "Council approves new budget | The Evening Post",
        "The Evening Post - Council approves new budget",
        "council approves new budget",
    ],
)
def test_given_title_with_site_name_matches_the_page_headline(given):
    text = page("Council approves new budget", BODY)
    article = clean(text, title=given)
    assert article.title == given
    assert paragraphs(article) == [BODY]
    assert headings(article) == []


def test_repeated_title_is_dropped():
    text = page("Council approves new budget", BODY, "Council approves new budget", BODY2)
    article = clean(text)
    assert reason_of(article, "Council approves") == "duplicate title"
    assert paragraphs(article) == [BODY, BODY2]


def test_no_title_when_text_starts_with_body():
    article = clean(page(BODY, BODY2))
    assert article.title is None
    assert paragraphs(article) == [BODY, BODY2]


# --------------------------------------------------------------------------------------
# Line rules, one furniture line at a time


def furniture_reason(line: str) -> str | None:
    article = clean(page("Title of the story goes here", BODY, line, BODY2))
    assert paragraphs(article) == [BODY, BODY2], line
    return reason_of(article, line.strip("•- ").split()[0])


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Saturday, January 10, 2026", "date"),
        ("August 4, 2025", "date"),
        ("4 August 2025", "date"),
        ("Updated 3:45 PM EDT, Mon July 31, 2025", "date"),
        ("Published: 12 March 2024 at 09:15", "date"),
        ("2025-08-04", "date"),
        ("2025-08-04T10:30:00Z", "date"),
        ("Tue 5 Aug 2025 06.00 BST", "date"),
        ("Posted: Mar. 3, 2024, 9:05 a.m. Updated: Mar. 3, 2024, 11:40 a.m.", "date"),
        ("4:20 p.m.", "date"),
        ("Release Date:", "date"),
        # Look-alike Cyrillic letters in English words: spam written past the filters.
        ("Yоur аd rеасhеs thоusаnds оf rеаdеrs!", "advertisement"),
        ("Published:", "date"),
        ("Last updated on:", "date"),
        ("3 min read", "reading time"),
        ("by Juliane C.", "byline"),
        ("By Jane Doe and John Roe", "byline"),
        ("BY MARÍA LÓPEZ", "byline"),
        ("By Jane Doe, Senior Correspondent", "byline"),
        ("Jane Doe, Reuters", "byline"),
        ("By The Associated Press", "byline"),
        ("By Jane Doe | August 4, 2025", "byline"),
        ("in Technology", "category tag"),
        ("Tags: Space, NASA, Russia", "category tag"),
        ("Credits: REUTERS/Stringer", "photo credit"),
        ("PHOTO: REUTERS", "photo credit"),
        ("Photo: AFP", "photo credit"),
        ("(Photo by Jane Doe/Getty Images)", "photo credit"),
        ("Image: Supplied", "photo credit"),
        ("AFP via Getty Images", "photo credit"),
        ("Sign up now: Get ST's newsletters delivered to your inbox", "newsletter/follow prompt"),
        ("Subscribe to our newsletter", "newsletter/follow prompt"),
        ("Follow topic:", "newsletter/follow prompt"),
        ("Follow us on Twitter", "newsletter/follow prompt"),
        ("See more on", "newsletter/follow prompt"),
        ("Share this article", "share/social"),
        ("Share on Facebook", "share/social"),
        ("Click here to get the latest headlines", "share/social"),
        ("Facebook | Twitter | Email", "share/social"),
        ("Read more", "related links"),
        ("Related:", "related links"),
        ("Recommended", "related links"),
        ("Advertisement", "advertisement"),
        ("Story continues below", "advertisement"),
        ("© 2025 by GCN", "copyright/legal"),
        ("Copyright 2025 Reuters", "copyright/legal"),
        ("All rights reserved", "copyright/legal"),
        ("Privacy policy", "copyright/legal"),
        ("Terms of use", "copyright/legal"),
        ("Cookie settings", "copyright/legal"),
        ("Privacy Policy | Terms of Use | Contact", "copyright/legal"),
        ("GCN.com/Reuters", "agency credit"),
        ("(Reuters)", "agency credit"),
        ("- AFP", "agency credit"),
        ("AP", "agency credit"),
        ("With AFP", "agency credit"),
        ("Reporting by Jane Doe; Editing by John Roe", "wire furniture"),
        ("(Reporting by Jane Doe in Kyiv; Writing by Sam Holmes)", "wire furniture"),
        ("Additional reporting by Jane Doe", "wire furniture"),
        ("Our Standards: The Thomson Reuters Trust Principles.", "wire furniture"),
        ("This story has been corrected to show the vote was on Tuesday.", "wire furniture"),
        ("No Result", "search widget"),
        ("View All Result", "search widget"),
        ("Skip to main content", "navigation menu"),
        ("Home > World > Europe", "navigation menu"),
    ],
)
def test_furniture_line(line, reason):
    assert furniture_reason(line) == reason


@pytest.mark.parametrize(
    "sentence",
    [
        "He declined to comment.",
        "Reuters said on Monday that the talks had stalled.",
        "By Sunday, the fire had spread to three villages.",
        "Shares of the company fell 4% in early trading.",
        "Related charges were filed against two other men.",
        "Contact with the crew was lost shortly after take-off.",
        "Reporting by the New York Times showed the deal had been delayed for months.",
        "Copyright lawyers say the ruling could reshape the music industry.",
        "Follow the money, the investigators were told.",
        "Was it worth it?",
        "NASA said on Thursday the launch would go ahead.",
        "In Technology Park, workers returned to their desks on Monday.",
    ],
)
def test_content_that_looks_a_little_like_furniture_is_kept(sentence):
    article = clean(page("Title of the story goes here", BODY, sentence, BODY2))
    assert paragraphs(article) == [BODY, sentence, BODY2]
    assert article.dropped == ()


def test_caption_ending_in_a_photographer_credit():
    caption = (
        "Rescue workers search the rubble in Antakya, Turkey, February 8, 2023. REUTERS/Jane Doe"
    )
    article = clean(page("Title of the story goes here", caption, BODY, BODY2))
    assert reason_of(article, "Rescue workers") == "photo caption"
    assert paragraphs(article) == [BODY, BODY2]


@pytest.mark.parametrize(
    "caption",
    [
        "Protesters gather outside parliament on Tuesday. AP Photo/Jane Doe",
        "The new stadium seen from the air. (Photo by John Roe/Getty Images)",
        "Smoke rises over the city after the strike. Photo: AFP",
        "The mayor speaks to reporters on Monday. Jane Doe/Getty Images",
    ],
)
def test_caption_styles(caption):
    article = clean(page("Title of the story goes here", BODY, caption, BODY2))
    assert reason_of(article, caption.split()[0]) == "photo caption"


# --------------------------------------------------------------------------------------
# Datelines and trailing credits


@pytest.mark.parametrize(
    ("opening", "dateline"),
    [
        ("WASHINGTON - ", "WASHINGTON -"),
        ("BERLIN, May 2 (Reuters) - ", "BERLIN, May 2 (Reuters) -"),
        ("NEW YORK (AP) — ", "NEW YORK (AP) —"),
        ("LONDON, Aug 1 (Reuters) -", "LONDON, Aug 1 (Reuters) -"),
        ("KYIV: ", "KYIV:"),
        ("KYIV, Ukraine (AP) — ", "KYIV, Ukraine (AP) —"),
        ("ST. LOUIS — ", "ST. LOUIS —"),
        ("(Reuters) - ", "(Reuters) -"),
    ],
)
def test_dateline_is_removed_from_the_first_paragraph(opening, dateline):
    sep = "" if opening.endswith(" ") else " "
    article = clean(page("Title of the story goes here", f"{opening}{sep}{BODY}", BODY2))
    assert paragraphs(article) == [BODY, BODY2]
    assert reason_of(article, dateline) == "dateline"
    assert [d.text for d in article.dropped] == [dateline]


@pytest.mark.parametrize(
    "first",
    [
        "NASA said on Thursday the launch would go ahead.",
        "US-Russian tensions have limited contact between the agencies.",
        "The UN - which has 193 members - voted on Friday.",
        "EU leaders met in Brussels: they agreed on nothing.",
    ],
)
def test_sentences_starting_with_an_acronym_keep_their_start(first):
    article = clean(page("Title of the story goes here", first, BODY2))
    assert paragraphs(article) == [first, BODY2]


def test_dateline_only_in_the_first_paragraphs():
    later = "WASHINGTON - The second bill passed the House as well."
    article = clean(page("Title of the story goes here", BODY, BODY2, later))
    assert paragraphs(article)[-1] == later


@pytest.mark.parametrize("credit", ["REUTERS", "AFP", "AP", "Bloomberg", "dpa", "Xinhua", "- AFP"])
def test_trailing_agency_credit_is_removed_from_the_last_paragraph(credit):
    last = "The planned disposal of the station is due in 2030, according to news agency TASS."
    article = clean(page("Title of the story goes here", BODY, f"{last} {credit}"))
    assert paragraphs(article) == [BODY, last]
    assert reason_of(article, credit.strip("- ")) == "agency credit"


@pytest.mark.parametrize(
    "last",
    [
        "The talks will resume next week, Reuters said.",
        "The company declined to comment when contacted by AFP.",
        "Details were first reported by Bloomberg.",
        "The deal was announced on Monday, the Xinhua news agency reported.",
    ],
)
def test_a_last_sentence_naming_an_agency_is_kept(last):
    article = clean(page("Title of the story goes here", BODY, last))
    assert paragraphs(article) == [BODY, last]


# --------------------------------------------------------------------------------------
# Duplicates and joins


def test_standfirst_repeated_in_the_body_is_dropped():
    standfirst = "The minister resigned on Friday after weeks of pressure over the contracts."
    body = f"{standfirst} She denied any wrongdoing in a statement."
    article = clean(page("Title of the story goes here", standfirst, body, BODY2))
    assert paragraphs(article) == [body, BODY2]
    assert reason_of(article, "The minister resigned") == "duplicate paragraph"


def test_pull_quote_repeated_after_its_paragraph_is_dropped():
    quote = '"We will rebuild every house that was lost, however long it takes," she said.'
    body = f"The mayor visited the area on Monday. {quote}"
    article = clean(page("Title of the story goes here", body, quote, BODY2))
    assert paragraphs(article) == [body, BODY2]


def test_exact_duplicate_paragraph_is_kept_once():
    article = clean(page("Title of the story goes here", BODY, BODY2, BODY))
    assert paragraphs(article) == [BODY, BODY2]


def test_short_repeated_sentence_is_not_a_duplicate():
    last = "The other man also declined to comment. He declined to comment."
    text = page("Title of the story goes here", BODY, "He declined to comment.", BODY2, last)
    assert paragraphs(clean(text)) == [BODY, "He declined to comment.", BODY2, last]


def test_short_paragraph_repeated_exactly_is_kept_twice():
    text = page("Title of the story goes here", "He declined to comment.", BODY)
    text += "\n\nHe declined to comment."
    assert paragraphs(clean(text)) == ["He declined to comment.", BODY, "He declined to comment."]


@pytest.mark.parametrize("quote", ["“We are ready.”", '"We are ready."', "« We are ready. »"])
def test_colon_paragraph_joins_the_quotation_after_it(quote):
    article = clean(page("Title of the story goes here", BODY, "The ministry said:", quote))
    assert paragraphs(article) == [BODY, f"The ministry said: {quote}"]


def test_colon_paragraph_joins_a_dash_quotation():
    article = clean(page("Title of the story goes here", BODY, "She said:", "– We are ready."))
    assert paragraphs(article) == [BODY, "She said: – We are ready."]


def test_colon_paragraph_without_a_quotation_stays_apart():
    article = clean(page("Title of the story goes here", "The ministry said:", BODY))
    assert paragraphs(article) == ["The ministry said:", BODY]


# --------------------------------------------------------------------------------------
# Properties


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _assert_blocks_come_from(text: str, article: CleanArticle) -> None:
    source = _normalised(text)
    for block in article.blocks:
        assert block.text
        assert block.text == _normalised(block.text)
        if block.text in source:
            continue
        # The only text cleaning builds is the colon + quotation join.
        head, sep, tail = block.text.partition(": ")
        while sep and not (f"{head}:" in source and tail in source):
            more, sep, tail = tail.partition(": ")
            head = f"{head}: {more}"
        assert sep and f"{head}:" in source and tail in source, block.text


LINES = [
    "Title of the story goes here",
    BODY,
    BODY2,
    "He declined to comment.",
    "The ministry said:",
    "“We are ready.”",
    "• Home",
    "• Prices rose 3% in May.",
    "- AFP",
    "By Jane Doe",
    "August 4, 2025",
    "WASHINGTON - The vote passed.",
    "Read more:",
    "# A marked title",
    "## A marked heading",
    "Advertisement",
    "© 2025 by GCN",
    "GCN",
    "A short headline-like line",
    "Tax thresholds stay frozen until",
    "2028, the chancellor said. REUTERS",
    "",
    "   ",
]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_never_raises_and_only_removes_text(text):
    article = clean(text)
    _assert_blocks_come_from(text, article)
    assert all(d.line >= 1 for d in article.dropped)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=25))
def test_pages_made_of_realistic_lines(lines):
    text = "\n".join(lines)
    article = clean(text)
    _assert_blocks_come_from(text, article)
    n_lines = text.count("\n") + 1
    assert all(1 <= d.line <= n_lines for d in article.dropped)
    assert {d.reason for d in article.dropped} <= set(REASONS)
    if article.title is not None:
        assert article.blocks[0].kind == TITLE
        assert [b.kind for b in article.blocks].count(TITLE) == 1


def test_words_of_another_script_quoted_whole_are_kept():
    # Only words that mix Latin and Cyrillic letters are look-alike spam.
    quoted = "The paper's name, «Правда», means truth in Russian, the historian said."
    article = clean(page("Title of the story goes here", BODY, quoted, BODY2))
    assert paragraphs(article) == [BODY, quoted, BODY2]
