"""The quick-add parser, phrase by phrase (no database: a pure function).

Today is Wednesday 25 November 2026 in every row.
"""

from datetime import date

import pytest

from tasks.quickadd import parse

TODAY = date(2026, 11, 25)  # a Wednesday
D = date

# (typed, language, title, due date, priority)
PHRASES = [
    # The examples.
    ("Pay rent tomorrow", "en", "Pay rent", D(2026, 11, 26), 0),
    ("Call Anna fri", "en", "Call Anna", D(2026, 11, 27), 0),
    ("Report 2026-12-01", "en", "Report", D(2026, 12, 1), 0),
    ("Dentist next monday !2", "en", "Dentist", D(2026, 11, 30), 2),
    ("Taxes in 3 weeks !!!", "en", "Taxes", D(2026, 12, 16), 3),
    # Relative days and weekdays.
    ("Water plants today", "en", "Water plants", TODAY, 0),
    ("Laundry tonight", "en", "Laundry", TODAY, 0),
    ("Gym tmrw", "en", "Gym", D(2026, 11, 26), 0),
    ("Standup wednesday", "en", "Standup", TODAY, 0),  # today is Wednesday: today
    ("Standup wed", "en", "Standup", TODAY, 0),
    ("Review tue", "en", "Review", D(2026, 12, 1), 0),  # Tuesday is past: next one
    ("Brunch Sunday", "en", "Brunch", D(2026, 11, 29), 0),
    ("Brunch SAT", "en", "Brunch", D(2026, 11, 28), 0),
    ("Plan next friday", "en", "Plan", D(2026, 12, 4), 0),  # Friday of next week
    ("Plan next wednesday", "en", "Plan", D(2026, 12, 2), 0),
    ("Sprint next week", "en", "Sprint", D(2026, 11, 30), 0),  # Monday of next week
    ("Renew passport in 2 months", "en", "Renew passport", D(2027, 1, 25), 0),
    ("Renew in 1 month", "en", "Renew", D(2026, 12, 25), 0),
    ("Call back in a week", "en", "Call back", D(2026, 12, 2), 0),
    ("Follow up in 10 days", "en", "Follow up", D(2026, 12, 5), 0),
    # Priorities, alone, with dates, in either order.
    ("Fix bug !1", "en", "Fix bug", None, 1),
    ("Fix bug !3", "en", "Fix bug", None, 3),
    ("Fix bug !!", "en", "Fix bug", None, 2),
    ("Ship it !2 tomorrow", "en", "Ship it", D(2026, 11, 26), 2),
    ("Pay rent, tomorrow", "en", "Pay rent", D(2026, 11, 26), 0),
    ("Pay rent - tomorrow", "en", "Pay rent", D(2026, 11, 26), 0),
    # French, for a French-speaking user; English words still work.
    ("Appeler Anna vendredi", "fr", "Appeler Anna", D(2026, 11, 27), 0),
    ("Payer le loyer demain", "fr", "Payer le loyer", D(2026, 11, 26), 0),
    ("Dentiste lundi prochain !2", "fr", "Dentiste", D(2026, 11, 30), 2),
    ("Impôts dans 3 semaines !!!", "fr", "Impôts", D(2026, 12, 16), 3),
    ("Courses aujourd’hui", "fr", "Courses", TODAY, 0),
    ("Ménage après-demain", "fr", "Ménage", D(2026, 11, 27), 0),
    ("Réunion la semaine prochaine", "fr", "Réunion", D(2026, 11, 30), 0),
    ("Relancer dans une semaine", "fr", "Relancer", D(2026, 12, 2), 0),
    ("Call Anna fri", "fr", "Call Anna", D(2026, 11, 27), 0),
    ("Appeler Anna vendredi", "en", "Appeler Anna vendredi", None, 0),  # not French for en
    # Ambiguous: only the end is read, and only words we are sure of.
    ("Read Friday Night Lights", "en", "Read Friday Night Lights", None, 0),
    ("May the 4th be with you", "en", "May the 4th be with you", None, 0),
    ("Walk in the sun", "en", "Walk in the sun", None, 0),
    ("Aller à la mer", "fr", "Aller à la mer", None, 0),
    ("Pay 12/01", "en", "Pay 12/01", None, 0),  # day/month order is ambiguous
    ("Meet 1 dec", "en", "Meet 1 dec", None, 0),
    ("Feed cat today today", "en", "Feed cat today", TODAY, 0),
    ("Check in 2", "en", "Check in 2", None, 0),
    ("Done in next week", "en", "Done in", D(2026, 11, 30), 0),
    ("Priority !1 !2", "en", "Priority !1", None, 2),
    # Nothing left for a title: the words stay.
    ("tomorrow", "en", "tomorrow", None, 0),
    ("Tomorrow !2", "en", "Tomorrow", None, 2),
    ("!3", "en", "!3", None, 0),
    ("next monday", "en", "next monday", None, 0),
    # Hostile and malformed.
    ("Report 2026-02-30", "en", "Report 2026-02-30", None, 0),
    ("Report 2026-13-01", "en", "Report 2026-13-01", None, 0),
    ("Later in 9999 days", "en", "Later in 9999 days", None, 0),
    ("Later in 0 days", "en", "Later in 0 days", None, 0),
    ("Later in -3 days", "en", "Later in -3 days", None, 0),
    ("Alarm !4", "en", "Alarm !4", None, 0),
    ("Alarm !!!!", "en", "Alarm !!!!", None, 0),
    ("Wow !", "en", "Wow !", None, 0),
    ("Super !", "fr", "Super !", None, 0),
    ("Buy milk!!", "en", "Buy milk!!", None, 0),
    ("<script>alert(1)</script> tomorrow", "en", "<script>alert(1)</script>", D(2026, 11, 26), 0),
    ("'; DROP TABLE tasks; -- fri", "en", "'; DROP TABLE tasks; --", D(2026, 11, 27), 0),
    ("Ünïcödé ☃ 🎉 tomorrow", "en", "Ünïcödé ☃ 🎉", D(2026, 11, 26), 0),
    ("Null\x00byte tomorrow", "en", "Null\x00byte", D(2026, 11, 26), 0),
    ("", "en", "", None, 0),
    ("   ", "en", "", None, 0),
    ("Spaces   tomorrow   ", "en", "Spaces", D(2026, 11, 26), 0),
    ("Unknown language fri", "xx", "Unknown language", D(2026, 11, 27), 0),
]


@pytest.mark.parametrize(("typed", "language", "title", "due", "priority"), PHRASES)
def test_it_reads_the_phrase(typed, language, title, due, priority):
    result = parse(typed, today=TODAY, language=language)
    assert (result.title, result.due_date, result.priority) == (title, due, priority)


def test_it_has_at_least_forty_phrases():
    assert len(PHRASES) >= 40


def test_it_lists_what_it_understood_in_the_order_typed():
    result = parse("Dentist next Monday !2", today=TODAY)
    assert result.understood == ("next Monday", "!2")
    assert result.found_anything
    assert not parse("Nothing here", today=TODAY).found_anything


def test_it_never_drops_a_word_it_did_not_use():
    for typed, language, *_ in PHRASES:
        result = parse(typed, today=TODAY, language=language)
        kept = result.title.split() + " ".join(result.understood).split()
        # Only the comma or lone dash before a phrase goes.
        typed_words = [w.strip(",") for w in typed.split() if w != "-"]
        assert sorted(w.strip(",") for w in kept) == sorted(typed_words), typed


def test_it_handles_month_ends_and_leap_years():
    assert parse("Bill in 1 month", today=date(2027, 1, 31)).due_date == date(2027, 2, 28)
    assert parse("Bill in 1 month", today=date(2028, 1, 31)).due_date == date(2028, 2, 29)
    assert parse("Party in 1 week", today=date(2026, 12, 28)).due_date == date(2027, 1, 4)
    # On a Sunday, "next monday" is tomorrow: the Monday of next week.
    assert parse("Plan next monday", today=date(2026, 11, 29)).due_date == date(2026, 11, 30)


def test_a_very_long_line_is_read_quickly_and_kept():
    typed = "word " * 5000 + "tomorrow"
    result = parse(typed, today=TODAY)
    assert result.due_date == date(2026, 11, 26)
    assert len(result.title.split()) == 5000
