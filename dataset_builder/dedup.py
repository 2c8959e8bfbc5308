"""Exact and near-duplicate articles.

Exact duplicates share `content_sha256`. Near-duplicates are found with MinHash over
character 5-grams: the 5-grams are hashed with a rolling hash in NumPy and only those
whose hash is divisible by 4 are kept -- a content-defined sample, the same for every
document, so the Jaccard estimate stays unbiased while MinHash sees a quarter of the
grams. Signatures are banded (locality-sensitive hashing) to find candidates, and a
candidate counts as a near-duplicate when its estimated Jaccard similarity reaches
`NEAR_DUPLICATE_THRESHOLD`.

The MinHash is datasketch's "affine32" scheme (datasketch >= 2.0), written out in NumPy
over the whole array of sampled hashes: each hash is mixed with the MurmurHash3
finalizer, then permuted by h -> a*h + b mod 2**32 with odd a; the parameters are drawn
as datasketch draws them (NumPy RandomState, seed 1), so the signatures are the same.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import NamedTuple

import numpy as np

SHINGLE = 5
NUM_PERM = 64
SEED = 1
BANDS, ROWS = 16, 4  # 16 bands of 4 rows: pairs at Jaccard 0.8 collide with p > 0.999
NEAR_DUPLICATE_THRESHOLD = 0.8
_SAMPLE_MASK = np.uint32(3)
_BASE = np.uint32(1_000_003)


def shingle_hashes(text: str) -> np.ndarray:
    """Sampled hashes (uint32) of the character 5-grams of `text` (whitespace collapsed).

    A polynomial rolling hash; uint32 arithmetic wraps around, which is the mod 2**32.
    """
    compact = " ".join(text.split())
    points = np.frombuffer(compact.encode("utf-32-le"), dtype=np.uint32)
    if len(points) < SHINGLE:
        points = np.pad(points, (0, SHINGLE - len(points)))
    count = len(points) - SHINGLE + 1
    hashes = points[:count].copy()
    for offset in range(1, SHINGLE):
        hashes *= _BASE
        hashes += points[offset : offset + count]
    sampled = np.unique(hashes[(hashes & _SAMPLE_MASK) == 0])
    return sampled if len(sampled) else np.unique(hashes)[:1]


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of each permutation h -> a*h + b mod 2**32 (a odd, so a bijection)."""
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _murmur_finalizer(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer: spreads structured hashes over the whole range."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = values ^ (values >> np.uint32(16))
    return mixed


class Fingerprint(NamedTuple):
    """What near-duplicate detection needs of an article, computed where it is annotated."""

    signature: np.ndarray  # MinHash values (uint32, NUM_PERM of them)
    band_keys: np.ndarray  # int64, one per band


def signature(text: str) -> np.ndarray:
    """MinHash signature (uint32, NUM_PERM values) of the text."""
    a, b = _permutations()
    hashes = _murmur_finalizer(shingle_hashes(text)).reshape(-1, 1)
    # Multiplication and addition wrap around in uint32: that is the mod 2**32.
    values: np.ndarray = (hashes * a + b).min(axis=0)
    return values


def band_keys(sig: np.ndarray) -> np.ndarray:
    """One key per band of the signature.

    A fixed hash (not Python's per-process one), so the index, and which article a rare
    key collision hides, is the same in every run.
    """
    return np.array(
        [
            int.from_bytes(
                hashlib.blake2b(
                    bytes([b]) + sig[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=8
                ).digest(),
                "little",
                signed=True,
            )
            for b in range(BANDS)
        ],
        dtype=np.int64,
    )


def fingerprint(text: str) -> Fingerprint:
    sig = signature(text)
    return Fingerprint(sig, band_keys(sig))


class NearDuplicateIndex:
    """Signatures of kept articles, banded for lookup, in flat arrays.

    Band keys live in a small dict of recent entries that is merged, from time to time,
    into a sorted NumPy array searched by bisection; signatures are stored in fixed-size
    blocks. With the signature, about 450 bytes per article, where a dict per band would
    take several times as much, and no array is ever copied to grow.
    """

    BLOCK = 4096  # signatures per block
    RECENT = 1 << 16  # band keys kept in the dict before a merge

    def __init__(self) -> None:
        self._recent: dict[int, int] = {}
        self._keys = np.empty(0, dtype=np.int64)
        self._values = np.empty(0, dtype=np.int32)
        self._blocks: list[np.ndarray] = []
        self._ids: list[str] = []

    def _signature(self, index: int) -> np.ndarray:
        row: np.ndarray = self._blocks[index // self.BLOCK][index % self.BLOCK]
        return row

    def _lookup(self, keys: np.ndarray) -> list[int | None]:
        """The kept article (its index) filed under each key, if any."""
        positions = np.searchsorted(self._keys, keys).tolist()
        size = len(self._keys)
        found: list[int | None] = []
        for key, position in zip(keys.tolist(), positions, strict=True):
            index = self._recent.get(key)
            if index is None and position < size and self._keys[position] == key:
                index = int(self._values[position])
            found.append(index)
        return found

    def find(self, fingerprint: Fingerprint) -> tuple[str, float] | None:
        """The most similar kept article at or above the threshold, if any."""
        candidates = sorted({i for i in self._lookup(fingerprint.band_keys) if i is not None})
        if not candidates:
            return None
        kept = np.stack([self._signature(i) for i in candidates])
        agreement = (kept == fingerprint.signature).mean(axis=1)
        best: tuple[str, float] | None = None
        for index, similarity in zip(candidates, agreement.tolist(), strict=True):
            if similarity >= NEAR_DUPLICATE_THRESHOLD and (best is None or similarity > best[1]):
                best = (self._ids[index], similarity)
        return best

    def add(self, record_id: str, fingerprint: Fingerprint) -> None:
        index = len(self._ids)
        if index % self.BLOCK == 0:
            self._blocks.append(np.zeros((self.BLOCK, NUM_PERM), dtype=np.uint32))
        self._blocks[-1][index % self.BLOCK] = fingerprint.signature
        self._ids.append(record_id)
        keys = fingerprint.band_keys
        for key, found in zip(keys.tolist(), self._lookup(keys), strict=True):
            if found is None:
                self._recent[key] = index
        if len(self._recent) >= self.RECENT:
            self._merge()

    def _merge(self) -> None:
        recent = np.fromiter(self._recent, dtype=np.int64, count=len(self._recent))
        values = np.fromiter(self._recent.values(), dtype=np.int32, count=len(self._recent))
        order = np.argsort(recent)
        keys = np.concatenate([self._keys, recent[order]])
        # Two sorted runs: a stable sort merges them in linear time.
        merged = np.argsort(keys, kind="stable")
        self._keys = keys[merged]
        self._values = np.concatenate([self._values, values[order]])[merged]
        self._recent = {}
