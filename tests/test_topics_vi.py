"""The Vietnamese topic lexicon: the main topics are recognised, and single syllables that
are also parts of frequent words ("Nhật Bản", "yêu cầu", "đánh giá", "lãnh đạo") are not
evidence. Examples are written for these tests."""

from __future__ import annotations

import pytest

from dataset_builder.annotators.segments import Segment
from dataset_builder.annotators.topics import default_topic_annotator

ARTS = "medtop:01000000"
CRIME = "medtop:02000000"
DISASTER = "medtop:03000000"
ECONOMY = "medtop:04000000"
EDUCATION = "medtop:05000000"
HEALTH = "medtop:07000000"
POLITICS = "medtop:11000000"
RELIGION = "medtop:12000000"
SCIENCE = "medtop:13000000"
SPORT = "medtop:15000000"
WEATHER = "medtop:17000000"


def _primary(title: str, body: str) -> str | None:
    segments = [Segment("title", None, title), Segment("body", None, body)]
    return default_topic_annotator().annotate(segments, "vi").primary_topic


@pytest.mark.parametrize(
    ("title", "body", "code"),
    [
        (
            "Đội tuyển U23 thắng đậm ở vòng bảng",
            "Tiền đạo đội khách ghi bàn ở hiệp hai, thủ môn đội nhà nhận thẻ đỏ.",
            SPORT,
        ),
        (
            "Bệnh viện tiếp nhận nhiều ca sốt xuất huyết",
            "Bác sĩ khuyên người bệnh đi khám sớm, không tự điều trị tại nhà.",
            HEALTH,
        ),
        (
            "Ra mắt điện thoại thông minh chạy hệ điều hành mới",
            "Máy có bộ vi xử lý tám nhân, màn hình cảm ứng và pin dung lượng lớn.",
            SCIENCE,
        ),
        (
            "Khởi tố bị can lừa đảo chiếm đoạt tài sản",
            "Cơ quan cảnh sát điều tra đã tạm giam đối tượng và thu giữ tang vật.",
            CRIME,
        ),
        (
            "Nữ ca sĩ ra mắt album mới",
            "Đêm nhạc có sự tham gia của ban nhạc và nhiều nghệ sĩ khách mời.",
            ARTS,
        ),
        (
            "Thí sinh bước vào kỳ thi tốt nghiệp THPT",
            "Bộ Giáo dục và Đào tạo công bố đề thi và lịch tuyển sinh đại học.",
            EDUCATION,
        ),
        (
            "Không khí lạnh tràn về, miền Bắc mưa rét",
            "Trung tâm khí tượng thủy văn dự báo nhiệt độ thấp nhất dưới 10 độ, có sương muối.",
            WEATHER,
        ),
        (
            "Động đất mạnh làm sập nhiều nhà",
            "Lực lượng cứu hộ tìm kiếm người mất tích, hàng nghìn người phải sơ tán.",
            DISASTER,
        ),
        (
            "Giá vàng và chứng khoán cùng giảm",
            "Chỉ số VN-Index mất điểm, khối ngoại bán ròng cổ phiếu ngân hàng.",
            ECONOMY,
        ),
        (
            "Đại lễ Phật đản tại chùa",
            "Hàng nghìn phật tử và tăng ni dự thánh lễ, cầu nguyện cho hòa bình.",
            RELIGION,
        ),
    ],
)
def test_main_topics_are_recognised(title: str, body: str, code: str) -> None:
    assert _primary(title, body) == code


@pytest.mark.parametrize(
    "text",
    [
        "Nhật Bản",  # "bản" (village) is not a term
        "yêu cầu",  # "yêu" (love) is not a term
        "đánh giá",  # "giá" (price) is not a term
        "lãnh đạo",  # "đạo" (religion) is not a term on its own
        "tinh thần",  # "thần" (deity) is not a term
        "trường hợp",  # "trường" (school) is not a term on its own
        "nhu cầu",  # "cầu" (bridge) is not a term
        "chính sách",  # "sách" (book) is not a term on its own
        "gia đình",  # matches family, not "đình" (communal house)
        "bình quân",  # "quân" (troops) is not a term
    ],
)
def test_parts_of_common_words_are_not_other_topics(text: str) -> None:
    # In a title, any matched term would be evidence (and name a topic).
    segments = [Segment("title", None, text)]
    result = default_topic_annotator().annotate(segments, "vi")
    terms = {e["term"].lower() for topic in result.topics for e in topic["evidence"]}
    assert text.split()[-1] not in terms


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Đàm phán về chất bán dẫn bắt đầu",
            "Hai nước muốn giải quyết tranh chấp về xuất khẩu chip.",
        ),
        (
            "Nhà máy chip bán dẫn mới đi vào hoạt động",
            "Nhà máy sẽ sản xuất vi mạch cho ô tô và điện thoại.",
        ),
    ],
)
def test_semiconductors_are_economy(title: str, body: str) -> None:
    # IPTC files semiconductors and chips as products under the economy.
    segments = [Segment("title", None, title), Segment("body", None, body)]
    result = default_topic_annotator().annotate(segments, "vi")
    assert result.primary_topic == ECONOMY
    assert SCIENCE not in {topic["code"] for topic in result.topics}
