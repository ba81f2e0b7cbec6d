"""`equipoise stats ...`: sample size, a difference-of-proportions interval, design simulation.

`register()` only creates the `stats` group and calls one small `register_*` function per
sub-command, so other modules can add their own sub-commands beside these.

Bad input exits with status 2 and one line on stderr naming the option, the rule and the value.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from equipoise.cli import command_group
from equipoise.stats import InvalidParameter

DEFAULT_PROTOCOL = "protocols/nct06965244"


class OneLineErrorParser(argparse.ArgumentParser):
    """An argparse parser whose usage errors are a single line, like our own input errors."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number (got {text!r})") from None


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None


def report_invalid(parser: argparse.ArgumentParser, exc: InvalidParameter) -> int:
    """Print an `InvalidParameter` as the option the user typed, and return exit status 2."""
    option = "--" + exc.name.replace("_", "-")
    known = {opt for action in parser._actions for opt in action.option_strings}
    where = f"argument {option}" if option in known else exc.name
    print(f"{parser.prog}: error: {where}: {exc.rule} (got {exc.value!r})", file=sys.stderr)
    return 2


def print_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, indent=2))


def _guarded(
    parser: argparse.ArgumentParser, handler: Callable[[argparse.Namespace], int]
) -> Callable[[argparse.Namespace], int]:
    """Run a handler, turning `InvalidParameter` into the one-line error and exit status 2."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except InvalidParameter as exc:
            return report_invalid(parser, exc)

    return run


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = command_group(subparsers, "stats", "sample size, intervals, design simulation and reports",
                        parser_class=OneLineErrorParser)
    register_sample_size(sub)
    register_diff_ci(sub)
    register_simulate(sub)


# --- sample-size ------------------------------------------------------------------------------


def register_sample_size(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sample-size",
        help="per-arm size for two proportions (two-sided normal approximation)",
        description="Per-arm and total sample size for comparing two independent proportions, "
        "1:1, two-sided, pooled variance under H0. Prints JSON.",
    )
    p.add_argument("--p-control", type=number, required=True, help="expected rate, control arm")
    p.add_argument("--p-treatment", type=number, required=True, help="expected rate, treatment arm")
    p.add_argument("--alpha", type=number, default=0.05, help="two-sided significance level")
    p.add_argument("--power", type=number, default=0.80, help="1 - beta")
    p.add_argument(
        "--continuity-correction", action="store_true", help="apply Fleiss's continuity correction"
    )
    p.add_argument("--dropout", type=number, help="expected fraction lost; inflates the size")
    p.add_argument(
        "--inflation-method",
        choices=["divide", "multiply"],
        default="divide",
        help="divide: n/(1-dropout) (default); multiply: n*(1+dropout), as some sheets do",
    )
    p.set_defaults(func=_guarded(p, sample_size_command))


def sample_size_command(args: argparse.Namespace) -> int:
    from equipoise.stats.sample_size import two_proportions_sample_size

    result = two_proportions_sample_size(
        args.p_control,
        args.p_treatment,
        args.alpha,
        args.power,
        continuity_correction=args.continuity_correction,
        dropout=args.dropout,
        inflation_method=args.inflation_method,
    )
    print_json(result.as_dict())
    return 0


# --- diff-ci ----------------------------------------------------------------------------------


def register_diff_ci(sub: argparse._SubParsersAction) -> None:
    from equipoise.stats.proportions import DIFF_METHODS

    p = sub.add_parser(
        "diff-ci",
        help="confidence interval for p1 - p2",
        description="Confidence interval for the difference x1/n1 - x2/n2 of two independent "
        "proportions. Prints JSON.",
    )
    p.add_argument("--x1", type=whole_number, required=True, help="events in group 1")
    p.add_argument("--n1", type=whole_number, required=True, help="size of group 1")
    p.add_argument("--x2", type=whole_number, required=True, help="events in group 2")
    p.add_argument("--n2", type=whole_number, required=True, help="size of group 2")
    p.add_argument("--confidence", type=number, default=0.95, help="confidence level")
    p.add_argument(
        "--method",
        choices=DIFF_METHODS,
        default="newcombe",
        help="newcombe: hybrid score, method 10 (default); wald: normal approximation",
    )
    p.set_defaults(func=_guarded(p, diff_ci_command))


def diff_ci_command(args: argparse.Namespace) -> int:
    from equipoise.stats.proportions import difference_ci

    result = difference_ci(args.x1, args.n1, args.x2, args.n2, args.confidence, args.method)
    print_json(result.as_dict())
    return 0


# --- simulate ---------------------------------------------------------------------------------


def register_simulate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="simulate the trial design: empirical power or type I error",
        description="Simulate the protocol's randomization (stratified permuted blocks) and "
        "primary analysis (CMH test by stratum) many times, vectorized with numpy.",
    )
    p.add_argument("--p-control", type=number, required=True, help="true response rate, control")
    p.add_argument("--p-treatment", type=number, required=True, help="true rate, treatment")
    p.add_argument("--subjects", type=whole_number, help="patients per trial (default: enrolment)")
    p.add_argument("--runs", type=whole_number, default=10000, help="simulated trials")
    p.add_argument("--seed", type=whole_number, required=True, help="seed; same seed, same result")
    p.add_argument("--alpha", type=number, default=0.05, help="two-sided significance level")
    p.add_argument("--protocol", default=DEFAULT_PROTOCOL, help="protocol directory")
    p.add_argument("--json", action="store_true", help="print JSON only (no progress bar)")
    p.set_defaults(func=_guarded(p, simulate_command))


def simulate_command(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from equipoise.protocol.loader import ProtocolInvalid
    from equipoise.stats.simulation import CHUNK_RUNS, design_from_protocol, simulate_design

    try:
        design = design_from_protocol(args.protocol, args.subjects)
    except ProtocolInvalid as exc:
        for problem in exc.problems:
            print(f"{args.protocol}: {problem}", file=sys.stderr)
        return 2
    # A bar only where someone watches: a terminal, not --json, and more than one chunk of runs.
    quiet = args.json or not sys.stderr.isatty() or args.runs <= CHUNK_RUNS
    with tqdm(total=args.runs, unit="trial", file=sys.stderr, disable=quiet) as bar:
        result = simulate_design(
            design, args.p_control, args.p_treatment, args.runs, args.seed, args.alpha, bar.update
        )
    data = result.as_dict()
    if args.json:
        print_json(data)
    else:
        print(describe_simulation(data))
    return 0


def describe_simulation(data: dict[str, Any]) -> str:
    """A short human-readable summary of a simulation result."""
    design = data["design"]
    cmh = data["cmh"]
    chi2 = data["unstratified_chi2"]
    label = "type I error" if "type_i_error" in data else "power"
    lines = [
        f"{data['runs']} simulated trials of {design['subjects']} patients, seed {data['seed']}",
        f"  {design['arms']['control']} {data['p_control']} vs "
        f"{design['arms']['treatment']} {data['p_treatment']}, alpha {data['alpha']}",
        f"  stratified permuted blocks {design['block_sizes']} over {len(design['strata'])} strata",
        f"  {label} (CMH by stratum): {cmh['rejection_rate']:.4f} (MC SE {cmh['mc_se']:.4f})",
        f"  unstratified chi-square:  {chi2['rejection_rate']:.4f} (MC SE {chi2['mc_se']:.4f})",
    ]
    if "analytic_power" in data:
        lines.append(f"  analytic power (pooled z):  {data['analytic_power']:.4f}")
    lines.extend(f"  assumption: {a}" for a in data["assumptions"])
    return "\n".join(lines)
