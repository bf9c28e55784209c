"""identity.levels, the API services and pages use to compare and name trust levels."""

import pytest
from django.utils import translation

from identity import levels
from identity.levels import Level


def test_levels_are_ordered_none_low_substantial_high():
    order = [Level.NONE, Level.LOW, Level.SUBSTANTIAL, Level.HIGH]
    for i, achieved in enumerate(order):
        for j, required in enumerate(order):
            assert levels.satisfies(achieved, required) is (i >= j), (achieved, required)
    assert levels.satisfies(None, "none") and not levels.satisfies(None, "low")
    assert levels.satisfies("high", "substantial")


def test_stork_classes_map_both_ways_and_unknown_ones_are_not_guessed():
    assert levels.from_stork("STORK-QAA-Level-1") == Level.LOW
    assert levels.from_stork("STORK-QAA-Level-2") == Level.LOW
    assert levels.from_stork("STORK-QAA-Level-3") == Level.SUBSTANTIAL
    assert levels.from_stork(" STORK-QAA-Level-4 ") == Level.HIGH
    assert levels.from_stork("urn:oasis:names:tc:SAML:2.0:ac:classes:Password") is None
    assert levels.to_stork("substantial") == "STORK-QAA-Level-3"
    with pytest.raises(ValueError):
        levels.to_stork("none")
    with pytest.raises(ValueError):
        levels.parse("very-high")


@pytest.mark.parametrize(
    ("language", "level", "prompt", "verified"),
    [
        (
            "de",
            "high",
            "Sie melden sich mit dem Online-Ausweis an",
            "identifiziert mit Online-Ausweis",
        ),
        ("en", "high", "You sign in with the online ID card", "identified with the online ID card"),
        (
            "de",
            "substantial",
            "Sie melden sich mit Ihrem ELSTER-Zertifikat oder dem Online-Ausweis an",
            "identifiziert mit ELSTER-Zertifikat",
        ),
        (
            "de",
            "low",
            "Sie melden sich mit Benutzername und Passwort Ihrer BundID an",
            "angemeldet mit Benutzername und Passwort",
        ),
        ("de", "none", "Sie müssen sich nicht anmelden", "nicht identifiziert"),
    ],
)
def test_words_for_a_level_in_german_and_english(language, level, prompt, verified):
    with translation.override(language):
        assert str(levels.sign_in_prompt(level)) == prompt
        assert str(levels.verified_by(level)) == verified


def test_level_labels_work_as_model_choices():
    with translation.override("de"):
        assert dict(Level.choices)["substantial"] == "substanziell"
        assert Level.HIGH.label == "hoch"
