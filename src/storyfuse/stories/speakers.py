"""Who said a quote: speech tags, names in them, pronouns, and full names.

A speech tag is a speech verb next to a quote: after the closing mark
(``“…,” Varga said``, ``“…,” said Rep. G.K. Butterfield``, ``“…,” chief engineer
Anselm Raitt told reporters``, ``“…” ― Esther Tapia``) or before the opening
mark in the same sentence (``Sanders responded: “…”``). Speech verbs are
recognised by their base form (:data:`SPEECH_BASES`, inflected by rule), so
"asks", "sings", "concluded" need no list of their own. The name in a tag is
the capitalised run that ends the speaker phrase, after appositions
(``Flynn, a top Trump surrogate, said``) and parentheses (``(D-N.C.)``); titles
are then stripped. "he", "she" and "they" resolve to the nearest person named
before the quote, in its sentence or the two before, whose gender (read from
titles and from the pronouns that follow the person's mentions) does not
contradict the pronoun; two equally near candidates leave it unresolved.
Surnames resolve to the full name the article or the story gives.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from storyfuse.models import Article
from storyfuse.stories.entities import strip_titles
from storyfuse.stories.entity_lexicon import (
    MONTHS,
    NAME_SUFFIXES,
    ORG_HEADS,
    PARTICLES,
    PLACES,
    ROLE_WORDS,
    STOPWORDS,
    TITLES,
    WEEKDAYS,
    is_speech_verb,
)

_WORD = re.compile(r"\S+")
_EDGE = ",;:.!?()[]“”\"‘’'"
_INITIALS = re.compile(r"(?:[A-Z]\.)+[A-Z]?\.?$|[A-Z]$")
_PARENTHESES = re.compile(r"\([^()]*\)")
_DASH_TAG = re.compile(r"\s*[―—–-]{1,2}\s*(?=[A-Z])")
_NAME_RUN = re.compile(
    r"(?<![\w.])(?:[A-Z][\w'’-]*\.?|(?:[A-Z]\.)+)(?:\s+(?:(?:[A-Z][\w'’-]*\.?|(?:[A-Z]\.)+)"
    r"|(?:bin|al|de|van|von|der|da|del|la|le)(?=\s+[A-Z])))*"
)
_QUOTED = re.compile(r"“[^”\n]*”|\"[^\"\n]*\"")
_MALE = frozenset({"he", "him", "his", "himself"})
_FEMALE = frozenset({"she", "her", "hers", "herself"})
_MALE_TITLES = frozenset({"mr", "sir", "lord", "king", "prince", "congressman", "businessman"})
_FEMALE_TITLES = frozenset(
    {"mrs", "ms", "miss", "dame", "lady", "queen", "princess", "congresswoman", "businesswoman"}
)
# Verbs whose object is the one spoken to, not the speaker.
_TELLING = frozenset({"told", "tells", "telling", "asked", "asks", "urged", "urges", "warned"})
# Words that show a clause, not a speaker phrase, before a verb ("as Trump said").
_CLAUSE_WORDS = frozenset(
    "as and when that who which but while because if after before to was were is are".split()
)
# Words that end the speaker phrase after a speech verb; "who", "whose" and "which"
# open a relative clause ("said Eric Trupin who heads the Division of …").
_OBJECT_ENDS = frozenset("that on in at during after before to when who whose which".split())
PERSONAL_PRONOUNS = frozenset({"he", "she", "they"})
_OTHER_PRONOUNS = frozenset({"we", "i", "it", "you"})
_ADVERBS = frozenset(
    """
    also later then previously earlier repeatedly reportedly separately subsequently again
    once has had have was is would will quickly simply finally recently privately publicly
    """.split()
)


_ROLE_APPOSITION = re.compile(
    r",\s+(?:the|a|an|his|her|its)\s+(?:[\w-]+\s+){0,4}?(?:"
    + "|".join(sorted((re.escape(w) for w in TITLES | ROLE_WORDS), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Mention:
    """A person named in an article: the full name and where the mention starts."""

    name: str
    start: int


def _is_verb(word: str) -> bool:
    """A speech verb as tags print it: in lower case ("States" is a name's word, not "states")."""
    return word.islower() and is_speech_verb(word)


def _has_name_word(name: str) -> bool:
    """Whether a name has a word beyond initials ("Generation X", "U.S", "K" have none)."""
    return any(len(w.strip(".")) > 1 and not _INITIALS.match(w) for w in name.split())


def _is_title_or_initial(word: str) -> bool:
    bare = word.rstrip(".")
    return bool(_INITIALS.match(word)) or bare.lower() in TITLES or bare in NAME_SUFFIXES


def _ends_phrase(word: str) -> bool:
    """Whether punctuation on ``word`` closes a speaker phrase ("Butterfield," but not "Rep.")."""
    if word.endswith((",", ";", ":", "!", "?", "”", '"', ")")):
        return True
    return word.endswith(".") and not _is_title_or_initial(word)


def _clean_words(text: str) -> list[str]:
    return _WORD.findall(_PARENTHESES.sub(" ", text))


def name_in_phrase(words: Sequence[str]) -> str | None:
    """The name that ends a speaker phrase ("chief engineer Anselm Raitt" -> "Anselm Raitt").

    None when the phrase ends in an ordinary word ("a spokesman", "the IMF report").
    """
    words = [w.strip(_EDGE) if not _is_title_or_initial(w) else w for w in words]
    words = [w for w in words if w]
    # "said on Monday", "in May": a date; "Ms May": a name after a title
    after_title = len(words) > 1 and words[-2].rstrip(".").lower() in TITLES
    if words and (words[-1] in WEEKDAYS or words[-1] in MONTHS) and not after_title:
        return None
    run: list[str] = []
    for word in reversed(words):
        if word[0].isupper() or (run and word in PARTICLES):
            run.insert(0, word)
        elif word.lower() in {"the", "a", "an"}:
            break
        else:
            break
    return _strip_roles(" ".join(run)) if run else None


def _strip_roles(run: str) -> str | None:
    """A name without its titles and leading role words ("Coach Mira Lund" -> "Mira Lund")."""
    name = strip_titles(run)
    if name is None:
        return None
    words = name.split()
    # "Coach Mira Lund"; "Said Schorr": a speech verb opening a sentence is no name either
    while len(words) > 1 and (
        words[0].rstrip(".").lower() in ROLE_WORDS or is_speech_verb(words[0].lower())
    ):
        words = words[1:]
    return " ".join(words)


def _subject_words(words: list[str]) -> list[str] | None:
    """The speaker phrase that ends ``words`` (which stop just before a speech verb)."""
    while words and words[-1].lower().strip(_EDGE) in _ADVERBS:
        words = words[:-1]
    if not words:
        return None
    if words[-1].endswith(","):
        # an apposition: "Flynn, a top Trump surrogate," -> the first comma-bounded piece
        # that ends in a name ("Carson's business manager, Armstrong Williams," -> the second)
        pieces: list[list[str]] = [[]]
        for word in words:
            pieces[-1].append(word.rstrip(","))
            if word.endswith(","):
                pieces.append([])
        named = [piece for piece in pieces if piece and name_in_phrase(piece[-8:])]
        return named[0][-8:] if named else None
    phrase: list[str] = []
    for word in reversed(words):
        if phrase and _ends_phrase(word):
            break
        phrase.insert(0, word)
        if len(phrase) >= 8:
            break
    return phrase


def _object_words(words: list[str]) -> list[str]:
    """The speaker phrase after a speech verb: up to a comma or the end of the sentence."""
    phrase: list[str] = []
    for word in words[:10]:
        if word.lower() in _OBJECT_ENDS:
            break
        phrase.append(word)
        if _ends_phrase(word):
            break
    # "Representative Charles B. Rangel of New York": drop the trailing "of <place>".
    for index, word in enumerate(phrase):
        head = phrase[index - 1] if index else ""
        if word == "of" and head[:1].isupper() and head.rstrip(".").lower() not in TITLES:
            return phrase[:index]
    return phrase


def tag_after(text: str, close: int, end: int, inner: str) -> str | None:
    """The speaker phrase of a tag right after a closing mark, as raw words joined."""
    tail = text[close:end]
    dash = _DASH_TAG.match(tail)
    if dash:
        words = _clean_words(tail[dash.end() : dash.end() + 80])
        phrase = []
        for word in words[:5]:
            phrase.append(word)
            if _ends_phrase(word):
                break
        return " ".join(phrase) or None
    # a quote that ends its sentence takes only a short tag ("Smith said.")
    reach = 5 if inner.rstrip().endswith((".", "…")) else 24
    tail = tail.lstrip()
    if tail.startswith(","):
        tail = tail[1:]
    words = _clean_words(tail[:300])
    for index, word in enumerate(words[:reach]):
        bare = word.strip(_EDGE)
        if _is_verb(bare):
            if index == 0:
                return " ".join(_object_words(words[1:])) or None
            subject = _subject_words(words[:index])
            if subject is None or any(w.lower() in _CLAUSE_WORDS for w in subject):
                return None
            return " ".join(subject)
        if word.endswith((".", "!", "?")) and not _is_title_or_initial(word):
            return None
        if index >= 6 and "," not in " ".join(words[:index]):
            return None
    return None


def tag_before(text: str, start: int, open_at: int) -> str | None:
    """The subject of the last speech verb between ``start`` and an opening mark.

    Also a name and a colon straight before the mark ("… - Philip Bump: “…”").
    """
    words = _clean_words(text[start:open_at])
    if words and words[-1].endswith(":") and _labels_quote(words):
        name = name_in_phrase(words[-4:])
        if name:
            return name
    for index in range(len(words) - 1, -1, -1):
        verb = words[index].strip(_EDGE)
        if _is_verb(verb):
            subject = _subject_words(words[:index])
            if verb in _TELLING and subject:
                # "Brian Fallon told Politico, “…”": the one told is not the speaker
                return " ".join(subject)
            if index + 1 < len(words) and not words[index].endswith((":", ",")):
                following = words[index + 1 :]
                # "said Rep. Jo Kerr: “…”": the speaker follows the verb
                if following[0][:1].isupper() and following[-1].endswith((":", ",")):
                    return " ".join(_object_words(following))
            subject = _subject_words(words[:index])
            return " ".join(subject) if subject else None
        if words[index].lower() == "according" and words[index + 1 : index + 2] == ["to"]:
            return " ".join(_object_words(words[index + 2 :]))
    return None


def _labels_quote(words: Sequence[str]) -> bool:
    """Whether words ending in "Name:" name the speaker ("… - Philip Bump:", "pollster
    Daron Shaw:").

    Not when a speech verb before the name has its own subject ("Trump told reporters
    about his call with the Kremlin:", "She says to Nevadans:").
    """
    if not words[-1][:1].isupper() or is_speech_verb(words[-1].strip(_EDGE)):
        return False
    index = len(words) - 1
    while index > 0 and (words[index - 1][:1].isupper() or words[index - 1] in PARTICLES):
        index -= 1
    return not any(_is_verb(word.strip(_EDGE)) for word in words[:index])


def tag_in_sentence_before(sentence: str) -> str | None:
    """The speaker of a sentence that only introduces the next one's quote.

    "Sam Lau, the party's spokesman, said in a statement." or "Dianne Bystrom
    agreed.": a speech verb among the sentence's last four words, nothing quoted.
    """
    words = _clean_words(sentence)
    if not words or not words[-1].endswith((".", ":")) or any(c in sentence for c in '“”"'):
        return None
    for index in range(len(words) - 1, max(-1, len(words) - 5), -1):
        if _is_verb(words[index].strip(_EDGE)):
            subject = _subject_words(words[:index])
            return " ".join(subject) if subject else None
    return None


class ArticleNames:
    """The people named in one article (and the story), with genders and full names."""

    def __init__(self, article: Article, people: Sequence[str]) -> None:
        self.article = article
        self.people = people
        self.known = set(people)
        self._read = False
        self.surnames: dict[str, set[str]] = {}
        self.mentions: list[Mention] = []
        self.persons: list[Mention] = []
        self.genders: dict[str, str] = {}
        self.titled: set[str] = set()

    def _index(self) -> None:
        """Read the article's names, once, when a speaker is first asked for."""
        if self._read:
            return
        self._read = True
        article, people = self.article, self.people
        text = article.text
        known = self.known
        surnames: dict[str, set[str]] = {}
        for name in people:
            surnames.setdefault(name.split()[-1], set()).add(name)
        runs: list[tuple[str, int]] = []
        for piece, stripped, start in _name_pieces(text):
            person = _person_name(piece, stripped, known)
            if person is not None:
                runs.append((person, start + max(0, piece.find(person))))
        for name, _ in runs:
            if " " in name:
                surnames.setdefault(name.split()[-1], set()).add(name)
        self.surnames = surnames
        # a lone surname counts as a mention of the one person of the article or story with it
        self.mentions = [
            Mention(self.full_name(name), start)
            for name, start in runs
            if " " in name or name in known or name in surnames
        ]
        self.genders = _genders(article, self.mentions)
        # people for pronouns: the story's, those with a gender, those after a title or role
        titled = {name for name, start in runs if name != text[start : start + len(name)]}
        titled |= {
            m.name
            for m in self.mentions
            if text[max(0, m.start - 14) : m.start].split()[-1:]
            and text[max(0, m.start - 14) : m.start].split()[-1].rstrip(".").lower()
            in TITLES | ROLE_WORDS
        }
        # "Ilse Varga, the regional minister for ports, …": an apposition with a role
        titled |= {
            m.name for m in self.mentions if _ROLE_APPOSITION.match(text, m.start + len(m.name))
        }
        persons = set(people) | set(self.genders) | titled
        self.titled = titled
        # a pronoun's person is named in the narration, not inside a quote ("Nature is in
        # balance." ... He concludes: "…")
        quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
        self.persons = [
            m
            for m in self.mentions
            if m.name in persons and not any(a < m.start < b for a, b in quoted)
        ]

    def is_person(self, name: str) -> bool:
        """Whether the article shows ``name`` is a person: a gender, a title or a role."""
        self._index()
        return name in self.genders or name in self.titled

    def full_name(self, name: str) -> str:
        """``name`` as the one full name of the article or story that ends with it."""
        self._index()
        words = name.split()
        candidates = [
            full
            for full in self.surnames.get(words[-1], set())
            if set(words) <= set(full.split()) or set(full.split()) <= set(words)
        ]
        # the story's own people first: "Pat Caddell", not the run "Pollster Pat Caddell"
        candidates = [c for c in candidates if c in self.known] or candidates
        longest = max(candidates, key=lambda n: len(n.split()), default=name)
        rivals = [c for c in candidates if not set(c.split()) <= set(longest.split())]
        return longest if not rivals else name

    def speaker(self, phrase: str | None, position: int) -> str | None:
        """The person a raw speaker phrase names, a pronoun resolved before ``position``."""
        if phrase is None:
            return None
        word = phrase.strip(_EDGE).lower()
        if word in _OTHER_PRONOUNS:
            return None
        if word in PERSONAL_PRONOUNS:
            return self.antecedent(word, position)
        name = name_in_phrase(phrase.split())
        return self.full_name(name) if name and _has_name_word(name) else None

    def antecedent(self, pronoun: str, position: int) -> str | None:
        """The nearest person before ``position`` (own sentence, then two before) fitting it."""
        self._index()
        sentences = self.article.sentences
        index = bisect.bisect_right([s.start for s in sentences], position) - 1
        if index < 0:
            return None
        for number in range(index, max(-1, index - 3), -1):
            sentence = sentences[number]
            end = position if number == index else sentence.end
            here = [m for m in self.persons if sentence.start <= m.start < end]
            fitting = {m.name for m in here if self._fits(m.name, pronoun)}
            if len(fitting) == 1:
                return fitting.pop()
            if len(fitting) > 1:
                return self._known_fit(fitting, pronoun)
        return None

    def _fits(self, name: str, pronoun: str) -> bool:
        gender = self.genders.get(name)
        if pronoun == "they":
            return gender is None
        return gender is None or gender == pronoun

    def _known_fit(self, names: set[str], pronoun: str) -> str | None:
        known = [n for n in names if self.genders.get(n) == pronoun]
        return known[0] if len(known) == 1 else None


@lru_cache(maxsize=512)
def _name_pieces(text: str) -> tuple[tuple[str, str | None, int], ...]:
    """Capitalised runs of a text: (run, the run without titles and roles, start offset)."""
    found: list[tuple[str, str | None, int]] = []
    for match in _NAME_RUN.finditer(text):
        for piece, offset in _sentence_pieces(match.group()):
            found.append((piece, _strip_roles(piece), match.start() + offset))
    return tuple(found)


def _sentence_pieces(run: str) -> list[tuple[str, int]]:
    """A capitalised run cut where a sentence ends inside it ("January. Brandt")."""
    pieces: list[tuple[str, int]] = []
    start = 0
    for match in re.finditer(r"\S+", run):
        word = match.group()
        if word.endswith(".") and not _is_title_or_initial(word):
            pieces.append((run[start : match.end() - 1], start))
            start = match.end() + 1
    if start < len(run):
        pieces.append((run[start:], start))
    return [(p, o) for p, o in pieces if p.strip()]


def _person_name(run: str, name: str | None, known: set[str]) -> str | None:
    """The person's name a capitalised run holds, or None ("Lantern Street", "The Post").

    ``name`` is the run without its titles and role words.
    """
    if run in known:
        return run
    if name is None:
        return None
    words = name.split()
    if len(words) > 4 or name in PLACES:
        return name if name in known else None
    if not _has_name_word(name):
        return None
    if any(w in ORG_HEADS or w in STOPWORDS or (w.isupper() and len(w) > 1) for w in words):
        return None
    return name


def _genders(article: Article, mentions: Sequence[Mention]) -> dict[str, str]:
    """Each person's gender where the text shows it: a title, or the pronouns after a mention."""
    votes: dict[str, Counter[str]] = {}
    text = article.text
    sentences = article.sentences
    starts = [s.start for s in sentences]
    by_sentence: dict[int, set[str]] = {}
    placed = [(m, bisect.bisect_right(starts, m.start) - 1) for m in mentions]
    for mention, index in placed:
        by_sentence.setdefault(index, set()).add(mention.name)
    for mention, index in placed:
        before = text[max(0, mention.start - 12) : mention.start].split()
        title = before[-1].rstrip(".").lower() if before else ""
        counter = votes.setdefault(mention.name, Counter())
        if title in _MALE_TITLES:
            counter["he"] += 3
        elif title in _FEMALE_TITLES:
            counter["she"] += 3
        if index < 0 or len(by_sentence[index]) > 1:
            continue
        sentence = sentences[index]
        window = text[mention.start : sentence.end].lower().split()
        if index + 1 < len(sentences) and index + 1 not in by_sentence:
            window += sentences[index + 1].text.lower().split()[:12]
        # the first personal pronoun after a person's only mention in a sentence is theirs
        for word in window:
            bare = word.strip(_EDGE)
            if bare in _MALE or bare in _FEMALE:
                counter["he" if bare in _MALE else "she"] += 1
                break
    genders: dict[str, str] = {}
    for name, counter in votes.items():
        he, she = counter["he"], counter["she"]
        if he != she and max(he, she) >= 1:
            genders[name] = "he" if he > she else "she"
    return genders
