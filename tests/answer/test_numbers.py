from medcite.answer.numbers import facts, untraced

PASSAGE = ("Give ceftriaxone 2 g IV every 12 hours plus vancomycin 15-20 mg/kg intravenously "
           "every 8 to 12 hours, continued for 10-14 days.")


def test_facts_normalise_ranges_units_routes_and_frequencies() -> None:
    values = {(f.kind, f.value) for f in facts(PASSAGE)}
    assert ("quantity", "2 g") in values
    assert ("quantity", "15-20 mg/kg") in values
    assert ("quantity", "10-14 d") in values
    assert ("route", "iv") in values
    assert ("frequency", "2/day") in values  # "every 12 hours"
    assert ("frequency", "every 8 to 12 hours") in values


def test_one_frequency_in_its_many_spellings() -> None:
    twice = ["twice daily", "twice-daily", "twice a day", "b.i.d.", "bid", "500 mg BD",
             "every 12 hours", "q12h"]
    assert {f.value for t in twice for f in facts(t) if f.kind == "frequency"} == {"2/day"}
    assert untraced("Formoterol 9 μg b.i.d. was the comparator.",
                    ["formoterol 9 μg twice-daily"]) == []
    assert [f.text for f in untraced("Amoxicillin 500 mg twice daily.",
                                     ["Amoxicillin 500 mg TDS orally."])] == ["twice daily"]
    # "OD" (an overdose) and "BD" (bipolar disorder) are frequencies only after a dose
    assert not [f for t in ("an OD of paracetamol", "patients with BD") for f in facts(t)
                if f.kind == "frequency"]


def test_numbers_in_the_passage_are_traced_in_other_spellings() -> None:
    assert untraced("Vancomycin 15 to 20 mg/kg is continued for 10–14 days.", [PASSAGE]) == []
    assert untraced("Ceftriaxone 2 g intravenously every 12 hours.", [PASSAGE]) == []


def test_changed_numbers_units_and_routes_are_caught() -> None:
    assert [f.value for f in untraced("Ceftriaxone 4 g IV every 12 hours.", [PASSAGE])] == ["4 g"]
    assert [f.value for f in untraced("Vancomycin 15-20 mg IV.", [PASSAGE])] == ["15-20 mg"]
    assert [f.value for f in untraced("Ceftriaxone 2 g orally.", [PASSAGE])] == ["oral"]
    assert [f.value for f in untraced("Continue for 21 days.", [PASSAGE])] == ["21 d"]


def test_a_unit_after_a_list_is_each_listed_numbers() -> None:
    passage = "Apremilast 10, 20 or 30 mg twice daily was given for 16 weeks, to 1-year."
    assert untraced("Apremilast 20 mg was given.", [passage]) == []
    assert untraced("Apremilast 10 mg was given.", [passage]) == []
    assert untraced("Outcomes were reported at 1 year.", [passage]) == []
    assert [f.value for f in untraced("Apremilast 20 g was given.", [passage])] == ["20 g"]
    assert [f.value for f in untraced("Apremilast 40 mg was given.", [passage])] == ["40 mg"]
    # numbers that are not a list keep their own meaning: "16 weeks" is not "16 mg"
    assert [f.value for f in untraced("Apremilast 16 mg was given.", [passage])] == ["16 mg"]
