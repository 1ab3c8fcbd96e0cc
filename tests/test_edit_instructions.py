"""Edit instructions read into operations: the words a person uses, in several languages."""

from __future__ import annotations

import pytest

from chat.edit_instructions import english_thing, normalise, parse_edit


def ops(text: str, known: str = "a cat") -> list[tuple]:
    return [(op.kind, op.value) for op in parse_edit(text, known).ops]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("make it blue", [("recolour", "blue")]),
        ("Turn it YELLOW!", [("recolour", "yellow")]),
        ("change the colour to pink", [("recolour", "pink")]),
        ("make the cat green please", [("recolour", "green")]),
        ("make it dark blue", [("recolour", "navy")]),
        ("make it black and white", [("recolour", "black and white")]),
        ("rends-le bleu", [("recolour", "blue")]),
        ("hazlo rojo", [("recolour", "red")]),
        ("mach es grün", [("recolour", "green")]),
        ("maak het paars", [("recolour", "purple")]),
        ("deixa amarelo", [("recolour", "yellow")]),
        ("rendilo blu", [("recolour", "blue")]),
        ("make it bigger", [("resize", 1.5)]),
        ("make it a bit bigger", [("resize", 1.25)]),
        ("make it twice as big", [("resize", 2.0)]),
        ("make it much smaller", [("resize", 0.4)]),
        ("make it 50% smaller", [("resize", 0.5)]),
        ("shrink it", [("resize", 0.65)]),
        ("fais-le plus grand", [("resize", 1.5)]),
        ("hazlo más pequeño", [("resize", 0.65)]),
        ("mach es kleiner", [("resize", 0.65)]),
        ("maak het groter", [("resize", 1.5)]),
        ("make the background yellow", [("background", "yellow")]),
        ("put it on a red background", [("background", "red")]),
        ("change the background from white to purple", [("background", "purple")]),
        ("make the sky pink", [("background", "pink")]),
        ("remove the background", [("background", "white")]),
        ("mets le fond en vert", [("background", "green")]),
        ("pon el fondo azul", [("background", "blue")]),
        ("mach den Hintergrund schwarz", [("background", "black")]),
        ("move it to the left", [("move", "left")]),
        ("put it in the top right corner", [("move", "top-right")]),
        ("move it down", [("move", "bottom")]),
        ("centre it", [("move", "centre")]),
        ("déplace-le à droite", [("move", "right")]),
        ("verschiebe es nach oben", [("move", "top")]),
        ("add a hat", [("add", "a hat")]),
        ("put a crown on it", [("add", "a crown")]),
        ("add a dog next to it", [("add", "a dog")]),
        ("add another one", [("add", "another one")]),
        ("ajoute un chapeau", [("add", "a hat")]),
        ("añade una estrella", [("add", "a star")]),
        ("füge einen Hut hinzu", [("add", "a hat")]),
        ("remove the hat", [("remove", "the hat")]),
        ("get rid of the dog", [("remove", "the dog")]),
        ("enlève le chapeau", [("remove", "the hat")]),
        ("turn it into a rocket", [("replace", "a rocket")]),
        ("make it darker", [("tone", "darker")]),
        ("mirror it", [("flip", "horizontal")]),
        ("turn it upside down", [("flip", "vertical")]),
        ("make it blue and bigger", [("resize", 1.5), ("recolour", "blue")]),
        ("make it red on a yellow background", [("background", "yellow"), ("recolour", "red")]),
        # a drawing verb that puts a thing onto the picture shown adds it
        ("draw a hat on it", [("add", "a hat")]),
        ("draw a hat on the cat", [("add", "a hat")]),
        ("dessine un chapeau dessus", [("add", "a hat")]),
        ("zeichne einen Hut darauf", [("add", "a hat")]),
    ],
)
def test_phrasings_become_operations(text, expected):
    assert sorted(ops(text)) == sorted(expected)
    assert parse_edit(text, "a cat").complete, parse_edit(text, "a cat")


def test_a_nudge_moves_a_little_and_a_side_moves_to_the_edge():
    nudge = parse_edit("move it a bit to the left").ops[0]
    assert nudge.kind == "move" and nudge.value == "left" and nudge.amount == pytest.approx(0.15)
    assert parse_edit("move it to the left").ops[0].amount is None


def test_added_things_are_placed_by_the_words_or_by_what_they_are():
    assert parse_edit("add a dog next to it").ops[0].placement == "beside"
    assert parse_edit("put a hat on its head").ops[0].placement == "on"
    assert parse_edit("add a hat").ops[0].placement is None  # decided by the thing: worn on the head


@pytest.mark.parametrize(
    "text", ["go back", "undo that", "Undo", "go back to how it was", "annule", "zurück", "deshaz eso"]
)
def test_undo(text):
    plan = parse_edit(text)
    assert plan.undo and plan.complete and not plan.ops


def test_undo_then_a_change():
    plan = parse_edit("go back and make it red")
    assert plan.undo and [(o.kind, o.value) for o in plan.ops] == [("recolour", "red")]


@pytest.mark.parametrize(
    "text, leftover",
    [
        ("make it look happier", ["happier"]),
        ("in watercolor style", ["watercolor", "style"]),
        ("put it on a beach", ["beach"]),
    ],
)
def test_what_cannot_be_done_is_left_over(text, leftover):
    plan = parse_edit(text)
    assert not plan.understood and plan.leftover == leftover


@pytest.mark.parametrize(
    "text",
    [
        "draw a red barn",
        "ok now paint a blue car",
        "draw a hat on the table",  # a place that is not in the picture shown: a new drawing
        "draw a cat wearing a hat",
        "is it big?",
        "how do I make it blue?",
        "I love the red",
        "thanks!",
        "what colour is it?",
    ],
)
def test_new_drawings_questions_and_talk_are_not_complete_edits(text):
    assert not parse_edit(text, "a cat").complete


def test_the_subjects_own_name_is_not_left_over():
    assert parse_edit("make the tortoise blue", "a tortoise crossing a road").complete
    assert not parse_edit("make the tortoise blue").complete


def test_normalise_and_translate():
    assert normalise("Rends-le  PLUS grand !") == "rends le plus grand"
    assert normalise("mach es größer") == "mach es grosser"
    assert english_thing("un chapeau") == "a hat"
    assert english_thing("des fleurs") == "some flowers"
    assert english_thing("a red balloon") == "a red balloon"
    assert english_thing("le chapeau") == "the hat"
