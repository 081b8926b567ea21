"""The dashboard's About panel, in the order of NetLogo's Info tab.

WHAT IS IT / HOW IT WORKS / HOW TO USE IT / THINGS TO NOTICE / THINGS TO TRY, then each
scenario preset with its two lines of what to watch (taken from ``lmxsim.scenarios``, so
the text and the presets never drift apart). The full rules are in ``docs/ODD.md``.
"""

from __future__ import annotations

from lmxsim.policies import policy_class, policy_names
from lmxsim.scenarios import SCENARIOS

WHAT_IS_IT = """\
A simulation of **leader–member exchange (LMX)**. A leader does not have one relationship with
"the team" but one with each member, and those relationships differ in quality. In a
high-quality exchange the leader offers latitude, support, coaching and important work, and the
member returns effort beyond the contract, commitment and loyalty. Low-quality exchanges stay
thin and contractual.

The question: does a **reactive in-crowd** leader (who waits for members to prove themselves and
then favours those few) or a **proactive "deal with everyone"** leader (who offers the exchange
to every member and keeps the promises) get more innovation and less turnover — and when?
"""

HOW_IT_WORKS = """\
One step is one week. Every week each leader

1. **perceives** members — through noise that grows when there is little contact;
2. **decides**, by their policy, how to spend a limited number of hours, with whom to make the
   deal (a one-on-one that costs an hour), how much latitude to give and who gets the few
   important assignments;
3. **exchanges**: support is given; promises of a deal fall due and are kept or broken, and
   falling short of the basic contract is a breach too. Trust builds slowly and falls several
   times faster. Latitude helps only as far as the member is ready for it (able, and backed by
   the leader); beyond that it is strain and failed attempts;
4. members **work** and learn; they have **ideas** — more with creativity, autonomy and
   psychological safety — and try some; failures meet tolerance or blame;
5. members **compare** their relationship with their teammates', and safety and ideas spread
   over collaboration ties;
6. attitudes move; some members **quit** (more likely when their intention to leave is high);
   their desk is refilled by a **newcomer** after the hiring lag;
7. every quarter leaders **review** whom they count as their in-group.

Nothing in the rules says which policy wins: the outcomes come out of these mechanisms and the
leader's limited time. Every rule and parameter is documented in the model description
(ODD protocol): run `lmxsim docs ODD` to read it.
"""

HOW_TO_USE_IT = """\
- Pick a **scenario** on the left: it sets the policy and all parameters at once.
- **Step** advances one week; **Play** runs until you press **Pause** (choose the speed).
  **Reset** starts the same organisation again from week 0.
- Move the **sliders** or change the **seed** to build a new organisation (it restarts at week 0);
  **Next seed** gives other people with the same settings - try a few before concluding.
- Switch on **Compare** to run the *same* organisation — same seed, same people — under two
  policies side by side: same team, different leader. The charts are overlaid.
- In **Inspect**, pick a member or a leader to see their story week by week.
- In compare mode, **Many seeds** runs both policies on 20-50 paired seeds: does the story
  hold whatever the seed, or was it one organisation's luck?
- **Save** buttons give PNG pictures of the charts, the networks and a whole slide. The link
  under the settings opens this same view on another computer.

In the network each circle is a member's desk, arranged around their leader (the numbered
square). Colour shows LMX quality (red low, blue high); a dark ring marks the leader's in-group;
a gold halo marks a newcomer in their first weeks; a hollow dashed circle is a vacant desk and a
red cross a desk whose holder has just quit. Solid grey lines are collaboration ties, dashed
blue lines reporting lines.

**What "in-group" means.** The in-group is whom the leader *counts as proven* at the last
quarterly review: members whose output and loyalty, as the leader perceives them, pass a
threshold. Under the **reactive in-crowd** policy it is capped by the leader's hours (a few per
team) and it decides everything: the in-group gets most of the time, wide latitude, the deal and
the important work. Under the **deal with everyone** the leader records it too, but treats everyone
alike - the deal goes to all - so its in-group share is only a reading of whom the leader sees as
proven, not a privilege. That is why the two differ already at week 0 (same people, same first
impressions, but the reactive leader keeps only the top few) and why the deal's share is not higher.
"""

THINGS_TO_NOTICE = """\
- Under the reactive policy the in-group forms in the first quarter and stays small; watch the
  **LMX spread** within teams grow and the out-group's trust drift down.
- Newcomers arrive as strangers: the first weeks ("onboarding") set the tone of the exchange.
- Trust falls faster than it builds: a few broken promises undo months of kept ones.
- Turnover and innovation are noisy week to week in a small organisation: compare the trend,
  and try a few seeds before drawing a conclusion.
"""

THINGS_TO_TRY = """\
- Compare *reactive in-crowd* with *proactive deal* on "The in-crowd trap", then lower the
  leader's hours: when does spreading time over everyone start breaking promises?
- Raise **failure tolerance**: which policy turns the extra safety into more innovation?
- Raise the **trust loss ratio**: who suffers more, the in-group or the out-group?
- Make the **hiring lag** long: how do vacancies change the leader's time per member?
- Try "The team outgrows its leader" and "A hiring wave of graduates": watch newcomers' LMX.
"""

SECTIONS = (
    ("WHAT IS IT?", WHAT_IS_IT),
    ("HOW IT WORKS", HOW_IT_WORKS),
    ("HOW TO USE IT", HOW_TO_USE_IT),
    ("THINGS TO NOTICE", THINGS_TO_NOTICE),
    ("THINGS TO TRY", THINGS_TO_TRY),
)


def scenario_markdown() -> str:
    """Each scenario preset with its description and its two lines of what to watch."""
    lines = ["## THE SCENARIOS", ""]
    for s in SCENARIOS.values():
        watch = s.watch.replace("\n", "  \n")
        lines += [f"**{s.title}** — {s.description}  ", f"*What to watch:* {watch}", ""]
    return "\n".join(lines)


def policies_markdown() -> str:
    lines = ["## THE POLICIES", ""]
    for name in policy_names():
        cls = policy_class(name)
        doc = (cls.__doc__ or "").strip().splitlines()[0]
        lines.append(f"- **{cls.label or name}** — {doc}")
    return "\n".join(lines)


def about_markdown() -> str:
    parts = [f"## {title}\n\n{text}" for title, text in SECTIONS]
    return "\n".join(parts + [scenario_markdown(), policies_markdown()])
