"""``make bench``: every benchmark, printed as it finishes and written to bench/results.md.

python bench/run.py                   # all, writes bench/results.md
python bench/run.py overhead polling  # some, printed only
python bench/run.py --profile         # where a get_job call spends its time (pyinstrument)
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

import figures
import overhead
import polling
import scale
import startup
from _util import RESULTS, header

BENCHMARKS: dict[str, Callable[[], str]] = {
    "overhead": overhead.run,
    "startup": startup.run,
    "polling": polling.run,
    "scale": scale.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], help="default: all")
    parser.add_argument("--profile", action="store_true", help="profile get_job and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.profile:
        print(overhead.profile())
        return 0
    names = args.names or list(BENCHMARKS)
    command = "make bench" if not args.names else "python bench/run.py " + " ".join(names)
    sections = [header(command)]
    print(sections[0], flush=True)
    for name in names:
        section = BENCHMARKS[name]()
        print(section, flush=True)
        sections.append(section)
    print(figures.draw(), flush=True)
    if not args.names:
        RESULTS.write_text("\n".join(sections))
        print(f"written to {RESULTS.relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
