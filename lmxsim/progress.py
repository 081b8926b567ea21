"""Progress bars for long commands (``compare``, ``validate``): runs done, rate, time left.

The bar goes to stderr and only when stderr is a terminal, so piped or redirected output,
logs and test captures stay clean; ``--quiet`` turns it off everywhere.
"""

from __future__ import annotations

import sys
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def progress_bar(total: int, desc: str, enabled: bool = True, unit: str = "run"):
    """A tqdm bar on stderr, silent when ``enabled`` is false or stderr is not a terminal."""
    from tqdm import tqdm

    # disable=None: tqdm turns itself off when the stream is not a TTY
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True, mininterval=0.5,
                smoothing=0.1, disable=None if enabled else True)


def track(items: Iterable[T], total: int, desc: str, enabled: bool = True, unit: str = "run") -> Iterator[T]:
    """Yield ``items`` unchanged, advancing a :func:`progress_bar` by one per item."""
    bar = progress_bar(total, desc, enabled, unit)
    try:
        for item in items:
            yield item
            bar.update(1)
    finally:
        bar.close()
