"""Conversations that teach the embedded chat model when to draw, when to edit, and when to talk.

Every example is generated here from the team's own word lists and phrasings (several languages,
follow-ups, chit-chat, questions about a shown picture); none comes from the evaluation data. The
subjects deliberately avoid the evaluation's subjects, so the routing figures measure
generalisation rather than recall.

An example is a conversation (`history` with picture markers), the new user message, and the
expected assistant output: a tool call, or "plain text" (for which only the first token is
trained, taken from the base model itself, so fine-tuning teaches routing without rewriting how
the model talks).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

SUBJECTS_EN = [
    "a red fox sleeping in the snow", "a lighthouse on a rocky cliff", "a bowl of ramen", "a hot air balloon",
    "a dragon made of clouds", "a tabby cat on a windowsill", "a vintage bicycle", "a sunflower field",
    "a robot watering plants", "a castle on a hill", "a jellyfish glowing in the dark", "a stack of pancakes",
    "a koala hugging a tree", "a wooden cabin in the woods", "a violin", "a tiger in the jungle",
    "a slice of watermelon", "a rocket taking off", "a cozy reading nook", "a frog on a lily pad",
    "a mountain lake at sunrise", "a pirate ship", "a cupcake with sprinkles", "a panda eating bamboo",
    "a steam train crossing a bridge", "a field of tulips", "a knight in shining armour", "a cactus in a pot",
    "a hedgehog", "an astronaut floating in space", "a bowl of cherries", "a dolphin jumping",
    "a city skyline at night", "a teapot", "a bee on a flower", "a wizard with a long beard",
    "a bonsai tree", "a whale under the ocean", "a birthday cake with candles", "a parrot",
    "a rainy street in Paris", "a lion with a big mane", "a pineapple", "a snowy village",
    "a turtle swimming", "a windmill", "a fairy tale forest", "a guitar leaning on a wall",
    "a bunch of grapes", "a submarine", "a giraffe", "an old map", "a cherry blossom tree",
    "a flamingo standing on one leg", "a mug of hot chocolate", "a butterfly", "a tractor on a farm",
    "a polar bear", "a volcano erupting", "a basket of strawberries", "a unicorn", "a fire truck",
    "a bouquet of roses", "a raccoon", "a space station", "a plate of sushi", "a hamster", "a sandcastle",
    "a medieval market", "a bowl of fruit", "a sloth hanging from a branch", "a pumpkin", "a kite",
    "a husky puppy", "a glass of lemonade", "a crab on the beach", "a tall cathedral", "a mushroom house",
    "a shark", "a hummingbird", "a sleeping baby elephant", "a yellow taxi", "a loaf of bread",
    "a peacock", "a cozy fireplace", "a neon sign", "an octopus", "a skateboard", "a zebra",
    "a pair of red boots", "a bowl of soup", "a deer in the forest", "a futuristic car", "a croissant",
    "a paper boat", "a lantern", "a chameleon", "a campfire under the stars", "a goldfish in a bowl",
]
# One-word subjects: short requests ("draw a dog") followed by short edits ("make it red") are
# the most common conversation of all.
SIMPLE_SUBJECTS = ["a dog", "a house", "a tree", "a car", "a fish", "a bird", "a horse", "a boat", "a flower",
                   "a star", "a moon", "a robot", "a rocket", "a castle", "a frog", "a lion", "a bus", "a chair",
                   "a hat", "a cake", "a clock", "a train", "a mouse", "a bear", "a duck", "a pig", "a cow", "a kite"]
SUBJECTS_FR = ["un chat noir", "une maison rouge", "un bateau", "une fleur jaune", "un chien qui court",
               "une montagne enneigée", "un gâteau au chocolat", "un cheval blanc", "une voiture bleue",
               "un arbre en automne", "une tortue", "un oiseau sur une branche", "la tour Eiffel la nuit",
               "un dragon vert", "une plage au coucher du soleil"]
SUBJECTS_ES = ["un perro feliz", "una casa azul", "un gato dormido", "una flor roja", "un barco en el mar",
               "una montaña", "un caballo", "un pastel de fresas", "un árbol grande", "una mariposa",
               "un coche amarillo", "una tortuga", "un león", "un castillo", "una luna llena"]
SUBJECTS_DE = ["einen roten Drachen", "ein kleines Haus", "einen Hund im Park", "eine Katze", "einen Baum",
               "ein Segelflugzeug", "eine Blume", "einen Berg im Winter", "ein Pferd", "einen Fisch",
               "eine Burg", "einen Vogel", "ein Auto", "einen Bären", "ein Schiff"]
SUBJECTS_IT = ["un gatto arancione", "una casa al mare", "un cane", "una pizza", "un fiore", "una barca",
               "un albero", "una farfalla", "un cavallo", "una montagna"]
SUBJECTS_PT = ["um gato", "uma casa amarela", "um cachorro", "uma flor", "um barco", "uma árvore",
               "um cavalo", "uma borboleta", "um bolo", "uma praia"]

DRAW_EN = [
    "draw {s}", "Draw {s}", "draw me {s}", "can you draw {s}?", "could you draw {s} for me?", "please draw {s}",
    "paint {s}", "can you paint {s}", "sketch {s}", "make a sketch of {s}", "make a picture of {s}",
    "make an image of {s}", "create an image of {s}", "create a picture of {s}", "generate {s}",
    "generate an image of {s}", "I'd like a picture of {s}", "I want an image of {s}", "show me {s}",
    "show me a picture of {s}", "give me a drawing of {s}", "illustrate {s}", "an illustration of {s} please",
    "render {s}", "picture of {s}", "{s}, please", "{s} in watercolor", "a painting of {s}",
    "could I get an image of {s}?", "would you draw {s}?", "i need a picture of {s}", "pls draw {s}",
    "make me a poster with {s}", "design a card with {s}", "create a wallpaper of {s}",
    "can you make art of {s}", "doodle {s}", "let's see {s}", "imagine {s} and draw it",
    "hey, draw {s}", "ok now draw {s}", "make a cartoon of {s}", "a photo of {s} please",
    "I want to see {s}", "can I have a picture of {s}?", "draw {s} in pixel art style",
]
DRAW_FR = ["dessine {s}", "dessine-moi {s}", "peux-tu dessiner {s} ?", "fais une image de {s}", "peins {s}"]
DRAW_ES = ["dibuja {s}", "dibújame {s}", "¿puedes dibujar {s}?", "haz una imagen de {s}", "pinta {s}"]
DRAW_DE = ["zeichne {s}", "male {s}", "kannst du {s} zeichnen?", "mach ein Bild von {s}"]
DRAW_IT = ["disegna {s}", "puoi disegnare {s}?", "fai un'immagine di {s}"]
DRAW_PT = ["desenhe {s}", "desenha {s}", "você pode desenhar {s}?", "faça uma imagem de {s}"]
LANGUAGES = [
    (SUBJECTS_FR, DRAW_FR), (SUBJECTS_ES, DRAW_ES), (SUBJECTS_DE, DRAW_DE), (SUBJECTS_IT, DRAW_IT), (SUBJECTS_PT, DRAW_PT),
]
NEW_AFTER_PICTURE = ["now draw {s}", "next, draw {s}", "ok, now make {s}", "another one: {s}", "now paint {s}",
                     "great, now {s}", "can you also draw {s}?", "let's do {s} next", "new picture: {s}",
                     "and now a picture of {s}", "draw {s} now", "now sketch {s}", "now make a picture of {s}",
                     "next: {s}", "ok, draw {s} too", "nice! now draw {s}", "now generate {s}", "now draw me {s}"]

COLORS = ["blue", "green", "purple", "orange", "golden", "black and white", "red", "yellow", "silver", "teal"]
ADDITIONS = ["a hat", "a crown", "a rainbow", "some flowers", "a moon in the sky", "a small dog", "clouds",
             "a red balloon", "glasses", "a bow tie", "snow", "a second one next to it", "stars", "a tree"]
STYLES = ["watercolor", "pixel art", "oil painting", "cartoon", "pencil sketch", "neon", "vintage photo"]
PLACES = ["on a beach", "in space", "in a forest", "under the sea", "on the moon", "in a city", "in the mountains"]
EDITS = [
    "make it {c}", "make it more {c}", "turn it {c}", "can you make it {c}?", "change the colour to {c}",
    "make the background {c}", "add {a}", "please add {a}", "add {a} to it", "can you add {a}?",
    "put {a} on it", "remove the background", "make it bigger", "make it smaller", "zoom in",
    "make it brighter", "make it darker", "make it look like night", "make it look older",
    "in {st} style", "make it {st}", "turn it into {st}", "now in {st} style", "redo it as {st}",
    "put it {p}", "move it {p}", "place it {p}", "make it {c} and put it {p}", "add {a} and make it {c}",
    "make it happier", "make it look scary", "give it wings", "make it fluffy", "less detail please",
    "more colourful please", "flip it", "change {a0} to {a}",
]
# Edits that name something in the picture ({n} is a noun of the picture's own description).
PART_EDITS = [
    "make the {n} {c}", "turn the {n} {c}", "colour the {n} {c}", "make the {n} bigger", "make the {n} smaller",
    "add {a} to the {n}", "give the {n} {a}", "put {a} on the {n}", "remove the {n}", "replace the {n} with {x}",
    "change the {n} to {x}", "make the {n} shiny", "make the {n} look older", "move the {n} to the left",
    "make it {x} and put it {p}", "make it {x}", "turn it into {x}", "put the {n} {p}", "make the {n} {c} and add {a}",
    "can the {n} be {c}?", "i want the {n} {c}", "the {n} should be {c}", "swap the {n} for {x}",
]
THINGS = ["a sports car", "a sailing ship", "a castle", "a robot", "a teddy bear", "a giant", "a small house",
          "a statue", "a cartoon character", "a glass sculpture", "a toy", "a wooden model"]
FORMATS = ["banner", "logo", "icon", "poster", "sticker", "header image", "postcard", "book cover", "avatar"]
FORMAT_DRAW = ["generate a {k} with {s}", "make a {k} with {s}", "create a {k} featuring {s}", "design a {k} showing {s}",
               "I need a {k} with {s}", "can you make a {k} of {s}?"]
WORDS_THAT_ARE_NOT_PARTS = {
    "a", "an", "the", "on", "in", "of", "with", "at", "by", "and", "under", "made", "big", "long", "old", "tall",
    "small", "red", "yellow", "blue", "green", "white", "black", "golden", "glowing", "dark", "shining", "sleeping",
    "taking", "off", "crossing", "eating", "hanging", "from", "standing", "one", "jumping", "floating", "watering",
    "hugging", "swimming", "erupting", "cozy", "vintage", "futuristic", "medieval", "snowy", "rainy", "rocky", "fairy",
    "tale", "hot", "baby", "pair", "bunch", "stack", "slice", "bowl", "plate", "glass", "basket", "field", "mug", "loaf",
}


def _parts(subject: str) -> list[str]:
    """Nouns of a picture's description that a follow-up edit may name ("fox", "snow")."""
    words = [w.strip(",.").lower() for w in subject.split()]
    return [w for w in words if len(w) > 2 and w not in WORDS_THAT_ARE_NOT_PARTS] or ["picture"]


OLDER_PICTURE_EDITS = ["go back to the first one and {e}", "take the first picture and {e}",
                       "use the earlier one and {e}", "on the first image, {e}"]

QUESTIONS = [
    "what is the capital of Japan?", "how far away is the moon?", "who wrote Hamlet?", "what is 12 times 7?",
    "why is the sky blue?", "how do airplanes fly?", "what's the tallest mountain in the world?",
    "how many days are in a leap year?", "what is photosynthesis?", "can you explain gravity?",
    "what language do they speak in Brazil?", "how do I boil an egg?", "what is machine learning?",
    "how does a neural network learn?", "what's a good name for a goldfish?", "who painted the Mona Lisa?",
    "what is the boiling point of water?", "how do you say thank you in Spanish?", "what is an API?",
    "how many planets are in the solar system?", "is a tomato a fruit?", "what time zone is London in?",
    "what is the difference between weather and climate?", "how do I center a div?",
    "what's the best way to learn to draw?", "which colours mix to make green?", "what is impressionism?",
    "who was Frida Kahlo?", "how do bees make honey?", "what is the speed of light?",
    "explain what a pixel is", "what does RGB mean?", "what is a haiku?", "how long do cats live?",
    "quelle est la capitale de l'Italie ?", "¿cuántos años tiene el universo?", "wie spät ist es in Tokio?",
    "qual é a cor do céu?", "come stai?", "can you help me plan a trip to Rome?",
]
CHITCHAT = [
    "hello", "hi!", "hey there", "good morning", "how are you?", "thanks!", "thank you", "that's great",
    "cool", "nice", "ok", "bye", "who are you?", "what can you do?", "tell me a joke", "I'm bored",
    "you're awesome", "lol", "good night", "merci", "gracias", "danke", "what's your name?",
]
WRITING = [
    "write a short poem about {t}", "write a haiku about {t}", "tell me a story about {t}",
    "write a limerick about {t}", "describe {t} in one sentence", "give me three facts about {t}",
    "what do you know about {t}?", "write a song about {t}",
]
TOPICS = ["autumn", "the ocean", "friendship", "cats", "the city at night", "coffee shops", "rain", "robots",
          "mountains", "summer holidays", "the stars", "dragons"]
ABOUT_PICTURE = ["what is in this picture?", "what colour is it?", "do you like it?", "love it, thank you",
                 "this is perfect", "how did you make that?", "why did you choose those colours?",
                 "what style is this?", "can I use this as my wallpaper?", "that looks amazing",
                 "what model made this?", "how many steps did that take?", "thanks, that's all"]
DRAWING_QUESTIONS = ["how do I draw a horse?", "what pencils are best for sketching?",
                     "how do painters mix skin tones?", "is watercolor hard to learn?",
                     "what's the difference between a drawing and a painting?"]


@dataclass
class Turn:
    role: str
    content: str
    image_id: str | None = None  # set on an assistant turn that showed a picture


@dataclass
class RoutingExample:
    history: list[Turn]
    message: str
    tool: str  # generate_image | edit_image | none
    arguments: dict = field(default_factory=dict)


def _strip_request(text: str) -> str:
    """The instruction part of an edit request, as the tool's `instruction` argument."""
    lowered = text.strip().rstrip("?!.")
    for prefix in ("can you ", "could you ", "please ", "ok, ", "now ", "and "):
        if lowered.lower().startswith(prefix):
            lowered = lowered[len(prefix):]
    return lowered


def _subject_phrase(template: str, subject: str) -> str:
    """The prompt argument: the subject, with any style the template added."""
    for style in ("in watercolor", "in pixel art style"):
        if style in template:
            return f"{subject} {style}"
    for kind in ("poster", "card", "wallpaper", "cartoon", "painting", "photo", "sketch", "doodle"):
        if kind in template:
            return f"{kind} of {subject}"
    return subject


def _picture_history(rng: random.Random, pictures: int) -> tuple[list[Turn], list[str]]:
    history: list[Turn] = []
    subjects = []
    for n in range(1, pictures + 1):
        subject = rng.choice(SIMPLE_SUBJECTS if rng.random() < 0.4 else SUBJECTS_EN)
        subjects.append(subject)
        history.append(Turn("user", rng.choice(DRAW_EN).format(s=subject)))
        history.append(Turn("assistant", rng.choice(["Here is {s}.", "Here you go: {s}.", "Done! {s}."]).format(s=subject),
                            image_id=f"img-{n}"))
        if rng.random() < 0.3:
            history.append(Turn("user", rng.choice(ABOUT_PICTURE)))
            history.append(Turn("assistant", "Glad you like it!"))
    return history, subjects


SHORT_EDITS = ["make it {c}", "make it {st}", "add {a}", "make it bigger", "make it {c} please", "turn it {c}",
               "now {c}", "{c} please", "give it {a}", "make the {n} {c}"]


def _edit_text(rng: random.Random, subject: str | None = None) -> str:
    draw = rng.random()
    templates = SHORT_EDITS if draw < 0.3 else PART_EDITS if subject and draw < 0.75 else EDITS
    return rng.choice(templates).format(
        c=rng.choice(COLORS), a=rng.choice(ADDITIONS), a0=rng.choice(ADDITIONS), st=rng.choice(STYLES), p=rng.choice(PLACES),
        n=rng.choice(_parts(subject or "picture")), x=rng.choice(THINGS),
    )


def _maybe_chat_history(rng: random.Random) -> list[Turn]:
    if rng.random() < 0.7:
        return []
    return [Turn("user", rng.choice(QUESTIONS + CHITCHAT)), Turn("assistant", "Sure, happy to help.")]


def generate_examples(n: int, seed: int = 0) -> list[RoutingExample]:
    """`n` routing examples, the same for the same seed."""
    rng = random.Random(seed)
    makers = [
        (0.20, _draw_example), (0.06, _draw_format), (0.08, _draw_other_language), (0.28, _edit_example),
        (0.12, _new_after_picture),
        (0.12, _question_example), (0.08, _chitchat_example), (0.06, _about_picture_example), (0.06, _writing_example),
    ]
    weights = [w for w, _ in makers]
    examples = []
    for _ in range(n):
        maker = rng.choices([m for _, m in makers], weights=weights)[0]
        examples.append(maker(rng))
    return examples


def _draw_example(rng):
    subject, template = rng.choice(SUBJECTS_EN), rng.choice(DRAW_EN)
    message = template.format(s=subject)
    if rng.random() < 0.15:
        message = message.lower()
    return RoutingExample(_maybe_chat_history(rng), message, "generate_image", {"prompt": _subject_phrase(template, subject)})


def _draw_format(rng):
    subject, kind = rng.choice(SUBJECTS_EN), rng.choice(FORMATS)
    history = _picture_history(rng, 1)[0] if rng.random() < 0.2 else []
    message = rng.choice(FORMAT_DRAW).format(k=kind, s=subject)
    return RoutingExample(history, message, "generate_image", {"prompt": f"{kind} with {subject}"})


def _draw_other_language(rng):
    subjects, templates = rng.choice(LANGUAGES)
    subject = rng.choice(subjects)
    return RoutingExample([], rng.choice(templates).format(s=subject), "generate_image", {"prompt": subject})


def _edit_example(rng):
    history, subjects = _picture_history(rng, rng.choice([1, 1, 1, 2, 3]))
    pictures = sum(1 for t in history if t.image_id)
    edit = _edit_text(rng, subjects[-1])
    image_id = f"img-{pictures}"
    if pictures > 1 and rng.random() < 0.3:
        edit_phrase = rng.choice(OLDER_PICTURE_EDITS).format(e=edit)
        return RoutingExample(history, edit_phrase, "edit_image", {"image_id": "img-1", "instruction": _strip_request(edit)})
    message = rng.choice(["{e}", "{e}", "now {e}", "can you {e}?", "please {e}", "{e} please", "hmm, {e}"]).format(e=edit)
    return RoutingExample(history, message, "edit_image", {"image_id": image_id, "instruction": _strip_request(edit)})


def _new_after_picture(rng):
    history, _ = _picture_history(rng, rng.choice([1, 2]))
    subject = rng.choice(SUBJECTS_EN)
    return RoutingExample(history, rng.choice(NEW_AFTER_PICTURE).format(s=subject), "generate_image", {"prompt": subject})


def _question_example(rng):
    history = _picture_history(rng, 1)[0] if rng.random() < 0.3 else _maybe_chat_history(rng)
    return RoutingExample(history, rng.choice(QUESTIONS + DRAWING_QUESTIONS), "none")


def _chitchat_example(rng):
    history = _picture_history(rng, 1)[0] if rng.random() < 0.4 else []
    return RoutingExample(history, rng.choice(CHITCHAT), "none")


def _about_picture_example(rng):
    history, _ = _picture_history(rng, rng.choice([1, 2]))
    return RoutingExample(history, rng.choice(ABOUT_PICTURE), "none")


def _writing_example(rng):
    return RoutingExample(_maybe_chat_history(rng), rng.choice(WRITING).format(t=rng.choice(TOPICS)), "none")


# -- turning examples into the model's own prompt format ----------------------------------------


def session_from_history(history: list[Turn] | list[dict]) -> "ChatSession":
    """A session holding an earlier conversation; assistant turns that showed a picture get the
    next picture id, exactly as a live conversation would have given them."""
    from pathlib import Path

    from chat.session import ChatSession, PictureRecord

    session = ChatSession()
    last_user = ""
    for turn in history:
        role, content = (turn.role, turn.content) if isinstance(turn, Turn) else (turn["role"], turn.get("content", ""))
        showed = (turn.image_id is not None) if isinstance(turn, Turn) else bool(turn.get("image"))
        if role == "user":
            session.add_user(content)
            last_user = content
            continue
        picture_id = None
        if showed:
            picture_id = session.next_picture_id()
            session.add_picture(PictureRecord(picture_id, None, last_user, 0, "history", 0, None, "", Path(), 0.0))
        session.add_assistant(content, picture_id=picture_id)
    return session


def example_messages(history, message: str, history_messages: int = 12):
    """The messages the agent loop would send the model for this conversation and new message."""
    from chat.assistant import model_messages

    session = session_from_history(history)
    session.add_user(message)
    return model_messages(session, history_messages)


def tool_target(example: RoutingExample) -> str | None:
    """The exact text the model should answer with, or None for a plain-text answer."""
    from models.tool_calling import format_tool_call

    if example.tool == "none":
        return None
    return format_tool_call(example.tool, example.arguments)


def final_answer_examples(n: int, seed: int = 1) -> list[tuple[list, str]]:
    """After a picture is made, the tool result goes back to the model for a one-line answer."""
    from langchain_core.messages import AIMessage, ToolMessage

    rng = random.Random(seed)
    out = []
    for i in range(n):
        if rng.random() < 0.6:
            subject = rng.choice(SUBJECTS_EN)
            example = RoutingExample([], rng.choice(DRAW_EN).format(s=subject), "generate_image", {"prompt": subject})
            result = f"Picture img-1 is ready: {subject}."
            answer = rng.choice(["Here is {s}.", "Here you go: {s}.", "Here's {s}. Want any changes?"]).format(s=subject)
        else:
            example = _edit_example(rng)
            instruction = example.arguments["instruction"]
            result = f"Picture img-9 is ready: {instruction}."
            answer = rng.choice(["Done: {i}.", "Here it is, {i}.", "Updated: {i}."]).format(i=instruction)
        messages = example_messages(example.history, example.message)
        call = {"name": example.tool, "args": example.arguments, "id": f"call_{i}", "type": "tool_call"}
        messages += [AIMessage(content="", tool_calls=[call]), ToolMessage(content=result, tool_call_id=call["id"])]
        out.append((messages, answer))
    return out
