from medcite.answer.numbers import facts, untraced

PASSAGE = ("Give ceftriaxone 2 g IV every 12 hours plus vancomycin 15-20 mg/kg intravenously "
           "every 8 to 12 hours, continued for 10-14 days.")


def test_facts_normalise_ranges_units_routes_and_frequencies() -> None:
    values = {(f.kind, f.value) for f in facts(PASSAGE)}
    assert ("quantity", "2 g") in values
    assert ("quantity", "15-20 mg/kg") in values
    assert ("quantity", "10-14 d") in values
    assert ("route", "iv") in values
    assert ("frequency", "every 12 hours") in values
    assert ("frequency", "every 8 to 12 hours") in values


def test_numbers_in_the_passage_are_traced_in_other_spellings() -> None:
    assert untraced("Vancomycin 15 to 20 mg/kg is continued for 10–14 days.", [PASSAGE]) == []
    assert untraced("Ceftriaxone 2 g intravenously every 12 hours.", [PASSAGE]) == []


def test_changed_numbers_units_and_routes_are_caught() -> None:
    assert [f.value for f in untraced("Ceftriaxone 4 g IV every 12 hours.", [PASSAGE])] == ["4 g"]
    assert [f.value for f in untraced("Vancomycin 15-20 mg IV.", [PASSAGE])] == ["15-20 mg"]
    assert [f.value for f in untraced("Ceftriaxone 2 g orally.", [PASSAGE])] == ["oral"]
    assert [f.value for f in untraced("Continue for 21 days.", [PASSAGE])] == ["21 d"]
