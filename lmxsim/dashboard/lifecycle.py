"""What happens to a visitor's session when their page goes away: it stops stepping, then it is culled.

A browser session is a Solara *virtual kernel* holding one :class:`~lmxsim.dashboard.session.Simulation`.
Its page can go three ways:

- **closed** (tab closed, page left): the browser sends Solara's close signal and the kernel is
  closed at once; the page's ``use_effect`` cleanup calls :meth:`Simulation.close`.
- **gone without a word** (browser killed, laptop lid closed, Wi-Fi lost; about 30% of closes in
  a room): the websocket closes (a killed process: at once) or stops answering pings (a sleeping
  laptop: after the server's ping interval plus timeout, :data:`WS_PING_S`; measured 30-35 s with
  a stopped browser, see :func:`abort_dead_websockets`). The page is then *disconnected*:
  :func:`page_present` turns false and the play loop (``app.Page``) waits instead of stepping.
- **back** (the laptop waking up, the network returning) within the idle timeout: Solara's page
  reconnects its websocket to the same kernel and the run goes on from where it stopped. Later, the page shows Solara's "App is disconnected ... Please
  refresh the page"; a refresh, like any reload, is a new session from week 0.

A kernel with no connected page is closed (*culled*) after the idle timeout,
:data:`DEFAULT_IDLE_TIMEOUT_S` unless ``lmxsim dashboard --idle-timeout`` says otherwise
(Solara's own default is 24 hours; :func:`set_idle_timeout` sets it from the server, nobody
needs to know an environment variable). Its simulation is then closed like a closed tab's, and
:func:`give_memory_back_soon` returns the freed memory to the system.

:func:`status` is what tests and ``benchmarks/dashboard_load.py`` read to see this happen; the
server serves it only when started with ``LMXSIM_DASHBOARD_STATUS=1`` (never to visitors).
"""

from __future__ import annotations

import collections
import ctypes
import gc
import os
import re
import sys
import threading
import time
import weakref
from pathlib import Path

DEFAULT_IDLE_TIMEOUT_S = 60.0
# uvicorn's websocket keep-alive (its defaults): a page that stops answering pings (a sleeping
# laptop) is disconnected after at most interval + timeout seconds
WS_PING_S = (20.0, 20.0)
STATUS_ENV = "LMXSIM_DASHBOARD_STATUS"
STATUS_PATH = "/_lmxsim/status"

_simulations: "weakref.WeakSet" = weakref.WeakSet()
_lock = threading.Lock()


def _current_kernel():
    """The Solara kernel context of the calling thread (threads inherit their creator's), or None."""
    try:
        from solara.server import kernel_context
    except ImportError:    # pragma: no cover - solara is a dashboard dependency
        return None
    return kernel_context.get_current_context() if kernel_context.has_current_context() else None


def page_present(context=None) -> bool:
    """Is a page of this session connected? False once every page is closed or disconnected.

    A kernel no page ever connected to (a component test, a notebook) counts as present: only a
    served page can go away. ``context`` defaults to the calling thread's kernel context.
    """
    context = context if context is not None else _current_kernel()
    if context is None:
        return True
    if context.closed_event.is_set():
        return False
    from solara.server.kernel_context import PageStatus

    statuses = list(context.page_status.values())   # a copy: the server's threads change it
    return not statuses or PageStatus.CONNECTED in statuses


def abort_dead_websockets() -> bool:
    """Make a websocket whose page stopped answering pings (a laptop asleep) really close.

    uvicorn fails such a connection after its ping timeout with ``transport.close()``, which first
    waits for the send buffer to drain - and a sleeping laptop never reads the pictures queued for
    it: measured, a page whose browser was stopped stayed "connected" for good (its session
    never culled). Aborting the transport after that close drops the buffer, the server sees the
    disconnect, and the session stops stepping and is culled like any other."""
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    except ImportError:   # another uvicorn: leave it as it is
        return False
    fail = WebSocketsSansIOProtocol.keepalive_timeout
    if getattr(fail, "_lmxsim_aborts", False):
        return True

    def keepalive_timeout_then_abort(protocol) -> None:
        fail(protocol)
        if protocol.close_sent and protocol.transport is not None:
            protocol.transport.abort()

    keepalive_timeout_then_abort._lmxsim_aborts = True
    WebSocketsSansIOProtocol.keepalive_timeout = keepalive_timeout_then_abort
    return True


def set_idle_timeout(seconds: float) -> None:
    """Cull a session (close its kernel, free its simulation) ``seconds`` after its last page went away."""
    import solara.server.settings

    solara.server.settings.kernel.cull_timeout = f"{float(seconds):g}s"


RELEASE_DELAY_S = 2.0   # after a simulation closes: let its kernel finish closing, then give memory back
_release_pending = False


def _libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:   # not glibc (macOS, Windows, musl): nothing to trim
        return None


M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8     # mallopt parameters (glibc's malloc.h)
MMAP_THRESHOLD_BYTES = 128 * 1024          # glibc's initial value, kept fixed
ARENA_MAX = 2


def tune_malloc() -> bool:
    """Make freed memory go back to the system: call once at server start, before the threads start.

    glibc raises its mmap threshold each time a large block is freed (up to 32 MB), so that the
    pictures' multi-megabyte buffers soon come from the heap arenas instead of their own mappings,
    and each thread may get an arena of its own; a session's buffers then stay as free holes in
    arenas other sessions still use. A fixed threshold gives every block of 128 kB or more its own
    mapping, returned whole when freed; two arenas keep the rest together (the GIL lets one thread
    run Python at a time anyway)."""
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(libc.mallopt(M_ARENA_MAX, ARENA_MAX))


SYSTEM_MALLOC_ENV = "LMXSIM_SYSTEM_MALLOC"   # set in a server process re-executed by use_system_malloc


def use_system_malloc(argv: list[str]) -> None:
    """Re-execute this server process with ``PYTHONMALLOC=malloc`` (Linux; call before anything starts).

    Python's own small-object allocator takes memory from the system in 1 MiB arenas and gives an
    arena back only when every object in it is gone. A room's sessions create millions of small
    objects, and the few thousand that outlive them (lists, weak references, locks, numba's
    environments of kernels first compiled in a session, compiled patterns: the ``gc_types`` of
    :func:`status`) end up spread over many arenas: measured after 30 sessions had come and
    gone, the server's anonymous memory outside glibc's heap was 69 MB above a fresh server's, with
    Python's live blocks back within 1%. With ``PYTHONMALLOC=malloc`` those objects come from
    glibc's heap, whose free pages :func:`give_memory_back` returns one by one: the same load left
    +8% instead of +20% (docs/performance.md, "The room after the system allocator"). The price is
    ~1 ms of CPU per Play frame, in a process that spends most of its time waiting for its pages.

    ``PYTHONMALLOC`` is read when the interpreter starts, hence the ``exec`` (same process id,
    same open files). Nothing happens if ``PYTHONMALLOC`` is already set (``PYTHONMALLOC=pymalloc``
    keeps Python's allocator), if this is not Linux, or if the working directory holds another
    lmxsim package that ``python -m lmxsim`` would import instead of this one. The re-executed server takes
    ``PYTHONMALLOC`` out of its environment again, so the processes it starts use Python's default.
    """
    if os.environ.get(SYSTEM_MALLOC_ENV) == "1":
        os.environ.pop("PYTHONMALLOC", None)   # read already; not for the processes this one starts
        return
    if "PYTHONMALLOC" in os.environ or not sys.platform.startswith("linux") or _libc() is None:
        return
    if _cwd_shadows_this_package():
        return
    import subprocess

    env = {**os.environ, "PYTHONMALLOC": "malloc", SYSTEM_MALLOC_ENV: "1"}
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *subprocess._args_from_interpreter_flags(), "-m", "lmxsim", *argv], env)


def _cwd_shadows_this_package() -> bool:
    """Would ``python -m lmxsim`` started here import another lmxsim than the one running?

    ``-m`` puts the working directory first on the import path (a console script puts its own
    directory there), so a server started from inside another checkout would come back as that
    checkout's version: then it stays as it is, on Python's allocator."""
    here = Path.cwd() / "lmxsim"
    running = Path(__file__).resolve().parents[1]
    return (here / "__init__.py").exists() and here.resolve() != running


def allocator() -> str:
    """Which allocator Python's objects come from in this process: ``"pymalloc"`` or ``"malloc"``."""
    return "pymalloc" if sys.getallocatedblocks() > 0 else "malloc"


def give_memory_back() -> None:
    """Collect reference cycles, then ask glibc to return its free heap pages to the system.

    A closed session's objects are freed (its kernel is a reference cycle: hence the collection),
    but glibc keeps freed memory in its per-thread arenas for reuse: measured, the server's RSS
    stayed at +170 MB after every session had been freed while Python's own objects were back to
    their count after the first page. ``malloc_trim(0)`` releases those free pages."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def give_memory_back_soon() -> None:
    """:func:`give_memory_back` once, :data:`RELEASE_DELAY_S` after the first of a burst of closes."""
    global _release_pending
    with _lock:
        if _release_pending:
            return
        _release_pending = True

    def later():
        global _release_pending
        time.sleep(RELEASE_DELAY_S)
        with _lock:
            _release_pending = False
        give_memory_back()

    thread = threading.Thread(target=later, daemon=True, name="lmxsim-give-memory-back")
    # Solara's patched Thread would run it inside (and keep alive) the closing session's kernel
    thread.current_context = None
    thread.start()


def register(simulation) -> None:
    """Count ``simulation`` among the live ones (weakly: registering keeps nothing alive)."""
    with _lock:
        _simulations.add(simulation)


def _mallinfo() -> dict:
    """glibc's heap: bytes handed out (in use) and bytes free but kept by the process (Linux only)."""
    libc = _libc()
    if libc is None:
        return {}

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                     "fordblks", "keepcost")]

    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    return {"malloc_in_use_mb": (info.uordblks + info.hblkhd) / 2**20, "malloc_free_mb": info.fordblks / 2**20}


# Further fields of the status route, by name: a function each (e.g. the workshop's page updates).
STATUS_FIELDS: dict = {}


def status(collect: bool = False) -> dict:
    """Kernels, their pages, and the simulations still in memory (``collect``: after a full gc,
    with Python's and the C heap's sizes)."""
    extra = {}
    if collect:
        gc.collect()
        names = collections.Counter(re.sub(r"\d+", "N", t.name) for t in threading.enumerate())
        objects = gc.get_objects()
        kinds = collections.Counter(type(o).__module__ + "." + type(o).__qualname__ for o in objects)
        extra = {"gc_objects": len(objects), "gc_types": dict(kinds.most_common(25)),
                 "python_blocks": sys.getallocatedblocks(), **_mallinfo(),
                 "thread_names": dict(names)}
    from solara.server import kernel_context

    kernels = list(kernel_context.contexts.values())
    with _lock:
        sims = list(_simulations)
    return {
        "kernels": len(kernels),
        "pages": [sorted(s.value for s in k.page_status.values()) for k in kernels],
        "simulations_alive": len(sims),
        "simulations_open": sum(not s.closed for s in sims),
        "weeks": sorted(s.week for s in sims if not s.closed),
        "python_threads": threading.active_count(),
        "allocator": allocator(),
        **{name: field() for name, field in STATUS_FIELDS.items()},
        **extra,
    }


def add_status_route() -> bool:
    """Serve :func:`status` as JSON at :data:`STATUS_PATH` if ``LMXSIM_DASHBOARD_STATUS=1`` (tests, benchmarks).

    Solara builds its Starlette app when uvicorn loads it (importing it earlier would load no page),
    so the route is added right after uvicorn's ``Config.load``, before the first request."""
    if os.environ.get(STATUS_ENV) != "1":
        return False
    import uvicorn
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def endpoint(request):
        return JSONResponse(status(collect=request.query_params.get("gc") == "1"))

    load = uvicorn.Config.load

    def load_then_add_route(config):
        load(config)
        from solara.server.starlette import app

        if not any(getattr(route, "path", None) == STATUS_PATH for route in app.router.routes):
            app.router.routes.insert(0, Route(STATUS_PATH, endpoint=endpoint))   # before Solara's catch-all

    uvicorn.Config.load = load_then_add_route
    return True
