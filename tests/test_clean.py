"""Boilerplate removal keeps every sentence of the story and explains every cut."""

from __future__ import annotations

from storyfuse.models import DocumentMetadata, MetadataSpan
from storyfuse.text.boilerplate_rules import (
    APPEAL,
    ARCHIVE,
    BANNER,
    COMMENTS,
    COPYRIGHT,
    CREDIT,
    RELATED,
    REPEATED,
    SHARE,
    SOURCE_URL,
    SUBSCRIBE,
    WIDGET,
)
from storyfuse.text.clean import CleanOptions, clean_text, repeated_outlet_lines

NO_METADATA = DocumentMetadata(title=None, published=None, url=None, outlet=None)

STORY = [
    "Fire crews in Port Avel fought a warehouse blaze for nine hours on Tuesday.",
    "Officials said 40 families were moved out of nearby flats as a precaution.",
    "The cause of the fire is not yet known, the harbour authority said.",
]


def _kept_sentences(text: str, **options: object) -> tuple[list[str], list[tuple[str, str]]]:
    cleaned = clean_text(text, NO_METADATA, CleanOptions(**options))  # type: ignore[arg-type]
    kept = [s for p in cleaned.paragraphs for s in p.split("  ")]
    return kept, [(r.reason, r.text) for r in cleaned.removed]


def test_appeal_block_and_glued_first_sentence() -> None:
    text = "\n".join(
        [
            "Your support keeps our reporters on the harbour",
            "The Quay Times is trusted by readers in every port town. We believe quality "
            "journalism should be free for everyone, paid for by those who can afford it.",
            "Your support makes all the difference." + STORY[0],
            *STORY[1:],
        ]
    )
    cleaned = clean_text(text, NO_METADATA, CleanOptions(outlet="The Quay Times"))
    kept = " ".join(cleaned.paragraphs)
    for sentence in STORY:
        assert sentence in kept
    assert "support" not in kept.lower()
    assert {r.reason for r in cleaned.removed} == {APPEAL}
    assert any(r.text == "Your support makes all the difference." for r in cleaned.removed)


def test_the_outlet_describing_itself_inside_a_membership_appeal_goes_with_it() -> None:
    outlet = "The Quay Times"
    text = "\n".join(
        [
            *STORY,
            "Become a member of the Quay Times",
            "The Quay Times has reported without fear or favour since 1921. Members keep our"
            " newsroom independent and our journalism free for everyone to read.",
            "Become a member from 4 crowns a month. Cancel any time.",
        ]
    )
    kept, removed = _kept_sentences(text, outlet=outlet)
    assert kept == STORY
    assert (APPEAL, "The Quay Times has reported without fear or favour since 1921.") in removed
    # the outlet named in the reporting, with no appeal beside it, stays
    news = [*STORY, "The Quay Times has reported on the harbour since 1921, its editor said."]
    kept, removed = _kept_sentences("\n".join(news), outlet=outlet)
    assert kept == news
    assert removed == []


def test_link_lines_under_on_the_net_go_and_a_sentence_with_a_link_stays() -> None:
    links = [
        "On the Net:",
        "National Safe Kids Campaign: http://www.safekids.org",
        "Harbour Authority: www.harbour.example/notices",
    ]
    kept, removed = _kept_sentences("\n".join([*STORY, *links]))
    assert kept == STORY
    assert [text for _, text in removed] == links
    assert (SOURCE_URL, links[1]) in removed
    cited = "The authority posted the full schedule at http://www.harbour.example on Monday."
    kept, removed = _kept_sentences("\n".join([*STORY, cited]))
    assert kept == [*STORY, cited]


def test_each_kind_of_boilerplate_line_is_removed_with_its_reason() -> None:
    lines = {
        "Related article: [Dock strike ends](#)": RELATED,
        "Read more: How the port grew": RELATED,
        "Photo: Lena Ortiz / Meridian": CREDIT,
        "Share this article": SHARE,
        "Follow us on Bluesky": SHARE,
        "© 2025 The Quay Times. All rights reserved.": COPYRIGHT,
        "Comments": COMMENTS,
        "Join our commenting forum": COMMENTS,
        "Sign up to our free morning briefing": SUBSCRIBE,
        "Want to save this story for later? Start your Quay Premium subscription today.": SUBSCRIBE,
    }
    text = "\n".join([STORY[0], *lines, *STORY[1:]])
    cleaned = clean_text(text, NO_METADATA, CleanOptions())
    kept = " ".join(cleaned.paragraphs)
    assert all(sentence in kept for sentence in STORY)
    reasons = {r.text: r.reason for r in cleaned.removed}
    for line, reason in lines.items():
        for part in line.split("? "):
            matching = [text for text in reasons if text.startswith(part[:20])]
            assert matching, f"{line!r} was kept"
            assert reasons[matching[0]] == reason


def test_archive_player_and_widget_notices_are_removed_with_their_reasons() -> None:
    notices = {
        "Starting in 1996, Alexa Internet has been donating their crawl data to the "
        "Internet Archive.": ARCHIVE,
        "Tweet with a location you can add location information to your tweets, such as "
        "your city or precise location.": WIDGET,
        "We've detected that JavaScript is disabled in your browser.": WIDGET,
        "We have sent you a verification email.": SUBSCRIBE,
    }
    text = "\n\n".join([STORY[0], *notices, " ".join(STORY[1:])])
    cleaned = clean_text(text, NO_METADATA, CleanOptions())
    assert " ".join(cleaned.paragraphs) == " ".join(STORY)
    assert {r.text: r.reason for r in cleaned.removed} == notices


def test_a_notice_glued_to_the_story_is_cut_off_and_the_story_kept() -> None:
    text = "Please enable JavaScript to watch this video " + STORY[0].lower() + " " + STORY[1]
    cleaned = clean_text(text, NO_METADATA, CleanOptions())
    assert [(r.reason, r.text) for r in cleaned.removed] == [
        (WIDGET, "Please enable JavaScript to watch this video")
    ]
    assert " ".join(cleaned.paragraphs) == STORY[0].lower() + " " + STORY[1]
    text = "Like us on Facebook " + STORY[0].lower() + "\n\nSkip ad ad loading...\n\n" + STORY[1]
    cleaned = clean_text(text, NO_METADATA, CleanOptions())
    assert [r.text for r in cleaned.removed] == ["Like us on Facebook", "Skip ad ad loading..."]
    assert cleaned.paragraphs == (STORY[0].lower(), STORY[1])
    for notice, reason in (
        ("Get push notifications with news, features and more.", SUBSCRIBE),
        ("Image copyright Getty Images Image caption", CREDIT),
    ):
        cleaned = clean_text(f"{notice} {STORY[0]} {STORY[1]}", NO_METADATA, CleanOptions())
        assert [(r.reason, r.text) for r in cleaned.removed] == [(reason, notice)]
        assert " ".join(cleaned.paragraphs) == f"{STORY[0]} {STORY[1]}"


def test_a_long_sentence_that_mentions_a_notice_is_kept() -> None:
    sentence = (
        "The council said the city's new parking app, which asks drivers to sign in to "
        "continue and shows a verification email screen, confused hundreds of residents on "
        "its first day in Port Avel and led to a flood of complaints about missing tickets."
    )
    cleaned = clean_text(sentence, NO_METADATA, CleanOptions())
    assert cleaned.removed == ()


def test_news_about_donations_and_subscribers_is_kept() -> None:
    story = [
        "The charity said book donations rose by a third last year.",
        "The streaming service added two million subscribers in the spring.",
        "“Thank you for your support,” the mayor told the crowd.",
        "NATO membership was discussed at the summit in Valdrisa.",
    ]
    cleaned = clean_text("\n".join(story), NO_METADATA, CleanOptions(outlet="Quay Times"))
    assert cleaned.removed == ()
    assert " ".join(cleaned.paragraphs) == " ".join(story)


def test_metadata_spans_are_removed_with_their_reasons() -> None:
    text = "Warehouse fire in Port Avel\n date 2025-04-02 " + "\n".join(STORY)
    metadata = DocumentMetadata(
        title="Warehouse fire in Port Avel",
        published=None,
        url=None,
        outlet=None,
        spans=(
            MetadataSpan(0, "Warehouse fire in Port Avel", "headline"),
            MetadataSpan(1, " date 2025-04-02 ", "date line"),
        ),
    )
    cleaned = clean_text(text, metadata, CleanOptions())
    assert cleaned.paragraphs[0] == STORY[0]
    assert [(r.reason, r.text) for r in cleaned.removed] == [
        ("headline", "Warehouse fire in Port Avel"),
        ("date line", "date 2025-04-02"),
    ]


def test_sentence_broken_across_paragraphs_is_joined() -> None:
    text = (
        "Officials said the blaze spread to the roof of an\n\n"
        "adjacent shed before dawn.\n\nNobody was hurt."
    )
    cleaned = clean_text(text, NO_METADATA, CleanOptions())
    assert cleaned.paragraphs == (
        "Officials said the blaze spread to the roof of an adjacent shed before dawn.",
        "Nobody was hurt.",
    )


def test_soft_wrapped_paragraphs_are_rejoined() -> None:
    text = (
        "Fire crews in Port Avel fought a warehouse blaze for nine hours\n"
        "on Tuesday, officials said.\n\nNobody was hurt."
    )
    cleaned = clean_text(text, NO_METADATA, CleanOptions())
    assert cleaned.paragraphs[0] == (
        "Fire crews in Port Avel fought a warehouse blaze for nine hours "
        "on Tuesday, officials said."
    )


def test_lines_an_outlet_repeats_across_different_articles() -> None:
    footer = "The Quay Times: news from every berth since 1921"
    first = "\n".join([STORY[0], footer])
    second = "\n".join(["The council approved the new ferry timetable on Monday.", footer])
    third = "\n".join(["A storm closed the northern pier overnight.", "Other outlets agree."])
    repeated = repeated_outlet_lines(
        [("Quay Times", first), ("Quay Times", second), ("Other", third)]
    )
    assert set(repeated) == {"Quay Times"}
    cleaned = clean_text(
        first, NO_METADATA, CleanOptions(outlet="Quay Times", repeated_lines=repeated["Quay Times"])
    )
    assert cleaned.paragraphs == (STORY[0],)
    assert cleaned.removed[0].reason == REPEATED


def test_two_versions_of_one_report_do_not_make_their_text_boilerplate() -> None:
    first = "\n".join(STORY)
    second = "\n".join([*STORY, "Update: the fire is out."])
    assert repeated_outlet_lines([("Quay Times", first), ("Quay Times", second)]) == {}


def test_site_banners_captions_and_notification_widgets_go_and_the_story_stays() -> None:
    caption = (
        "FILE - In this Sept. 5, 2024, file photo, the mayor of Port Avel speaks at the"
        " harbour... (Associated Press)"
    )
    cases = [
        ("Advertisement Continue reading the main story", BANNER),
        ("This article is over 2 years old", BANNER),
        ("Text size - + reset", WIDGET),
        ("Close skip in skip x embed x share", WIDGET),
        (caption, CREDIT),
    ]
    for notice, reason in cases:
        cleaned = clean_text(f"{notice} {STORY[0]} {STORY[1]}", NO_METADATA, CleanOptions())
        assert {r.reason for r in cleaned.removed} == {reason}, notice
        assert " ".join(r.text for r in cleaned.removed) == notice  # a caption may be two
        assert " ".join(cleaned.paragraphs) == f"{STORY[0]} {STORY[1]}"
    widgets = [
        "Read more on this latest discovery...",  # a line of its own: removed first
        "FILE - In this May 2, 2025, file photo, crews stand by the Port Avel quay.",
        "This undated photo provided by the harbour authority shows the warehouse.",
        "Close Get email notifications on Jane Roe daily! Your notification has been saved.",
        "There was a problem saving your notification.",
        "Please check your email and click on the link to activate your account.",
        "Invalid email address.",
        "Our journalism takes a lot of time, effort, and hard work to produce.",
    ]
    cleaned = clean_text("\n\n".join([STORY[0], *widgets, STORY[1]]), NO_METADATA, CleanOptions())
    assert cleaned.paragraphs == (STORY[0], STORY[1])
    assert " ".join(r.text for r in cleaned.removed) == " ".join(widgets)
    glued = f"{STORY[0]} Read more on this latest discovery... {STORY[1]}"
    # The text on either side of a removed piece is not joined: it was not printed as one.
    assert clean_text(glued, NO_METADATA, CleanOptions()).paragraphs == (STORY[0], STORY[1])


def test_a_crawl_notice_goes_whole_with_its_short_sentences() -> None:
    notice = (
        "Crawl of outlinks from example.org started June, 2019. These files are currently not"
        " publicly accessible. Properties of this collection. For this collection, several"
        " things were done: 1. Turned off duplicate detection. 2. For the first time, every"
        " language was crawled."
    )
    cleaned = clean_text(f"{notice}\n\n{STORY[0]}", NO_METADATA, CleanOptions())
    assert cleaned.paragraphs == (STORY[0],)
    assert {r.reason for r in cleaned.removed} == {ARCHIVE}
    assert " ".join(r.text for r in cleaned.removed) == notice


def test_news_about_photos_collections_and_notices_is_kept() -> None:
    story = [
        "This collection of harbour paintings was donated to the Port Avel museum in May.",
        "A file photo of the mayor was shown at the hearing on Tuesday.",
        "The photo provided by a resident shows smoke over the quay.",
        "Advertisement boards along the quay were damaged by the heat, the council said.",
        "Read more than 200 letters from residents, the mayor told the council on Tuesday.",
    ]
    for sentence in story:
        cleaned = clean_text(sentence, NO_METADATA, CleanOptions())
        assert cleaned.removed == () and cleaned.paragraphs == (sentence,), sentence
    # One boilerplate sentence among short story sentences takes none of them along.
    paragraph = " ".join(["Invalid email address.", *STORY[:2]])
    cleaned = clean_text(paragraph, NO_METADATA, CleanOptions())
    assert cleaned.paragraphs == (" ".join(STORY[:2]),)


def test_a_notice_glued_to_the_end_of_a_sentence_is_cut_off_and_the_sentence_kept() -> None:
    cases = [
        (
            "Interested in Port Avel? Add Port Avel as an interest to stay up to date on the"
            " latest Port Avel news, video, and analysis from ABC News.",
            SUBSCRIBE,
        ),
        (
            "— — >> Follow Jane Roe (@janeroe) on Twitter"
            " Have a tip we should know? tips@example.com",
            SHARE,
        ),
        ("A link to this page will be included in your message.", SHARE),
    ]
    for notice, reason in cases:
        cleaned = clean_text(f"{STORY[0]} {STORY[1]} {notice}", NO_METADATA, CleanOptions())
        assert {r.reason for r in cleaned.removed} == {reason}, notice
        assert " ".join(r.text for r in cleaned.removed) == notice
        assert cleaned.paragraphs == (f"{STORY[0]} {STORY[1]}",)
        # glued to a sentence of the story, as it comes in lowercased text
        glued = f"{STORY[0]} {STORY[1][:-1]} {notice.lower()}"
        cleaned = clean_text(glued, NO_METADATA, CleanOptions())
        assert [r.text for r in cleaned.removed] == [notice.lower()], notice
        assert cleaned.paragraphs == (f"{STORY[0]} {STORY[1][:-1]}",)
    short = [
        "Photo: Example Images.",  # a line of its own: removed first
        "Sign up be the first to know.",
        "Please re-enter.",
        "Media requires JavaScript to play.",
        "Learn more Add this video to your website by copying the code below.",
        "An error has occurred.",
        "Please try again later.",
        "View all Example Times newsletters.",
        "No one covers what is happening in our community better than we do.",
        "We used Heritrix crawler software and respected robots.txt directives.",
        "This material may not be published, broadcast, rewritten, or redistributed.",
        "Please enable cookies on your web browser in order to continue.",
    ]
    cleaned = clean_text("\n\n".join([STORY[0], *short, STORY[1]]), NO_METADATA, CleanOptions())
    assert cleaned.paragraphs == (STORY[0], STORY[1])
    assert [r.text for r in cleaned.removed] == short
    # Said in the story, the same words stay.
    kept = "The mayor said an error has occurred in the harbour accounts, and asked for an audit."
    assert clean_text(kept, NO_METADATA, CleanOptions()).paragraphs == (kept,)
    glued = f"{STORY[0]} Photo: Example Images. {STORY[1]}"
    cleaned = clean_text(glued, NO_METADATA, CleanOptions())
    assert [(r.reason, r.text) for r in cleaned.removed] == [(CREDIT, "Photo: Example Images.")]


def test_kept_text_is_printed_as_the_source_spaced_it() -> None:
    # A scraper glued two sentences ("raised.The") and doubled a space: the kept paragraph is
    # the source's own text, so a quote running across the two stays verbatim.
    text = (
        "Ms Rahman said: 'I grew up 20 minutes from where I was born and raised.The words he "
        "spoke were words I heard at college.'  Police declined to comment on Friday."
    )
    cleaned = clean_text(text, NO_METADATA, CleanOptions())
    assert cleaned.paragraphs == (text,)
