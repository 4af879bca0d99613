"""`edu-quality sample`: the generator's command, added to the product's command line through the entry
point group `edu_quality.commands` (pyproject.toml), so the product never imports the generator."""
from __future__ import annotations

import argparse
import time
from pathlib import Path


def _cmd_sample(args) -> int:
    if args.scale:
        from sample_region.scale import generate_scaled

        generate_scaled(args.year, Path(args.out), scale=args.scale, seed=args.seed,
                        progress=lambda line: print(line, flush=True))
        return 0
    from sample_region import generate

    started = time.monotonic()
    manifest = generate(args.year, Path(args.out), seed=args.seed, schools=args.schools,
                        municipalities=args.municipalities,
                        municipal_monitoring=not args.no_municipal_monitoring)
    files = manifest.get("files", [])
    print(f"Образец региона за {args.year} год записан в {Path(args.out) / str(args.year)}: "
          f"{len(files)} файлов, {sum(f.get('rows', 0) for f in files)} строк, "
          f"{len(manifest.get('bad_rows', []))} заложенных ошибочных строк "
          f"({time.monotonic() - started:.1f} с).")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sample", help="записать образец входящих файлов региона за год")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--schools", type=int, default=300)
    p.add_argument("--municipalities", type=int, default=10)
    p.add_argument("--no-municipal-monitoring", action="store_true",
                   help="без файла мотивирующего мониторинга МОУО (municipal_monitoring.*): экспертиза МО — "
                        "по показателям продукта")
    p.add_argument("--scale", choices=("small", "region", "national"),
                   help="большой поток файлов для замеров: small (~40 ОО), region (~900 ОО, ~1,5 млн строк), "
                        "national (~40 000 ОО, ~40 млн строк); без заложенных особенностей образца")
    p.set_defaults(func=_cmd_sample)
    from sample_region.accuracy import register as register_accuracy

    register_accuracy(sub)
