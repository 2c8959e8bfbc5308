"""Exact and near-duplicate articles.

Exact duplicates share `content_sha256`. Near-duplicates are found with MinHash
(datasketch) over character 5-grams: the 5-grams are hashed with a rolling hash in NumPy
and only those whose hash is divisible by 4 are kept -- a content-defined sample, the
same for every document, so the Jaccard estimate stays unbiased while MinHash sees a
quarter of the grams. Signatures are banded (locality-sensitive hashing) to find
candidates, and a candidate counts as a near-duplicate when its estimated Jaccard
similarity reaches `NEAR_DUPLICATE_THRESHOLD`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
from datasketch import MinHash

SHINGLE = 5
NUM_PERM = 64
SCHEME = "affine32"  # datasketch's 32-bit permutation scheme, named so it never changes under us
BANDS, ROWS = 16, 4  # 16 bands of 4 rows: pairs at Jaccard 0.8 collide with p > 0.999
NEAR_DUPLICATE_THRESHOLD = 0.8
_SAMPLE_MASK = np.uint64(3)
_HASH_MASK = np.uint64(0xFFFFFFFF)
_BASE = np.uint64(1_000_003)


def shingle_hashes(text: str) -> np.ndarray:
    """Sampled hashes of the character 5-grams of `text` (whitespace collapsed)."""
    compact = " ".join(text.split())
    points = np.frombuffer(compact.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(points) < SHINGLE:
        points = np.pad(points, (0, SHINGLE - len(points)))
    count = len(points) - SHINGLE + 1
    hashes = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE):
        hashes = (hashes * _BASE + points[offset : offset + count]) & _HASH_MASK
    hashes = np.unique(hashes)
    sampled = hashes[(hashes & _SAMPLE_MASK) == 0]
    return sampled if len(sampled) else hashes[:1]


@cache
def _permutations() -> Any:
    # The permutations depend only on the seed; drawing them for every document costs
    # as much as hashing the document.
    return MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations


def signature(text: str) -> np.ndarray:
    """MinHash signature (uint32, NUM_PERM values) of the text."""
    minhash = MinHash(num_perm=NUM_PERM, hashfunc=int, permutations=_permutations(), scheme=SCHEME)
    minhash.update_batch(shingle_hashes(text).tolist())
    values: np.ndarray = minhash.hashvalues.astype(np.uint32)
    return values


class NearDuplicateIndex:
    """Signatures of kept articles, banded for lookup; a few hundred bytes per article."""

    def __init__(self) -> None:
        # Band keys are Python hashes: only compared within this process, and every
        # candidate is confirmed on the full signature, so a collision cannot change results.
        self._bands: list[dict[int, int]] = [{} for _ in range(BANDS)]
        self._signatures = np.zeros((1024, NUM_PERM), dtype=np.uint32)
        self._ids: list[str] = []

    def _band_keys(self, sig: np.ndarray) -> list[int]:
        return [hash(sig[b * ROWS : (b + 1) * ROWS].tobytes()) for b in range(BANDS)]

    def find(self, sig: np.ndarray) -> tuple[str, float] | None:
        """The most similar kept article at or above the threshold, if any."""
        best: tuple[str, float] | None = None
        for band, key in zip(self._bands, self._band_keys(sig), strict=True):
            index = band.get(key)
            if index is None:
                continue
            similarity = float(np.mean(self._signatures[index] == sig))
            if similarity >= NEAR_DUPLICATE_THRESHOLD and (best is None or similarity > best[1]):
                best = (self._ids[index], similarity)
        return best

    def add(self, record_id: str, sig: np.ndarray) -> None:
        index = len(self._ids)
        if index == len(self._signatures):
            self._signatures = np.concatenate([self._signatures, np.zeros_like(self._signatures)])
        self._signatures[index] = sig
        self._ids.append(record_id)
        for band, key in zip(self._bands, self._band_keys(sig), strict=True):
            band.setdefault(key, index)
