"""The one local process pool of lmxsim (``experiment run``, ``compare``, ``validate``).

Worker processes die with the process that started them. A pool's workers normally end
when the pool is shut down; but a main process killed by ``SIGKILL`` or ``SIGTERM`` shuts
nothing down, and its idle workers (each a Python interpreter with numpy, pandas and Mesa
loaded, about 190 MB) would wait for work forever. Every worker therefore runs
:func:`_worker_init` first, which

* on Linux asks the kernel to send it ``SIGKILL`` when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``), and
* everywhere starts a daemon thread that polls the parent's process id and ends the
  worker as soon as it changes (the worker was re-parented: its parent is gone);
* ignores ``SIGINT``: Ctrl-C in a terminal reaches every process of the foreground group,
  and the main process alone decides what an interruption means (no worker tracebacks).
  A worker still starting up (importing numpy and Mesa) cannot ignore it yet, so workers
  are started with ``SIGINT`` blocked (the blocked-signal mask is inherited) and the
  initializer discards a pending one before unblocking it.

How workers start (:func:`start_method`): on Linux, from a process running one Python thread (a
command line, a script), they are **forked** - each starts with the modules this process has
imported, and the engine's modules (:data:`FORK_PRELOAD`) are imported here first, so no worker
imports numpy, pandas, scipy, numba and lmxsim again (~1.5 s each, measured: on two workers that
start-up sat on the critical path of every ``experiment run``). Anywhere else - macOS, Windows, a
Jupyter kernel or a server with threads of its own, where forking can deadlock - they are
**spawned** as fresh interpreters, so a script using the pool needs an
``if __name__ == "__main__":`` guard. Results do not depend on the method (tested).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from lmxsim.errors import LMXInputError

PR_SET_PDEATHSIG = 1          # from <linux/prctl.h>
WATCHDOG_INTERVAL_S = 0.5     # how often a worker checks that its parent is alive


class _Pool(ProcessPoolExecutor):
    """A process pool whose workers are started with ``SIGINT`` blocked; ``workers`` says how many
    (:func:`lmxsim.runs.run_batches` cuts the work into batches for them)."""

    def __init__(self, max_workers: int, **kwargs):
        super().__init__(max_workers=max_workers, **kwargs)
        self.workers = max_workers

    def submit(self, fn, /, *args, **kwargs):
        # workers are started inside submit(); map() submits too
        with _sigint_blocked():
            return super().submit(fn, *args, **kwargs)


# what a worker's batch imports (lmxsim.runs._run_batch): imported before forking, inherited by every worker
FORK_PRELOAD = ("lmxsim.engine", "lmxsim.outcomes", "lmxsim.reporters")


def start_method() -> str:
    """``"fork"`` on Linux when this process runs a single Python thread; ``"spawn"`` otherwise.

    Forking copies one thread; a lock another thread held at that moment (logging, an import, a
    kernel's messaging) would stay locked in the child forever, so a process with threads of its
    own spawns. (numpy's BLAS threads wait idle and are forked over safely; CPython 3.12+ may still
    warn, with a ``DeprecationWarning`` shown to nobody by default.)"""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A ``ProcessPoolExecutor`` of ``workers`` processes (forked or spawned: :func:`start_method`)
    that die with this process."""
    method = start_method()
    if method == "fork":
        import importlib

        for name in FORK_PRELOAD:
            importlib.import_module(name)
    pool = _Pool(max_workers=workers, mp_context=multiprocessing.get_context(method),
                 initializer=_worker_init, initargs=(os.getpid(),))
    # When workers are terminated (Ctrl-C) the pool closes its end of the task pipe and may
    # still flush queued tasks into it: a broken pipe then is expected, not an error to print.
    # (Read when the queue's feeder thread starts, at the first submit.)
    call_queue = getattr(pool, "_call_queue", None)
    if call_queue is not None and hasattr(call_queue, "_ignore_epipe"):
        call_queue._ignore_epipe = True
    return pool


@contextmanager
def _sigint_blocked():
    """Block ``SIGINT`` in this thread inside the block; one that arrives meanwhile is
    delivered right after (nothing is lost)."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def local_pool(workers: int, option: str = "--workers"):
    """Yield a pool of ``workers`` processes (``None`` for 1: run in this process).

    On a normal exit the pool finishes and is shut down. On an exception - an error, or
    ``KeyboardInterrupt`` from Ctrl-C - queued work is cancelled and the workers are
    terminated at once rather than waited for, so an interrupted command ends promptly.

    Raises:
        LMXInputError: ``workers`` is below 1 (``option`` names the command-line option).
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise LMXInputError(option, workers, "an integer >= 1")
    if workers == 1:
        yield None
        return
    pool = process_pool(workers)
    try:
        yield pool
    except BaseException:
        terminate(pool)
        raise
    else:
        pool.shutdown(wait=True)


def terminate(pool: ProcessPoolExecutor) -> None:
    """Cancel the queued work of ``pool`` and end its worker processes now."""
    # The pool's threads may then write into pipes whose readers are gone. Python ignores
    # SIGPIPE (a write fails with EPIPE, handled above); its default action, which a caller
    # may have restored, would kill this process before it could report what it stored.
    if (hasattr(signal, "SIGPIPE") and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGPIPE) == signal.SIG_DFL):
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        try:
            proc.terminate()
        except (OSError, ValueError, AttributeError):  # already gone or closed
            pass
    for proc in processes:
        try:
            proc.join(timeout=5)
        except (OSError, ValueError, AttributeError, AssertionError):
            pass


def _worker_init(parent_pid: int) -> None:
    """Runs first in every worker: die with the parent, leave Ctrl-C to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # also discards a SIGINT pending since start-up
    signal.signal(signal.SIGTERM, signal.SIG_DFL)     # a forked worker may inherit a handler: terminate() must end it
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with_parent_linux()
    if os.getppid() != parent_pid:  # the parent died before we could ask to be told
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="lmxsim-parent-watchdog",
                     daemon=True).start()


def _die_with_parent_linux() -> None:
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # no libc symbol: the watchdog thread still works
        pass


def _watch_parent(parent_pid: int) -> None:
    """Poll the parent's pid; a change means the parent is gone: end this worker at once."""
    stop = threading.Event()
    while not stop.wait(WATCHDOG_INTERVAL_S):
        if os.getppid() != parent_pid:
            os._exit(1)
