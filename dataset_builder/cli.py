"""Command-line interface: a thin face over `dataset_builder.build.orchestrator`."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from dataset_builder.config import (
    DEFAULT_CACHE,
    DEFAULT_INPUT,
    DEFAULT_OUTPUT,
    DEFAULT_SPLITS,
    MAX_INPUT_BYTES,
    VERSION,
    usable_cores,
)
from dataset_builder.identity import IDENTITY_FILE, Corpus, IdentityError, corpus

# Each command imports what it needs when it runs: `annotate` of one file should not pay
# for loading the build machinery (Arrow, Parquet, the workers).
if TYPE_CHECKING:
    from dataset_builder.build.report import BuildReport

# Builds with more inputs than this print totals only, not a line per input.
MAX_LISTED_INPUTS = 40


def _summary(report: BuildReport, published: bool) -> str:
    totals = report.totals()
    # When nothing was written (validate, or a build stopped by rejects), an article that
    # passed is one that would be published.
    passed = "published" if published else "publishable"
    lines = []
    if report.units <= MAX_LISTED_INPUTS:
        lines += [f"{'file':<40} {'sha256':<16} outcome"]
        lines += [
            f"{i['file']:<40} {i['sha256'][:16]} "
            + ", ".join(
                f"{n} {passed if k == 'published' else k}" for k, n in i["outcomes"].items()
            )
            for i in report.inputs
        ]
        lines.append("")
    lines += [
        f"articles offered {totals['articles_offered']}: {passed} {totals['published']} "
        f"({report.stories()} stories), "
        f"rejected {totals['rejected']}, duplicates {totals['duplicates']}; "
        f"related teasers {totals['related_published']}",
        "split        articles  related",
        *(
            f"{split:<12} {report.published['default'][split]:>8} "
            f"{report.published['related'][split]:>8}"
            for split in ("train", "validation", "test")
        ),
        "languages: " + ", ".join(f"{k} {v}" for k, v in sorted(report.languages.items())),
    ]
    for reject in report.rejects[:MAX_LISTED_INPUTS]:
        lines.append("rejected: " + reject.one_line())
    for warning in [*report.warnings[:MAX_LISTED_INPUTS], *report.notices]:
        lines.append("warning: " + warning)
    for skipped in report.skipped[:MAX_LISTED_INPUTS]:
        lines.append(f"skipped: {skipped.file} ({skipped.reason})")
    hidden = sum(
        max(0, len(entries) - MAX_LISTED_INPUTS)
        for entries in (report.rejects, report.warnings, report.skipped)
    )
    if hidden:
        lines.append(f"... {hidden} more rejects, warnings and skipped files in build_report.json")
    if not published:
        lines.append("(nothing written)")
    return "\n".join(lines)


def _add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help=f"the dataset's {IDENTITY_FILE} (default: the one of the corpus folder)",
    )


def _add_build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input",
        type=Path,
        default=None,
        help=f"input folder, or a corpus folder holding {IDENTITY_FILE} "
        f"(default: the articles of ./{IDENTITY_FILE}, else {DEFAULT_INPUT})",
    )
    parser.add_argument(
        "--splits",
        type=Path,
        default=None,
        help=f"split assignment folder (default: the corpus folder's, else {DEFAULT_SPLITS})",
    )
    _add_config_argument(parser)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="annotation processes (default: the machine's cores)",
    )
    parser.add_argument("--batch-size", type=int, default=256, help="articles per batch")
    parser.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help=f"annotation cache for incremental rebuilds (default {DEFAULT_CACHE})",
    )
    parser.add_argument("--no-cache", action="store_true", help="annotate every article again")
    parser.add_argument(
        "--prune",
        action="store_true",
        help="go on when ids in the split assignment are no longer provided "
        "(build drops them from it)",
    )
    parser.add_argument(
        "--max-bytes", type=int, default=MAX_INPUT_BYTES, help="largest input file accepted"
    )
    parser.add_argument(
        "--drop-near-duplicates",
        action="store_true",
        help="drop near copies from other outlets too, instead of publishing them linked "
        "as copies of one story (for training models)",
    )


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _corpus_folder(given: Path | None) -> Corpus | None:
    """The corpus folder a command works on: `--input` when it holds a dataset.toml whose
    articles folder exists, else the current folder when `--input` is not given and it holds
    one. Raises IdentityError for a dataset.toml that cannot be used."""
    folder = Path(".") if given is None else given
    if not (folder / IDENTITY_FILE).is_file():
        return None
    found = corpus(folder)
    if found is None or (given is not None and not found.articles.is_dir()):
        return None  # articles beside dataset.toml: the folder is the input
    return found


def _run_build(args: argparse.Namespace, publish: bool) -> int:
    from dataset_builder.build.runtime import start_worker_server, use_system_allocator

    workers = usable_cores() if args.workers is None else args.workers
    if workers > 1:
        # Before the builder's own imports, which the server's overlap.
        start_worker_server()
    from dataset_builder.build.orchestrator import BuildOptions, build
    from dataset_builder.build.report import BuildError
    from dataset_builder.build.splits import SplitError
    from dataset_builder.publish.parquet import TARGET_SHARD_BYTES

    try:
        found = _corpus_folder(args.input)
    except IdentityError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    output = getattr(args, "output", None)
    shard_mb = getattr(args, "shard_mb", None)
    options = BuildOptions(
        input_dir=found.articles if found else args.input or DEFAULT_INPUT,
        output_dir=output or (found.release if found else DEFAULT_OUTPUT),
        splits_dir=args.splits or (found.splits if found else DEFAULT_SPLITS),
        identity=found.identity if found and args.config is None else None,
        config=args.config,
        allow_rejects=getattr(args, "allow_rejects", False) or not publish,
        prune=args.prune,
        publish=publish,
        batch_size=args.batch_size,
        workers=workers,
        card_dir=getattr(args, "card_dir", None),
        cache_dir=None if args.no_cache or not publish else args.cache,
        max_input_bytes=args.max_bytes,
        drop_near_duplicates=args.drop_near_duplicates,
        shard_bytes=TARGET_SHARD_BYTES if shard_mb is None else shard_mb * 2**20,
    )
    # SIGTERM unwinds like Ctrl-C, so the staging folder is removed and the previous
    # release stays as it was. (SIGKILL cannot be caught; the release is safe anyway,
    # since nothing touches it until the final swap.)
    signal.signal(signal.SIGTERM, _interrupt)
    use_system_allocator()
    started = time.perf_counter()
    try:
        report = build(options)
    except KeyboardInterrupt:
        print("error: build interrupted; the previous release is unchanged", file=sys.stderr)
        return 130
    except OSError as error:
        print(f"error: {error}; the previous release is unchanged", file=sys.stderr)
        return 1
    except BuildError as error:
        if error.report is not None:
            print(_summary(error.report, published=False))
        print(f"error: {error}", file=sys.stderr)
        return 1
    except SplitError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(_summary(report, publish))
    seconds = time.perf_counter() - started
    print(f"{report.units} articles in {seconds:.1f} s ({report.units / seconds:,.0f} articles/s)")
    return 1 if not publish and report.rejects else 0


def _annotate(args: argparse.Namespace) -> int:
    from dataset_builder.annotators.annotate import annotate_text
    from dataset_builder.ingest.decode import UndecodableError, decode
    from dataset_builder.ingest.files import read_regular_file

    status = 0
    for name in args.files:
        try:
            text, _ = decode(read_regular_file(Path(name), MAX_INPUT_BYTES))
        except OSError as error:
            print(f"error: {name}: cannot be read: {error.strerror}", file=sys.stderr)
            status = 1
            continue
        except UndecodableError as error:
            print(f"error: {name}: {error} [encoding]", file=sys.stderr)
            status = 1
            continue
        result = annotate_text(text, args.language, args.reference_date)
        print(json.dumps({"file": name, **result}, ensure_ascii=False))
    return status


def _cite(args: argparse.Namespace) -> int:
    from dataset_builder.identity import load_identity, resolve_identity
    from dataset_builder.release import citation

    try:
        found = _corpus_folder(None) if args.config is None else None
        if args.config is not None:
            identity = load_identity(args.config)
        elif found is not None:
            identity = found.identity
        else:
            identity, warning = resolve_identity(DEFAULT_INPUT)
            if warning is not None:
                print(f"warning: {warning}", file=sys.stderr)
    except IdentityError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.id is None:
        formats = {
            "apa": citation.dataset_apa,
            "bibtex": citation.dataset_bibtex,
            "cff": citation.citation_cff,
        }
        chosen = [args.format] if args.format else ["apa", "bibtex"]
        print("\n\n".join(formats[name](None, identity).rstrip() for name in chosen))
        return 0
    from dataset_builder.release.stats import find_record

    record = find_record(args.release, args.id)
    if record is None:
        print(f"error: no record {args.id!r} in {args.release}", file=sys.stderr)
        return 1
    if args.format == "cff":
        print("error: --format cff cites the dataset, not a record", file=sys.stderr)
        return 2
    chosen = [args.format] if args.format else ["apa", "bibtex"]
    texts = {"apa": citation.article_apa, "bibtex": citation.article_bibtex}
    cited_as = citation.published_cited_as(record) or identity.cited_as
    print("\n\n".join(texts[name](record, cited_as) for name in chosen))
    return 0


def _init(folder: Path) -> int:
    from dataset_builder.scaffold import ScaffoldError, init_corpus

    try:
        written = init_corpus(folder)
    except (ScaffoldError, IdentityError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: {folder}: {error.strerror}; nothing more written", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}{'/' if path.is_dir() else ''}")
    print(
        f"next: edit {folder / IDENTITY_FILE}, put articles in {written[0]}/, then run "
        f"`dataset-builder build --input {folder}` (see {folder / 'README.md'})"
    )
    return 0


def _verify(folder: Path) -> int:
    from dataset_builder.publish.verify import VERIFY_DOES_NOT_PROVE, verify_release

    problems = verify_release(folder)
    for problem in problems:
        print(f"{folder}: {problem}")
    if not problems:
        print(f"{folder}: every file matches the manifest, which agrees with the report and card")
    print(VERIFY_DOES_NOT_PROVE)
    return 1 if problems else 0


def _show(args: argparse.Namespace) -> int:
    import os

    from dataset_builder.present.load import NoReleaseError, close_ids, load_record
    from dataset_builder.present.marks import record_view
    from dataset_builder.present.site import ShowError, write_page, write_site
    from dataset_builder.present.terminal import render, use_colour

    if args.all and (args.html is None or args.id is not None):
        print("error: --all writes every record: give --html DIR and no ID", file=sys.stderr)
        return 2
    if not args.all and args.id is None:
        print("error: give the ID of an article or teaser (or --html DIR --all)", file=sys.stderr)
        return 2
    try:
        if args.all:
            site = write_site(args.release, args.html)
            for problem in site.problems:
                print(f"warning: {problem}", file=sys.stderr)
            print(
                f"{site.folder}: {site.articles} article pages, {site.teasers} teaser pages "
                "and index.html"
            )
            return 0
        record = load_record(args.release, args.id)
        if record is None:
            close = close_ids(args.release, args.id)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            message = f"no article or teaser {args.id!r} in {args.release}{hint}"
            print(f"error: {message}", file=sys.stderr)
            return 1
        view = record_view(record)
        for problem in view.problems:
            print(f"warning: {args.id}: {problem}", file=sys.stderr)
        if args.html is not None:
            write_page(view, args.html)
            print(f"{args.html}: {len(view.dates)} event dates, {len(view.topics)} topics")
        else:
            try:
                sys.stdout.write(render(view, use_colour(args.color, sys.stdout)))
                sys.stdout.flush()
            except BrokenPipeError:
                # The reader (head, a pager) stopped early: nothing more to print.
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    except (NoReleaseError, ShowError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="dataset-builder",
        description=f"Build a news dataset: the vietnam-japan-news seeds or a corpus of your own "
        f"(dataset-builder {VERSION}).",
    )
    parser.add_argument("--version", action="version", version=VERSION)
    commands = parser.add_subparsers(dest="command", required=True)

    build_parser = commands.add_parser("build", help="build and publish the dataset")
    _add_build_arguments(build_parser)
    build_parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"release folder (default: the corpus folder's release/, else {DEFAULT_OUTPUT})",
    )
    build_parser.add_argument(
        "--allow-rejects", action="store_true", help="publish even when some articles are rejected"
    )
    build_parser.add_argument(
        "--shard-mb",
        type=int,
        default=None,
        # The default is publish.parquet.TARGET_SHARD_BYTES, named here without importing
        # Arrow for every command.
        help="start a new Parquet shard past this many MiB (default 256)",
    )
    build_parser.add_argument(
        "--card-dir",
        type=Path,
        default=None,
        help="also write the card as DATASET_CARD.md, CITATION.cff and figures/ into this folder",
    )

    validate_parser = commands.add_parser("validate", help="check inputs without publishing")
    _add_build_arguments(validate_parser)

    annotate_parser = commands.add_parser("annotate", help="annotate text files")
    annotate_parser.add_argument("files", nargs="+")
    annotate_parser.add_argument("--language", default=None, help="ISO 639-1 code")
    annotate_parser.add_argument("--reference-date", type=dt.date.fromisoformat, default=None)

    cite_parser = commands.add_parser("cite", help="print the citation of the dataset or a record")
    cite_parser.add_argument("--format", choices=["apa", "bibtex", "cff"], default=None)
    cite_parser.add_argument("--id", default=None, help="cite the source article of this record")
    _add_config_argument(cite_parser)
    cite_parser.add_argument(
        "--release",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="published folder holding the record (with --id)",
    )

    init_parser = commands.add_parser(
        "init", help=f"make a new corpus folder: {IDENTITY_FILE}, articles/, splits/, README.md"
    )
    init_parser.add_argument("folder", type=Path, help="a new or empty folder")

    verify_parser = commands.add_parser(
        "verify", help="check a published folder against its manifest"
    )
    verify_parser.add_argument("folder", type=Path, nargs="?", default=DEFAULT_OUTPUT)

    show_parser = commands.add_parser(
        "show", help="print an article or teaser with its event dates and topic evidence marked"
    )
    show_parser.add_argument("id", nargs="?", default=None, help="id of the article or teaser")
    show_parser.add_argument(
        "--release", type=Path, default=DEFAULT_OUTPUT, help="published folder holding the record"
    )
    show_parser.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the marks: auto (a terminal, unless NO_COLOR is set), always or never",
    )
    show_parser.add_argument(
        "--html",
        type=Path,
        default=None,
        help="write a self-contained page to this file (with --all: pages into this folder)",
    )
    show_parser.add_argument(
        "--all", action="store_true", help="with --html DIR: a page per record and an index"
    )

    args = parser.parse_args(argv)
    if args.command == "build":
        return _run_build(args, publish=True)
    if args.command == "validate":
        return _run_build(args, publish=False)
    if args.command == "annotate":
        return _annotate(args)
    if args.command == "cite":
        return _cite(args)
    if args.command == "init":
        return _init(args.folder)
    if args.command == "verify":
        return _verify(args.folder)
    if args.command == "show":
        return _show(args)
    parser.error(f"unknown command {args.command}")
    return 2


def run() -> NoReturn:
    """The `dataset-builder` command: `main`, then exit with its status.

    The objects left at exit are frozen first: the interpreter's teardown then skips them
    in its last garbage collections, which walked every object of Arrow, Polars and
    Matplotlib after a build. The process's memory goes back to the system all the same.
    """
    status = main()
    gc.freeze()
    sys.exit(status)
