"""Progress bars for long commands (``compare``, ``validate``): runs done, rate, time left.

The bar goes to stderr and only when stderr is a terminal, so piped or redirected output,
logs and test captures stay clean; ``--quiet`` turns it off everywhere.

A bar starts no thread. tqdm's own bars start a monitor thread on creation (even a bar that
stays silent); a process with a second thread must spawn its worker processes instead of
forking them (:func:`lmxsim.parallel.start_method`), and spawned workers import numpy, pandas,
numba and lmxsim again - measured, ``experiment run policy_comparison --workers 2`` took 5.0 s
with the monitor's thread against 4.2 s without. The monitor only corrects a bar whose
``miniters`` grew during a fast stretch; these bars redraw by time alone (``miniters=1``,
at most every half second), so they do not need it.
"""

from __future__ import annotations

import functools
import sys
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def progress_bar(total: int, desc: str, enabled: bool = True, unit: str = "run", initial: int = 0):
    """A tqdm bar on stderr, silent when ``enabled`` is false or stderr is not a terminal;
    ``initial`` items are done already (a resumed experiment). It starts no thread."""
    # disable=None: tqdm turns itself off when the stream is not a TTY
    return _bar_class()(total=total, initial=initial, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True,
                        mininterval=0.5, miniters=1, smoothing=0.1, disable=None if enabled else True)


@functools.cache
def _bar_class():
    """tqdm without its monitor thread (module docstring); tqdm is imported on first use."""
    from tqdm import tqdm

    class Bar(tqdm):
        monitor_interval = 0

    return Bar


def track(items: Iterable[T], total: int, desc: str, enabled: bool = True, unit: str = "run") -> Iterator[T]:
    """Yield ``items`` unchanged, advancing a :func:`progress_bar` by one per item."""
    bar = progress_bar(total, desc, enabled, unit)
    try:
        for item in items:
            yield item
            bar.update(1)
    finally:
        bar.close()
