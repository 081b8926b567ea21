"""``lmxsim workshop``: one workshop served to a room by the same Solara server as the dashboard.

The process holds one :class:`~lmxsim.workshop.session.Workshop` (:func:`current`); the pages
(:mod:`lmxsim.workshop.app`) all act on it. The console prints where participants join, the join
code, and the facilitator's console address (with its token: keep it to yourself). With
``--host 0.0.0.0`` the room's address is printed with a warning: anyone on the network who has
the code can join.
"""

from __future__ import annotations

from lmxsim.dashboard.join import join_urls, local_url, set_current_join_url
from lmxsim.workshop.session import Workshop, WorkshopConfig

APP = "lmxsim.workshop.app"
NAME = "lmxsim workshop"
_CURRENT: list[Workshop] = []


def current() -> Workshop:
    """The workshop this process serves (a default one if none was started, e.g. in tests)."""
    if not _CURRENT:
        _CURRENT.append(Workshop())
    return _CURRENT[0]


def start(config: WorkshopConfig) -> Workshop:
    """Make a new workshop the one this process serves."""
    _CURRENT[:] = [Workshop(config)]
    return _CURRENT[0]


def announce(host: str, port: int) -> None:
    shop = current()
    urls = join_urls(host, port)
    room = urls[0][0] if urls and host not in ("127.0.0.1", "localhost", "::1") else None
    set_current_join_url(room)
    where = room or local_url(host, port)
    print(f"{NAME}: participants open {where} and enter the code {shop.code}", flush=True)
    print(f"{NAME}: facilitator console: {local_url(host, port)}/facilitator?token={shop.facilitator_token} "
          "(keep this address to yourself; Ctrl+C stops the workshop)", flush=True)
    if room:
        print(f"{NAME}: warning: listening on {host or '0.0.0.0'}: anyone on the network who has the code "
              "can join", flush=True)


def warm_up(config: WorkshopConfig) -> None:
    """Before the first participant: load the pages' modules and play a two-week round of a
    one-seat copy of the workshop (the model's compiled kernels, the debrief's tables) - the
    first round played for the room then costs what every later one does."""
    import dataclasses

    import lmxsim.workshop.app  # noqa: F401 - the pages and everything they import
    from lmxsim.workshop import debrief

    rehearsal = Workshop(dataclasses.replace(config, seats=1, rounds=1, round_weeks=2))
    token = rehearsal.join(rehearsal.code, "warm-up").token
    rehearsal.open_round(rehearsal.facilitator_token)
    rehearsal.submit(token, {})
    rehearsal.leader_view(token)
    rehearsal.round_summary()
    debrief.leaderboard(rehearsal)


def serve(config: WorkshopConfig, host: str, port: int, open_browser: bool = False) -> int:
    from lmxsim.dashboard import server

    start(config)
    return server.serve(host=host, port=port, open_browser=open_browser, app=APP, name=NAME, announce_fn=announce,
                        warm_up_fn=lambda: warm_up(config))
