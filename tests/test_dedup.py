"""Near-duplicate detection: the MinHash estimate and the index of published articles."""

from __future__ import annotations

import random

import numpy as np

from dataset_builder.build.dedup import (
    NEAR_DUPLICATE_THRESHOLD,
    NUM_PERM,
    PublishedIndex,
    fingerprint,
    shingle_hashes,
    signature,
)

WORDS = ["Vietnam", "Japan", "samarbete", "ekonomi", "handel", "kultur", "teknik"]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randint(0, 999)) for _ in range(words))


def _jaccard(a: str, b: str) -> float:
    x, y = set(shingle_hashes(a).tolist()), set(shingle_hashes(b).tolist())
    return len(x & y) / len(x | y)


def test_signature_estimates_the_jaccard_similarity_of_the_sampled_shingles() -> None:
    rng = random.Random(7)
    for _ in range(20):
        base = _text(rng, 300)
        cut = rng.randint(0, 250)
        other = base[: cut * 5] + _text(rng, 40) + base[cut * 5 :]
        estimate = float(np.mean(signature(base) == signature(other)))
        # 64 permutations: the standard error of the estimate is at most 1/16.
        assert abs(estimate - _jaccard(base, other)) < 0.25


def test_signature_is_deterministic_and_sized() -> None:
    values = signature("越南与日本加强经济合作")
    assert values.dtype == np.uint32 and values.shape == (NUM_PERM,)
    assert np.array_equal(values, signature("越南与日本加强经济合作"))
    assert np.array_equal(signature("a  b\n c"), signature("a b c"))  # whitespace collapsed


def test_index_finds_ids_copies_and_near_copies_preferring_the_earliest() -> None:
    rng = random.Random(3)
    index = PublishedIndex()
    index.admit("a0", "a0.txt")
    assert index.first_seen("a0") == "a0.txt" and index.first_seen("a1") is None
    texts = [_text(rng, 200) for _ in range(30)]
    for number, text in enumerate(texts):
        assert index.near_duplicate(fingerprint(text)) is None
        index.publish(f"a{number}", number.to_bytes(32, "big"), fingerprint(text))
    assert index.exact_duplicate((5).to_bytes(32, "big")) == "a5"
    assert index.exact_duplicate((99).to_bytes(32, "big")) is None
    index.publish("copy-of-a5", b"x" * 32, fingerprint(texts[5]))
    found = index.near_duplicate(fingerprint(texts[5] + " slut"))
    assert found is not None and found[0] == "a5" and found[1] >= NEAR_DUPLICATE_THRESHOLD
    assert index.near_duplicate(fingerprint(_text(rng, 200))) is None
    index.close()
