"""`dataset-builder init DIR`: a new corpus folder, ready for articles.

It writes `DIR/dataset.toml` (the dataset's identity, with a comment on every key),
`DIR/articles/` and `DIR/splits/` (empty) and `DIR/README.md` (how to add articles, build,
load and cite). It writes only into a new or empty folder and never replaces a file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from dataset_builder.identity import (
    DEFAULT_ARTICLES,
    DEFAULT_RELEASE,
    DEFAULT_SPLITS,
    IDENTITY_FILE,
    load_identity,
)

README = "README.md"


class ScaffoldError(Exception):
    """The folder cannot be made into a corpus: the message says why; nothing was written."""


def dataset_name(folder: Path) -> str:
    """A dataset name from a folder name: lower case, other characters as hyphens."""
    name = re.sub(r"[^a-z0-9._-]+", "-", folder.resolve().name.lower()).strip("-._")
    return name or "my-news-corpus"


def pretty_name(name: str) -> str:
    words = re.sub(r"[-_.]+", " ", name).strip()
    return words[:1].upper() + words[1:]


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def identity_text(name: str, pretty: str) -> str:
    return f"""\
# The identity of this dataset: what its card (README.md of the release), CITATION.cff,
# Croissant metadata (croissant.json) and every record's `citation` say it is.
# Edit the values; keep the keys you do not need commented out (a line starting with #).
# `dataset-builder build` checks this file and names any key it cannot use.

# A short name: lower-case letters, digits, '.', '_' and '-'. It names the release's files.
name = {_toml_string(name)}
# The title, as people will cite it.
pretty_name = {_toml_string(pretty)}
# The version of the dataset (MAJOR.MINOR.PATCH). Raise it with every release you hand
# out: PATCH for corrections, MINOR for added articles, MAJOR for changed fields.
version = "0.1.0"
# One or two sentences on what the dataset is; $pretty_name stands for the title.
description = \"\"\"
$pretty_name is a collection of news articles gathered for a class. Describe here what
the articles are about and why they were chosen.
\"\"\"
# The licence of what the dataset adds (annotations, metadata, documentation): an SPDX
# identifier such as "CC-BY-4.0", or "other" with license_name and license_details, or
# "unknown". The article texts belong to their publishers: the card always says so.
license = "unknown"
# license_name = "my-licence"
# license_details = "What the licence allows."
# The date of this version's release (without quotes); leave it out until you release.
# released = 2026-01-31
# url = "https://example.org/my-dataset"
# repository = "https://example.org/my-dataset.git"
# contact = "teacher@example.org"
# Words to find the dataset by (CITATION.cff, Croissant, the card's tags).
# keywords = ["news", "my topic"]

# The folders of this corpus, relative to this file.
articles = "{DEFAULT_ARTICLES}"
splits = "{DEFAULT_SPLITS}"

# One [[authors]] table per author, in the order of the citation.
# [[authors]]
# name = "Ada Lovelace"
# given_names = "Ada"
# family_names = "Lovelace"
# affiliation = "Example School"
# orcid = "0000-0002-1825-0097"
#
# A class or group as one author:
# [[authors]]
# name = "Class 10B, Example School"
# organization = true

# What only this corpus can say about itself, in place of the general statements of the
# card. Uncomment what you can say.
[card]
# collection = "How and where the articles were found and chosen."
# personal_information = "Whether the texts name private individuals, and what was done."
# uses = ["Intended: ...", "Out of scope: ..."]
#
# A limitation of your own (one table each):
# [[card.limitations]]
# title = "Chosen by students"
# text = "The articles were chosen by students for a class project, not sampled."
#
# Facts about an outlet, by its name as the articles' sidecars give it:
# [card.outlets."Example Daily"]
# description = "a regional daily newspaper"
# country = "Vietnam"
# state = false
"""


def readme_text(folder: str, pretty: str) -> str:
    return f"""\
# {pretty}

A news corpus built with `dataset-builder`. Its identity (name, version, authors,
licence) is in `{IDENTITY_FILE}`: edit it before you hand the dataset out.

## Add articles

Put each article in `{DEFAULT_ARTICLES}/`, one file per article, named by its id:

- `<id>.txt`: plain text, the title on the first non-empty line and the body after it;
- `<id>.html` or `<id>.htm`: a web page saved from the browser (title, date, text and
  address are read from it; menus and comments are left out);
- `<name>.jsonl`: many articles, one JSON object per line with `id`, `title`, `body`
  and optionally `lead`, `outlet`, `url`, `published_date`, `rights`.

What the page does not say goes in a sidecar `<id>.meta.json` beside it, for example:

```json
{{"outlet": "Example Daily", "url": "https://example.org/news/1",
 "published_date": "2026-01-31", "rights": "© Example Daily"}}
```

Files in UTF-8 are best. A file that cannot be read is named in the build's report with
the reason; nothing is published until every article is accepted (or `--allow-rejects`).

## Build

In this folder:

```bash
dataset-builder build
```

(or, from elsewhere, `dataset-builder build --input {folder}`). The release is written to
`{DEFAULT_RELEASE}/`: Parquet files, the card (`{DEFAULT_RELEASE}/README.md`),
`CITATION.cff`, `croissant.json`, the build report and a manifest. Each article keeps its
split (train, validation or test) for ever: the assignment is recorded in
`{DEFAULT_SPLITS}/`. Check inputs without writing anything with `dataset-builder validate`.

## Load

```python
from datasets import load_dataset

articles = load_dataset("{DEFAULT_RELEASE}")  # train / validation / test
print(articles["train"][0]["title"])
```

or with Polars: `pl.read_parquet("{DEFAULT_RELEASE}/data/default/*.parquet")`.

## Cite

```bash
dataset-builder cite                  # APA and BibTeX of this version
dataset-builder cite --format cff     # CITATION.cff
```

Each record's `citation` field cites its source article.
"""


def init_corpus(folder: Path) -> list[Path]:
    """Make `folder` a corpus folder; the paths written. Raises ScaffoldError.

    The folder must be new or empty: what is in it is not the builder's to replace.
    """
    if folder.exists() or folder.is_symlink():
        if not folder.is_dir():
            raise ScaffoldError(f"{folder}: exists and is not a folder; nothing written")
        if any(folder.iterdir()):
            raise ScaffoldError(
                f"{folder}: folder is not empty; init writes only into a new or empty "
                "folder, so nothing was written"
            )
    name = dataset_name(folder)
    pretty = pretty_name(name)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sub in (DEFAULT_ARTICLES, DEFAULT_SPLITS):
        (folder / sub).mkdir()
        written.append(folder / sub)
    texts = {
        IDENTITY_FILE: identity_text(name, pretty),
        README: readme_text(os.fspath(folder), pretty),
    }
    for file_name, text in texts.items():
        path = folder / file_name
        # "x": never over a file that appeared meanwhile.
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
        written.append(path)
    load_identity(folder / IDENTITY_FILE)  # what init writes, the builder must accept
    return written
