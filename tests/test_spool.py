from __future__ import annotations

from dataset_builder.build.spool import SortedLog


def test_sorted_log_reads_back_by_key_then_arrival() -> None:
    log = SortedLog()
    assert len(log) == 0 and list(log) == []
    for key, value in [("b", {"n": 1}), ("a\0z", ["x", 2]), ("b", {"n": 0}), ("a", "é")]:
        log.add(key, value)
    assert len(log) == 4
    assert list(log) == ["é", ["x", 2], {"n": 1}, {"n": 0}]
    # Reading does not consume: a report is written, then read again for the card.
    assert list(log) == ["é", ["x", 2], {"n": 1}, {"n": 0}]
