from medcite.answer.readability import grade, syllables


def test_syllables_and_grade_order_simple_below_technical_text() -> None:
    assert syllables("cat") == 1 and syllables("leukemia") == 4
    simple = grade("High blood pressure often has no signs. You can check it at home.")
    technical = grade("Leptomeningeal carcinomatosis represents diffuse infiltration of the "
                      "leptomeninges by malignant cells with consequent neurological decline.")
    assert simple < 6 < 16 < technical
    assert grade("") == 0.0
