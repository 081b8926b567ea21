"""Workshop mode: every participant leads a team, bots fill the seats, the debrief tells the story.

- :mod:`lmxsim.workshop.choices` - what a participant decides for their team in a round, checked
  on the server (a forged value gets a message, never a crash);
- :mod:`lmxsim.workshop.leader` - the participant leader: a policy whose decisions are the
  participants' choices, one team each;
- :mod:`lmxsim.workshop.session` - one workshop: seats, join code and tokens, rounds, the timer,
  events and messages, all organisations in one batch engine;
- :mod:`lmxsim.workshop.debrief` - the leaderboard next to bots running every built-in policy on the
  same starting team and seed, each team's story, how decisions differed, exports.
"""

from lmxsim.workshop.choices import TeamChoices
from lmxsim.workshop.session import Workshop, WorkshopConfig

__all__ = ["TeamChoices", "Workshop", "WorkshopConfig"]
