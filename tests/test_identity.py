"""A dataset's identity (dataset.toml): read, checked, and found for a build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dataset_builder.cli import main
from dataset_builder.identity import (
    IDENTITY_FILE,
    SEED_IDENTITY,
    IdentityError,
    changelog_date,
    corpus,
    load_identity,
    orcid_checksum_ok,
    resolve_identity,
    seed_identity,
)
from dataset_builder.release.statements import lookup, merged_statements, speaking_for
from tests.conftest import ROOT, SEEDS

MINIMAL = (
    'name = "class-news"\npretty_name = "Class News"\nversion = "0.1.0"\nlicense = "CC-BY-4.0"\n'
)


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / IDENTITY_FILE
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_identity_is_the_checkouts_and_dates_from_the_changelog() -> None:
    seed = load_identity(ROOT / IDENTITY_FILE)
    assert seed.name == "vietnam-japan-news" and seed.pretty_name == "Vietnam–Japan Relations News"
    assert seed.released == changelog_date(ROOT / "CHANGELOG.md", seed.version)
    assert seed.released is not None
    # The package carries the same file (a link in a checkout, a copy in a wheel).
    assert SEED_IDENTITY.read_bytes() == (ROOT / IDENTITY_FILE).read_bytes()
    assert seed_identity().version == seed.version


def test_minimal_identity_loads(tmp_path: Path) -> None:
    identity = load_identity(_write(tmp_path, MINIMAL))
    assert (identity.name, identity.version, identity.license) == (
        "class-news",
        "0.1.0",
        "CC-BY-4.0",
    )
    assert identity.authors == () and identity.released is None and identity.spdx


@pytest.mark.parametrize(
    ("extra", "key", "rule"),
    [
        ('colour = "blue"\n', "colour", "unknown key"),
        ('version = "1.0"\n', "version", "semantic version"),
        ('license = "CC BY 4.0!"\n', "license", "SPDX"),
        ('license = "other"\n', "license_name", "missing"),
        ('url = "example.org"\n', "url", "http"),
        ('released = "2026-01-01"\n', "released", "a date"),
        ('description = "costs $5"\n', "description", "$$"),
        (
            '[[authors]]\nname = "A"\norcid = "0000-0002-1825-0098"\n',
            "authors[0].orcid",
            "check digit",
        ),
        ('[[authors]]\naffiliation = "School"\n', "authors[0].name", "missing"),
        ('[[authors]]\nname = "A"\nrole = "x"\n', "authors[0].role", "unknown key"),
        ('[card]\nsummary = "x"\n', "card.summary", "unknown key"),
        (
            '[[card.limitations]]\ntitle = "T"\ntext = "$nothing"\n',
            "card.limitations[0].text",
            "$articles",
        ),
        ('[[card.limitations]]\ntitle = "T"\n', "card.limitations[0].text", "missing"),
        ('[card.outlets.X]\nstate = "yes"\n', "card.outlets.X.state", "bool"),
    ],
)
def test_a_bad_key_is_named_with_its_rule(tmp_path: Path, extra: str, key: str, rule: str) -> None:
    lines = [
        line for line in MINIMAL.splitlines() if not line.startswith(extra.split(" ")[0] + " ")
    ]
    source = _write(tmp_path, "\n".join(lines) + "\n" + extra)
    with pytest.raises(IdentityError) as raised:
        load_identity(source)
    message = str(raised.value)
    assert message.startswith(f"{source}: {key}: "), message
    assert rule in message


def test_missing_key_and_broken_toml_are_named(tmp_path: Path) -> None:
    source = _write(tmp_path, MINIMAL.replace('version = "0.1.0"\n', ""))
    with pytest.raises(IdentityError, match=r"dataset\.toml: version: missing"):
        load_identity(source)
    source.write_text('name = "x\n', encoding="utf-8")
    with pytest.raises(IdentityError, match="not valid TOML"):
        load_identity(source)


def test_orcid_is_normalised_and_checked() -> None:
    assert orcid_checksum_ok("0000-0002-1825-0097")
    assert orcid_checksum_ok("0000-0002-1694-233X")
    assert not orcid_checksum_ok("0000-0002-1694-2330")


def test_orcid_becomes_its_address(tmp_path: Path) -> None:
    text = MINIMAL + '[[authors]]\nname = "Josiah Carberry"\norcid = "0000-0002-1825-0097"\n'
    (author,) = load_identity(_write(tmp_path, text)).authors
    assert author.orcid == "https://orcid.org/0000-0002-1825-0097"


def test_identity_of_a_build_comes_from_config_folder_or_corpus(tmp_path: Path) -> None:
    seed, warning = resolve_identity(SEEDS)
    assert seed.name == "vietnam-japan-news" and warning is None
    plain = tmp_path / "school-articles"
    plain.mkdir()
    neutral, warning = resolve_identity(plain)
    assert neutral.name == "school-articles" and neutral.version == "0.0.0"
    assert neutral.authors == () and neutral.pretty_name == "School articles"
    assert warning is not None and "dataset-builder init" in warning
    # A dataset.toml in the input folder, and --config before it.
    _write(plain, MINIMAL)
    assert resolve_identity(plain)[0].name == "class-news"
    other = _write(tmp_path / "elsewhere", MINIMAL.replace("class-news", "other-news"))
    assert resolve_identity(plain, other)[0].name == "other-news"
    # A copy of the seeds without the seed dataset.toml is not the seed dataset.
    copy = tmp_path / "copy" / "seeds"
    shutil.copytree(SEEDS, copy)
    assert resolve_identity(copy)[0].name == "seeds"


def test_own_statements_replace_general_ones_by_name_and_title(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + '[card]\ncollection = "Chosen by the class."\n'
        + '[[card.limitations]]\ntitle = "Small size"\ntext = "Only $articles."\n'
        + '[[card.limitations]]\ntitle = "Chosen"\ntext = "Not sampled."\n'
    )
    identity = load_identity(_write(tmp_path, text))
    merged = merged_statements(identity)
    titles = [limitation["title"] for limitation in merged["limitations"]]
    general = [limitation["title"] for limitation in lookup("limitations")]
    assert titles == [*general, "Chosen"]
    assert merged["limitations"][0]["text"] == "Only $articles."
    with speaking_for(identity):
        assert lookup("collection") == "Chosen by the class."
    assert lookup("collection") != "Chosen by the class."


def test_neutral_build_warns_and_never_calls_itself_the_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = tmp_path / "my-articles"
    articles.mkdir()
    for path in SEEDS.glob("004_*"):
        shutil.copy(path, articles)
    release = tmp_path / "release"
    argv = ["build", "--input", str(articles), "--output", str(release)]
    argv += ["--splits", str(tmp_path / "splits"), "--no-cache", "--workers", "1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"warning: {articles}: no dataset.toml describes this dataset" in out
    report = json.loads((release / "build_report.json").read_text(encoding="utf-8"))
    assert (report["dataset"], report["version"]) == ("my-articles", "0.0.0")
    assert any("dataset-builder init" in warning for warning in report["warnings"])
    for name in ("README.md", "CITATION.cff", "croissant.json"):
        text = (release / name).read_text(encoding="utf-8")
        assert "Vietnam–Japan Relations News" not in text, name
        assert "vietnam-japan-news (" not in text and "Version 1.0" not in text, name
        assert "My articles" in text, name


def test_a_changelog_heading_without_a_date_gives_no_date(tmp_path: Path) -> None:
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("## [1.0.0]\n\n- first\n", encoding="utf-8")
    assert changelog_date(changelog, "1.0.0") is None
    changelog.write_text("## [1.0.0] - 2026-01-02\n", encoding="utf-8")
    assert changelog_date(changelog, "1.0.0") == "2026-01-02"
    assert changelog_date(changelog, "1.0") is None


def test_the_corpus_folders_are_those_the_identity_checked(tmp_path: Path) -> None:
    _write(tmp_path, MINIMAL + 'articles = " texts "\nsplits = "assigned"\n')
    found = corpus(tmp_path)
    assert found is not None
    assert (found.articles, found.splits) == (tmp_path / "texts", tmp_path / "assigned")
