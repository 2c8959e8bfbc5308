"""The Chinese topic lexicon: one example per top-level topic, written for these tests, and
the generic words that must not settle a topic on their own."""

from __future__ import annotations

import json

import pytest

from dataset_builder.annotators.segments import Segment
from dataset_builder.annotators.topics import TopicResult, default_topic_annotator
from dataset_builder.config import RESOURCES_DIR

ZH_LEXICON = RESOURCES_DIR / "languages" / "zh" / "topics.json"


def annotate(title: str, body: str = "") -> TopicResult:
    segments = [Segment("title", None, title)]
    if body:
        segments.append(Segment("body", None, body))
    return default_topic_annotator().annotate(segments, "zh")


def top_level(result: TopicResult) -> set[str]:
    return {topic["code"] for topic in result.topics if topic["level"] == 1}


@pytest.mark.parametrize(
    ("title", "body", "primary"),
    [
        ("新片票房破纪录", "这部电影的导演和主演出席了首映式。", "medtop:01000000"),
        (
            "警方破获特大电信诈骗案",
            "多名犯罪嫌疑人被刑事拘留,检察院已提起公诉。",
            "medtop:02000000",
        ),
        ("强烈地震造成数百人遇难", "震中附近房屋倒塌,救援队连夜开展搜救。", "medtop:03000000"),
        ("央行宣布降息", "股市应声上涨,人民币汇率保持稳定。", "medtop:04000000"),
        ("高考今日开考", "全国考生走进考场,教育部提醒各地做好保障。", "medtop:05000000"),
        ("湿地保护区迎来候鸟", "生物多样性持续改善,濒危物种数量回升。", "medtop:06000000"),
        ("流感病例激增", "多家医院门诊患者增加,疾控中心建议接种疫苗。", "medtop:07000000"),
        ("大熊猫幼崽亮相动物园", "游人争相观看,动物园称幼崽状况良好。", "medtop:08000000"),
        ("失业率降至新低", "企业招聘需求回升,最低工资标准上调。", "medtop:09000000"),
        ("街头美食节开幕", "各地小吃和咖啡馆吸引大批食客,餐厅排起长队。", "medtop:10000000"),
        ("执政党在大选中胜选", "选民投票率创新高,候选人发表胜选演说。", "medtop:11000000"),
        ("佛诞节信众赴寺院礼佛", "僧侣主持法会,众多信徒前往寺庙祈祷。", "medtop:12000000"),
        ("新一代人工智能芯片发布", "研发团队称该处理器算力大幅提升。", "medtop:13000000"),
        ("出生率再创新低", "人口老龄化加剧,养老和社会保障压力上升。", "medtop:14000000"),
        ("国家队夺得亚洲杯冠军", "主教练赛后称赞球员表现,球迷庆祝胜利。", "medtop:15000000"),
        ("两国爆发武装冲突", "空袭和炮击造成平民伤亡,双方部队在前线交火。", "medtop:16000000"),
        ("气象台发布暴雨预警", "未来三天将有强降雨,最高气温下降。", "medtop:17000000"),
    ],
)
def test_each_top_level_topic_has_everyday_news_vocabulary(
    title: str, body: str, primary: str
) -> None:
    result = annotate(title, body)
    assert result.primary_topic == primary, result.topics


def test_traditional_characters_are_folded() -> None:
    result = annotate("國家隊奪得亞洲盃冠軍", "主教練賽後稱讚球員表現。")
    assert result.primary_topic == "medtop:15000000"


def test_healthy_relations_is_not_health() -> None:
    # "健康" is weak: "推动两国关系健康稳定发展" is about the relationship.
    result = annotate("两国外长举行会谈", "双方同意推动两国关系健康稳定发展。")
    assert result.primary_topic == "medtop:11000000"
    assert "medtop:07000000" not in top_level(result)


def test_disputed_islands_are_international_relations_not_fishing() -> None:
    result = annotate("钓鱼岛问题", "外交部发言人就钓鱼岛问题表明立场。")
    assert result.primary_topic == "medtop:11000000"
    assert "medtop:10000000" not in top_level(result)


def test_product_words_alone_do_not_make_a_gadget_review_economy() -> None:
    result = annotate("新款智能手机评测", "这款产品的摄像头和处理器表现出色,价格也更亲民。")
    assert result.primary_topic == "medtop:13000000"


def test_lexicon_uses_only_codes_with_labels_and_no_duplicate_terms() -> None:
    document = json.loads(ZH_LEXICON.read_text(encoding="utf-8"))
    seen: set[str] = set()
    for entry in document["entries"]:
        assert set(entry) <= {"code", "terms", "weight", "role"}
        for term in entry["terms"]:
            assert term.lower() not in seen, term
            seen.add(term.lower())
    top = {entry["code"] for entry in document["entries"] if entry["code"].endswith("000000")}
    assert len(seen) > 1000
    assert len(top) >= 10


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("两国就半导体出口争端举行磋商", "双方希望解决芯片出口问题。"),
        ("新建芯片工厂投产", "该工厂将批量生产集成电路和晶圆。"),
    ],
)
def test_semiconductors_are_economy(title: str, body: str) -> None:
    # IPTC files semiconductors and chips as products under the economy.
    result = annotate(title, body)
    assert result.primary_topic == "medtop:04000000"
    assert "medtop:13000000" not in top_level(result)
