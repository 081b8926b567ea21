"""The browser dashboard of lmxsim (Solara; the live network and charts are drawn by the browser as SVG,
the pictures to save by matplotlib on the server).

Start it with ``lmxsim dashboard``. The modules split the page the way Mesa's examples do:

- :mod:`lmxsim.dashboard.session` - one visitor's simulation(s): models, per-member history;
- :mod:`lmxsim.dashboard.network` - the organisation drawn as a network (fixed layout), live in
  ``network_view.vue`` from :class:`~lmxsim.dashboard.network.NetworkFeed`'s data;
- :mod:`lmxsim.dashboard.charts`  - live charts (``charts_view.vue``, fed by
  :class:`~lmxsim.dashboard.charts.ChartFeed`), monitors, a person's story, the slide figure;
- :mod:`lmxsim.dashboard.about`   - the About text (NetLogo's Info-tab order);
- :mod:`lmxsim.dashboard.app`     - the Solara page that puts them together;
- :mod:`lmxsim.dashboard.server`  - starting the Solara server offline on 127.0.0.1 (or the room's network);
- :mod:`lmxsim.dashboard.join`    - the room's address and its QR code (``--host 0.0.0.0``);
- :mod:`lmxsim.dashboard.lifecycle` - a session whose page is gone pauses, is culled after
  ``--idle-timeout``, and its memory goes back to the system;
- :mod:`lmxsim.dashboard.many_seeds`, :mod:`~lmxsim.dashboard.many_seeds_view` - compare mode's
  "Many seeds": both policies on 20-50 paired seeds, headless on the engine;
- :mod:`lmxsim.dashboard.figures` - off-screen figures, PNG bytes, live (blitted) figures (the
  PNG-per-frame way of before, kept for the downloads' drawing code and the benchmark's comparison);
- :mod:`lmxsim.dashboard.benchmark` - what one Play frame costs, as PNGs and as data
  (``python -m lmxsim.dashboard.benchmark``).

Nothing here changes the model: the dashboard reads the model's public arrays and
reporters only.
"""
