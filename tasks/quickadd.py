"""Quick add: a due date and a priority typed at the end of a task's title.

    "Pay rent tomorrow"          -> "Pay rent", due tomorrow
    "Call Anna fri"              -> "Call Anna", due the coming Friday (today if it is Friday)
    "Report 2026-12-01"          -> "Report", due 1 December 2026
    "Dentist next monday !2"     -> "Dentist", Monday of next week, priority 2
    "Taxes in 3 weeks !!!"       -> "Taxes", due in 21 days, priority 3
    "Appeler Anna vendredi"      -> French day names and phrases too

Only the END of the title is read, one phrase at a time (a priority, a date,
in any order, each at most once): words in the middle are the title's
("Read Friday Night Lights", "May the 4th be with you"). Anything not
understood stays in the title as typed; a title that would become empty keeps
its words. Pure Python, no database: `today` is the user's date, given by the caller.
"""

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

# The longest phrase we read, in words ("in 3 weeks", "la semaine prochaine").
_MAX_WORDS = 3
# Dates further than this are almost certainly typos ("in 2000 weeks").
_MAX_DAYS_AHEAD = 3660

_PRIORITY = re.compile(r"!([1-3])|(!{2,3})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NUMBER = re.compile(r"\d{1,4}")
# A lone dash between the title and a phrase: "Pay rent - tomorrow".
_SEPARATORS = {"-", "\u2013", "\u2014"}

WEEKDAYS = {
    "en": {
        "monday": 0, "mon": 0,
        "tuesday": 1, "tue": 1, "tues": 1,
        "wednesday": 2, "wed": 2,
        "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
        "friday": 4, "fri": 4,
        "saturday": 5, "sat": 5,
        # No "sun": "Walk in the sun" is a title.
        "sunday": 6,
    },
    # Full names only: French abbreviations are words ("mer" is the sea, "sam" a name).
    "fr": {
        "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3,
        "vendredi": 4, "samedi": 5, "dimanche": 6,
    },
}  # fmt: skip
RELATIVE_DAYS = {
    "en": {"today": 0, "tonight": 0, "tomorrow": 1, "tmr": 1, "tmrw": 1},
    "fr": {"aujourd'hui": 0, "aujourdhui": 0, "ce soir": 0, "demain": 1, "apres-demain": 2},
}
UNITS = {
    "en": {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": "m", "months": "m"},
    "fr": {"jour": 1, "jours": 1, "semaine": 7, "semaines": 7, "mois": "m"},
}
WORDS = {
    "en": {"in": "in", "next": "next", "a": "1", "an": "1", "one": "1", "next week": "next week"},
    "fr": {
        "dans": "in",
        "prochain": "next",
        "un": "1",
        "une": "1",
        "la semaine prochaine": "next week",
        "semaine prochaine": "next week",
    },
}


@dataclass(frozen=True)
class QuickAdd:
    """What a quick-add line means: the title left, and what was read off its end."""

    title: str
    due_date: date | None = None
    priority: int = 0
    understood: tuple[str, ...] = field(default=())

    @property
    def found_anything(self) -> bool:
        return bool(self.understood)


def _fold(word: str) -> str:
    """Lower case without accents, with typographic apostrophes made plain."""
    word = word.replace("\u2019", "'").casefold()
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _languages(language: str) -> list[str]:
    """English is always understood; the user's language besides."""
    base = (language or "en").split("-")[0].lower()
    return ["en"] + ([base] if base != "en" and base in WEEKDAYS else [])


def _lookup(table: dict, phrase: str, languages: list[str]):
    for lang in languages:
        if phrase in table[lang]:
            return table[lang][phrase]
    return None


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _weekday_on_or_after(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _next_week_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def _parse_date(words: list[str], today: date, languages: list[str]) -> date | None:
    """The date `words` (folded) name, or None. `words` is the whole phrase."""
    phrase = " ".join(words)
    days = _lookup(RELATIVE_DAYS, phrase, languages)
    if days is not None:
        return today + timedelta(days=days)
    weekday = _lookup(WEEKDAYS, phrase, languages)
    if weekday is not None:
        return _weekday_on_or_after(today, weekday)
    if _lookup(WORDS, phrase, languages) == "next week":
        return _next_week_monday(today)
    if len(words) == 1 and (match := _ISO_DATE.fullmatch(phrase)):
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:  # 2026-02-30
            return None
    if len(words) == 2:
        first, second = (_lookup(WORDS, w, languages) for w in words)
        # "next friday" / "vendredi prochain": that day in the following week.
        day_word = words[1] if first == "next" else words[0] if second == "next" else None
        if day_word is not None:
            weekday = _lookup(WEEKDAYS, day_word, languages)
            if weekday is not None:
                return _next_week_monday(today) + timedelta(days=weekday)
    if len(words) == 3 and _lookup(WORDS, words[0], languages) == "in":
        count_word = _lookup(WORDS, words[1], languages) or words[1]
        unit = _lookup(UNITS, words[2], languages)
        if unit is None or not _NUMBER.fullmatch(count_word):
            return None
        count = int(count_word)
        if count == 0:
            return None
        due = _add_months(today, count) if unit == "m" else today + timedelta(days=count * unit)
        if (due - today).days > _MAX_DAYS_AHEAD:
            return None
        return due
    return None


def _split_last_words(text: str, n: int) -> tuple[str, list[str]] | None:
    """`text` without its last `n` whitespace-separated words, and those words.

    None when `text` has fewer than `n` words; the rest is "" when it has exactly `n`.
    """
    parts = text.rstrip().rsplit(None, n)
    if len(parts) == n:
        return "", parts
    if len(parts) < n:
        return None
    return parts[0], parts[1:]


def _without_separator(text: str) -> str:
    """`text` without the comma or lone dash typed before a phrase ("Pay rent, tomorrow")."""
    text = text.rstrip()
    if text.endswith(","):
        return text[:-1].rstrip()
    head, _, last = text.rpartition(" ")
    return head.rstrip() if head and last in _SEPARATORS else text


def parse(text: str, *, today: date, language: str = "en") -> QuickAdd:
    """Read a priority (`!1`-`!3`, `!!`, `!!!`) and a due date off the end of `text`.

    `today` is the date in the user's time zone; `language` adds that language's
    words to English ones. Never raises: what it does not understand stays in the title.
    """
    languages = _languages(language)
    rest = text.rstrip()
    due, priority, understood = None, 0, []
    while True:
        found = False
        if not priority:
            split = _split_last_words(rest, 1)
            if split and split[0] and (match := _PRIORITY.fullmatch(split[1][0])):
                priority = int(match.group(1)) if match.group(1) else len(match.group(2))
                understood.insert(0, split[1][0])
                rest, found = split[0], True
        if due is None and not found:
            for n in range(_MAX_WORDS, 0, -1):
                split = _split_last_words(rest, n)
                if not split:
                    continue
                parsed = _parse_date([_fold(w) for w in split[1]], today, languages)
                if parsed is None:
                    continue
                if split[0]:
                    due = parsed
                    understood.insert(0, " ".join(split[1]))
                    rest, found = split[0], True
                # A date phrase that is the whole line stays as the title.
                break
        if not found:
            break
        rest = _without_separator(rest) or rest
    return QuickAdd(
        title=rest.strip(), due_date=due, priority=priority, understood=tuple(understood)
    )
