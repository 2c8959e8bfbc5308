"""Placing a rule's match on the calendar: a TIMEX3 value and an inclusive interval.

Each kind of rule ("date", "month_range", "relative", ...) has a resolver, which reads the
match's fields and, where the expression needs one, the reference date; see
`docs/annotation-guidelines.md` for the values and intervals.
"""

from __future__ import annotations

import calendar
import datetime
from typing import NamedTuple

from dataset_builder.annotators.dates.fields import Fields, read_number

PRECISIONS = ("day", "month", "year")

# A relative unit can be resolved from a reference known to this precision or finer.
UNIT_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
_PRECISION_RANK = {"day": 0, "month": 2, "year": 3}

# Day+month without a year lands in the window (reference - 9 months, reference + 3 months]:
# news reports mostly look back, and an article from early January that mentions
# "December 30" means the December just past.
_WINDOW_MONTHS_BEFORE = 9
_WINDOW_MONTHS_AFTER = 3

_SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 14)}


class Resolved(NamedTuple):
    timex: str
    start: datetime.date | None  # None with end: a TIMEX3 value with X-ed digits
    end: datetime.date | None
    granularity: str
    relative: bool


class Reference(NamedTuple):
    date: datetime.date
    precision: str

    def allows(self, unit: str) -> bool:
        return UNIT_RANK[unit] >= _PRECISION_RANK[self.precision]


def _unknown_year(reference: Reference, same_period: bool) -> str:
    """The year of a day or week finer than a coarse reference, "XXXX" where it may differ.

    The reference's own day ("i dag") or month ("this month") is in its year. A day or a week near
    an unknown day of a known month (ISO weeks included) stays in that month's year unless
    the month is January or December; near an unknown day of a known year, it may not."""
    if same_period or (reference.precision == "month" and 2 <= reference.date.month <= 11):
        return f"{reference.date.year:04d}"
    return "XXXX"


def _underspecified(timex: str, granularity: str) -> Resolved:
    """A TIMEX3 value with X for what the reference does not say (TimeML): the expression
    is on the calendar near the reference, but its interval is unknown."""
    return Resolved(timex, None, None, granularity, True)


def _unplaced_day(reference: Reference, offset: int) -> Resolved:
    """ "i dag", "i går" against a month or year reference: 2021-07-XX, 2021-XX-XX."""
    year = _unknown_year(reference, offset == 0)
    if reference.precision == "month" and offset == 0:
        return _underspecified(f"{year}-{reference.date.month:02d}-XX", "day")
    return _underspecified(f"{year}-XX-XX", "day")


def _unplaced_weekday(reference: Reference, weekday: int) -> Resolved:
    """A weekday the reference cannot place: that day of an unknown ISO week (2021-WXX-5)."""
    return _underspecified(f"{_unknown_year(reference, False)}-WXX-{weekday + 1}", "day")


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _month_interval(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def _year_interval(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _anchor(reference: Reference) -> datetime.date:
    if reference.precision == "month":
        return reference.date.replace(day=15)
    return reference.date


def _year_for(month: int, day: int | None, reference: Reference) -> int:
    """The year of a day+month (or a month) written without one."""
    if reference.precision == "year":
        return reference.date.year
    anchor = _anchor(reference)
    low = _add_months(anchor, -_WINDOW_MONTHS_BEFORE)
    high = _add_months(anchor, _WINDOW_MONTHS_AFTER)
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        # Feb 29 is placed as Feb 28: the window only chooses the year.
        candidate = datetime.date(year, month, min(day or 1, calendar.monthrange(year, month)[1]))
        if low < candidate <= high:
            return year
    return anchor.year


def _explicit_year(
    fields: Fields, name: str, reference: Reference | None
) -> tuple[int | None, bool]:
    """(year, relative) from a written year or a relative-year word such as "今年"."""
    year = fields.number(name)
    if year is not None:
        return year, False
    if fields.has("yy"):  # two-digit years: '93年', "'02", "năm 98"
        return _two_digit_year(fields.number("yy"), reference), False
    if fields.has("era"):  # Japanese era years: 令和7年 is 2025, 令和元年 2019
        base, count = fields.number("era"), fields.word_text("ey")
        number = 1 if count == "元" else read_number(count)
        return (base + number, False) if base is not None and number is not None else (None, False)
    if fields.has("ry") and reference is not None:
        offset = fields.number("ry")
        return (reference.date.year + offset, True) if offset is not None else (None, False)
    return None, False


def _two_digit_year(short: int | None, reference: Reference | None) -> int | None:
    """The year a two-digit year names: the latest one at most ten years after the
    reference year (or after 2030 without one): '98 is 1998, '02 is 2002."""
    if short is None or not 0 <= short <= 99:
        return None
    ceiling = (reference.date.year if reference is not None else 2020) + 10
    return ceiling - (ceiling - short) % 100


def _relative_month(fields: Fields, name: str, reference: Reference) -> tuple[int, int] | None:
    """(year, month) of a relative month word captured as `name` ("先月", "tháng trước")."""
    offset = fields.number(name)
    if offset is None:
        return None
    first = _add_months(_anchor(reference).replace(day=1), offset)
    return first.year, first.month


def _date_value(day: datetime.date) -> str:
    return day.isoformat()


def _resolve_date(fields: Fields, reference: Reference | None) -> Resolved | None:
    month, day = fields.number("m"), fields.number("d")
    if fields.has("rm") and reference is not None and day is not None:  # "先月23日"
        placed = _relative_month(fields, "rm", reference)
        if placed is None:
            return None
        value = datetime.date(placed[0], placed[1], day)
        return Resolved(_date_value(value), value, value, "day", True)
    if fields.has("holiday"):  # a holiday with a fixed date: [month, day]
        fixed = fields.word("holiday")
        month, day = (fixed[0], fixed[1]) if isinstance(fixed, list) else (None, None)
    if month is None or day is None:
        return None
    year, relative = _explicit_year(fields, "y", reference)
    if year is None:
        if reference is None:
            return None
        year, relative = _year_for(month, day, reference), True
    value = datetime.date(year, month, day)
    return Resolved(_date_value(value), value, value, "day", relative)


def _resolve_date_range(fields: Fields, reference: Reference | None) -> Resolved | None:
    d1, d2 = fields.number("d1"), fields.number("d2")
    m1, m2 = fields.number("m1"), fields.number("m2")
    if m1 is None and d1 is not None and d2 is not None and d2 <= d1:
        return None  # days of one month run forwards: "7-1/2" is a number
    m1, m2 = m1 or m2, m2 or m1
    if d1 is None or d2 is None or m1 is None or m2 is None:
        return None
    y1, relative = _explicit_year(fields, "y1", reference)
    y2 = fields.number("y2")
    backwards = (m2, d2) < (m1, d1)  # "30/12 - 2/1": the range crosses a new year
    if y1 is None and y2 is None:
        if reference is None:
            return None
        y1, relative = _year_for(m1, d1, reference), True
    if y1 is None and y2 is not None:
        y1 = y2 - 1 if backwards else y2
    if y1 is not None and y2 is None:
        y2 = y1 + 1 if backwards else y1
    if y1 is None or y2 is None:
        return None
    start, end = datetime.date(y1, m1, d1), datetime.date(y2, m2, d2)
    if end < start:
        return None
    return Resolved(f"{_date_value(start)}/{_date_value(end)}", start, end, "day", relative)


def _resolve_month(fields: Fields, reference: Reference | None) -> Resolved | None:
    month = fields.number("m")
    if month is None:
        return None
    year, relative = _explicit_year(fields, "y", reference)
    if year is None:
        if reference is None:
            return None
        year, relative = _year_for(month, None, reference), True
    start, end = _month_interval(year, month)
    return Resolved(f"{year:04d}-{month:02d}", start, end, "month", relative)


def _resolve_month_range(fields: Fields, reference: Reference | None) -> Resolved | None:
    m1, m2 = fields.number("m1"), fields.number("m2")
    y1, relative = _explicit_year(fields, "y1", reference)
    y2 = fields.number("y2")
    if m1 is None or m2 is None:
        return None
    if y1 is None and y2 is None and reference is not None:
        # "1月から11月": the end month takes the year of a bare month, the start follows it.
        y2, relative = _year_for(m2, None, reference), True
    if y1 is not None and y2 is None:
        y2 = y1 + 1 if m2 < m1 else y1
    if y2 is not None and y1 is None:
        y1 = y2 - 1 if m2 < m1 else y2
    if y1 is None or y2 is None:
        return None
    start, end = _month_interval(y1, m1)[0], _month_interval(y2, m2)[1]
    if end < start:
        return None
    return Resolved(f"{y1:04d}-{m1:02d}/{y2:04d}-{m2:02d}", start, end, "month", relative)


def _resolve_year(fields: Fields, reference: Reference | None) -> Resolved | None:
    year, _ = _explicit_year(fields, "y", None)
    if year is None:
        return None
    start, end = _year_interval(year)
    return Resolved(f"{year:04d}", start, end, "year", False)


def _resolve_year_range(fields: Fields, reference: Reference | None) -> Resolved | None:
    y1, y2 = fields.number("y1"), fields.number("y2")
    if y1 is None or y2 is None or y2 <= y1:
        return None
    return Resolved(
        f"{y1:04d}/{y2:04d}", _year_interval(y1)[0], _year_interval(y2)[1], "year", False
    )


def _period_year(fields: Fields, reference: Reference | None) -> tuple[int | None, bool]:
    """Year of a quarter, half, season or first-N-months period; bare ones mean this year."""
    year, relative = _explicit_year(fields, "y", reference)
    if year is None and fields.has("this_year") and reference is not None:
        return reference.date.year, True
    return year, relative


def _resolve_period_months(fields: Fields, reference: Reference | None) -> Resolved | None:
    count = fields.number("n")
    year, relative = _period_year(fields, reference)
    if year is None and not fields.has("y") and not fields.has("ry") and reference is not None:
        year, relative = reference.date.year, True
    if count is None or year is None or not 1 <= count <= 12:
        return None
    start, end = datetime.date(year, 1, 1), _month_interval(year, count)[1]
    return Resolved(f"{year:04d}-01/{year:04d}-{count:02d}", start, end, "month", relative)


def _resolve_half(fields: Fields, reference: Reference | None) -> Resolved | None:
    half = fields.number("h")
    year, relative = _period_year(fields, reference)
    if year is None and not fields.has("y") and not fields.has("ry") and reference is not None:
        year, relative = reference.date.year, True
    if half not in (1, 2) or year is None:
        return None
    first = 1 if half == 1 else 7
    start, end = datetime.date(year, first, 1), _month_interval(year, first + 5)[1]
    # The granularity list has no half-year; "quarter" is the nearest unit it names.
    return Resolved(f"{year:04d}-H{half}", start, end, "quarter", relative)


def _resolve_quarter(fields: Fields, reference: Reference | None) -> Resolved | None:
    quarter = fields.number("q")
    year, relative = _period_year(fields, reference)
    if year is None and not fields.has("y") and not fields.has("ry") and reference is not None:
        year, relative = reference.date.year, True  # "一季度", "the second quarter"
    if quarter is None or year is None or not 1 <= quarter <= 4:
        return None
    first = 3 * quarter - 2
    start, end = datetime.date(year, first, 1), _month_interval(year, first + 2)[1]
    return Resolved(f"{year:04d}-Q{quarter}", start, end, "quarter", relative)


def _resolve_season(fields: Fields, reference: Reference | None) -> Resolved | None:
    season = fields.word("s")
    year, relative = _period_year(fields, reference)
    if year is None and fields.has("past") and reference is not None:
        year, relative = reference.date.year, True
    if year is None or season not in _SEASON_MONTHS:
        return None
    first, last = _SEASON_MONTHS[season]
    # "i höstas": the latest such season that began before the reference date
    past = fields.has("past") and reference is not None and year == reference.date.year
    if past and reference is not None and datetime.date(year, first, 1) > _anchor(reference):
        year -= 1
    start = datetime.date(year, first, 1)
    end = _month_interval(year + (last - 1) // 12, (last - 1) % 12 + 1)[1]
    return Resolved(f"{year:04d}-{season}", start, end, "season", relative)


def _decade(base: int) -> Resolved:
    start, end = _year_interval(base)[0], _year_interval(base + 9)[1]
    return Resolved(f"{base // 10:03d}", start, end, "decade", False)


def _century(index: int) -> Resolved:
    """`index` is the TIMEX3 century value: 19 for the 1900s (the 20th century)."""
    start, end = _year_interval(index * 100)[0], _year_interval(index * 100 + 99)[1]
    return Resolved(f"{index:02d}", start, end, "century", False)


def _resolve_decade(fields: Fields, reference: Reference | None) -> Resolved | None:
    written = fields.number("dec")
    if written is not None:
        if written % 100 == 0 and fields.has("hundreds"):
            return _century(written // 100)  # "1800-talet", "the 1800s"
        return _decade(written) if written % 10 == 0 else None
    tens = fields.number("dd")
    if tens is None or tens % 10:
        return None
    ordinal = fields.number("c")
    # A decade without its century ("90年代") is read as the 1900s.
    century = (ordinal - 1) * 100 if ordinal else 1900
    return _decade(century + tens)


def _resolve_century(fields: Fields, reference: Reference | None) -> Resolved | None:
    ordinal = fields.number("c")
    if ordinal is None or not 1 <= ordinal <= 30:
        return None
    return _century(ordinal - 1)


def _unplaced_relative(unit: str, offset: int, reference: Reference) -> Resolved | None:
    if unit == "day":
        return _unplaced_day(reference, offset)
    year = _unknown_year(reference, offset == 0 and unit == "month")
    if unit == "week":
        return _underspecified(f"{year}-WXX", "week")
    if unit == "month":  # only a year reference leaves a month unknown
        return _underspecified(f"{year}-XX", "month")
    return None


def _relative(unit: str, offset: int, reference: Reference) -> Resolved | None:
    if not reference.allows(unit):
        return _unplaced_relative(unit, offset, reference)
    day = reference.date
    if unit == "year":
        start, end = _year_interval(day.year + offset)
        return Resolved(f"{day.year + offset:04d}", start, end, "year", True)
    if unit == "month":
        first = _add_months(day.replace(day=1), offset)
        start, end = _month_interval(first.year, first.month)
        return Resolved(f"{first.year:04d}-{first.month:02d}", start, end, "month", True)
    if unit == "week":
        monday = day - datetime.timedelta(days=day.weekday()) + datetime.timedelta(weeks=offset)
        iso = monday.isocalendar()
        sunday = monday + datetime.timedelta(days=6)
        return Resolved(f"{iso[0]:04d}-W{iso[1]:02d}", monday, sunday, "week", True)
    target = day + datetime.timedelta(days=offset)
    return Resolved(_date_value(target), target, target, "day", True)


def _resolve_relative(fields: Fields, reference: Reference | None) -> Resolved | None:
    value = fields.word("rel")
    if reference is None or not isinstance(value, list) or len(value) != 2:
        return None
    unit, offset = value
    if unit not in UNIT_RANK or not isinstance(offset, int):
        return None
    return _relative(unit, offset, reference)


def _weekday_offset(fields: Fields, weekday: int, today: int) -> int | None:
    """Days from the reference (weekday `today`) to the weekday the expression names."""
    if fields.has("rw"):  # "来週月曜", "thứ Hai tuần trước": that weekday of the named week
        week = fields.number("rw")
        return None if week is None else weekday - today + 7 * week
    if fields.has("this"):  # "den här fredagen": that weekday of the reference's week
        return weekday - today
    if fields.has("past"):  # "i torsdags", "last Monday": the last one before the day
        return -((today - weekday) % 7 or 7)
    if fields.has("next") or fields.has("fut"):  # "på torsdag", "next Monday": the coming one
        return (weekday - today) % 7 or 7
    return (weekday - today + 3) % 7 - 3  # the nearest: at most three days before or after


def _resolve_weekday(fields: Fields, reference: Reference | None) -> Resolved | None:
    weekday = fields.number("wd")
    if reference is None or weekday is None or not 0 <= weekday <= 6:
        return None
    if not reference.allows("day"):
        return _unplaced_weekday(reference, weekday)
    offset = _weekday_offset(fields, weekday, reference.date.weekday())
    if offset is None:
        return None
    target = reference.date + datetime.timedelta(days=offset)
    return Resolved(_date_value(target), target, target, "day", True)


def _resolve_weekday_range(fields: Fields, reference: Reference | None) -> Resolved | None:
    """ "fredag till söndag", "Monday to Friday": the first weekday placed as a weekday is,
    the last the first such day after it."""
    first, last = fields.number("wd1"), fields.number("wd2")
    if reference is None or first is None or last is None or first == last:
        return None
    if not {first, last} <= set(range(7)):
        return None
    if not reference.allows("day"):
        opening, closing = _unplaced_weekday(reference, first), _unplaced_weekday(reference, last)
        return _underspecified(f"{opening.timex}/{closing.timex}", "day")
    offset = _weekday_offset(fields, first, reference.date.weekday())
    if offset is None:
        return None
    start = reference.date + datetime.timedelta(days=offset)
    end = start + datetime.timedelta(days=(last - first) % 7)
    return Resolved(f"{_date_value(start)}/{_date_value(end)}", start, end, "day", True)


def _resolve_weekend(fields: Fields, reference: Reference | None) -> Resolved | None:
    """A weekend (TIMEX3 `2025-W17-WE`, Saturday and Sunday of that ISO week): of the week
    a relative word names ("förra helgen", "next weekend"), else the one under way or just
    past, or the coming one when the text speaks of the future ("the weekend")."""
    if reference is None:
        return None
    if not reference.allows("day"):
        return _underspecified(f"{_unknown_year(reference, False)}-WXX-WE", "day")
    today = reference.date.weekday()
    if fields.has("rw"):
        week = fields.number("rw")
        if week is None:
            return None
    elif fields.has("this") or today >= 5 or fields.has("fut"):
        week = 0
    else:
        week = -1
    monday = reference.date - datetime.timedelta(days=today) + datetime.timedelta(weeks=week)
    saturday, sunday = monday + datetime.timedelta(days=5), monday + datetime.timedelta(days=6)
    iso = saturday.isocalendar()
    return Resolved(f"{iso[0]:04d}-W{iso[1]:02d}-WE", saturday, sunday, "day", True)


def _day_of_month(
    fields: Fields, name: str, reference: Reference, month_name: str
) -> datetime.date | None:
    """A day of the month written alone ("5日", "ngày 5", "den 5"): in the month a relative
    month word names ("先月23日"), else the latest such day on or before the reference
    day, or the next one on or after it when the text speaks of the future."""
    day = fields.number(name)
    if day is None or not 1 <= day <= 31:
        return None
    if fields.has(month_name):
        placed = _relative_month(fields, month_name, reference)
        if placed is None or day > calendar.monthrange(*placed)[1]:
            return None
        return datetime.date(placed[0], placed[1], day)
    if not reference.allows("day"):
        return None
    step = 1 if fields.has("fut") else -1
    month = reference.date.replace(day=1)
    for _ in range(3):  # a 31st may skip a shorter month
        if day <= calendar.monthrange(month.year, month.month)[1]:
            candidate = month.replace(day=day)
            if (candidate - reference.date).days * step >= 0:
                return candidate
        month = _add_months(month, step)
    return None


def _resolve_day(fields: Fields, reference: Reference | None) -> Resolved | None:
    if reference is None:
        return None
    value = _day_of_month(fields, "d", reference, "rm")
    if value is None:
        return None
    return Resolved(_date_value(value), value, value, "day", True)


def _resolve_day_range(fields: Fields, reference: Reference | None) -> Resolved | None:
    """ "6日から10日", "今月21日から来月3日": days of the month joined by a connector."""
    if reference is None:
        return None
    start = _day_of_month(fields, "d1", reference, "rm1")
    day = fields.number("d2")
    if start is None or day is None:
        return None
    if fields.has("rm2"):
        placed = _relative_month(fields, "rm2", reference)
        if placed is None:
            return None
        end = datetime.date(placed[0], placed[1], day)
    else:
        month = start.replace(day=1) if day >= start.day else _add_months(start.replace(day=1), 1)
        end = month.replace(day=day)
    if end < start:
        return None
    return Resolved(f"{_date_value(start)}/{_date_value(end)}", start, end, "day", True)


def _resolve_fiscal_year(fields: Fields, reference: Reference | None) -> Resolved | None:
    """A fiscal or school year ("2024年度", "今年度", "FY2024"); the word's value in the
    resource is the month it starts ("年度": 4, April..March); 1 makes it the calendar year.
    A fiscal year may say its start or end month ("the fiscal year beginning in April",
    "ending on March 31"): the one whose start (end) month is nearest the reference, as a
    bare month is placed. A split year ("1987/88") starts in the month another fiscal year
    of the text says (`fm`); without one it is the two calendar years."""
    if fields.has("m") or fields.has("me"):
        return _fiscal_year_of_month(fields, reference)
    if fields.has("split"):
        return _split_year(fields)
    first = fields.word("fy") if fields.has("fy") else 1
    if not isinstance(first, int) or not 1 <= first <= 12:
        return None
    year, relative = _explicit_year(fields, "y", None)
    if year is None and fields.has("ry") and reference is not None:
        offset = fields.number("ry")
        if offset is None:
            return None
        anchor = _anchor(reference)
        current = anchor.year
        if anchor.month < first and reference.precision != "year":
            current -= 1  # in January 2025 the fiscal year that began in April 2024 runs
        year, relative = current + offset, True
    if year is None:
        return None
    if first == 1:
        start, end = _year_interval(year)
        return Resolved(f"{year:04d}", start, end, "year", relative)
    return _fiscal_interval(datetime.date(year, first, 1), relative)


def _fiscal_year_of_month(fields: Fields, reference: Reference | None) -> Resolved | None:
    first, last = fields.number("m"), fields.number("me")
    if reference is None:
        return None
    if first is not None:
        start = datetime.date(_year_for(first, None, reference), first, 1)
    elif last is not None:
        end_month = datetime.date(_year_for(last, None, reference), last, 1)
        start = _add_months(end_month, -11)
    else:
        return None
    return _fiscal_interval(start, True)


def _fiscal_interval(start: datetime.date, relative: bool) -> Resolved:
    last = _add_months(start, 11)
    end = _month_interval(last.year, last.month)[1]
    timex = f"{start.year:04d}-{start.month:02d}/{last.year:04d}-{last.month:02d}"
    return Resolved(timex, start, end, "month", relative)


def _split_year(fields: Fields) -> Resolved | None:
    year, short = fields.number("y"), fields.number("split")
    if year is None or short is None or (year + 1) % 100 != short:
        return None
    first = fields.number("fm")
    if first is not None and 2 <= first <= 12:
        return _fiscal_interval(datetime.date(year, first, 1), False)
    start, end = _year_interval(year)[0], _year_interval(year + 1)[1]
    return Resolved(f"{year:04d}/{year + 1:04d}", start, end, "year", False)


def _resolve_century_range(fields: Fields, reference: Reference | None) -> Resolved | None:
    c1, c2 = fields.number("c1"), fields.number("c2")
    if c1 is None or c2 is None or not 1 <= c1 < c2 <= 30:
        return None
    first, last = _century(c1 - 1), _century(c2 - 1)
    return Resolved(f"{first.timex}/{last.timex}", first.start, last.end, "century", False)


def _resolve_none(fields: Fields, reference: Reference | None) -> Resolved | None:
    """What a resource marks as no date: part of a period ("年底", "月末"), matched so that
    the period's own rule does not take it."""
    return None


RESOLVERS = {
    "date": _resolve_date,
    "date_range": _resolve_date_range,
    "month": _resolve_month,
    "month_range": _resolve_month_range,
    "year": _resolve_year,
    "year_range": _resolve_year_range,
    "period_months": _resolve_period_months,
    "half": _resolve_half,
    "quarter": _resolve_quarter,
    "season": _resolve_season,
    "decade": _resolve_decade,
    "century": _resolve_century,
    "relative": _resolve_relative,
    "weekday": _resolve_weekday,
    "weekday_range": _resolve_weekday_range,
    "weekend": _resolve_weekend,
    "day": _resolve_day,
    "day_range": _resolve_day_range,
    "fiscal_year": _resolve_fiscal_year,
    "century_range": _resolve_century_range,
    "none": _resolve_none,
}
