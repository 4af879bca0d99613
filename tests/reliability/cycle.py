"""The annual cycle without Airflow, in the DAG's order, through the same step functions its tasks call
(edu_quality.pipeline.steps): what the reliability tests run in a subprocess and kill.

    python -m tests.reliability.cycle --year Y --inbox DIR --output DIR --issued-on YYYY-MM-DD [--until loaded]

The warehouse is WAREHOUSE_URL's. Exit 0 when the cycle ran; on an error, the product's operator
message (edu_quality.cli.explain_error) on stderr and exit 1, like `edu-quality`.
"""
from __future__ import annotations

import argparse
import sys


def run_cycle(year: int, inbox: str, output: str, issued_on: str, until: str | None = None) -> None:
    from edu_quality.pipeline import steps

    steps.prepare_warehouse()
    steps.withdraw_absent(inbox, year)
    for source in steps.source_names():  # LOAD_ORDER: references before the files that point at them
        for kwargs in steps.files_of(inbox, year, source):
            steps.ingest(**kwargs)
    if until == "loaded":
        return
    steps.compute_indicators(year)
    steps.analyse(year)
    steps.choose_recommendations(year, issued_on)
    for code in steps.municipalities(year):
        steps.render_municipality(year, code, output, issued_on)
    steps.publish(year, output, issued_on)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--inbox", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--issued-on", required=True)
    parser.add_argument("--until", choices=("loaded",), help="stop after the files are loaded")
    args = parser.parse_args(argv)
    from edu_quality.cli import setup_console_logging

    setup_console_logging()
    try:
        run_cycle(args.year, args.inbox, args.output, args.issued_on, args.until)
    except Exception as exc:
        from edu_quality.cli import explain_error

        print(f"ошибка: {explain_error(exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
