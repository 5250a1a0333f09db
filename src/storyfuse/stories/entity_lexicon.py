"""The word lists entity extraction reads: a gazetteer of places and cue words for names."""

from __future__ import annotations

import re


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
PLACE_ALIASES = {
    **dict.fromkeys(
        ("US", "USA", "America", "United States", "United States of America"), "United States"
    ),
    **dict.fromkeys(("UK", "Britain", "Great Britain", "United Kingdom"), "United Kingdom"),
    "UAE": "United Arab Emirates",
}
PLACES = _COUNTRIES | _CAPITALS_AND_CITIES | _US_STATES | _REGIONS | frozenset(PLACE_ALIASES)
# Word sequences that begin a multi-word place, so "Bosnia and Herzegovina" stays one run.
PLACE_PREFIXES = frozenset(
    tuple(name.split()[:cut]) for name in PLACES for cut in range(1, len(name.split()))
)

# --- cue words ---------------------------------------------------------------

DEMONYMS = _names(
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
MONTHS = _names(
    """
    January, February, March, April, May, June, July, August, September, October, November,
    December, Jan, Feb, Mar, Apr, Jun, Jul, Aug, Sep, Sept, Oct, Nov, Dec
    """
)
WEEKDAYS = _names(
    """
    Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday, Mondays, Tuesdays,
    Wednesdays, Thursdays, Fridays, Saturdays, Sundays, Christmas, Easter, Ramadan,
    Thanksgiving
    """
)
# Capitalised words that are never part of a name (they end a run).
STOPWORDS = _names(
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
TITLES = _names(
    """
    mr, mrs, ms, miss, mx, dr, prof, professor, sir, dame, lord, lady, president, premier,
    chancellor, senator, sen, rep, representative, congressman, congresswoman, governor, gov,
    mayor, minister, secretary, secretary-general, chief, executive, judge, general, gen, col,
    colonel, lt, lieutenant, sgt, sergeant, capt, captain, admiral, adm, commander, king, queen,
    prince, princess, sheikh, pope, ambassador, speaker, leader, chairman, chairwoman, chair,
    director, commissioner, counsel, spokesman, spokeswoman, spokesperson, ceo, mp, mep,
    officer, detective, inspector, archbishop, bishop, cardinal, rabbi, imam, ayatollah, emir,
    sultan, deputy, envoy, attorney, candidate, nominee, councillor, councilor, councilman,
    councilwoman, alderman, magistrate, constable, superintendent, vice
    """
)
ROLE_WORDS = TITLES | _names(
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
PORTFOLIO = _names(
    """
    of, for, the, and, State, Defense, Defence, Foreign, Affairs, Home, Interior, Finance,
    Treasury, Health, Justice, Education, Energy, Commerce, Trade, Labor, Labour, Agriculture,
    Transport, Transportation, Homeland, Security, Environment, Economy, War, Exchequer
    """
)
ORG_HEADS = _names(
    """
    Committee, Department, Party, Agency, Council, Ministry, Service, Services, Office,
    Organization, Organisation, Union, Bank, Court, Parliament, Congress, Senate, Commission,
    University, Inc, Corp, Corporation, Ltd, Group, Press, Times, Post, News, Journal, Institute,
    Foundation, Association, Federation, Authority, Board, Bureau, Company, Administration,
    Assembly, Army, Navy, Police, Forces, Guard, Fund, Trust, League, Society, Church, Museum,
    Hospital, College, Academy, Airlines, Airways, Railways, Railway, Motors, Holdings,
    Industries, Network,
    Broadcasting, Cabinet, Duma, Commons, Centre, Center, Coalition, Alliance, Movement,
    Command, Directorate, Tribunal, Reserve, Exchange, House, Kremlin, Pentagon
    """
)
KNOWN_ORGS = _names(
    """
    Kremlin, White House, Pentagon, Downing Street, Whitehall, Reuters, Interfax, Tass, Xinhua,
    Bloomberg, Google, Facebook, Twitter, Microsoft, Islamic State, Taliban, Hamas, Hezbollah,
    al-Qaeda, Al Qaeda
    """
)
# All-capital words that are not organisations.
NOT_ACRONYMS = _names(
    """
    TV, CEO, CFO, PM, AM, GDP, ID, OK, DNA, PAC, MP, MPs, MEP, DC, II, III, IV, VI, VII, VIII, IX,
    XI, LGBT, LGBTQ, COVID, AIDS, HIV, PS, PR, HQ, IT, IQ, FAQ, UTC, GMT, EST, BST, BC, AD, VIP,
    USD, GBP, EUR, URL, PDF, SUV, NB, ET, PT, OP, ED, RIP
    """
)
# Base forms of verbs that introduce reported speech; their inflections follow by rule.
SPEECH_BASES = frozenset(
    """
    say tell add state explain write warn argue insist note respond reply ask declare announce
    tweet claim continue acknowledge admit confirm recall comment remark suggest urge post sing
    conclude complain observe predict promise testify vow shout joke boast concede caution
    contend counter lament quip recount report repeat stress emphasize emphasise tout wonder
    exclaim whisper yell cry scream mutter pledge allege assert maintain agree question muse
    """.split()
)
_IRREGULAR_SPEECH = frozenset({"said", "told", "wrote", "written", "sang", "sung"})


def _speech_forms(base: str) -> set[str]:
    """The inflections of a regular verb: asks, asked, asking; replies, replied; noted."""
    if base.endswith("e"):
        return {base + "s", base + "d", base[:-1] + "ing"}
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        return {base[:-1] + "ies", base[:-1] + "ied", base + "ing"}
    if base.endswith(("s", "sh", "ch", "x")):
        return {base + "es", base + "ed", base + "ing"}
    if len(base) <= 4 and base[-1] not in "aeiouwxy" and base[-2:-1] in "aeiou":
        return {base + "s", base + base[-1] + "ed", base + base[-1] + "ing"}
    return {base + "s", base + "ed", base + "ing"}


SPEECH_VERBS = frozenset(
    {form for base in SPEECH_BASES for form in _speech_forms(base)} | _IRREGULAR_SPEECH
) - frozenset({"saying", "telling", "sayed", "telled", "singed", "writed", "writeing"})
"""Verb forms that introduce reported speech ("said", "asks", "sings", "concluded", ...)."""


def is_speech_verb(word: str) -> bool:
    """Whether a word (case ignored) is a form of a speech verb."""
    return word.lower() in SPEECH_VERBS


# Common nouns that end place and facility names ("Wall Street", "Kell Island").
PLACE_WORDS = frozenset(
    """
    street road avenue square lane row quay bay island islands river lake sea ocean mountain
    mountains valley park bridge station airport port harbour harbor stadium county province
    state region district city town village coast peninsula gulf strait canal hill hills
    north south east west central
    """.split()
)
PARTICLES = frozenset({"bin", "bint", "ibn", "al", "el", "de", "da", "di", "du", "van", "von"})
PARTICLES |= frozenset({"der", "den", "la", "le", "dos", "das", "del"})
OF_HEADS = ORG_HEADS | frozenset({"Secretary", "Minister", "Republic", "Kingdom", "Gulf"})
NAME_SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"})
PLACE_CUES = frozenset({"in", "from", "near"})
PLACE_CUES_OF = frozenset({"streets", "city", "town", "village", "outskirts"})
# The only lower-case words of a headline written in title case.
HEADLINE_LOWER = _names(
    "a, an, the, and, or, but, nor, of, in, on, at, to, for, by, with, from, as, into, over, amid, "
    "after, vs, via, per, up"
)
