"""Exact and near-duplicate articles.

Exact duplicates share `content_sha256`. Near-duplicates are found with MinHash over
character 5-grams: the 5-grams are hashed with a rolling hash in NumPy and only those
whose hash is divisible by 4 are kept -- a content-defined sample, the same for every
document, so the Jaccard estimate stays unbiased while MinHash sees a quarter of the
grams. Signatures are banded (locality-sensitive hashing) to find candidates, and a
candidate counts as a near-duplicate when its estimated Jaccard similarity reaches
`NEAR_DUPLICATE_THRESHOLD`.

Near copies are not always duplicates. The same wire story published by two outlets is two
records of one *story*: both are published, linked by `story_id` and `story_copies`
(see `build/stories.py`). A near copy is a duplicate when it comes from the outlet of the
published article it copies (`same_outlet`), or when the build drops every near copy
(`--drop-near-duplicates`).

The MinHash is datasketch's "affine32" scheme (datasketch >= 2.0), written out in NumPy
over the whole array of sampled hashes: each hash is mixed with the MurmurHash3
finalizer, then permuted by h -> a*h + b mod 2**32 with odd a; the parameters are drawn
as datasketch draws them (NumPy RandomState, seed 1), so the signatures are the same.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from functools import cache
from typing import NamedTuple
from urllib.parse import urlsplit

import numpy as np

from dataset_builder.build.spool import temporary_database

SHINGLE = 5
NUM_PERM = 64
SEED = 1
BANDS, ROWS = 16, 4  # 16 bands of 4 rows: pairs at Jaccard 0.8 collide with p > 0.999
NEAR_DUPLICATE_THRESHOLD = 0.8
# Signatures at the threshold have at least this many equal values (52 of 64), so they
# differ in at most 12 and keep at least 4 of the 16 bands whole: a published article
# sharing fewer band keys with a new one cannot be near it.
MIN_EQUAL_VALUES = math.ceil(NUM_PERM * NEAR_DUPLICATE_THRESHOLD)
MIN_SHARED_BANDS = BANDS - (NUM_PERM - MIN_EQUAL_VALUES)
_SAMPLE_MASK = np.uint32(3)
_BASE = np.uint32(1_000_003)


def shingle_hashes(text: str) -> np.ndarray:
    """Sampled hashes (uint32) of the character 5-grams of `text` (whitespace collapsed),
    each once, in increasing order."""
    return np.unique(_sampled_hashes(text))


def _sampled_hashes(text: str) -> np.ndarray:
    """The sampled hashes of the 5-grams of `text`, repeated as often as their 5-gram
    occurs (the smallest hash of all when none is sampled): repeats leave a minimum as it
    is, so MinHash takes them as they come instead of sorting them away.

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
    sampled: np.ndarray = hashes[(hashes & _SAMPLE_MASK) == 0]
    return sampled if len(sampled) else hashes[[hashes.argmin()]]


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


# Hashes permuted at a time: a block of _BLOCK x NUM_PERM uint32 stays in the CPU cache,
# where the whole matrix of a long article would not.
_BLOCK = 256


def signature(text: str) -> np.ndarray:
    """MinHash signature (uint32, NUM_PERM values) of the text."""
    a, b = _permutations()
    hashes = _murmur_finalizer(_sampled_hashes(text)).reshape(-1, 1)
    values = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    block = np.empty((min(len(hashes), _BLOCK), NUM_PERM), dtype=np.uint32)
    for start in range(0, len(hashes), _BLOCK):
        permuted = block[: min(len(hashes) - start, _BLOCK)]
        # Multiplication and addition wrap around in uint32: that is the mod 2**32.
        np.multiply(hashes[start : start + _BLOCK], a, out=permuted)
        permuted += b
        np.minimum(values, permuted.min(axis=0), out=values)
    return values


def band_keys(sig: np.ndarray) -> np.ndarray:
    """One key per band of the signature.

    A fixed hash (not Python's per-process one), so the index, and which article a rare
    key collision hides, is the same in every run.
    """
    raw = sig.tobytes()
    step = ROWS * sig.itemsize
    digests = b"".join(
        hashlib.blake2b(bytes([b]) + raw[b * step : (b + 1) * step], digest_size=8).digest()
        for b in range(BANDS)
    )
    # Each digest read as a little-endian signed 64-bit integer.
    return np.frombuffer(digests, dtype="<i8").astype(np.int64)


def fingerprint(text: str) -> Fingerprint:
    sig = signature(text)
    return Fingerprint(sig, band_keys(sig))


class Source(NamedTuple):
    """Who published an article, as far as its record says: for telling a syndicated copy
    (another outlet) from a repost (the same outlet)."""

    outlet: str | None  # the `outlet`, case-folded, whitespace collapsed
    host: str | None  # the host of the `url`, lower case, without a leading "www."


def source(outlet: str | None, url: str | None) -> Source:
    name = " ".join(outlet.split()).casefold() if outlet else ""
    host = ""
    if url:
        try:
            host = (urlsplit(url).hostname or "").removeprefix("www.")
        except ValueError:  # the schema admits only http(s) URLs; never fail on one
            host = ""
    return Source(name or None, host or None)


def same_outlet(a: Source, b: Source) -> bool:
    """Whether two near copies come from one outlet (then the later one is a duplicate).

    The outlets' names decide when both records name one; otherwise the hosts of their
    URLs, when both give one. When neither can be compared, nothing shows that the copies
    were published by different outlets: they count as one outlet's, and the later copy is
    dropped, as every near copy was before stories were kept.
    """
    if a.outlet is not None and b.outlet is not None:
        return a.outlet == b.outlet
    if a.host is not None and b.host is not None:
        return a.host == b.host
    return True


UNKNOWN_SOURCE = Source(None, None)


class Match(NamedTuple):
    """A published article near a new one."""

    n: int  # its position among published articles
    record_id: str
    similarity: float
    source: Source


class SignatureIndex:
    """The articles under each band key, and the low byte of every signature value, in
    memory.

    In a corpus of articles made of a shared stock of paragraphs, a new article shares a
    band with a fixed share of those before it, and enough bands to be compared
    (`MIN_SHARED_BANDS`) with a smaller one: the candidates grow with the build, and each
    must cost next to nothing (looked up in SQLite, they made each article cost more the
    larger the build). Here a lookup is a few binary searches in sorted NumPy arrays,
    and the candidates' signatures are first compared by the low byte of each value:
    values that differ there differ, so the bytes bound the equal values from above, and
    only the few candidates within that bound have their signatures read (from SQLite, by
    `PublishedIndex`). Memory: 192 bytes per published article (16 postings of 8, 64
    bytes of signature), grown in steps that never copy more than one run.

    A posting keeps 32 bits of its band key: two keys that agree there only make an
    article a candidate more often, and it is compared all the same.

    New postings go to a dictionary; when it holds `BUFFER` of them they are sorted by key
    and merged into the last run, until it holds `RUN_LIMIT`, so a lookup searches one run
    per 65,000 articles, and the dictionary.
    """

    BUFFER = 16_384  # postings (1,024 articles)
    RUN_LIMIT = 1 << 20  # postings (8 MiB): a full run is left as it is
    BLOCK = 1 << 16  # articles' low bytes per block (4 MiB, taken up as rows are written)

    def __init__(self) -> None:
        self._buffer: dict[int, list[int]] = {}  # key -> numbers, the latest postings
        self._buffered = 0
        # Earlier postings, oldest first: (keys in order, the article of each).
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._blocks: list[np.ndarray] = []  # article n is row n % BLOCK of block n // BLOCK
        self._count = 0

    def add(self, fingerprint: Fingerprint) -> int:
        """File a published article's fingerprint; its number."""
        n = self._count
        if n % self.BLOCK == 0:
            self._blocks.append(np.empty((self.BLOCK, NUM_PERM), dtype=np.uint8))
        self._blocks[-1][n % self.BLOCK] = _low_bytes(fingerprint.signature)
        self._count += 1
        for key in _short_keys(fingerprint.band_keys).tolist():
            self._buffer.setdefault(key, []).append(n)
        self._buffered += len(fingerprint.band_keys)
        if self._buffered >= self.BUFFER:
            self._sort_buffer()
        return n

    def _sort_buffer(self) -> None:
        keys = np.array(
            [key for key, numbers in self._buffer.items() for _ in numbers], dtype=np.uint32
        )
        numbers = np.array(
            [n for entries in self._buffer.values() for n in entries], dtype=np.int32
        )
        order = np.argsort(keys, kind="stable")  # a key's articles stay in their order
        run = (keys[order], numbers[order])
        self._buffer, self._buffered = {}, 0
        if self._runs and len(self._runs[-1][0]) + len(run[0]) <= self.RUN_LIMIT:
            older = self._runs.pop()
            # The newer run's articles go after the older's under the same key.
            at = np.searchsorted(older[0], run[0], side="right")
            run = (np.insert(older[0], at, run[0]), np.insert(older[1], at, run[1]))
        self._runs.append(run)

    def sharing(self, keys: np.ndarray, at_least: int) -> np.ndarray:
        """The numbers (in increasing order) of the articles under at least `at_least` of
        `keys` (distinct band keys)."""
        short = _short_keys(keys)
        found = [
            np.array([n for key in short.tolist() for n in self._buffer.get(key, ())], np.int32)
        ]
        for run_keys, run_numbers in self._runs:
            starts = np.searchsorted(run_keys, short, side="left")
            lengths = np.searchsorted(run_keys, short, side="right") - starts
            total = int(lengths.sum())
            if total:
                # The positions of every posting in the ranges [start, start + length).
                first = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
                found.append(run_numbers[first + np.arange(total)])
        every = np.concatenate(found)
        if len(every) * _COUNTING_TABLE_SHARE >= self._count:
            # Many postings (articles that share paragraphs): counted in a table as long
            # as the build, cheaper than sorting them.
            chosen: np.ndarray = np.flatnonzero(np.bincount(every) >= at_least)
        else:  # few: sorted, which does not grow with the build
            numbers, counts = np.unique(every, return_counts=True)
            chosen = numbers[counts >= at_least]
        return chosen

    def equal_low_bytes(self, numbers: np.ndarray, signature: np.ndarray) -> np.ndarray:
        """For each of the articles `numbers` (in increasing order), how many values of
        its signature agree with `signature` in their low byte: at least as many as are
        equal."""
        equal = np.empty(len(numbers), dtype=np.intp)
        if not len(numbers):
            return equal
        low = _low_bytes(signature)
        blocks = numbers // self.BLOCK
        # Where each block's numbers start in `numbers`, and end.
        edges = np.flatnonzero(np.diff(blocks)) + 1
        for start, end in zip([0, *edges.tolist()], [*edges.tolist(), len(numbers)], strict=True):
            rows = self._blocks[int(blocks[start])][numbers[start:end] % self.BLOCK]
            equal[start:end] = np.count_nonzero(rows == low, axis=1)
        return equal


# Postings are counted in a table (`np.bincount`) when there are at least one for every
# this many published articles, and sorted otherwise.
_COUNTING_TABLE_SHARE = 16


def _low_bytes(signature: np.ndarray) -> np.ndarray:
    return signature.astype(np.uint8)  # the value modulo 256


def _short_keys(keys: np.ndarray) -> np.ndarray:
    """The low 32 bits of band keys (see `SignatureIndex`)."""
    return keys.astype(np.uint32)


class PublishedIndex:
    """What a build has admitted and published, for duplicate detection.

    Ids (with where each was first seen), content hashes, MinHash signatures and the
    links between copies of a story go into a private temporary SQLite database, deleted
    when the index is closed; the band keys and the signatures' low bytes, which find the
    few articles whose signatures are read, are in memory (`SignatureIndex`). Every
    lookup is exact.
    """

    # Pages beyond this come from the operating system's file cache: at 100,000 articles a
    # 16 MiB cache made lookups 13% cheaper (108 vs 124 us per article) for 14 MiB more.
    CACHE_KIB = 4 * 1024

    def __init__(self) -> None:
        self._db = temporary_database(self.CACHE_KIB)
        # members: the articles linked to another, each with the label of its story; a
        # label is any member's number, and stories that meet take one of their labels.
        self._db.executescript(
            """
            CREATE TABLE ids (id TEXT PRIMARY KEY, location TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE contents (digest BLOB PRIMARY KEY, id TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE articles (
                n INTEGER PRIMARY KEY, id TEXT NOT NULL, signature BLOB NOT NULL,
                outlet TEXT, host TEXT, teasers INTEGER NOT NULL
            );
            CREATE TABLE members (n INTEGER PRIMARY KEY, story INTEGER NOT NULL);
            CREATE INDEX members_by_story ON members (story, n);
            """
        )
        # Every article under each of its band keys, so that a new article meets every
        # published copy it is near (the copies of a story share keys).
        self._signatures: SignatureIndex | None = SignatureIndex()

    def close(self) -> None:
        self._db.close()

    def drop_signatures(self) -> None:
        """Free what lookups keep in memory, once no article is left to look up: what
        follows (the stories) is on disk, and the end of a build takes memory of its own."""
        self._signatures = None

    def first_seen(self, record_id: str) -> str | None:
        """Where an id was admitted before, if it was."""
        row = self._db.execute("SELECT location FROM ids WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else str(row[0])

    def admit(self, record_id: str, location: str) -> None:
        self._db.execute("INSERT INTO ids VALUES (?, ?)", (record_id, location))

    def exact_duplicate(self, digest: bytes) -> str | None:
        """The published article with this content hash, if any."""
        row = self._db.execute("SELECT id FROM contents WHERE digest = ?", (digest,)).fetchone()
        return None if row is None else str(row[0])

    def near_duplicates(self, fingerprint: Fingerprint) -> list[Match]:
        """Every published article at or above the threshold, the most similar first
        (ties: the earliest published first)."""
        assert self._signatures is not None, "near_duplicates after drop_signatures"
        candidates = self._signatures.sharing(fingerprint.band_keys, MIN_SHARED_BANDS)
        if not len(candidates):
            return []
        # All candidates at once, by the low bytes; the few within the bound in full.
        bound = self._signatures.equal_low_bytes(candidates, fingerprint.signature)
        within = candidates[bound >= MIN_EQUAL_VALUES].tolist()
        if not within:
            return []
        marks = ",".join("?" * len(within))
        rows = self._db.execute(
            f"SELECT n, id, signature, outlet, host FROM articles WHERE n IN ({marks})", within
        ).fetchall()
        kept = np.frombuffer(b"".join(row[2] for row in rows), dtype=np.uint32)
        equal = np.count_nonzero(kept.reshape(len(rows), NUM_PERM) == fingerprint.signature, axis=1)
        near = [
            # The share of equal values, exactly as NumPy's mean of the comparison gives it.
            Match(int(n), str(record_id), count / NUM_PERM, Source(outlet, host))
            for (n, record_id, _, outlet, host), count in zip(rows, equal.tolist(), strict=True)
            if count >= MIN_EQUAL_VALUES
        ]
        return sorted(near, key=lambda match: (-match.similarity, match.n))

    def publish(
        self,
        record_id: str,
        digest: bytes,
        fingerprint: Fingerprint,
        source: Source = UNKNOWN_SOURCE,
        teasers: int = 0,
    ) -> int:
        """File a published article (with its number of teasers); its position."""
        assert self._signatures is not None, "publish after drop_signatures"
        n = self._signatures.add(fingerprint)
        self._db.execute("INSERT INTO contents VALUES (?, ?)", (digest, record_id))
        self._db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?)",
            (
                n,
                record_id,
                fingerprint.signature.astype(np.uint32).tobytes(),
                source.outlet,
                source.host,
                teasers,
            ),
        )
        return n

    def link(self, n: int, copies: list[int]) -> None:
        """Published article `n` and the published `copies` are one story, and so is every
        article already linked to any of them."""
        if not copies:
            return
        everyone = [n, *copies]
        marks = ",".join("?" * len(everyone))
        labels = sorted(
            label
            for (label,) in self._db.execute(
                f"SELECT DISTINCT story FROM members WHERE n IN ({marks})", everyone
            )
        )
        label = labels[0] if labels else n
        if len(labels) > 1:
            others = labels[1:]
            self._db.execute(
                f"UPDATE members SET story = ? WHERE story IN ({','.join('?' * len(others))})",
                [label, *others],
            )
        self._db.executemany(
            "INSERT OR IGNORE INTO members VALUES (?, ?)", [(member, label) for member in everyone]
        )

    def stories(self) -> Iterator[list[tuple[str, int]]]:
        """The stories of more than one article: (id, number of teasers) of each member,
        in id order."""
        rows = self._db.execute(
            "SELECT members.story, articles.id, articles.teasers FROM members "
            "JOIN articles ON articles.n = members.n ORDER BY members.story, articles.id"
        )
        story: list[tuple[str, int]] = []
        label = None
        for current, record_id, teasers in rows:
            if current != label and story:
                yield story
                story = []
            label = current
            story.append((str(record_id), int(teasers)))
        if story:
            yield story
