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
2. **decides**, by their policy, how to spend a limited number of hours, whom to offer latitude,
   and who gets the few important assignments;
3. **exchanges**: support is given, promises fall due and are kept or broken. Trust builds
   slowly and falls several times faster;
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
- **Save** buttons give PNG pictures of the charts, the network and a whole slide.

In the network each circle is a member's desk, arranged around their leader (the numbered
square). Colour shows LMX quality (red low, blue high); a dark ring marks the leader's in-group;
a gold halo marks a newcomer in their first weeks; a hollow dashed circle is a vacant desk and a
red cross a desk whose holder has just quit. Solid grey lines are collaboration ties, dashed
blue lines reporting lines.
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
