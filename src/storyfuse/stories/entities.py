"""Named people, organisations and places, found with rules instead of a model.

Each sentence is cut into runs of capitalised words ("Republican US Senator John
McCain", "Senate Intelligence Committee"). A run is typed by its cues: a title
or role before a name makes a person ("Mr Putin", "spokeswoman Sarah Sanders"),
a head word or an acronym an organisation ("Justice Department", "OSCE"), the
gazetteer below or a locative cue ("in Salisbury") a place. Short forms are then
linked to the longest full form in the story ("Mr Putin" -> "Vladimir Putin")
and acronyms to the expansion the text gives for them. Everything runs in two
linear passes over the tokens; the regular expressions are compiled once.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storyfuse.models import Article, Entity, EntityType


def _names(block: str) -> frozenset[str]:
    """Entries of a comma- or newline-separated list."""
    return frozenset(item.strip() for item in re.split(r"[,\n]", block) if item.strip())


# --- gazetteer ---------------------------------------------------------------

_COUNTRIES = _names(
    """
    Afghanistan, Albania, Algeria, Andorra, Angola, Antigua and Barbuda, Argentina, Armenia,
    Australia, Austria, Azerbaijan, Bahamas, Bahrain, Bangladesh, Barbados, Belarus, Belgium,
    Belize, Benin, Bhutan, Bolivia, Bosnia and Herzegovina, Bosnia, Botswana, Brazil, Brunei,
    Bulgaria, Burkina Faso, Burundi, Cabo Verde, Cape Verde, Cambodia, Cameroon, Canada,
    Central African Republic, Chad, Chile, China, Colombia, Comoros, Congo,
    Democratic Republic of the Congo, Democratic Republic of Congo, Costa Rica, Croatia, Cuba,
    Cyprus, Czech Republic, Czechia, Denmark, Djibouti, Dominica, Dominican Republic, East Timor,
    Timor-Leste, Ecuador, Egypt, El Salvador, Equatorial Guinea, Eritrea, Estonia, Eswatini,
    Swaziland, Ethiopia, Fiji, Finland, France, Gabon, Gambia, Georgia, Germany, Ghana, Greece,
    Grenada, Guatemala, Guinea, Guinea-Bissau, Guyana, Haiti, Honduras, Hungary, Iceland, India,
    Indonesia, Iran, Iraq, Ireland, Israel, Italy, Ivory Coast, Jamaica, Japan, Jordan,
    Kazakhstan, Kenya, Kiribati, Kosovo, Kuwait, Kyrgyzstan, Laos, Latvia, Lebanon, Lesotho,
    Liberia, Libya, Liechtenstein, Lithuania, Luxembourg, Madagascar, Malawi, Malaysia, Maldives,
    Mali, Malta, Marshall Islands, Mauritania, Mauritius, Mexico, Micronesia, Moldova, Monaco,
    Mongolia, Montenegro, Morocco, Mozambique, Myanmar, Burma, Namibia, Nauru, Nepal,
    Netherlands, Holland, New Zealand, Nicaragua, Niger, Nigeria, North Korea, North Macedonia,
    Macedonia, Norway, Oman, Pakistan, Palau, Palestine, Panama, Papua New Guinea, Paraguay, Peru,
    Philippines, Poland, Portugal, Qatar, Romania, Russia, Rwanda, Saint Kitts and Nevis,
    Saint Lucia, Saint Vincent and the Grenadines, Samoa, San Marino, Sao Tome and Principe,
    Saudi Arabia, Senegal, Serbia, Seychelles, Sierra Leone, Singapore, Slovakia, Slovenia,
    Solomon Islands, Somalia, South Africa, South Korea, South Sudan, Spain, Sri Lanka, Sudan,
    Suriname, Sweden, Switzerland, Syria, Taiwan, Tajikistan, Tanzania, Thailand, Togo, Tonga,
    Trinidad and Tobago, Tunisia, Turkey, Turkmenistan, Tuvalu, Uganda, Ukraine,
    United Arab Emirates, Uruguay, Uzbekistan, Vanuatu, Vatican City, Vatican, Venezuela,
    Vietnam, Yemen, Zambia, Zimbabwe, England, Scotland, Wales, Northern Ireland, Greenland,
    Puerto Rico, Hong Kong, Macau, Gaza, Gaza Strip, West Bank, Crimea, Chechnya, Tibet, Kashmir,
    Kurdistan, Donbas, Golan Heights
    """
)
_CAPITALS_AND_CITIES = _names(
    """
    Kabul, Tirana, Algiers, Luanda, Buenos Aires, Yerevan, Canberra, Vienna, Baku, Nassau,
    Manama, Dhaka, Minsk, Brussels, Belmopan, Thimphu, La Paz, Sarajevo, Gaborone, Brasilia,
    Sofia, Ouagadougou, Phnom Penh, Yaounde, Ottawa, Santiago, Beijing, Bogota, Havana, Nicosia,
    Prague, Copenhagen, Kinshasa, Santo Domingo, Quito, Cairo, San Salvador, Asmara, Tallinn,
    Addis Ababa, Helsinki, Paris, Libreville, Tbilisi, Berlin, Accra, Athens, Guatemala City,
    Conakry, Port-au-Prince, Tegucigalpa, Budapest, Reykjavik, New Delhi, Delhi, Jakarta, Tehran,
    Baghdad, Dublin, Jerusalem, Tel Aviv, Rome, Kingston, Tokyo, Amman, Astana, Nairobi,
    Pristina, Kuwait City, Bishkek, Vientiane, Riga, Beirut, Tripoli, Vilnius, Antananarivo,
    Lilongwe, Kuala Lumpur, Bamako, Valletta, Nouakchott, Port Louis, Mexico City, Chisinau,
    Ulaanbaatar, Podgorica, Rabat, Maputo, Naypyidaw, Yangon, Windhoek, Kathmandu, Amsterdam,
    The Hague, Hague, Wellington, Managua, Niamey, Abuja, Lagos, Pyongyang, Skopje, Oslo, Muscat,
    Islamabad, Ramallah, Panama City, Port Moresby, Asuncion, Lima, Manila, Warsaw, Lisbon, Doha,
    Bucharest, Moscow, Kigali, Riyadh, Dakar, Belgrade, Freetown, Bratislava, Ljubljana,
    Mogadishu, Pretoria, Cape Town, Johannesburg, Seoul, Juba, Madrid, Colombo, Khartoum,
    Paramaribo, Stockholm, Bern, Geneva, Zurich, Damascus, Taipei, Dushanbe, Dodoma,
    Dar es Salaam, Bangkok, Lome, Tunis, Ankara, Istanbul, Ashgabat, Kampala, Kyiv, Kiev,
    Abu Dhabi, Dubai, London, Washington, Montevideo, Tashkent, Caracas, Hanoi,
    Ho Chi Minh City, Sanaa, Lusaka, Harare, Edinburgh, Cardiff, Belfast, New York City,
    Los Angeles, Chicago, Houston, Phoenix, Philadelphia, San Antonio, San Diego, Dallas,
    San Francisco, Seattle, Boston, Miami, Atlanta, Detroit, Denver, Las Vegas, Baltimore,
    Pittsburgh, Cleveland, New Orleans, Minneapolis, St Louis, St. Louis, Orlando, Nashville,
    Sacramento, Silicon Valley, Manhattan, Brooklyn, Toronto, Montreal, Vancouver, Sao Paulo,
    Rio de Janeiro, Manchester, Birmingham, Liverpool, Glasgow, Leeds, Bristol, Munich, Hamburg,
    Frankfurt, Cologne, Milan, Naples, Venice, Florence, Barcelona, Marseille, Lyon,
    St Petersburg, St. Petersburg, Saint Petersburg, Shanghai, Shenzhen, Guangzhou, Wuhan,
    Mumbai, Kolkata, Chennai, Bangalore, Karachi, Lahore, Osaka, Sydney, Melbourne, Brisbane,
    Auckland, Jeddah, Mecca, Aleppo, Idlib, Raqqa, Mosul, Basra, Kandahar, Benghazi, Gaza City,
    Odessa, Donetsk, Luhansk, Kharkiv, Sevastopol, Vladivostok, Sochi, Novosibirsk
    """
)
_US_STATES = _names(
    """
    Alabama, Alaska, Arizona, Arkansas, California, Colorado, Connecticut, Delaware, Florida,
    Hawaii, Idaho, Illinois, Indiana, Iowa, Kansas, Kentucky, Louisiana, Maine, Maryland,
    Massachusetts, Michigan, Minnesota, Mississippi, Missouri, Montana, Nebraska, Nevada,
    New Hampshire, New Jersey, New Mexico, New York, North Carolina, North Dakota, Ohio,
    Oklahoma, Oregon, Pennsylvania, Rhode Island, South Carolina, South Dakota, Tennessee, Texas,
    Utah, Vermont, Virginia, West Virginia, Wisconsin, Wyoming
    """
)
_REGIONS = _names(
    """
    Europe, Asia, Africa, North America, South America, Latin America, Central America,
    Middle East, Far East, Caribbean, Balkans, Baltics, Scandinavia, Arctic, Antarctica,
    Pacific, Atlantic, Mediterranean, Persian Gulf, Sahel, Caucasus, Siberia, Central Asia,
    Southeast Asia, East Asia, South Asia, Eastern Europe, Western Europe, Korean Peninsula,
    Black Sea, Baltic Sea, South China Sea, Horn of Africa, Sub-Saharan Africa, Eurasia, Oceania,
    Sinai
    """
)
# Other ways of writing a place, mapped to the name we report.
_PLACE_ALIASES = {
    **dict.fromkeys(
        ("US", "USA", "America", "United States", "United States of America"), "United States"
    ),
    **dict.fromkeys(("UK", "Britain", "Great Britain", "United Kingdom"), "United Kingdom"),
    "UAE": "United Arab Emirates",
}
_PLACES = _COUNTRIES | _CAPITALS_AND_CITIES | _US_STATES | _REGIONS | frozenset(_PLACE_ALIASES)
# Word sequences that begin a multi-word place, so "Bosnia and Herzegovina" stays one run.
_PLACE_PREFIXES = frozenset(
    tuple(name.split()[:cut]) for name in _PLACES for cut in range(1, len(name.split()))
)

# --- cue words ---------------------------------------------------------------

_DEMONYMS = _names(
    """
    American, British, Briton, English, Scottish, Welsh, Irish, Russian, Soviet, Ukrainian,
    Chinese, Japanese, Korean, German, French, Italian, Spanish, Portuguese, Dutch, Belgian,
    Swiss, Austrian, Polish, Czech, Hungarian, Romanian, Bulgarian, Greek, Turkish, Syrian,
    Iraqi, Iranian, Israeli, Palestinian, Saudi, Emirati, Qatari, Egyptian, Libyan, Lebanese,
    Jordanian, Yemeni, Afghan, Pakistani, Indian, Bangladeshi, Taiwanese, Vietnamese, Thai,
    Indonesian, Filipino, Australian, Canadian, Mexican, Brazilian, Argentine, Argentinian,
    Venezuelan, Colombian, Cuban, Chilean, Peruvian, Nigerian, Kenyan, Ethiopian, European,
    Asian, African, Arab, Western, Eastern, Northern, Southern, Latin, Nordic, Scandinavian,
    Kurdish, Kurd, Belarusian, Georgian, Armenian, Azerbaijani, Kazakh, Serbian, Croatian,
    Bosnian, Albanian, Finnish, Swedish, Norwegian, Danish, Icelandic, Estonian, Latvian,
    Lithuanian, Slovak, Slovenian, Muslim, Christian, Jewish, Jew, Catholic, Sunni, Shia,
    Shiite, Republican, Democrat, Democratic, Conservative, Tory, Tories, Liberal, Communist,
    Socialist, Islamist, Anglo, Franco, Sino, Soviet
    """
)
_MONTHS = _names(
    """
    January, February, March, April, May, June, July, August, September, October, November,
    December, Jan, Feb, Mar, Apr, Jun, Jul, Aug, Sep, Sept, Oct, Nov, Dec
    """
)
_WEEKDAYS = _names(
    """
    Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday, Mondays, Tuesdays,
    Wednesdays, Thursdays, Fridays, Saturdays, Sundays, Christmas, Easter, Ramadan,
    Thanksgiving
    """
)
# Capitalised words that are never part of a name (they end a run).
_STOPWORDS = _names(
    """
    The, A, An, This, That, These, Those, It, Its, He, She, They, We, I, You, His, Her, Their,
    Our, My, Your, Him, Them, Us, But, And, Or, Nor, So, Yet, If, When, While, After, Before,
    Since, Although, Though, As, At, In, On, Of, For, From, To, By, With, Without, About, Over,
    Under, Into, Also, However, Meanwhile, Last, Next, Earlier, Later, Today, Tomorrow,
    Yesterday, Now, Then, There, Here, What, Who, Whom, Whose, Which, Why, How, Where, Yes, No,
    Not, All, Some, Many, Most, More, Such, Other, Another, Each, Every, Both, Either, Neither,
    One, Two, Three, First, Second, Third, According, Despite, During, Following, Until,
    Unlike, Like, Among, Between, Against, Amid, Only, Even, Just, Still, Instead, Indeed, Thus,
    Therefore, Perhaps, Please, Thank, Thanks, Whether, Read, Click, Advertisement, Subscribe,
    Share, Comments, Related, Photo, Image, Video, Watch, Follow, Join, Want, Start, Do, Does,
    Did, Is, Are, Was, Were, Be, Has, Have, Had, Will, Would, Can, Could, Should, May be, OK
    """
)
# Titles written inside a capitalised run ("President Donald Trump") and role
# words before one ("spokeswoman Sarah Sanders"); compared in lower case.
_TITLES = _names(
    """
    mr, mrs, ms, miss, mx, dr, prof, professor, sir, dame, lord, lady, president, premier,
    chancellor, senator, sen, rep, representative, congressman, congresswoman, governor, gov,
    mayor, minister, secretary, secretary-general, chief, executive, judge, general, gen, col,
    colonel, lt, lieutenant, sgt, sergeant, capt, captain, admiral, adm, commander, king, queen,
    prince, princess, sheikh, pope, ambassador, speaker, leader, chairman, chairwoman, chair,
    director, commissioner, counsel, spokesman, spokeswoman, spokesperson, ceo, mp, mep,
    officer, detective, inspector, archbishop, bishop, cardinal, rabbi, imam, ayatollah, emir,
    sultan, deputy, envoy, attorney, candidate, nominee
    """
)
_ROLE_WORDS = _TITLES | _names(
    """
    lawyer, adviser, advisor, aide, analyst, economist, journalist, reporter, correspondent,
    editor, author, founder, official, negotiator, challenger, opponent, rival, activist,
    campaigner, head, boss, coach, manager, player, actor, actress, singer, star, billionaire,
    businessman, businesswoman, tycoon, oligarch, dissident, agent, spy, defector, victim,
    suspect, prosecutor, investigator, researcher, scientist, doctor, student, teacher,
    colleague, wife, husband, son, daughter, father, mother, brother, sister, friend,
    predecessor, successor, incumbent, diplomat, commentator, blogger, presenter, host
    """
)
# Portfolio words in "Secretary of State Mike Pompeo", skipped after a title.
_PORTFOLIO = _names(
    """
    of, for, the, and, State, Defense, Defence, Foreign, Affairs, Home, Interior, Finance,
    Treasury, Health, Justice, Education, Energy, Commerce, Trade, Labor, Labour, Agriculture,
    Transport, Transportation, Homeland, Security, Environment, Economy, War, Exchequer
    """
)
_ORG_HEADS = _names(
    """
    Committee, Department, Party, Agency, Council, Ministry, Service, Services, Office,
    Organization, Organisation, Union, Bank, Court, Parliament, Congress, Senate, Commission,
    University, Inc, Corp, Corporation, Ltd, Group, Press, Times, Post, News, Journal, Institute,
    Foundation, Association, Federation, Authority, Board, Bureau, Company, Administration,
    Assembly, Army, Navy, Police, Forces, Guard, Fund, Trust, League, Society, Church, Museum,
    Hospital, College, Academy, Airlines, Airways, Motors, Holdings, Industries, Network,
    Broadcasting, Cabinet, Duma, Commons, Centre, Center, Coalition, Alliance, Movement,
    Command, Directorate, Tribunal, Reserve, Exchange, House, Kremlin, Pentagon
    """
)
_KNOWN_ORGS = _names(
    """
    Kremlin, White House, Pentagon, Downing Street, Whitehall, Reuters, Interfax, Tass, Xinhua,
    Bloomberg, Google, Facebook, Twitter, Microsoft, Islamic State, Taliban, Hamas, Hezbollah,
    al-Qaeda, Al Qaeda
    """
)
# All-capital words that are not organisations.
_NOT_ACRONYMS = _names(
    """
    TV, CEO, CFO, PM, AM, GDP, ID, OK, DNA, PAC, MP, MPs, MEP, DC, II, III, IV, VI, VII, VIII, IX,
    XI, LGBT, LGBTQ, COVID, AIDS, HIV, PS, PR, HQ, IT, IQ, FAQ, UTC, GMT, EST, BST, BC, AD, VIP,
    USD, GBP, EUR, URL, PDF, SUV, NB, ET, PT, OP, ED, RIP
    """
)
SPEECH_VERBS = _names(
    """
    said, says, told, tells, added, adds, stated, explained, wrote, writes, warned, argued,
    insisted, noted, responded, replied, asked, declared, announced, tweeted, claimed,
    continued, acknowledged, admitted, confirmed, recalled, commented, remarked, suggested,
    urged, posted
    """
)
"""Verbs that introduce reported speech ("said", "told", "responded", ...)."""

_PARTICLES = frozenset({"bin", "bint", "ibn", "al", "el", "de", "da", "di", "du", "van", "von"})
_PARTICLES |= frozenset({"der", "den", "la", "le", "dos", "das", "del"})
_OF_HEADS = _ORG_HEADS | frozenset({"Secretary", "Minister", "Republic", "Kingdom", "Gulf"})
_NAME_SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"})
_PLACE_CUES = frozenset({"in", "from", "near"})
_PLACE_CUES_OF = frozenset({"streets", "city", "town", "village", "outskirts"})
# The only lower-case words of a headline written in title case.
_HEADLINE_LOWER = _names(
    "a, an, the, and, or, but, nor, of, in, on, at, to, for, by, with, from, as, into, over, amid, "
    "after, vs, via, per, up"
)
_OPENERS = frozenset({"“", '"', "‘", "'", ":", "[", "("})

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_](?:[\w'’-]*[^\W_])?|\S")
_POSSESSIVE = re.compile(r"['’]s$")
_ACRONYM_DEFINITION = re.compile(r"\(([A-Z]{2,6})\)")
_DEFINITION_WORD = re.compile(r"[^\W\d_][\w'’-]*|&")
_DEFINITION_FILLERS = frozenset({"and", "for", "of", "the", "in", "on", "de", "du", "&"})


# --- tokens and runs ---------------------------------------------------------


@dataclass(slots=True)
class _Run:
    """Adjacent capitalised words of one sentence, with the words around them."""

    words: list[str]
    initial: list[bool]
    start: int
    end: int
    before: str
    before2: str
    after: str


@dataclass(frozen=True, slots=True)
class _Mention:
    article: str
    name: str
    type: EntityType | None
    speech: bool = False
    place_cue: bool = False


def _is_capitalised(word: str) -> bool:
    if word[0].isupper():
        return True
    head, _, rest = word.partition("-")
    return head in {"al", "el"} and rest[:1].isupper()


def _bare(word: str) -> str:
    return word.rstrip(".").lower()


def _is_demonym(word: str) -> bool:
    parts = word.split("-")
    return all(p in _DEMONYMS or (p.endswith("s") and p[:-1] in _DEMONYMS) for p in parts)


def _is_acronym(word: str) -> bool:
    return 2 <= len(word) <= 6 and word.isupper() and word.isalpha()


def _undot(word: str) -> str:
    return word.replace(".", "") if re.fullmatch(r"(?:[A-Z]\.){2,}", word) else word


def _is_title_case(tokens: Sequence[str]) -> bool:
    """Whether a sentence looks like a headline ("Trump Congratulates Putin on Election")."""
    words = [t for t in tokens if t[0].isalpha()]
    if len(words) < 4 or any(w.islower() and w not in _HEADLINE_LOWER for w in words):
        return False
    return sum(1 for w in words if w[0].isupper()) >= 0.6 * len(words)


def _runs(text: str, midcap: set[str]) -> tuple[list[_Run], list[tuple[int, int, str, str]]]:
    """Capitalised runs of a sentence and its acronym definitions (start, end, expansion, acronym).

    Words seen capitalised away from the start of a sentence are added to ``midcap``.
    """
    tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(text)]
    words = [t for t, _ in tokens]
    title = _is_title_case(words)
    runs: list[_Run] = []
    current: list[tuple[str, int, bool]] = []
    pending: list[str] = []
    first = last = 0
    initial = True

    def close() -> None:
        if current:
            before = words[first - 1] if first > 0 else ""
            before2 = words[first - 2] if first > 1 else ""
            after = words[last + 1] if last + 1 < len(words) else ""
            runs.append(
                _Run(
                    [w for w, _, _ in current],
                    [i for _, _, i in current],
                    current[0][1],
                    tokens[last][1] + len(words[last]),
                    before,
                    before2,
                    after,
                )
            )
        current.clear()
        pending.clear()

    for index, (token, start) in enumerate(tokens):
        if token[0].isalpha() and _is_capitalised(token):
            word = _POSSESSIVE.sub("", token)
            if not current:
                first = index
            current.extend((p, start, False) for p in pending)
            pending.clear()
            current.append((word, start, initial or title))
            if not (initial or title):
                midcap.add(word)
            last = index
            initial = False
            if word != token:
                close()
            continue
        if token == "." and current and index == last + 1:
            word = current[-1][0]
            if len(word) == 1 or _bare(word) in _TITLES or word in {"Jr", "Sr", "St"}:
                current[-1] = (word + ".", current[-1][1], current[-1][2])
                last = index
                continue
        if current and _joins(token, [w for w, _, _ in current], pending):
            pending.append(token)
            initial = False
            continue
        close()
        initial = token in _OPENERS
    close()
    return runs, _acronym_definitions(text)


def _joins(token: str, run: list[str], pending: list[str]) -> bool:
    """Whether a lower-case word may continue a run if a capitalised word follows."""
    if token in _PARTICLES and not pending:
        return True
    if token in {"of", "for"} and not pending and run[-1] in _OF_HEADS:
        return True
    if token == "the" and pending == ["of"]:
        return True
    return token in {"and", "of", "the", "de"} and (*run, *pending, token) in _PLACE_PREFIXES


def _acronym_definitions(text: str) -> list[tuple[int, int, str, str]]:
    """Spans like "Organization for Security and Co-operation in Europe (OSCE)"."""
    found: list[tuple[int, int, str, str]] = []
    for match in _ACRONYM_DEFINITION.finditer(text):
        acronym = match.group(1)
        head = text[: match.start()].rstrip()
        candidates = list(_DEFINITION_WORD.finditer(head))[-(2 * len(acronym) + 4) :]
        letter = len(acronym) - 1
        start = None
        for word in reversed(candidates):
            token = word.group()
            if token[0].isupper() and token[0] == acronym[letter]:
                letter -= 1
                if letter < 0:
                    start = word.start()
                    break
            elif token not in _DEFINITION_FILLERS:
                break
        if start is not None and candidates and candidates[-1].end() == len(head):
            expansion = head[start:]
            if " " in expansion:
                found.append((start, match.end(), expansion, acronym))
    return found


# --- typing ------------------------------------------------------------------


def _after_title(words: Sequence[str]) -> tuple[int, int]:
    """(title index, name start) for the last title in ``words`` followed by a name; (-1, 0)."""
    for index in range(len(words) - 1, -1, -1):
        if _bare(words[index]) in _TITLES:
            start = index + 1
            while start < len(words) and words[start] in _PORTFOLIO:
                start += 1
            rest = words[start:]
            if rest and rest[0] not in _NAME_SUFFIXES and _is_name(rest):
                return index, start
    return -1, 0


def _is_name(words: Sequence[str]) -> bool:
    """Whether words can be a person's name (no head word, place or title inside)."""
    if " ".join(words) in _PLACES or not _is_capitalised(words[0]):
        return False
    for word in words:
        if word in _ORG_HEADS or _bare(word) in _TITLES or _is_demonym(word):
            return False
        if _is_acronym(word) and word not in _NAME_SUFFIXES:
            return False
    return True


def strip_titles(phrase: str) -> str | None:
    """The name inside a speaker phrase, or None when there is none.

    ``"White House spokeswoman Sarah Sanders"`` -> ``"Sarah Sanders"``,
    ``"the Kremlin"`` -> ``"Kremlin"``, ``"a spokesman"`` -> ``None``.
    """
    words = [_POSSESSIVE.sub("", w.strip(",;:")) for w in phrase.split()]
    words = [w for w in words if w]
    title, start = _after_title(words)
    if title < 0:
        if any(_bare(w) in _TITLES for w in words):
            return None
        start = 0
        while start < len(words) - 1 and (
            words[start].lower() in {"the", "a", "an"} or _is_demonym(words[start])
        ):
            start += 1
    name = words[start:]
    if not name or not _is_capitalised(name[0]) or name[0] in _STOPWORDS:
        return None
    return " ".join(name)


def _classify(
    run: list[str], article: str, before: str, before2: str, after: str
) -> list[_Mention]:
    """Type one cleaned run; a run may hold several mentions ("US President Trump")."""
    title, start = _after_title(run)
    if title >= 0:
        person = _Mention(article, " ".join(run[start:]), "person")
        return [*_classify(run[:title], article, "", "", ""), person] if title else [person]
    name = " ".join(run)
    if not run:
        return []
    if name in _PLACE_ALIASES or _undot(name) in _PLACE_ALIASES:
        return [_Mention(article, _PLACE_ALIASES[_undot(name)], "place")]
    if name in _PLACES:
        return [_Mention(article, name, "place")]
    if name in _KNOWN_ORGS:
        return [_Mention(article, name, "organization")]
    heads = [i for i, w in enumerate(run) if w in _ORG_HEADS]
    if heads:
        lead = 0
        while _undot(run[lead]) in _PLACE_ALIASES and lead < heads[-1]:
            lead += 1
        places = [_Mention(article, _PLACE_ALIASES[_undot(w)], "place") for w in run[:lead]]
        tail = run[heads[-1] + 1 :]
        keep = run[lead:] if any(w.islower() for w in tail) else run[lead : heads[-1] + 1]
        return [*places, _Mention(article, " ".join(keep), "organization")]
    if len(run) == 1:
        word = _undot(run[0])
        if _is_acronym(word):
            return [] if word in _NOT_ACRONYMS else [_Mention(article, word, "organization")]
        if word in _MONTHS or _is_demonym(word):
            return []
    if _is_demonym(run[0]):
        return _classify(run[1:], article, "", "", after)
    if _bare(before.rsplit("-", 1)[-1]) in _ROLE_WORDS and _is_name(run):
        return [_Mention(article, name, "person")]
    speech = 2 <= len(run) <= 3 and (after in SPEECH_VERBS or before in SPEECH_VERBS)
    cue = before in _PLACE_CUES or (before == "of" and before2 in _PLACE_CUES_OF)
    return [_Mention(article, name, None, speech and _is_name(run), cue and len(run) <= 2)]


def _clean(run: _Run, midcap: set[str]) -> Iterable[tuple[list[str], str, str, str]]:
    """Split a run where ordinary sentence-initial or stop words sit; yield pieces with context."""
    piece: list[str] = []
    before, before2 = run.before, run.before2
    # "Lena Hartmann said ...": a sentence-initial first name before a speech verb.
    speaker = 2 <= len(run.words) <= 3 and run.after in SPEECH_VERBS
    for word, initial in zip(run.words, run.initial, strict=True):
        if not word[0].isupper() and not _is_capitalised(word) and piece:
            piece.append(word)
            continue
        ordinary = initial and not (
            speaker
            or word in midcap
            or _undot(word) in _PLACES
            or (word,) in _PLACE_PREFIXES
            or word in _ORG_HEADS
            or _bare(word) in _TITLES
            or _is_acronym(_undot(word))
        )
        if word in _STOPWORDS or word in _WEEKDAYS or ordinary or word.islower():
            if piece:
                yield _trim(piece), before, before2, word.lower()
            piece, before, before2 = [], word.lower(), before
            continue
        piece.append(word)
    if piece:
        yield _trim(piece), before, before2, run.after


def _trim(piece: list[str]) -> list[str]:
    while piece and piece[-1].islower():
        piece.pop()
    return piece


# --- linking -----------------------------------------------------------------


def _surname(name: str) -> str:
    words = [w for w in name.split() if w not in _NAME_SUFFIXES]
    return words[-1] if words else name


def _link_people(names: Iterable[str]) -> dict[str, str]:
    """Map every form of a person's name seen in the story to its longest full form."""
    by_surname: defaultdict[str, set[str]] = defaultdict(set)
    for name in names:
        by_surname[_surname(name)].add(name)
    link: dict[str, str] = {}
    for surname, group in by_surname.items():
        roots: list[str] = []
        for name in sorted(group, key=lambda n: (-len(n.split()), -len(n), n)):
            words = set(name.split())
            parents = [root for root in roots if words <= set(root.split())]
            if not parents:
                roots.append(name)
            link[name] = parents[0] if len(parents) == 1 else name
        if len(roots) == 1:
            link[surname] = roots[0]
    return link


def _resolve(
    mention: _Mention, link: dict[str, str], acronyms: dict[str, str], types: dict[str, EntityType]
) -> tuple[str, EntityType] | None:
    """The entity a mention counts for, or None when it names nothing we type."""
    name, kind = mention.name, mention.type
    if kind == "organization" and name in acronyms:
        name = acronyms[name]
        kind = types.get(name, kind)
    if kind == "person" or (kind is None and name in link):
        return link.get(name, name), "person"
    if kind is None:
        kind = types.get(name)
    return None if kind is None or name in _MONTHS else (name, kind)


def extract_entities(articles: Sequence[Article]) -> tuple[Entity, ...]:
    """People, organisations and places named in ``articles``, with mentions per article.

    Entities are sorted by total mentions (most first), then by name; each one's
    ``mentions`` are ``(article_id, count)`` pairs sorted by article id.
    """
    midcap: set[str] = set()
    acronyms: dict[str, str] = {}
    raw: list[tuple[str, list[_Run], list[tuple[int, int, str, str]]]] = []
    for article in articles:
        for sentence in article.sentences:
            runs, definitions = _runs(sentence.text, midcap)
            for _, _, expansion, acronym in definitions:
                acronyms.setdefault(acronym, expansion)
            raw.append((article.id, runs, definitions))

    mentions: list[_Mention] = []
    types: dict[str, EntityType] = {}
    for article_id, runs, definitions in raw:
        for _, _, expansion, _ in definitions:
            typed = [m.type for m in _classify(expansion.split(), article_id, "", "", "")]
            kind: EntityType = "place" if typed[-1:] == ["place"] else "organization"
            types.setdefault(expansion, kind)
            mentions.append(_Mention(article_id, expansion, kind))
        for run in runs:
            if any(run.start < e and s < run.end for s, e, _, _ in definitions):
                continue
            for piece, before, before2, after in _clean(run, midcap):
                if piece:
                    mentions.extend(_classify(piece, article_id, before, before2, after))

    people = {m.name for m in mentions if m.type == "person" or m.speech}
    link = _link_people(people)
    for m in mentions:
        if m.type is not None and m.type != "person":
            types.setdefault(m.name, m.type)
    for m in mentions:
        if m.type is None and m.place_cue and m.name not in link:
            types.setdefault(m.name, "place")

    counts: defaultdict[tuple[str, EntityType], Counter[str]] = defaultdict(Counter)
    for m in mentions:
        resolved = _resolve(m, link, acronyms, types)
        if resolved is not None:
            counts[resolved][m.article] += 1

    entities = [
        Entity(name=name, type=kind, mentions=tuple(sorted(per_article.items())))
        for (name, kind), per_article in counts.items()
    ]
    entities.sort(key=lambda e: (-sum(n for _, n in e.mentions), e.name, e.type))
    return tuple(entities)
