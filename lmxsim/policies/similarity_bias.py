"""Similarity-biased favouritism: the in-crowd is chosen by likeness, not merit."""

from __future__ import annotations

import numpy as np

from lmxsim.policies.base import PolicyView, register
from lmxsim.policies.reactive_in_crowd import ReactiveInCrowd


@register
class SimilarityBias(ReactiveInCrowd):
    """Favour the members who are most like the leader.

    Behaves like the reactive in-crowd policy, but the leader ranks members half on the
    perceived score and half on similarity to themself, so in-group membership and the
    important assignments follow likeness as much as proof.

    Source: Liden, Wayne & Stilwell (1993) - perceived similarity and liking predict
    early LMX; Byrne (1971) similarity-attraction.
    """

    name = "similarity_bias"
    label = "Similarity-biased favouritism"
    source = "Liden, Wayne & Stilwell 1993; Byrne 1971"
    classifier = {"proactive": False, "differentiates": True, "uses_merit": True, "uses_similarity": True,
                  "extrinsic_rewards": False, "peer_leadership": False}

    def score(self, view: PolicyView) -> np.ndarray:
        return 0.5 * view.perceived_score + 0.5 * view.similarity
