"""Mesa agents: leaders and members as users see them (ODD section 2)."""

from lmxsim.agents.leader import LeaderAgent
from lmxsim.agents.member import MemberAgent

__all__ = ["LeaderAgent", "MemberAgent"]
