"""Near-duplicate detection: the MinHash estimate, the index of published articles, the
outlet rule and the stories copies make."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest

from dataset_builder.build import dedup
from dataset_builder.build.dedup import (
    BANDS,
    MIN_SHARED_BANDS,
    NEAR_DUPLICATE_THRESHOLD,
    NUM_PERM,
    ROWS,
    PublishedIndex,
    SignatureIndex,
    fingerprint,
    same_outlet,
    shingle_hashes,
    signature,
    source,
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


def test_fingerprint_is_the_minimum_of_every_permutation_and_the_blake2b_of_every_band() -> None:
    rng = random.Random(11)
    a, b = dedup._permutations()
    # Short texts, one under a block of hashes, and long ones over several blocks.
    for text in ["", "abcd", "aaaaaaaaaaaa", _text(rng, 5), _text(rng, 120), _text(rng, 900)]:
        mixed = dedup._murmur_finalizer(shingle_hashes(text)).tolist()
        expected = [
            min((int(ai) * h + int(bi)) % 2**32 for h in mixed) for ai, bi in zip(a, b, strict=True)
        ]
        found = fingerprint(text)
        assert found.signature.tolist() == expected
        keys = [
            int.from_bytes(
                hashlib.blake2b(
                    bytes([band]) + found.signature[band * ROWS : (band + 1) * ROWS].tobytes(),
                    digest_size=8,
                ).digest(),
                "little",
                signed=True,
            )
            for band in range(BANDS)
        ]
        assert found.band_keys.dtype == np.int64 and found.band_keys.tolist() == keys


def test_index_finds_ids_copies_and_near_copies_preferring_the_earliest() -> None:
    rng = random.Random(3)
    index = PublishedIndex()
    index.admit("a0", "a0.txt")
    assert index.first_seen("a0") == "a0.txt" and index.first_seen("a1") is None
    texts = [_text(rng, 200) for _ in range(30)]
    for number, text in enumerate(texts):
        assert index.near_duplicates(fingerprint(text)) == []
        index.publish(f"a{number}", number.to_bytes(32, "big"), fingerprint(text))
    assert index.exact_duplicate((5).to_bytes(32, "big")) == "a5"
    assert index.exact_duplicate((99).to_bytes(32, "big")) is None
    index.publish("copy-of-a5", b"x" * 32, fingerprint(texts[5]))
    found = index.near_duplicates(fingerprint(texts[5] + " slut"))
    assert found[0].record_id == "a5" and found[0].similarity >= NEAR_DUPLICATE_THRESHOLD
    assert index.near_duplicates(fingerprint(_text(rng, 200))) == []
    index.close()


def test_signatures_at_the_threshold_share_enough_whole_bands_to_be_candidates() -> None:
    # The fewest equal values a signature at the threshold has, spread to break as many
    # bands as they can: the bands left whole are the candidates' lower bound.
    equal = next(k for k in range(NUM_PERM + 1) if k / NUM_PERM >= NEAR_DUPLICATE_THRESHOLD)
    assert equal == dedup.MIN_EQUAL_VALUES
    broken = min(BANDS, NUM_PERM - equal)
    assert BANDS - broken == MIN_SHARED_BANDS
    rng = np.random.default_rng(3)
    a = rng.integers(0, 2**32, NUM_PERM, dtype=np.uint32)
    b = a.copy()
    b[[band * ROWS for band in range(broken)]] += np.uint32(1)  # one value in each broken band
    assert (a == b).mean() >= NEAR_DUPLICATE_THRESHOLD
    shared = int((dedup.band_keys(a) == dedup.band_keys(b)).sum())
    assert shared == MIN_SHARED_BANDS


def test_signature_index_counts_shared_keys_as_a_full_scan_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Keys from a small pool, so articles share many; enough articles for several sorted
    # runs and merges, and a partly filled buffer at each lookup.
    # Small sizes, for several runs, merged and capped, and several blocks of signatures.
    monkeypatch.setattr(SignatureIndex, "BUFFER", 1024)
    monkeypatch.setattr(SignatureIndex, "RUN_LIMIT", 8192)
    monkeypatch.setattr(SignatureIndex, "BLOCK", 256)
    rng = np.random.default_rng(5)
    index = SignatureIndex()
    published: list[np.ndarray] = []
    signatures: list[np.ndarray] = []
    buffered = set()
    for n in range(1500):
        keys = rng.choice(400, size=BANDS, replace=False).astype(np.int64) * 7919
        if n % 97 == 0:
            for at_least in (1, 3, MIN_SHARED_BANDS, 6):
                expected = [
                    m
                    for m, old in enumerate(published)
                    if len(np.intersect1d(old, keys)) >= at_least
                ]
                assert index.sharing(keys, at_least).tolist() == expected
            buffered.add(index._buffered > 0)
        # Values that often agree in their low byte only, or in full.
        signature = rng.integers(0, 4, NUM_PERM, dtype=np.uint32) * np.uint32(256) + np.uint32(
            n % 2
        )
        assert index.add(dedup.Fingerprint(signature, keys)) == n
        published.append(keys)
        signatures.append(signature)
    # A lookup meeting few postings among many articles (counted by sorting them).
    rare = np.arange(10**6, 10**6 + BANDS, dtype=np.int64)
    index.add(dedup.Fingerprint(signatures[0], rare))
    assert index.sharing(rare[:5], 5).tolist() == [1500]
    assert buffered == {False, True}  # lookups with postings only in runs, and in both
    assert len(index._runs) > 2 and max(len(keys) for keys, _ in index._runs) <= 8192
    # The low bytes are kept past the first block, each for its number, and they agree
    # where the values do, and more.
    numbers = np.array([0, 255, 256, 1023, 1024, 1499])
    low = [int(((signatures[n] % 256) == (signatures[7] % 256)).sum()) for n in numbers]
    assert index.equal_low_bytes(numbers, signatures[7]).tolist() == low
    equal = [int((signatures[n] == signatures[7]).sum()) for n in numbers]
    assert all(a >= b for a, b in zip(low, equal, strict=True)) and low != equal


def test_index_finds_every_near_copy_most_similar_first_and_links_stories() -> None:
    rng = random.Random(11)
    index = PublishedIndex()
    story, other = _text(rng, 200), _text(rng, 200)
    texts = {
        "a": story,
        "b": story + " " + _text(rng, 20),  # a copy with a sentence more
        "c": other,
        "d": other.replace(other[:30], _text(rng, 4)),
        "e": _text(rng, 200),
    }
    numbers = {}
    for record_id, text in texts.items():
        near = index.near_duplicates(fingerprint(text))
        numbers[record_id] = index.publish(
            record_id, record_id.encode() * 32, fingerprint(text), source(record_id, None), 2
        )
        index.link(numbers[record_id], [match.n for match in near])
    found = index.near_duplicates(fingerprint(story))
    assert [match.record_id for match in found] == ["a", "b"]
    assert found[0].similarity == 1.0 > found[1].similarity >= NEAR_DUPLICATE_THRESHOLD
    assert found[1].source == source("b", None)
    assert list(index.stories()) == [[("a", 2), ("b", 2)], [("c", 2), ("d", 2)]]
    # A copy of both stories joins them into one.
    bridge = index.publish("f", b"f" * 32, fingerprint(story))
    index.link(bridge, [numbers["b"], numbers["d"]])
    assert [[i for i, _ in members] for members in index.stories()] == [["a", "b", "c", "d", "f"]]
    index.close()


def test_same_outlet_compares_names_then_hosts_and_assumes_one_outlet_otherwise() -> None:
    wire = source("Mekong  Wire", "https://www.wire.example.org/a")
    assert same_outlet(wire, source("mekong wire", "https://other.example.com/b"))
    assert not same_outlet(wire, source("Harbour Daily", "https://wire.example.org/b"))
    assert same_outlet(source(None, "https://wire.example.org/x"), wire)  # hosts decide
    assert not same_outlet(source(None, "https://daily.example.com/x"), wire)
    assert same_outlet(source(None, None), wire)  # nothing to tell them apart
    assert same_outlet(source("Wire", None), source(None, "https://daily.example.com/"))
