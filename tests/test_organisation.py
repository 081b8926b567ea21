"""The organisation as users inspect it: Mesa agents and the networkx graph."""

from __future__ import annotations

import numpy as np

from helpers import BUSY
from lmxsim import LMXModel


def test_graph_has_a_node_per_position_and_leader_and_correct_reporting_lines():
    model = LMXModel(seed=2, n_teams=4, team_size=6, weeks=10, panel_every=0, cross_team_ties=2.0).run()
    g = model.organisation
    n = model.members.capacity
    kinds = {node: data["kind"] for node, data in g.nodes(data=True)}
    assert sum(k == "member" for k in kinds.values()) == n
    assert sum(k == "leader" for k in kinds.values()) == model.n_teams
    for i in range(n):
        bosses = [v for v in g.neighbors(i) if g.edges[i, v]["kind"] == "reports_to"]
        assert len(bosses) == 1
        assert g.nodes[bosses[0]]["kind"] == "leader"
        assert g.nodes[bosses[0]]["team"] == g.nodes[i]["team"] == model.members.team[i]
    collab = [(u, v) for u, v, k in g.edges(data="kind") if k == "collaborates"]
    assert collab and all(kinds[u] == kinds[v] == "member" for u, v in collab)
    # cross_team_ties > 0 links some teams together
    assert any(g.nodes[u]["team"] != g.nodes[v]["team"] for u, v in collab)


def test_graph_follows_growing_teams():
    model = LMXModel(scenario="growing_team", seed=2, n_teams=2, weeks=40, panel_every=0)
    first = model.organisation.number_of_nodes()
    model.run()
    assert model.organisation.number_of_nodes() == model.members.capacity + model.n_teams > first


def test_without_cross_team_ties_collaboration_stays_inside_teams():
    model = LMXModel(seed=2, n_teams=4, team_size=6, weeks=5, panel_every=0, cross_team_ties=0.0)
    g = model.organisation
    for u, v, kind in g.edges(data="kind"):
        if kind == "collaborates":
            assert g.nodes[u]["team"] == g.nodes[v]["team"]


def test_leader_agents_show_their_current_team():
    model = LMXModel(seed=4, n_teams=3, team_size=5, weeks=30, panel_every=0, **BUSY).run()
    m = model.members
    assert len(model.leader_agents) == model.n_teams
    for leader in model.leader_agents:
        members = leader.members
        assert len(members) == int(np.sum(m.occupied & (m.team == leader.team_id)))
        assert all(a.team_id == leader.team_id and a.active for a in members)
        assert {a.person_id for a in leader.in_group} <= {a.person_id for a in members}
        assert all(a.in_group for a in leader.in_group)


def test_leavers_keep_their_last_state_and_leave_the_model():
    model = LMXModel(seed=4, n_teams=3, team_size=5, weeks=30, panel_every=1, **BUSY).run()
    panel = model.panel_frame()
    quits = panel[panel.quit == 1].set_index("member_id")
    assert len(model.former_members) == len(quits) > 0
    current = {a.person_id for a in model.member_agents()}
    for pid, agent in model.former_members.items():
        assert not agent.active and pid not in current
        assert agent.left_week == quits.loc[pid, "week"]
        assert agent.lmx == quits.loc[pid, "lmx"]
        assert agent.tenure_weeks == quits.loc[pid, "tenure_weeks"]
        assert agent not in model.agents


def test_member_agent_reads_the_state_of_its_position():
    model = LMXModel(seed=4, n_teams=2, team_size=4, weeks=6, panel_every=0).run()
    for agent in model.member_agents():
        i = agent.position
        state = agent.state()
        assert state["person_id"] == model.members.person_id[i] == agent.person_id
        assert agent.trust == model.members.trust[i]
        assert agent.stage_name in ("stranger", "acquaintance", "partnership")
        assert agent.leader is model.leader_agents[agent.team_id]
