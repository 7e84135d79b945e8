from medcite.answer.verdict import Statement, compare, direction, yes_no
from medcite.retrieve.query import Comparison

TRIAL = Comparison(intervention="zinc", comparator="placebo", outcome="duration of colds")


def ev(text: str, section: str = "Results", relevance: float = 1.0) -> Statement:
    return Statement(text, section, relevance)


def test_yes_no_follows_the_polarity_of_the_findings() -> None:
    yes = yes_no("Does zinc shorten colds?", [
        ev("Zinc significantly shortened the duration of colds (p < 0.01).", "Conclusions"),
        ev("Colds are common in winter.", "Background", 0.3)])
    assert yes.verdict == "yes" and yes.evidence is not None and "Zinc" in yes.evidence.text
    no = yes_no("Does zinc shorten colds?", [
        ev("Zinc did not shorten the duration of colds compared with placebo.", "Conclusions"),
        ev("There was no significant difference in symptom scores.")])
    assert no.verdict == "no"
    maybe = yes_no("Does zinc shorten colds?", [
        ev("Zinc may shorten colds, but further studies are needed.", "Conclusions")])
    assert maybe.verdict == "maybe"
    assert yes_no("Does zinc shorten colds?", []).verdict is None


def test_direction_of_a_comparison_sentence() -> None:
    assert direction("Colds were significantly shorter with zinc than with placebo "
                     "(p = 0.002).", TRIAL) == "decreased"
    assert direction("Duration of colds was significantly longer in the zinc group.",
                     TRIAL) == "increased"
    assert direction("Placebo recipients had significantly longer colds than zinc "
                     "recipients.", TRIAL) == "decreased"
    assert direction("Duration of colds did not differ between groups (p = 0.41).",
                     TRIAL) == "no_difference"
    assert direction("Colds lasted 5 days on average.", TRIAL) is None


def test_compare_votes_only_with_sentences_on_the_outcome() -> None:
    decision = compare(TRIAL, [
        ev("The duration of colds was significantly reduced by zinc (p < 0.001)."),
        ev("Adverse events did not differ between groups."),  # another outcome
    ])
    assert decision.verdict == "decreased"
    assert compare(TRIAL, [ev("Adverse events did not differ.")]).verdict is None


def test_improvement_is_a_rise_unless_the_outcome_is_something_to_lower() -> None:
    gait = Comparison(intervention="stepping to music", comparator="metronome",
                      outcome="Dynamic Gait Index")
    assert direction("Dynamic Gait Index scores significantly improved with stepping to "
                     "music (p = 0.01).", gait) == "increased"
    pain = Comparison(intervention="ketorolac", comparator="placebo",
                      outcome="postoperative pain")
    assert direction("Postoperative pain improved significantly with ketorolac "
                     "(p < 0.001).", pain) == "decreased"
    relief = Comparison(intervention="ketorolac", comparator="placebo",
                        outcome="pain relief")
    assert direction("Pain relief was significantly better with ketorolac (p < 0.001).",
                     relief) == "increased"


def test_the_sentence_that_answers_is_not_outvoted_by_ones_that_only_name_the_topic() -> None:
    decision = yes_no("Can COPD be cured?", [
        ev("There is no cure for COPD.", "", 1.0),
        ev("COPD develops slowly over many years.", "", 0.74),
        ev("Most of the time, COPD is diagnosed in older people.", "", 0.74),
        ev("In people with COPD, the airways lose their shape.", "", 0.74)])
    assert decision.verdict == "no"
    assert decision.evidence is not None and decision.evidence.text == "There is no cure for COPD."


def test_contracted_negations_and_recommendations_against_say_no() -> None:
    for sentence in ("Antibiotics won't help a cold.", "Antibiotics don’t help a cold.",
                     "The USPSTF recommends against antibiotics for a cold."):
        assert yes_no("Do antibiotics help a cold?", [ev(sentence)]).verdict == "no", sentence
