"""Japanese topic lexicon: one example per top-level topic, and terms that must not misfire.

The sentences are written for these tests (not taken from any corpus)."""

from __future__ import annotations

import pytest

from dataset_builder.annotators.segments import Segment
from dataset_builder.annotators.topics import default_topic_annotator
from dataset_builder.annotators.topics.scoring import TopicResult


def annotate(title: str, body: str) -> TopicResult:
    segments = [Segment("title", None, title), Segment("body", None, body)]
    return default_topic_annotator().annotate(segments, "ja")


def codes(result: TopicResult) -> set[str]:
    return {t["code"] for t in result.topics if t["level"] == 1}


@pytest.mark.parametrize(
    ("title", "body", "primary"),
    [
        (
            "新作映画が公開 主演俳優が舞台あいさつ",
            "監督の新作は映画館で上映される。",
            "medtop:01000000",
        ),
        ("強盗の疑いで男を逮捕 県警", "警察は容疑者の身柄を送検した。", "medtop:02000000"),
        (
            "震度６強の地震 各地で被害",
            "気象庁によると震源は沖合で、津波の心配はない。",
            "medtop:03000000",
        ),
        (
            "日銀が利上げを決定 円相場に影響",
            "金融政策の変更で株価と為替が動いた。",
            "medtop:04000000",
        ),
        ("大学入試の日程を発表 文部科学省", "受験生は共通テストを受ける。", "medtop:05000000"),
        (
            "絶滅危惧種の保全へ 国立公園で調査",
            "外来種の駆除と生息地の回復を進める。",
            "medtop:06000000",
        ),
        ("インフルエンザの患者が急増", "医療機関では感染対策を呼びかけている。", "medtop:07000000"),
        ("１００歳の誕生日を祝う式典", "最高齢の住民に記念品が贈られた。", "medtop:08000000"),
        ("最低賃金の引き上げで労使が合意", "春闘では賃上げが焦点となった。", "medtop:09000000"),
        ("大型連休 行楽地ににぎわい", "温泉や遊園地に家族連れが訪れた。", "medtop:10000000"),
        ("衆議院選挙 投開票", "与野党の候補者が議席を争い、当選者が決まった。", "medtop:11000000"),
        (
            "初詣の参拝者でにぎわう神社",
            "住職が除夜の鐘をついた寺にも信者が集まった。",
            "medtop:12000000",
        ),
        ("小惑星探査機が帰還", "研究チームは論文を科学誌に発表した。", "medtop:13000000"),
        ("少子化で出生数が過去最少", "子育て支援と待機児童の解消が課題だ。", "medtop:14000000"),
        ("日本代表が決勝進出", "先発の選手が得点し、準決勝に続いて勝利した。", "medtop:15000000"),
        ("ミサイル攻撃で民間人に被害", "停戦交渉は進まず、戦闘が続いている。", "medtop:16000000"),
        ("梅雨明け 各地で猛暑日", "最高気温は３５度を超え、熱帯夜も続いた。", "medtop:17000000"),
    ],
)
def test_each_top_level_topic_is_recognised(title: str, body: str, primary: str) -> None:
    result = annotate(title, body)
    assert result.primary_topic == primary


def test_full_width_latin_terms_match() -> None:
    result = annotate("ＧＤＰが増加", "ＡＩ関連の投資が増え、景気を押し上げた。")
    assert "medtop:04000000" in codes(result)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("アイドルのコンサートが開かれた。", "medtop:04000000"),  # ドル is not a currency here
        ("陸上自衛隊が災害派遣された。", "medtop:15000000"),  # 陸上 is not athletics here
        ("高校野球の決勝が行われた。", "medtop:05000000"),  # 高校野球 is sport
        ("がんばって練習を続けた。", "medtop:07000000"),  # がん inside がんばる
    ],
)
def test_longer_or_unrelated_words_do_not_trigger(text: str, absent: str) -> None:
    result = annotate(text, text)
    assert absent not in codes(result)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("半導体をめぐる日米協議が始まる", "両国は半導体の輸出をめぐる対立の解決を目指す。"),
        ("新しい半導体工場が稼働", "工場ではチップを量産する。"),
    ],
)
def test_semiconductors_are_economy(title: str, body: str) -> None:
    # IPTC files semiconductors and chips as products under the economy.
    result = annotate(title, body)
    assert result.primary_topic == "medtop:04000000"
    assert "medtop:13000000" not in codes(result)
