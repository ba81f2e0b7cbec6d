"""`equipoise randomization ...`: generate and verify seeded lists, simulate the methods.

Exit codes: 0 success; 1 the list does not verify; 2 bad arguments, an unreadable file or an
invalid protocol (the message on stderr says which argument or file and why).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from equipoise.cli import command_group
from equipoise.protocol.loader import LoadedProtocol, ProtocolInvalid, load_protocol
from equipoise.randomization.blocks import generate_list, generation_report
from equipoise.randomization.listfile import ListFormatError, dump_list, list_sha256, parse_list
from equipoise.randomization.sealed import (
    OWNER_ONLY,
    SealedRecordError,
    read_sealed,
    reproduces,
    sealed_record,
    write_sealed,
)
from equipoise.randomization.strata import (
    Stratification,
    StratificationError,
    stratification_from_protocol,
)
from equipoise.randomization.verification import (
    check_commitment_format,
    matches_commitment,
    structure_problems,
)


class UsageProblem(Exception):
    """Bad input that stops a command with exit code 2 and a one-line message."""


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "randomization", "randomization lists, simulations and allocation")

    gen = sub.add_parser("generate", help="generate a seeded stratified permuted-block list")
    _protocol_option(gen)
    gen.add_argument("--seed", required=True, help="secret seed; it reproduces the list")
    gen.add_argument("--slots-per-stratum", type=int, required=True, metavar="N",
                     help="at least N slots per stratum (completed to a whole block)")
    gen.add_argument("--output", type=Path, required=True, metavar="FILE",
                     help="the JSON lines list (owner-only); the public report (no seed) goes to "
                          "FILE.report.json, the seed to the sealed FILE.sealed.json (owner-only)")
    gen.add_argument("--sites", help="comma-separated site codes (default: the registry sites)")
    gen.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    gen.set_defaults(func=generate_command)

    ver = sub.add_parser("verify", help="check a list against its SHA-256 commitment")
    ver.add_argument("file", type=Path)
    ver.add_argument("--sha256", required=True, metavar="HEX", help="the committed digest")
    ver.add_argument("--protocol", help="also check block structure against this protocol")
    ver.add_argument("--sites", help="comma-separated site codes (default: the registry sites)")
    ver.add_argument("--sealed", type=Path, metavar="SEALED",
                     help="the statistician's sealed record: also check its seed rebuilds this exact list")
    ver.set_defaults(func=verify_command)

    sim = sub.add_parser("simulate", help="simulate balance and predictability of the methods")
    _protocol_option(sim)
    sim.add_argument("--subjects", type=int, help="subjects per trial (default: registry enrollment)")
    sim.add_argument("--runs", type=int, default=10000, help="simulated trials (default 10000)")
    sim.add_argument("--seed", required=True)
    sim.add_argument("--sites", help="comma-separated site codes (default: the registry sites)")
    sim.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    sim.set_defaults(func=simulate_command)


def _protocol_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--protocol", required=True,
                        help="protocol id (looked up under ./protocols/<id>) or directory")


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn a `UsageProblem` into exit code 2 with its message on stderr."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except UsageProblem as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2

    run.__doc__ = handler.__doc__
    return run


def resolve_protocol(ref: str) -> LoadedProtocol:
    """Load `ref` as a directory if it is one, else as `./protocols/<ref>`."""
    path = Path(ref)
    if not path.is_dir():
        candidate = Path("protocols") / ref
        if not candidate.is_dir():
            raise UsageProblem(
                f"--protocol: {ref!r} is neither a protocol directory nor an id under ./protocols/"
            )
        path = candidate
    try:
        return load_protocol(path)
    except ProtocolInvalid as exc:
        raise UsageProblem(f"--protocol: {path} is invalid:\n{exc}") from exc


def _sites(text: str | None) -> list[str] | None:
    if text is None:
        return None
    sites = [s.strip() for s in text.split(",")]
    if not all(sites):
        raise UsageProblem(f"--sites: {text!r} has an empty site code")
    return sites


def _stratification(loaded: LoadedProtocol, sites_text: str | None) -> Stratification:
    try:
        return stratification_from_protocol(loaded.protocol, _sites(sites_text))
    except StratificationError as exc:
        raise UsageProblem(str(exc)) from exc


@_guarded
def generate_command(args: argparse.Namespace) -> int:
    loaded = resolve_protocol(args.protocol)
    r = loaded.protocol.randomization
    if r.method != "permuted_blocks":
        raise UsageProblem(
            f"--protocol: method is {r.method!r}; only permuted blocks allocate from a list"
        )
    if args.slots_per_stratum < 1:
        raise UsageProblem(f"--slots-per-stratum: {args.slots_per_stratum} must be at least 1")
    if not args.seed:
        raise UsageProblem("--seed: must not be empty")
    report_path = Path(f"{args.output}.report.json")
    sealed_path = Path(f"{args.output}.sealed.json")
    for path in (args.output, report_path, sealed_path):
        if path.exists() and not args.force:
            raise UsageProblem(f"--output: {path} exists; a list is never overwritten without --force")
    strata = _stratification(loaded, args.sites).strata()
    entries = generate_list(strata, r.ratio, r.block_sizes, args.seed, args.slots_per_stratum)
    report = generation_report(
        entries,
        ratio=r.ratio,
        block_sizes=r.block_sizes,
        slots_per_stratum=args.slots_per_stratum,
        protocol_id=loaded.protocol.id,
        protocol_sha256=loaded.sha256,
    )
    sealed = sealed_record(seed=args.seed, sha256=report["sha256"], strata=strata, ratio=r.ratio,
                           block_sizes=r.block_sizes, slots_per_stratum=args.slots_per_stratum)
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    try:
        # The list and the seed are concealed: owner-only from creation. The report is public.
        write_sealed(sealed_path, sealed, overwrite=args.force)
        _write_owner_only(args.output, dump_list(entries))
        report_path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(f"--output: cannot write {exc.filename}: {exc.strerror}") from exc
    sys.stdout.write(text)
    print(f"seed sealed in {sealed_path} (owner-only); keep it with the list, never with the report",
          file=sys.stderr)
    return 0


def _write_owner_only(path: Path, data: bytes) -> None:
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY)
    os.fchmod(fd, OWNER_ONLY)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


@_guarded
def verify_command(args: argparse.Namespace) -> int:
    try:
        commitment = check_commitment_format(args.sha256)
    except ValueError as exc:
        raise UsageProblem(f"--{exc}") from exc
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise UsageProblem(f"{args.file}: cannot be read ({exc.strerror})") from exc
    ok = True
    if matches_commitment(data, commitment):
        print(f"list matches commitment {commitment} ({args.file})")
    else:
        ok = False
        print(
            f"list does NOT match commitment {commitment}: {args.file} has SHA-256 "
            f"{list_sha256(data)}",
            file=sys.stderr,
        )
    if args.protocol:
        loaded = resolve_protocol(args.protocol)
        r = loaded.protocol.randomization
        strata = _stratification(loaded, args.sites).strata()
        try:
            problems = structure_problems(parse_list(data), r.ratio, r.block_sizes, strata)
        except ListFormatError as exc:
            problems = [str(exc)]
        for problem in problems:
            print(f"structure: {problem}", file=sys.stderr)
        if problems:
            ok = False
        else:
            print(f"structure sound for {loaded.protocol.id}: ratio, block sizes and positions")
    if args.sealed:
        try:
            record = read_sealed(args.sealed)
        except SealedRecordError as exc:
            raise UsageProblem(f"--sealed: {exc}") from exc
        if record["sha256"] != commitment:
            ok = False
            print(f"sealed record is for list {record['sha256']}, not commitment {commitment}", file=sys.stderr)
        elif reproduces(record, data):
            print(f"the sealed seed rebuilds this exact list ({args.sealed})")
        else:
            ok = False
            print(f"the sealed seed does NOT rebuild {args.file}", file=sys.stderr)
    return 0 if ok else 1


@_guarded
def simulate_command(args: argparse.Namespace) -> int:
    loaded = resolve_protocol(args.protocol)
    subjects = args.subjects if args.subjects is not None else loaded.protocol.registry.enrollment
    if subjects < 1:
        raise UsageProblem(f"--subjects: {subjects} must be at least 1")
    if args.runs < 1:
        raise UsageProblem(f"--runs: {args.runs} must be at least 1")
    # numpy and tqdm load only here, so generate and verify start fast
    from tqdm import tqdm

    from equipoise.randomization.simulation import design_from_protocol, simulate

    design = design_from_protocol(loaded.protocol, _stratification(loaded, args.sites))
    with tqdm(total=args.runs, unit="run", file=sys.stderr, disable=None, leave=False) as bar:
        report = simulate(design, subjects, args.runs, args.seed, on_progress=bar.update)
    report = {"protocol": loaded.protocol.id, **report}
    if args.json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        sys.stdout.write(format_simulation(report))
    return 0


def format_simulation(report: dict) -> str:
    """A plain-text table of the simulation report for a terminal."""
    bound = report["margin_bound"]
    lines = [
        f"{report['protocol']}: {report['runs']} simulated trials of {report['subjects']} subjects "
        f"(seed {report['seed']!r}, configured method {report['configured_method']})",
        "",
        f"{'method':<24}{'mean|d|':>9}{'max|d|':>8}{'worst stratum':>15}{'worst margin':>14}"
        + (f"{f'margin>{bound}':>11}" if bound is not None else "")
        + f"{'guessed':>9}",
    ]
    for key, m in report["methods"].items():
        worst_stratum = max(v["mean"] for v in m["stratum_imbalance"].values())
        worst_margin = max(v["mean"] for v in m["margin_imbalance"].values())
        row = (
            f"{key + (' *' if m['configured'] else ''):<24}"
            f"{m['overall_imbalance']['mean']:>9.3f}{m['overall_imbalance']['max']:>8}"
            f"{worst_stratum:>15.3f}{worst_margin:>14.3f}"
        )
        if bound is not None:
            row += f"{m['runs_with_margin_over_bound']:>11.2%}"
        lines.append(row + f"{m['correct_guess_rate']:>9.2%}")
    lines += [
        "",
        "* configured. |d| = |n_A - n_B| at the end of a trial; worst stratum / worst margin = the",
        "highest per-stratum / per-margin mean |d|; margin>B = share of runs in which some factor",
        "margin ends more than margin_bound apart; guessed = share of allocations a convergence",
        "guesser predicts correctly (0.5 is chance).",
        "",
        "distribution of overall |d| (share of runs):",
    ]
    for key, m in report["methods"].items():
        dist = m["overall_imbalance"]["distribution"]
        shown = ", ".join(f"{v}: {p:.3f}" for v, p in list(dist.items())[:8])
        more = " ..." if len(dist) > 8 else ""
        lines.append(f"  {key}: {shown}{more}")
    lines += ["", "assumptions:"] + [f"  - {a}" for a in report["assumptions"]]
    return "\n".join(lines) + "\n"
