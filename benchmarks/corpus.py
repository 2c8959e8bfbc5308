"""Deterministic synthetic corpora for benchmarks, recombined from the seed pages.

Each generated article keeps a real layout (a Vietnam News Agency Chinese page with its
related list, a Vietnam.vn Swedish page, or plain text) and is made of real seed
paragraphs in a new order, with its years, months and days shifted, so that every
annotator sees realistic text while no two articles are the same.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from dataset_builder.ingest.layouts.detect import parse_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-3]\d)(?!\d)")
LAST_YEAR = 2025  # of publication dates in the corpus


@dataclass
class SeedPool:
    zh_paragraphs: list[str]
    zh_titles: list[str]
    zh_captions: list[str]
    zh_teasers: list[dict[str, str | None]]
    sv_paragraphs: list[str]
    sv_titles: list[str]
    sv_captions: list[str]


def seed_pool(seeds: Path = SEEDS) -> SeedPool:
    pool = SeedPool([], [], [], [], [], [], [])
    for path in sorted(seeds.glob("*.txt")):
        record = parse_text(path.read_text(encoding="utf-8"))
        paragraphs = [record["lead"], *record["body"].split("\n\n")]
        paragraphs = [p for p in paragraphs if p and len(p) > 20]
        if record["layout"] == "vna":
            pool.zh_paragraphs += paragraphs
            pool.zh_titles.append(record["title"])
            pool.zh_captions += record["captions"]
            pool.zh_teasers += record["related"]
        else:
            pool.sv_paragraphs += paragraphs
            pool.sv_titles.append(record["title"])
            pool.sv_captions += record["captions"]
    return pool


def _shift_years(text: str, rng: random.Random) -> str:
    delta = rng.randint(-15, 3)
    return YEAR.sub(lambda m: str(int(m.group(1)) + delta), text)


def _vna_page(pool: SeedPool, rng: random.Random) -> str:
    title = rng.choice(pool.zh_titles) + f"({rng.randint(1, 999)})"
    paragraphs = [
        _shift_years(p, rng) for p in rng.sample(pool.zh_paragraphs, k=rng.randint(6, 12))
    ]
    caption = rng.choice(pool.zh_captions)
    lines = [title, "", paragraphs[0], "", caption, caption, "", "越通社河内——" + paragraphs[1]]
    for paragraph in paragraphs[2:]:
        lines += ["", paragraph]
    lines[-1] += "(完)"
    lines += ["", "越通社", "", "更多", ""]
    for teaser in rng.sample(pool.zh_teasers, k=rng.randint(3, 8)):
        if teaser["caption"]:
            lines += [teaser["caption"], ""]
        lines += [str(teaser["headline"]), "", _shift_years(teaser["summary"] or "", rng), ""]
    return "\n".join(lines)


def _vietnamvn_page(pool: SeedPool, rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2015, 2026)
    # A date after the day of the run is rejected as future-dated: capping the year keeps
    # the corpus and its rejects the same whatever the day (and the draws, for the rest).
    year = min(year, LAST_YEAR)
    paragraphs = [
        _shift_years(p, rng) for p in rng.sample(pool.sv_paragraphs, k=rng.randint(6, 12))
    ]
    lines = [
        "Vietnam.vn - Nền tảng quảng bá Việt Nam",
        "",
        rng.choice(pool.sv_titles),
        "",
        paragraphs[0],
        "",
        f"Báo Tin TứcBáo Tin Tức{day:02d}/{month:02d}/{year}",
    ]
    for n, paragraph in enumerate(paragraphs[1:]):
        lines += ["", paragraph]
        if n == 2:
            lines += ["", "Bildtext", rng.choice(pool.sv_captions)]
    lines += [
        "",
        f"Källa: https://baotintuc.vn/thoi-su/a-{rng.randint(10**9, 10**10)}.htm",
        "",
        "Kommentar (0)",
        "",
        "I samma ämne",
    ]
    return "\n".join(lines)


def _plain_text(pool: SeedPool, rng: random.Random) -> str:
    if rng.random() < 0.5:
        paragraphs = rng.sample(pool.zh_paragraphs, k=rng.randint(4, 8))
        title = rng.choice(pool.zh_titles)
    else:
        paragraphs = rng.sample(pool.sv_paragraphs, k=rng.randint(4, 8))
        title = rng.choice(pool.sv_titles)
    return title + "\n\n" + "\n\n".join(_shift_years(p, rng) for p in paragraphs) + "\n"


def write_corpus(folder: Path, count: int, seed: int = 0) -> Path:
    """Write `count` raw articles into `folder` (deterministic for a given seed)."""
    pool = seed_pool()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    makers = (_vna_page, _vna_page, _vietnamvn_page, _plain_text)
    for n in range(count):
        text = rng.choice(makers)(pool, rng)
        (folder / f"bench-{n:06d}.txt").write_text(text, encoding="utf-8")
    return folder
