"""Follow-ups become questions of their own, from the thread's focus and the new ask."""

from __future__ import annotations

import pytest

from medcite.threads import rewrite_followup


@pytest.mark.parametrize(("followup", "topic", "rewritten"), [
    ("Which drugs are contraindicated?", "hypertension in pregnancy",
     "Which drugs are contraindicated in hypertension in pregnancy?"),
    ("What about in children?", "asthma", "What about asthma in children?"),
    ("And the dose?", "community-acquired pneumonia",
     "And the dose for community-acquired pneumonia?"),
    ("Is labetalol safe for hypertension in pregnancy?", "hypertension in pregnancy",
     "Is labetalol safe for hypertension in pregnancy?"),  # names the topic already
])
def test_followups_are_rewritten_from_the_topic(followup: str, topic: str,
                                                rewritten: str) -> None:
    assert rewrite_followup(followup, topic) == rewritten
