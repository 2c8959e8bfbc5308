"""Event-date families of issue 15, one parametrised case per example, in every language
where the family applies. Every example is written for this test (none comes from a corpus).

Each case: language, text, reference date, the expected span, its TIMEX3 value and its
interval. The reference date is a Wednesday (2024-06-12) unless the case says otherwise.
"""

from __future__ import annotations

import datetime

import pytest

from dataset_builder.annotators.dates import tag_dates

WED = datetime.date(2024, 6, 12)  # Wednesday 12 June 2024
DEC = datetime.date(2024, 12, 10)  # Tuesday 10 December 2024

Case = tuple[str, str, datetime.date, str, str, str, str]

BARE_DAYS: list[Case] = [
    ("ja", "首相は3日に会談した。", WED, "3日", "2024-06-03", "2024-06-03", "2024-06-03"),
    ("ja", "15日、外相が到着した。", WED, "15日", "2024-05-15", "2024-05-15", "2024-05-15"),
    ("ja", "式典は20日に開かれる予定だ。", WED, "20日", "2024-06-20", "2024-06-20", "2024-06-20"),
    ("zh", "会议8日举行。", WED, "8日", "2024-06-08", "2024-06-08", "2024-06-08"),
    ("zh", "峰会20日将在北京开幕。", WED, "20日", "2024-06-20", "2024-06-20", "2024-06-20"),
    ("vi", "Ngày 5, bộ trưởng đã đến.", WED, "Ngày 5", "2024-06-05", "2024-06-05", "2024-06-05"),
    (
        "vi",
        "Ngày 20 hội nghị sẽ khai mạc.",
        WED,
        "Ngày 20",
        "2024-06-20",
        "2024-06-20",
        "2024-06-20",
    ),
    (
        "sv",
        "Mötet hölls den 5, och alla kom.",
        WED,
        "den 5",
        "2024-06-05",
        "2024-06-05",
        "2024-06-05",
    ),
    ("ja", "先月23日に発表した。", WED, "先月23日", "2024-05-23", "2024-05-23", "2024-05-23"),
    ("ja", "今月5日に始まった。", WED, "今月5日", "2024-06-05", "2024-06-05", "2024-06-05"),
    ("zh", "上月12日发布。", WED, "上月12日", "2024-05-12", "2024-05-12", "2024-05-12"),
    (
        "vi",
        "Từ ngày 5 tháng trước, giá tăng.",
        WED,
        "ngày 5 tháng trước",
        "2024-05-05",
        "2024-05-05",
        "2024-05-05",
    ),
]

YEARS: list[Case] = [
    ("ja", "93年に設立された。", WED, "93年", "1993", "1993-01-01", "1993-12-31"),
    ("zh", "93年成立。", WED, "93年", "1993", "1993-01-01", "1993-12-31"),
    ("en", "the class of '02 met again", WED, "'02", "2002", "2002-01-01", "2002-12-31"),
    ("vi", "Công ty thành lập năm 98.", WED, "năm 98", "1998", "1998-01-01", "1998-12-31"),
    ("ja", "2024年度の予算", WED, "2024年度", "2024-04/2025-03", "2024-04-01", "2025-03-31"),
    ("ja", "今年度の計画", WED, "今年度", "2024-04/2025-03", "2024-04-01", "2025-03-31"),
    ("ja", "来年度から始める。", WED, "来年度", "2025-04/2026-03", "2025-04-01", "2026-03-31"),
    (
        "ja",
        "今年度の計画",
        datetime.date(2025, 2, 3),
        "今年度",
        "2024-04/2025-03",
        "2024-04-01",
        "2025-03-31",
    ),
    ("en", "revenue in FY2024 rose", WED, "FY2024", "2024", "2024-01-01", "2024-12-31"),
    (
        "sv",
        "Vinsten för räkenskapsåret 2024 steg.",
        WED,
        "räkenskapsåret 2024",
        "2024",
        "2024-01-01",
        "2024-12-31",
    ),
    (
        "vi",
        "Lợi nhuận năm tài chính 2024 tăng.",
        WED,
        "năm tài chính 2024",
        "2024",
        "2024-01-01",
        "2024-12-31",
    ),
    ("ja", "平成26年に改正された。", WED, "平成26年", "2014", "2014-01-01", "2014-12-31"),
    ("ja", "令和2年に始まった。", WED, "令和2年", "2020", "2020-01-01", "2020-12-31"),
    ("ja", "平成元年に生まれた。", WED, "平成元年", "1989", "1989-01-01", "1989-12-31"),
]

HALVES_AND_QUARTERS: list[Case] = [
    ("zh", "上半年经济增长。", WED, "上半年", "2024-H1", "2024-01-01", "2024-06-30"),
    ("zh", "下半年将回升。", WED, "下半年", "2024-H2", "2024-07-01", "2024-12-31"),
    ("ja", "2024年前半に回復した。", WED, "2024年前半", "2024-H1", "2024-01-01", "2024-06-30"),
    ("ja", "2024年後半には", WED, "2024年後半", "2024-H2", "2024-07-01", "2024-12-31"),
    ("ja", "上期の決算", WED, "上期", "2024-H1", "2024-01-01", "2024-06-30"),
    ("ja", "下期の見通し", WED, "下期", "2024-H2", "2024-07-01", "2024-12-31"),
    ("zh", "一季度增长5%。", WED, "一季度", "2024-Q1", "2024-01-01", "2024-03-31"),
    ("ja", "第1四半期の売上", WED, "第1四半期", "2024-Q1", "2024-01-01", "2024-03-31"),
    (
        "sv",
        "Under första kvartalet steg vinsten.",
        WED,
        "första kvartalet",
        "2024-Q1",
        "2024-01-01",
        "2024-03-31",
    ),
    (
        "sv",
        "Under årets andra kvartal föll den.",
        WED,
        "årets andra kvartal",
        "2024-Q2",
        "2024-04-01",
        "2024-06-30",
    ),
    ("vi", "Trong quý I, xuất khẩu tăng.", WED, "quý I", "2024-Q1", "2024-01-01", "2024-03-31"),
    ("en", "Sales rose in Q1 again.", WED, "Q1", "2024-Q1", "2024-01-01", "2024-03-31"),
    (
        "en",
        "Profit fell in the second quarter.",
        WED,
        "the second quarter",
        "2024-Q2",
        "2024-04-01",
        "2024-06-30",
    ),
    (
        "vi",
        "Trong 6 tháng đầu năm, giá tăng.",
        WED,
        "6 tháng đầu năm",
        "2024-01/2024-06",
        "2024-01-01",
        "2024-06-30",
    ),
    (
        "en",
        "It opens in the second half of 2024.",
        WED,
        "the second half of 2024",
        "2024-H2",
        "2024-07-01",
        "2024-12-31",
    ),
]

WEEKDAYS: list[Case] = [
    (
        "sv",
        "Det hände på måndagsmorgonen.",
        WED,
        "måndagsmorgonen",
        "2024-06-10",
        "2024-06-10",
        "2024-06-10",
    ),
    (
        "sv",
        "Det hände på söndagskvällen.",
        WED,
        "söndagskvällen",
        "2024-06-09",
        "2024-06-09",
        "2024-06-09",
    ),
    ("ja", "月曜日の朝に発生した。", WED, "月曜日", "2024-06-10", "2024-06-10", "2024-06-10"),
    (
        "vi",
        "Vụ việc xảy ra sáng thứ Hai.",
        WED,
        "thứ Hai",
        "2024-06-10",
        "2024-06-10",
        "2024-06-10",
    ),
    ("en", "It happened Monday night.", WED, "Monday", "2024-06-10", "2024-06-10", "2024-06-10"),
    ("sv", "Han kom i torsdags.", WED, "i torsdags", "2024-06-06", "2024-06-06", "2024-06-06"),
    ("sv", "Han kommer på torsdag.", WED, "torsdag", "2024-06-13", "2024-06-13", "2024-06-13"),
    (
        "sv",
        "Han kommer nästa torsdag.",
        WED,
        "nästa torsdag",
        "2024-06-13",
        "2024-06-13",
        "2024-06-13",
    ),
    ("sv", "Han kom i tisdags.", WED, "i tisdags", "2024-06-11", "2024-06-11", "2024-06-11"),
    ("ja", "来週月曜に会う。", WED, "来週月曜", "2024-06-17", "2024-06-17", "2024-06-17"),
    (
        "vi",
        "Họ sẽ gặp nhau thứ Hai tới.",
        WED,
        "thứ Hai tới",
        "2024-06-17",
        "2024-06-17",
        "2024-06-17",
    ),
    ("en", "They meet next Monday.", WED, "next Monday", "2024-06-17", "2024-06-17", "2024-06-17"),
    ("en", "They met last Monday.", WED, "last Monday", "2024-06-10", "2024-06-10", "2024-06-10"),
    ("en", "They met on Friday.", WED, "Friday", "2024-06-14", "2024-06-14", "2024-06-14"),
]

RELATIVE_YEARS_AND_DAYS: list[Case] = [
    (
        "sv",
        "Det var i oktober förra året.",
        WED,
        "oktober förra året",
        "2023-10",
        "2023-10-01",
        "2023-10-31",
    ),
    ("zh", "去年10月开始。", WED, "去年10月", "2023-10", "2023-10-01", "2023-10-31"),
    (
        "vi",
        "Từ tháng 10 năm ngoái, giá tăng.",
        WED,
        "tháng 10 năm ngoái",
        "2023-10",
        "2023-10-01",
        "2023-10-31",
    ),
    (
        "en",
        "It began in October last year.",
        WED,
        "October last year",
        "2023-10",
        "2023-10-01",
        "2023-10-31",
    ),
    ("sv", "fjolårets vinnare", WED, "fjolårets", "2023", "2023-01-01", "2023-12-31"),
    ("sv", "årets vinnare", WED, "årets", "2024", "2024-01-01", "2024-12-31"),
    ("zh", "去年经济增长。", WED, "去年", "2023", "2023-01-01", "2023-12-31"),
    ("zh", "今年经济增长。", WED, "今年", "2024", "2024-01-01", "2024-12-31"),
    ("ja", "おととしの大会", WED, "おととし", "2022", "2022-01-01", "2022-12-31"),
    ("ja", "ことしの大会", WED, "ことし", "2024", "2024-01-01", "2024-12-31"),
    ("vi", "So với năm ngoái, giá tăng.", WED, "năm ngoái", "2023", "2023-01-01", "2023-12-31"),
    ("vi", "Trong năm nay, giá tăng.", WED, "năm nay", "2024", "2024-01-01", "2024-12-31"),
    ("ja", "きょう発表した。", WED, "きょう", "2024-06-12", "2024-06-12", "2024-06-12"),
    ("ja", "あす発表する。", WED, "あす", "2024-06-13", "2024-06-13", "2024-06-13"),
    ("ja", "昨日発表した。", WED, "昨日", "2024-06-11", "2024-06-11", "2024-06-11"),
    ("zh", "今天发布。", WED, "今天", "2024-06-12", "2024-06-12", "2024-06-12"),
    ("zh", "截至今天已有三家企业签约。", WED, "今天", "2024-06-12", "2024-06-12", "2024-06-12"),
    ("zh", "从明天起实施。", WED, "明天", "2024-06-13", "2024-06-13", "2024-06-13"),
    ("vi", "Hôm nay giá tăng.", WED, "Hôm nay", "2024-06-12", "2024-06-12", "2024-06-12"),
    ("vi", "Hôm qua giá tăng.", WED, "Hôm qua", "2024-06-11", "2024-06-11", "2024-06-11"),
    ("sv", "Han kom i dag.", WED, "i dag", "2024-06-12", "2024-06-12", "2024-06-12"),
    ("sv", "Han kom i går.", WED, "i går", "2024-06-11", "2024-06-11", "2024-06-11"),
    ("en", "He arrived today.", WED, "today", "2024-06-12", "2024-06-12", "2024-06-12"),
    ("en", "He arrived yesterday.", WED, "yesterday", "2024-06-11", "2024-06-11", "2024-06-11"),
    ("en", "He arrives tomorrow.", WED, "tomorrow", "2024-06-13", "2024-06-13", "2024-06-13"),
    ("sv", "Det hände i höstas.", WED, "i höstas", "2023-FA", "2023-09-01", "2023-11-30"),
    ("sv", "Det hände i våras.", WED, "i våras", "2024-SP", "2024-03-01", "2024-05-31"),
]

HOLIDAYS: list[Case] = [
    ("ja", "元日に発生した。", DEC, "元日", "2025-01-01", "2025-01-01", "2025-01-01"),
    ("zh", "元旦放假。", DEC, "元旦", "2025-01-01", "2025-01-01", "2025-01-01"),
    ("sv", "Vi ses på nyårsdagen.", DEC, "nyårsdagen", "2025-01-01", "2025-01-01", "2025-01-01"),
    (
        "sv",
        "Butiken stänger på julafton.",
        DEC,
        "julafton",
        "2024-12-24",
        "2024-12-24",
        "2024-12-24",
    ),
    ("vi", "Nghỉ Tết Dương lịch.", DEC, "Tết Dương lịch", "2025-01-01", "2025-01-01", "2025-01-01"),
    (
        "en",
        "Closed on New Year's Day.",
        DEC,
        "New Year's Day",
        "2025-01-01",
        "2025-01-01",
        "2025-01-01",
    ),
    (
        "en",
        "Open on Christmas Day.",
        DEC,
        "Christmas Day",
        "2024-12-25",
        "2024-12-25",
        "2024-12-25",
    ),
    ("ja", "クリスマスを前に", DEC, "クリスマス", "2024-12-25", "2024-12-25", "2024-12-25"),
]

DECADES: list[Case] = [
    ("sv", "Musiken från 90-talet", WED, "90-talet", "199", "1990-01-01", "1999-12-31"),
    ("sv", "Musiken från 1990-talet", WED, "1990-talet", "199", "1990-01-01", "1999-12-31"),
    ("ja", "90年代の音楽", WED, "90年代", "199", "1990-01-01", "1999-12-31"),
    ("vi", "Âm nhạc thập niên 90 rất hay.", WED, "thập niên 90", "199", "1990-01-01", "1999-12-31"),
    ("en", "music of the nineties", WED, "the nineties", "199", "1990-01-01", "1999-12-31"),
    ("en", "music of the 1990s", WED, "the 1990s", "199", "1990-01-01", "1999-12-31"),
]

RANGES: list[Case] = [
    (
        "sv",
        "Utställningen visas från den 3 mars till och med den 9 mars.",
        WED,
        "den 3 mars till och med den 9 mars",
        "2024-03-03/2024-03-09",
        "2024-03-03",
        "2024-03-09",
    ),
    (
        "ja",
        "6日から10日まで開かれた。",
        WED,
        "6日から10日",
        "2024-06-06/2024-06-10",
        "2024-06-06",
        "2024-06-10",
    ),
    (
        "vi",
        "Hội chợ diễn ra từ ngày 5 đến ngày 7/3.",
        WED,
        "ngày 5 đến ngày 7/3",
        "2024-03-05/2024-03-07",
        "2024-03-05",
        "2024-03-07",
    ),
    (
        "en",
        "Talks are set for March 3 and 5.",
        WED,
        "March 3 and 5",
        "2024-03-03/2024-03-05",
        "2024-03-03",
        "2024-03-05",
    ),
    (
        "en",
        "Talks ran March 3 to 5.",
        WED,
        "March 3 to 5",
        "2024-03-03/2024-03-05",
        "2024-03-03",
        "2024-03-05",
    ),
    (
        "en",
        "Talks ran between March 3 and 5.",
        WED,
        "March 3 and 5",
        "2024-03-03/2024-03-05",
        "2024-03-03",
        "2024-03-05",
    ),
]

EXTENTS: list[Case] = [
    ("en", "It ended on Monday.", WED, "Monday", "2024-06-10", "2024-06-10", "2024-06-10"),
    ("en", "It ended in 2020.", WED, "2020", "2020", "2020-01-01", "2020-12-31"),
    ("en", "Prices rose during 2020.", WED, "2020", "2020", "2020-01-01", "2020-12-31"),
    ("vi", "Lễ khai mạc vào ngày 5/3.", WED, "ngày 5/3", "2024-03-05", "2024-03-05", "2024-03-05"),
    ("zh", "在2020年成立。", WED, "2020年", "2020", "2020-01-01", "2020-12-31"),
    ("zh", "自2020年以来", WED, "2020年", "2020", "2020-01-01", "2020-12-31"),
    ("ja", "2020年以来、増えた。", WED, "2020年", "2020", "2020-01-01", "2020-12-31"),
    ("ja", "2020年ごろ始まった。", WED, "2020年", "2020", "2020-01-01", "2020-12-31"),
    ("sv", "Det hände på tisdagen.", WED, "tisdagen", "2024-06-11", "2024-06-11", "2024-06-11"),
    ("sv", "Han vann i fjol.", WED, "i fjol", "2023", "2023-01-01", "2023-12-31"),
    ("sv", "Han vinner i år.", WED, "i år", "2024", "2024-01-01", "2024-12-31"),
]

FISCAL_YEARS: list[Case] = [
    (
        "en",
        "Sales may grow in the fiscal year beginning in April.",
        WED,
        "the fiscal year",
        "2024-04/2025-03",
        "2024-04-01",
        "2025-03-31",
    ),
    (
        "en",
        "Profits fell in the fiscal year ended March 31.",
        WED,
        "the fiscal year",
        "2023-04/2024-03",
        "2023-04-01",
        "2024-03-31",
    ),
    (
        "en",
        "The fiscal year starts in April. Exports may rise in 2024/25.",
        WED,
        "2024/25",
        "2024-04/2025-03",
        "2024-04-01",
        "2025-03-31",
    ),
    # no fiscal year of the text says its start: the two calendar years
    ("en", "Exports rose in 2023/24.", WED, "2023/24", "2023/2024", "2023-01-01", "2024-12-31"),
]

WEEKENDS_AND_WEEKDAY_TENSE: list[Case] = [
    (
        "en",
        "Talks were held over the weekend.",
        WED,
        "the weekend",
        "2024-W23-WE",
        "2024-06-08",
        "2024-06-09",
    ),
    (
        "en",
        "The leaders will meet at the weekend.",
        WED,
        "the weekend",
        "2024-W24-WE",
        "2024-06-15",
        "2024-06-16",
    ),
    (
        "en",
        "Prices fell last weekend.",
        WED,
        "last weekend",
        "2024-W23-WE",
        "2024-06-08",
        "2024-06-09",
    ),
    (
        "sv",
        "Förra helgen var det fest.",
        WED,
        "Förra helgen",
        "2024-W23-WE",
        "2024-06-08",
        "2024-06-09",
    ),
    (
        "en",
        "Shops open Monday to Friday.",
        WED,
        "Monday to Friday",
        "2024-06-10/2024-06-14",
        "2024-06-10",
        "2024-06-14",
    ),
    # a cue of the future before the weekday makes it the coming one
    (
        "en",
        "The minister will visit Hanoi on Monday.",
        WED,
        "Monday",
        "2024-06-17",
        "2024-06-17",
        "2024-06-17",
    ),
    (
        "en",
        "The tariffs it is to impose on imports Monday.",
        WED,
        "Monday",
        "2024-06-17",
        "2024-06-17",
        "2024-06-17",
    ),
    (
        "en",
        "The minister visited Hanoi on Monday.",
        WED,
        "Monday",
        "2024-06-10",
        "2024-06-10",
        "2024-06-10",
    ),
    # an abbreviation's full stop does not end the clause the cue is in
    (
        "en",
        "Japan would hold talks with U.S. officials on Monday.",
        WED,
        "Monday",
        "2024-06-17",
        "2024-06-17",
        "2024-06-17",
    ),
]

SHIPPING_AND_WORDS: list[Case] = [
    (
        "en",
        "Steel coils 800 tonnes 15-30/6.",
        WED,
        "15-30/6",
        "2024-06-15/2024-06-30",
        "2024-06-15",
        "2024-06-30",
    ),
    (
        "en",
        "Scrap 1,200 tonnes 1-10/7.",
        WED,
        "1-10/7",
        "2024-07-01/2024-07-10",
        "2024-07-01",
        "2024-07-10",
    ),
    (
        "en",
        "The budget took effect April one.",
        WED,
        "April one",
        "2024-04-01",
        "2024-04-01",
        "2024-04-01",
    ),
    (
        "en",
        "Trading resumes June twenty-one, 2024.",
        WED,
        "June twenty-one, 2024",
        "2024-06-21",
        "2024-06-21",
        "2024-06-21",
    ),
    # text run together where a title meets the body, or after a colon
    (
        "sv",
        "Nyheter i korthetDen 3 mars 2020 öppnade butiken.",
        WED,
        "Den 3 mars 2020",
        "2020-03-03",
        "2020-03-03",
        "2020-03-03",
    ),
    (
        "sv",
        "Program:17 juni konsert i parken.",
        WED,
        "17 juni",
        "2024-06-17",
        "2024-06-17",
        "2024-06-17",
    ),
]

CASES = {
    "fiscal years": FISCAL_YEARS,
    "weekends and weekday tense": WEEKENDS_AND_WEEKDAY_TENSE,
    "shipping ranges and day words": SHIPPING_AND_WORDS,
    "bare day": BARE_DAYS,
    "years": YEARS,
    "halves and quarters": HALVES_AND_QUARTERS,
    "weekdays": WEEKDAYS,
    "relative years and days": RELATIVE_YEARS_AND_DAYS,
    "holidays": HOLIDAYS,
    "decades": DECADES,
    "ranges": RANGES,
    "extents": EXTENTS,
}
PARAMS = [
    pytest.param(*case, id=f"{family}-{case[0]}-{case[3]}")
    for family, cases in CASES.items()
    for case in cases
]


@pytest.mark.parametrize(("language", "text", "reference", "span", "timex", "start", "end"), PARAMS)
def test_date_family(
    language: str,
    text: str,
    reference: datetime.date,
    span: str,
    timex: str,
    start: str,
    end: str,
) -> None:
    mentions = tag_dates(text, language, reference)
    found = [(m["text"], m["timex"], m["start_date"], m["end_date"]) for m in mentions]
    assert (span, timex, start, end) in found, found
    # The span is the whole expression: nothing else overlaps it.
    begin = text.index(span)
    overlapping = [
        m for m in mentions if m["span_start"] < begin + len(span) and begin < m["span_end"]
    ]
    assert len(overlapping) == 1, found


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ja", "会期を1日延長した。"),
        ("ja", "1日3万枚を出荷する。"),
        ("ja", "3日間の日程"),
        ("zh", "连续3日上涨"),
        ("zh", "今年年底完成"),
        ("zh", "目前日本企业的投资持续增长"),
        ("zh", "如今日本游客越来越多"),
        ("zh", "此前日方已经表示同意"),
        ("en", "by the end of 2020"),
        ("vi", "cuối năm 2011"),
        ("sv", "senare i år"),
        ("en", "prices rose over the last year and a half"),
        ("en", "trading runs from 0900 to 1500 local time"),
        ("en", "the 7-1/2 pct bond"),
        ("en", "a 10-2/3 majority"),
        ("sv", "klockan 20:17 började det"),
    ],
)
def test_not_dates(language: str, text: str) -> None:
    assert tag_dates(text, language, WED) == []


def test_bare_day_needs_a_day_reference() -> None:
    assert tag_dates("15日、外相が到着した。", "ja", WED, reference_precision="month") == []


def test_relative_month_day_needs_only_a_month_reference() -> None:
    [mention] = tag_dates("先月23日に発表した。", "ja", WED, reference_precision="month")
    assert mention["timex"] == "2024-05-23"
