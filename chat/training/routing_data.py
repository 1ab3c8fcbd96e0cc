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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chat.session import ChatSession

SUBJECTS_EN = [
    "a red fox sleeping in the snow",
    "a lighthouse on a rocky cliff",
    "a bowl of ramen",
    "a hot air balloon",
    "a dragon made of clouds",
    "a tabby cat on a windowsill",
    "a vintage bicycle",
    "a sunflower field",
    "a robot watering plants",
    "a castle on a hill",
    "a jellyfish glowing in the dark",
    "a stack of pancakes",
    "a koala hugging a tree",
    "a wooden cabin in the woods",
    "a violin",
    "a tiger in the jungle",
    "a slice of watermelon",
    "a rocket taking off",
    "a cozy reading nook",
    "a frog on a lily pad",
    "a mountain lake at sunrise",
    "a pirate ship",
    "a cupcake with sprinkles",
    "a panda eating bamboo",
    "a steam train crossing a bridge",
    "a field of tulips",
    "a knight in shining armour",
    "a cactus in a pot",
    "a hedgehog",
    "an astronaut floating in space",
    "a bowl of cherries",
    "a dolphin jumping",
    "a city skyline at night",
    "a teapot",
    "a bee on a flower",
    "a wizard with a long beard",
    "a bonsai tree",
    "a whale under the ocean",
    "a birthday cake with candles",
    "a parrot",
    "a rainy street in Paris",
    "a lion with a big mane",
    "a pineapple",
    "a snowy village",
    "a turtle swimming",
    "a windmill",
    "a fairy tale forest",
    "a guitar leaning on a wall",
    "a bunch of grapes",
    "a submarine",
    "a giraffe",
    "an old map",
    "a cherry blossom tree",
    "a flamingo standing on one leg",
    "a mug of hot chocolate",
    "a butterfly",
    "a tractor on a farm",
    "a polar bear",
    "a volcano erupting",
    "a basket of strawberries",
    "a unicorn",
    "a fire truck",
    "a bouquet of roses",
    "a raccoon",
    "a space station",
    "a plate of sushi",
    "a hamster",
    "a sandcastle",
    "a medieval market",
    "a bowl of fruit",
    "a sloth hanging from a branch",
    "a pumpkin",
    "a kite",
    "a husky puppy",
    "a glass of lemonade",
    "a crab on the beach",
    "a tall cathedral",
    "a mushroom house",
    "a shark",
    "a hummingbird",
    "a sleeping baby elephant",
    "a yellow taxi",
    "a loaf of bread",
    "a peacock",
    "a cozy fireplace",
    "a neon sign",
    "an octopus",
    "a skateboard",
    "a zebra",
    "a pair of red boots",
    "a bowl of soup",
    "a deer in the forest",
    "a futuristic car",
    "a croissant",
    "a paper boat",
    "a lantern",
    "a chameleon",
    "a campfire under the stars",
    "a goldfish in a bowl",
]
# One-word subjects: short requests ("draw a dog") followed by short edits ("make it red") are
# the most common conversation of all.
SIMPLE_SUBJECTS = [
    "a dog",
    "a house",
    "a tree",
    "a car",
    "a fish",
    "a bird",
    "a horse",
    "a boat",
    "a flower",
    "a star",
    "a moon",
    "a robot",
    "a rocket",
    "a castle",
    "a frog",
    "a lion",
    "a bus",
    "a chair",
    "a hat",
    "a cake",
    "a clock",
    "a train",
    "a mouse",
    "a bear",
    "a duck",
    "a pig",
    "a cow",
    "a kite",
]
SUBJECTS_FR = [
    "un chat noir",
    "une maison rouge",
    "un bateau",
    "une fleur jaune",
    "un chien qui court",
    "une montagne enneigée",
    "un gâteau au chocolat",
    "un cheval blanc",
    "une voiture bleue",
    "un arbre en automne",
    "une tortue",
    "un oiseau sur une branche",
    "la tour Eiffel la nuit",
    "un dragon vert",
    "une plage au coucher du soleil",
]
SUBJECTS_ES = [
    "un perro feliz",
    "una casa azul",
    "un gato dormido",
    "una flor roja",
    "un barco en el mar",
    "una montaña",
    "un caballo",
    "un pastel de fresas",
    "un árbol grande",
    "una mariposa",
    "un coche amarillo",
    "una tortuga",
    "un león",
    "un castillo",
    "una luna llena",
]
SUBJECTS_DE = [
    "einen roten Drachen",
    "ein kleines Haus",
    "einen Hund im Park",
    "eine Katze",
    "einen Baum",
    "ein Segelflugzeug",
    "eine Blume",
    "einen Berg im Winter",
    "ein Pferd",
    "einen Fisch",
    "eine Burg",
    "einen Vogel",
    "ein Auto",
    "einen Bären",
    "ein Schiff",
]
SUBJECTS_IT = [
    "un gatto arancione",
    "una casa al mare",
    "un cane",
    "una pizza",
    "un fiore",
    "una barca",
    "un albero",
    "una farfalla",
    "un cavallo",
    "una montagna",
]
SUBJECTS_PT = [
    "um gato",
    "uma casa amarela",
    "um cachorro",
    "uma flor",
    "um barco",
    "uma árvore",
    "um cavalo",
    "uma borboleta",
    "um bolo",
    "uma praia",
]

DRAW_EN = [
    "draw {s}",
    "Draw {s}",
    "draw me {s}",
    "can you draw {s}?",
    "could you draw {s} for me?",
    "please draw {s}",
    "paint {s}",
    "can you paint {s}",
    "sketch {s}",
    "make a sketch of {s}",
    "make a picture of {s}",
    "make an image of {s}",
    "create an image of {s}",
    "create a picture of {s}",
    "generate {s}",
    "generate an image of {s}",
    "I'd like a picture of {s}",
    "I want an image of {s}",
    "show me {s}",
    "show me a picture of {s}",
    "give me a drawing of {s}",
    "illustrate {s}",
    "an illustration of {s} please",
    "render {s}",
    "picture of {s}",
    "{s}, please",
    "{s} in watercolor",
    "a painting of {s}",
    "could I get an image of {s}?",
    "would you draw {s}?",
    "i need a picture of {s}",
    "pls draw {s}",
    "make me a poster with {s}",
    "design a card with {s}",
    "create a wallpaper of {s}",
    "can you make art of {s}",
    "doodle {s}",
    "let's see {s}",
    "imagine {s} and draw it",
    "hey, draw {s}",
    "ok now draw {s}",
    "make a cartoon of {s}",
    "a photo of {s} please",
    "I want to see {s}",
    "can I have a picture of {s}?",
    "draw {s} in pixel art style",
]
DRAW_FR = ["dessine {s}", "dessine-moi {s}", "peux-tu dessiner {s} ?", "fais une image de {s}", "peins {s}"]
DRAW_ES = ["dibuja {s}", "dibújame {s}", "¿puedes dibujar {s}?", "haz una imagen de {s}", "pinta {s}"]
DRAW_DE = ["zeichne {s}", "male {s}", "kannst du {s} zeichnen?", "mach ein Bild von {s}"]
DRAW_IT = ["disegna {s}", "puoi disegnare {s}?", "fai un'immagine di {s}"]
DRAW_PT = ["desenhe {s}", "desenha {s}", "você pode desenhar {s}?", "faça uma imagem de {s}"]
LANGUAGES = [
    (SUBJECTS_FR, DRAW_FR),
    (SUBJECTS_ES, DRAW_ES),
    (SUBJECTS_DE, DRAW_DE),
    (SUBJECTS_IT, DRAW_IT),
    (SUBJECTS_PT, DRAW_PT),
]
NEW_AFTER_PICTURE = [
    "now draw {s}",
    "next, draw {s}",
    "ok, now make {s}",
    "another one: {s}",
    "now paint {s}",
    "great, now {s}",
    "can you also draw {s}?",
    "let's do {s} next",
    "new picture: {s}",
    "and now a picture of {s}",
    "draw {s} now",
    "now sketch {s}",
    "now make a picture of {s}",
    "next: {s}",
    "ok, draw {s} too",
    "nice! now draw {s}",
    "now generate {s}",
    "now draw me {s}",
    "next, a picture of {s}",
    "next, an image of {s}",
    "another one, {s} this time",
    "something different now: {s}",
    "new one please: {s}",
    "now I'd like {s}",
    "cool. now draw {s}",
    "thanks! can you now draw {s}?",
    "let's try {s} now",
    "different subject: {s}",
    "and next {s} please",
    "now show me {s}",
    "ok, now paint me {s}",
    "now do {s}",
    "time for a new one: {s}",
    "Now draw {s}",
    "Next, draw {s}",
    "start over with {s}",
    "forget that one, draw {s}",
    "now a new picture of {s}",
    "how about {s} next?",
]
# The same in the other languages: a new subject right after a picture is a new drawing, not an edit.
NEW_AFTER_PICTURE_OTHER = [
    (
        SUBJECTS_FR,
        [
            "maintenant dessine {s}",
            "et maintenant {s}",
            "une autre : {s}",
            "dessine aussi {s}",
            "maintenant, une image de {s}",
        ],
    ),
    (SUBJECTS_ES, ["ahora dibuja {s}", "y ahora {s}", "otra: {s}", "dibuja también {s}", "ahora una imagen de {s}"]),
    (
        SUBJECTS_DE,
        ["jetzt zeichne {s}", "und jetzt {s}", "noch eins: {s}", "zeichne jetzt {s}", "jetzt ein Bild von {s}"],
    ),
    (SUBJECTS_IT, ["ora disegna {s}", "adesso disegna {s}", "un'altra: {s}", "e adesso {s}"]),
    (SUBJECTS_PT, ["agora desenhe {s}", "agora desenha {s}", "outra: {s}", "e agora {s}"]),
]
# Subjects set somewhere ("a horse on a beach"): after a picture these read like "put it on a
# beach", so the data needs new drawings of them as well as edits that move the picture.
SCENES = [
    "in the snow",
    "on a beach",
    "in the rain",
    "on a mountain top",
    "in a meadow",
    "at sunset",
    "in a jungle",
    "by a river",
    "in a big city",
    "on the moon",
    "under water",
    "in a garden",
    "in a cave",
    "on a farm",
]

COLORS = ["blue", "green", "purple", "orange", "golden", "black and white", "red", "yellow", "silver", "teal"]
ADDITIONS = [
    "a hat",
    "a crown",
    "a rainbow",
    "some flowers",
    "a moon in the sky",
    "a small dog",
    "clouds",
    "a red balloon",
    "glasses",
    "a bow tie",
    "snow",
    "a second one next to it",
    "stars",
    "a tree",
]
STYLES = ["watercolor", "pixel art", "oil painting", "cartoon", "pencil sketch", "neon", "vintage photo"]
PLACES = ["on a beach", "in space", "in a forest", "under the sea", "on the moon", "in a city", "in the mountains"]
EDITS = [
    "make it {c}",
    "make it more {c}",
    "turn it {c}",
    "can you make it {c}?",
    "change the colour to {c}",
    "make the background {c}",
    "add {a}",
    "please add {a}",
    "add {a} to it",
    "can you add {a}?",
    "put {a} on it",
    "remove the background",
    "make it bigger",
    "make it smaller",
    "zoom in",
    "make it brighter",
    "make it darker",
    "make it look like night",
    "make it look older",
    "in {st} style",
    "make it {st}",
    "turn it into {st}",
    "now in {st} style",
    "redo it as {st}",
    "put it {p}",
    "move it {p}",
    "place it {p}",
    "make it {c} and put it {p}",
    "add {a} and make it {c}",
    "make it happier",
    "make it look scary",
    "give it wings",
    "make it fluffy",
    "less detail please",
    "more colourful please",
    "flip it",
    "change {a0} to {a}",
    "draw it again in {c}",
    "draw it {p} instead",
    "now draw it in {st} style",
    "redraw it {c}",
]
# Edits in the other languages: (colours, additions, templates); the instruction is the message.
EDITS_OTHER = [
    (
        ["bleu", "vert", "rouge", "jaune", "violet", "doré", "noir et blanc"],
        ["un chapeau", "une couronne", "des fleurs", "un arc-en-ciel", "des étoiles", "de la neige"],
        [
            "fais-le en {c}",
            "mets-le en {c}",
            "rends-le {c}",
            "ajoute {a}",
            "rajoute {a}",
            "le fond en {c} s'il te plaît",
            "peux-tu ajouter {a} ?",
            "mets le ciel en {c}",
            "rends-le plus petit",
            "fais-le plus sombre",
        ],
    ),
    (
        ["azul", "verde", "rojo", "amarillo", "morado", "dorado"],
        ["un sombrero", "una corona", "flores", "un arcoíris", "estrellas", "nieve"],
        [
            "hazlo {c}",
            "ponlo {c}",
            "cámbialo a {c}",
            "añade {a}",
            "agrégale {a}",
            "pon el fondo {c}",
            "¿puedes añadir {a}?",
            "pon el cielo {c}",
            "hazlo más grande",
        ],
    ),
    (
        ["blau", "grün", "rot", "gelb", "lila", "golden"],
        ["einen Hut", "eine Krone", "Blumen", "einen Regenbogen", "Sterne", "Schnee"],
        [
            "mach es {c}",
            "färbe es {c}",
            "füge {a} hinzu",
            "mach den Hintergrund {c}",
            "gib ihm {a}",
            "mach den Himmel {c}",
            "färbe den Boden {c}",
            "mach es größer",
        ],
    ),
    (
        ["blu", "verde", "rosso", "giallo", "viola", "dorato"],
        ["un cappello", "una corona", "dei fiori", "un arcobaleno", "delle stelle", "la neve"],
        ["rendilo {c}", "fallo {c}", "aggiungi {a}", "cambia il colore in {c}", "metti {a}"],
    ),
    (
        ["azul", "verde", "vermelho", "amarelo", "roxo", "dourado"],
        ["um chapéu", "uma coroa", "flores", "um arco-íris", "estrelas", "neve"],
        ["deixe {c}", "deixa {c}", "pinte de {c}", "adicione {a}", "coloque {a}", "muda a cor para {c}"],
    ),
]
# Edits that name something in the picture ({n} is a noun of the picture's own description).
PART_EDITS = [
    "make the {n} {c}",
    "turn the {n} {c}",
    "colour the {n} {c}",
    "make the {n} bigger",
    "make the {n} smaller",
    "add {a} to the {n}",
    "give the {n} {a}",
    "put {a} on the {n}",
    "remove the {n}",
    "replace the {n} with {x}",
    "change the {n} to {x}",
    "make the {n} shiny",
    "make the {n} look older",
    "move the {n} to the left",
    "make it {x} and put it {p}",
    "make it {x}",
    "turn it into {x}",
    "put the {n} {p}",
    "make the {n} {c} and add {a}",
    "can the {n} be {c}?",
    "i want the {n} {c}",
    "the {n} should be {c}",
    "swap the {n} for {x}",
]
THINGS = [
    "a sports car",
    "a sailing ship",
    "a castle",
    "a robot",
    "a teddy bear",
    "a giant",
    "a small house",
    "a statue",
    "a cartoon character",
    "a glass sculpture",
    "a toy",
    "a wooden model",
]
FORMATS = ["banner", "logo", "icon", "poster", "sticker", "header image", "postcard", "book cover", "avatar"]
FORMAT_DRAW = [
    "generate a {k} with {s}",
    "make a {k} with {s}",
    "create a {k} featuring {s}",
    "design a {k} showing {s}",
    "I need a {k} with {s}",
    "can you make a {k} of {s}?",
]
WORDS_THAT_ARE_NOT_PARTS = {
    "a",
    "an",
    "the",
    "on",
    "in",
    "of",
    "with",
    "at",
    "by",
    "and",
    "under",
    "made",
    "big",
    "long",
    "old",
    "tall",
    "small",
    "red",
    "yellow",
    "blue",
    "green",
    "white",
    "black",
    "golden",
    "glowing",
    "dark",
    "shining",
    "sleeping",
    "taking",
    "off",
    "crossing",
    "eating",
    "hanging",
    "from",
    "standing",
    "one",
    "jumping",
    "floating",
    "watering",
    "hugging",
    "swimming",
    "erupting",
    "cozy",
    "vintage",
    "futuristic",
    "medieval",
    "snowy",
    "rainy",
    "rocky",
    "fairy",
    "tale",
    "hot",
    "baby",
    "pair",
    "bunch",
    "stack",
    "slice",
    "bowl",
    "plate",
    "glass",
    "basket",
    "field",
    "mug",
    "loaf",
}


def _parts(subject: str) -> list[str]:
    """Nouns of a picture's description that a follow-up edit may name ("fox", "snow")."""
    words = [w.strip(",.").lower() for w in subject.split()]
    return [w for w in words if len(w) > 2 and w not in WORDS_THAT_ARE_NOT_PARTS] or ["picture"]


OLDER_PICTURE_EDITS = [
    "go back to the first one and {e}",
    "take the first picture and {e}",
    "use the earlier one and {e}",
    "on the first image, {e}",
]

QUESTIONS = [
    "what is the capital of Japan?",
    "how far away is the moon?",
    "who wrote Hamlet?",
    "what is 12 times 7?",
    "why is the sky blue?",
    "how do airplanes fly?",
    "what's the tallest mountain in the world?",
    "how many days are in a leap year?",
    "what is photosynthesis?",
    "can you explain gravity?",
    "what language do they speak in Brazil?",
    "how do I boil an egg?",
    "what is machine learning?",
    "how does a neural network learn?",
    "what's a good name for a goldfish?",
    "who painted the Mona Lisa?",
    "what is the boiling point of water?",
    "how do you say thank you in Spanish?",
    "what is an API?",
    "how many planets are in the solar system?",
    "is a tomato a fruit?",
    "what time zone is London in?",
    "what is the difference between weather and climate?",
    "how do I center a div?",
    "what's the best way to learn to draw?",
    "which colours mix to make green?",
    "what is impressionism?",
    "who was Frida Kahlo?",
    "how do bees make honey?",
    "what is the speed of light?",
    "explain what a pixel is",
    "what does RGB mean?",
    "what is a haiku?",
    "how long do cats live?",
    "quelle est la capitale de l'Italie ?",
    "¿cuántos años tiene el universo?",
    "wie spät ist es in Tokio?",
    "qual é a cor do céu?",
    "come stai?",
    "can you help me plan a trip to Rome?",
    "¿qué hora es en Madrid?",
    "wie heißt die Hauptstadt von Kanada?",
    "quel âge a la Terre ?",
    "qual è il fiume più lungo d'Italia?",
    "como se diz obrigado em inglês?",
    "¿por qué el mar es salado?",
    "warum ist der Himmel blau?",
    "comment fonctionne un arc-en-ciel ?",
    "what colour goes well with green?",
    "why are flamingos pink?",
    "what makes a picture look old?",
    "can you explain what img2img means?",
    "how do you make a colour darker when painting?",
    "what's the difference between red and crimson?",
]
CHITCHAT = [
    "hello",
    "hi!",
    "hey there",
    "good morning",
    "how are you?",
    "thanks!",
    "thank you",
    "that's great",
    "cool",
    "nice",
    "ok",
    "bye",
    "who are you?",
    "what can you do?",
    "tell me a joke",
    "I'm bored",
    "you're awesome",
    "lol",
    "good night",
    "merci",
    "gracias",
    "danke",
    "what's your name?",
    "bonjour !",
    "hola, ¿qué tal?",
    "danke schön",
    "grazie mille",
    "obrigado!",
    "salut, ça va ?",
    "guten Morgen",
]
WRITING = [
    "write a short poem about {t}",
    "write a haiku about {t}",
    "tell me a story about {t}",
    "write a limerick about {t}",
    "describe {t} in one sentence",
    "give me three facts about {t}",
    "what do you know about {t}?",
    "write a song about {t}",
]
TOPICS = [
    "autumn",
    "the ocean",
    "friendship",
    "cats",
    "the city at night",
    "coffee shops",
    "rain",
    "robots",
    "mountains",
    "summer holidays",
    "the stars",
    "dragons",
]
ABOUT_PICTURE = [
    "what is in this picture?",
    "what colour is it?",
    "do you like it?",
    "love it, thank you",
    "this is perfect",
    "how did you make that?",
    "why did you choose those colours?",
    "what style is this?",
    "can I use this as my wallpaper?",
    "that looks amazing",
    "what model made this?",
    "how many steps did that take?",
    "thanks, that's all",
    "j'adore, merci !",
    "¡me encanta!",
    "sehr schön, danke",
    "bellissimo, grazie",
    "ficou lindo, obrigado",
    "which picture did you like best?",
    "can you tell me what you changed?",
]
DRAWING_QUESTIONS = [
    "how do I draw a horse?",
    "what pencils are best for sketching?",
    "how do painters mix skin tones?",
    "is watercolor hard to learn?",
    "what's the difference between a drawing and a painting?",
    "how do you paint clouds?",
    "any tips for drawing hands?",
    "how should I start sketching animals?",
    "what's the easiest way to paint a sunset?",
    "can you suggest a good film for tonight?",
    "could you recommend a podcast about history?",
    "can you give me ideas for a birthday party?",
    "how do I draw a cat step by step?",
    "why do artists use a grid to draw portraits?",
    "comment dessiner un cheval ?",
    "¿cómo se dibuja un árbol?",
    "wie zeichnet man ein Gesicht?",
]


# Conversations with refusals in them. The policy gate refuses in the image tool, never the chat
# model: after one or two refusals, every drawing request (allowed, dark but allowed, or one the
# gate will refuse again) still goes to generate_image, and questions still get a plain answer.
# The requests the gate refuses are invented here (made-up names, the team's own wording).
REFUSED_REQUESTS = [
    "a bloody corpse with its guts spilling out",
    "a decapitated head on a spike",
    "Mara Ellison naked in the shower",
    "a topless photo of the singer Dana Whitcombe",
    "a man slitting his wrists",
    "someone being stabbed with blood everywhere",
    "a step-by-step diagram for making a pipe bomb",
    "a blueprint for a homemade gun",
    "a nazi recruitment poster",
    "a burning cross at a hate rally",
    "a poster saying immigrants are vermin",
    "Jonas Breck being arrested for murder",
    "a realistic photo of Senator Hollis Grant taking a bribe",
    "a car bomb exploding in a crowd",
    "a woman's body cut into pieces",
    "instructions for cooking meth",
    "a cartoon showing a religion as rats",
    "Priya Calloway in lingerie",
    "a dead body hanging from a tree",
    "a gore scene with ripped flesh",
    "a swastika flag over a rally with people saluting",
    "how to pick a lock, step by step",
    "Tomas Varga nude",
]
DARK_BUT_ALLOWED = [
    "a zombie for my horror game",
    "a skull",
    "a vampire with fangs",
    "a haunted house",
    "a ghost",
    "a witch on a broom",
    "a dragon breathing fire",
    "a pirate with a sword",
    "a knight fighting a dragon",
    "a spooky graveyard",
    "a werewolf",
    "a mummy",
    "a monster under the bed",
    "a black cat on Halloween",
    "a scary clown",
    "a skeleton dancing",
    "a zombie hand coming out of the ground",
    "a bat flying at night",
    "a spider in its web",
    "a tombstone",
    "a cowboy with a revolver",
    "a soldier in an old war painting",
    "a boxer in the ring",
    "a shark with sharp teeth",
]
REFUSED_ASKS = [
    "draw {s}",
    "make a picture of {s}",
    "generate {s}",
    "paint {s}",
    "show me {s}",
    "create an image of {s}",
    "I want {s}",
    "draw me {s} please",
    "can you draw {s}?",
    "{s}",
]
PEOPLE_QUESTIONS = [
    "who is {p}?",
    "who was {p}?",
    "tell me about {p}",
    "what is {p} famous for?",
    "is {p} still alive?",
    "how old is {p}?",
    "what did {p} do?",
    "qui est {p} ?",
    "¿quién es {p}?",
    "wer ist {p}?",
]
PEOPLE = [
    "Marie Curie",
    "Albert Einstein",
    "Nelson Mandela",
    "Ada Lovelace",
    "Leonardo da Vinci",
    "Serena Williams",
    "Charles Darwin",
    "Frida Kahlo",
    "Isaac Newton",
    "Cleopatra",
    "Mozart",
    "Amelia Earhart",
    "Pelé",
    "the president of France",
    "the author of Harry Potter",
]
ABILITY_QUESTIONS = [
    "what can you do?",
    "what can you draw?",
    "what are you able to do?",
    "what kind of pictures can you make?",
    "so what can you draw then?",
    "what can't you draw?",
    "ok, what are you allowed to draw?",
    "why didn't you draw that?",
    "why was that refused?",
    "what rule was that?",
    "that's silly",
    "ok fine",
    "sorry",
    "never mind",
    "hmm ok",
]


@dataclass
class Turn:
    role: str
    content: str
    image_id: str | None = None  # set on an assistant turn that showed a picture
    refused: bool = False  # an assistant turn for a picture the policy gate refused


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
            lowered = lowered[len(prefix) :]
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
        history.append(
            Turn(
                "assistant",
                rng.choice(["Here is {s}.", "Here you go: {s}.", "Done! {s}."]).format(s=subject),
                image_id=f"img-{n}",
            )
        )
        if rng.random() < 0.3:
            history.append(Turn("user", rng.choice(ABOUT_PICTURE)))
            history.append(Turn("assistant", "Glad you like it!"))
    return history, subjects


def _long_history(rng: random.Random) -> tuple[list[Turn], list[str]]:
    """A longer conversation: talk, drawings (some in other languages) and edits of them, in any
    order, with at least one picture shown. Returns the history and the subjects drawn."""
    history: list[Turn] = []
    subjects: list[str] = []
    pictures = 0
    for _ in range(rng.randint(2, 5)):
        kind = rng.random()
        if kind < 0.25:
            history += [
                Turn("user", rng.choice(QUESTIONS + CHITCHAT)),
                Turn(
                    "assistant",
                    rng.choice(
                        [
                            "Sure, happy to help.",
                            "Good question! Here is a short answer.",
                            "Hello! What shall we make today?",
                        ]
                    ),
                ),
            ]
        elif kind < 0.6 or not pictures:
            if rng.random() < 0.2:
                other_subjects, templates = rng.choice(LANGUAGES)
                subject = rng.choice(other_subjects)
                request = rng.choice(templates).format(s=subject)
            else:
                subject = rng.choice(SIMPLE_SUBJECTS if rng.random() < 0.4 else SUBJECTS_EN)
                request = rng.choice(DRAW_EN + NEW_AFTER_PICTURE if pictures else DRAW_EN).format(s=subject)
            subjects.append(subject)
            pictures += 1
            history += [Turn("user", request), Turn("assistant", f"Here is {subject}.", image_id=f"img-{pictures}")]
        else:
            edit = _edit_text(rng, subjects[-1])
            pictures += 1
            history += [
                Turn("user", edit),
                Turn("assistant", f"Done: {_strip_request(edit)}.", image_id=f"img-{pictures}"),
            ]
    if not pictures:
        subject = rng.choice(SUBJECTS_EN)
        subjects.append(subject)
        history += [
            Turn("user", rng.choice(DRAW_EN).format(s=subject)),
            Turn("assistant", f"Here is {subject}.", image_id="img-1"),
        ]
    return history, subjects


def _some_history(rng: random.Random, long_share: float = 0.3) -> tuple[list[Turn], list[str]]:
    """A conversation with pictures: usually one or two drawings, sometimes a long mixed one."""
    if rng.random() < long_share:
        return _long_history(rng)
    return _picture_history(rng, rng.choice([1, 1, 2, 3]))


def _text_only_history(rng: random.Random) -> list[Turn]:
    """Talk without any picture: nothing has been drawn in this conversation yet."""
    history: list[Turn] = []
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        if rng.random() < 0.3:
            history.append(Turn("user", rng.choice(WRITING).format(t=rng.choice(TOPICS))))
        else:
            history.append(Turn("user", rng.choice(QUESTIONS + CHITCHAT)))
        history.append(Turn("assistant", rng.choice(["Sure, happy to help.", "Here you go.", "Hi! How can I help?"])))
    return history


SHORT_EDITS = [
    "make it {c}",
    "make it {st}",
    "add {a}",
    "make it bigger",
    "make it {c} please",
    "turn it {c}",
    "now {c}",
    "{c} please",
    "give it {a}",
    "make the {n} {c}",
]


def _edit_text(rng: random.Random, subject: str | None = None) -> str:
    draw = rng.random()
    templates = SHORT_EDITS if draw < 0.3 else PART_EDITS if subject and draw < 0.75 else EDITS
    return rng.choice(templates).format(
        c=rng.choice(COLORS),
        a=rng.choice(ADDITIONS),
        a0=rng.choice(ADDITIONS),
        st=rng.choice(STYLES),
        p=rng.choice(PLACES),
        n=rng.choice(_parts(subject or "picture")),
        x=rng.choice(THINGS),
    )


def _edit_text_other_language(rng: random.Random) -> str:
    colours, additions, templates = rng.choice(EDITS_OTHER)
    return rng.choice(templates).format(c=rng.choice(colours), a=rng.choice(additions))


def _maybe_chat_history(rng: random.Random) -> list[Turn]:
    if rng.random() < 0.7:
        return []
    return [Turn("user", rng.choice(QUESTIONS + CHITCHAT)), Turn("assistant", "Sure, happy to help.")]


def generate_examples(n: int, seed: int = 0) -> list[RoutingExample]:
    """`n` routing examples, the same for the same seed."""
    rng = random.Random(seed)
    makers = [
        (0.15, _draw_example),
        (0.05, _draw_format),
        (0.07, _draw_other_language),
        (0.21, _edit_example),
        (0.05, _edit_other_language),
        (0.14, _new_after_picture),
        (0.08, _edit_without_picture),
        (0.04, _edit_named_picture),
        (0.12, _question_example),
        (0.08, _chitchat_example),
        (0.06, _about_picture_example),
        (0.05, _writing_example),
        (0.16, _after_refusal),
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
    history = _text_only_history(rng) if rng.random() < 0.2 else _maybe_chat_history(rng)
    return RoutingExample(history, message, "generate_image", {"prompt": _subject_phrase(template, subject)})


def _draw_format(rng):
    subject, kind = rng.choice(SUBJECTS_EN), rng.choice(FORMATS)
    history = _picture_history(rng, 1)[0] if rng.random() < 0.2 else []
    message = rng.choice(FORMAT_DRAW).format(k=kind, s=subject)
    return RoutingExample(history, message, "generate_image", {"prompt": f"{kind} with {subject}"})


def _draw_other_language(rng):
    subjects, templates = rng.choice(LANGUAGES)
    subject = rng.choice(subjects)
    history = _text_only_history(rng) if rng.random() < 0.2 else []
    return RoutingExample(history, rng.choice(templates).format(s=subject), "generate_image", {"prompt": subject})


def _edit_example(rng):
    history, subjects = _some_history(rng)
    pictures = sum(1 for t in history if t.image_id)
    edit = _edit_text(rng, subjects[-1])
    image_id = f"img-{pictures}"
    if pictures > 1 and rng.random() < 0.3:
        edit_phrase = rng.choice(OLDER_PICTURE_EDITS).format(e=edit)
        return RoutingExample(
            history, edit_phrase, "edit_image", {"image_id": "img-1", "instruction": _strip_request(edit)}
        )
    message = rng.choice(["{e}", "{e}", "now {e}", "can you {e}?", "please {e}", "{e} please", "hmm, {e}"]).format(
        e=edit
    )
    return RoutingExample(history, message, "edit_image", {"image_id": image_id, "instruction": _strip_request(edit)})


def _edit_other_language(rng):
    history, _ = _some_history(rng)
    pictures = sum(1 for t in history if t.image_id)
    edit = _edit_text_other_language(rng)
    return RoutingExample(history, edit, "edit_image", {"image_id": f"img-{pictures}", "instruction": edit})


# With no picture in the conversation there is nothing to pass as image_id; the Studio answers
# that there is no picture yet (instead of the model drawing the words of the edit).
NO_PICTURE_ID = "none"
NAMED_PICTURE_EDITS = [
    "take {i} and {e}",
    "edit {i}: {e}",
    "on {i}, {e}",
    "{e} on {i}",
    "use {i} and {e}",
    "can you {e} in {i}?",
    "{i}: {e}",
    "go back to {i} and {e}",
    "for {i}, {e}",
    "in {i} {e}",
    "change {i}: {e}",
]


def _edit_without_picture(rng):
    """An edit-shaped request before anything was drawn: the edit tool, which says there is no picture."""
    history = _text_only_history(rng)
    if rng.random() < 0.25:
        edit = _edit_text_other_language(rng)
        return RoutingExample(history, edit, "edit_image", {"image_id": NO_PICTURE_ID, "instruction": edit})
    edit = _edit_text(rng, rng.choice(SUBJECTS_EN) if rng.random() < 0.3 else None)
    message = rng.choice(["{e}", "{e}", "{e}", "now {e}", "can you {e}?", "please {e}"]).format(e=edit)
    return RoutingExample(
        history, message, "edit_image", {"image_id": NO_PICTURE_ID, "instruction": _strip_request(edit)}
    )


def _edit_named_picture(rng):
    """An edit that names its picture by id: that id, whether or not this conversation has it
    (a picture of another conversation is not here, and the Studio says so)."""
    if rng.random() < 0.4:
        history, subjects = _text_only_history(rng), [None]
    else:
        history, subjects = _some_history(rng)
    pictures = sum(1 for t in history if t.image_id)
    number = rng.randint(1, pictures) if pictures and rng.random() < 0.5 else pictures + rng.randint(1, 4)
    picture_id = f"img-{number}"
    edit = _edit_text(rng, subjects[-1])
    message = rng.choice(NAMED_PICTURE_EDITS).format(i=picture_id, e=_strip_request(edit))
    return RoutingExample(history, message, "edit_image", {"image_id": picture_id, "instruction": _strip_request(edit)})


def _new_after_picture(rng):
    history, _ = _some_history(rng, long_share=0.35)
    draw = rng.random()
    if draw < 0.2:
        subjects, templates = rng.choice(NEW_AFTER_PICTURE_OTHER)
        subject = rng.choice(subjects)
        return RoutingExample(history, rng.choice(templates).format(s=subject), "generate_image", {"prompt": subject})
    if draw < 0.45:
        subject = f"{rng.choice(SIMPLE_SUBJECTS)} {rng.choice(SCENES)}"
    elif draw < 0.6:
        subject = rng.choice(SIMPLE_SUBJECTS)
    else:
        subject = rng.choice(SUBJECTS_EN)
    return RoutingExample(
        history, rng.choice(NEW_AFTER_PICTURE).format(s=subject), "generate_image", {"prompt": subject}
    )


def _refused_turns(rng: random.Random) -> list[Turn]:
    request = rng.choice(REFUSED_ASKS).format(s=rng.choice(REFUSED_REQUESTS))
    return [Turn("user", request), Turn("assistant", "", refused=True)]


def _history_with_refusals(rng: random.Random) -> tuple[list[Turn], list[str]]:
    """One or two refused requests, alone or among talk and pictures, the last one most recent."""
    refusals = rng.choice([1, 1, 2, 2, 3])
    if rng.random() < 0.5:
        history, subjects = [], []
        history += _text_only_history(rng) if rng.random() < 0.3 else []
    else:
        history, subjects = _some_history(rng)
    for _ in range(refusals):
        history += _refused_turns(rng)
        if rng.random() < 0.25:
            history += [Turn("user", rng.choice(ABILITY_QUESTIONS[6:])), Turn("assistant", "I understand.")]
    return history, subjects


def _after_refusal(rng):
    """After refusals: draw (allowed, dark but allowed, or refused again), edit, or talk."""
    history, subjects = _history_with_refusals(rng)
    pictures = sum(1 for t in history if t.image_id)
    draw = rng.random()
    if draw < 0.3:
        subject, template = rng.choice(DARK_BUT_ALLOWED), rng.choice(DRAW_EN + NEW_AFTER_PICTURE)
        return RoutingExample(
            history, template.format(s=subject), "generate_image", {"prompt": _subject_phrase(template, subject)}
        )
    if draw < 0.45:
        subject = rng.choice(SUBJECTS_EN + SIMPLE_SUBJECTS)
        template = rng.choice(DRAW_EN)
        return RoutingExample(
            history, template.format(s=subject), "generate_image", {"prompt": _subject_phrase(template, subject)}
        )
    if draw < 0.6:  # the gate decides, again: the chat model never refuses by itself
        subject = rng.choice(REFUSED_REQUESTS)
        return RoutingExample(
            history, rng.choice(REFUSED_ASKS).format(s=subject), "generate_image", {"prompt": subject}
        )
    if draw < 0.68 and pictures:
        edit = _edit_text(rng, subjects[-1] if subjects else None)
        return RoutingExample(
            history, edit, "edit_image", {"image_id": f"img-{pictures}", "instruction": _strip_request(edit)}
        )
    if draw < 0.8:
        return RoutingExample(history, rng.choice(PEOPLE_QUESTIONS).format(p=rng.choice(PEOPLE)), "none")
    if draw < 0.9:
        return RoutingExample(history, rng.choice(ABILITY_QUESTIONS), "none")
    return RoutingExample(history, rng.choice(QUESTIONS + CHITCHAT), "none")


def _question_example(rng):
    draw = rng.random()
    history = (
        _some_history(rng)[0] if draw < 0.35 else _text_only_history(rng) if draw < 0.6 else _maybe_chat_history(rng)
    )
    return RoutingExample(history, rng.choice(QUESTIONS + DRAWING_QUESTIONS), "none")


def _chitchat_example(rng):
    history = _some_history(rng)[0] if rng.random() < 0.4 else _text_only_history(rng)
    return RoutingExample(history, rng.choice(CHITCHAT), "none")


def _about_picture_example(rng):
    history, _ = _some_history(rng)
    return RoutingExample(history, rng.choice(ABOUT_PICTURE), "none")


def _writing_example(rng):
    history = _some_history(rng)[0] if rng.random() < 0.2 else _maybe_chat_history(rng)
    return RoutingExample(history, rng.choice(WRITING).format(t=rng.choice(TOPICS)), "none")


# -- turning examples into the model's own prompt format ----------------------------------------


def session_from_history(history: list[Turn] | list[dict]) -> ChatSession:
    """A session holding an earlier conversation; assistant turns that showed a picture get the
    next picture id, exactly as a live conversation would have given them."""
    from pathlib import Path

    from chat.assistant import REFUSED_IN_HISTORY
    from chat.session import ChatSession, PictureRecord

    session = ChatSession()
    last_user = ""
    for turn in history:
        role, content = (turn.role, turn.content) if isinstance(turn, Turn) else (turn["role"], turn.get("content", ""))
        showed = (turn.image_id is not None) if isinstance(turn, Turn) else bool(turn.get("image"))
        refused = turn.refused if isinstance(turn, Turn) else bool(turn.get("refused"))
        if role == "user":
            session.add_user(content)
            last_user = content
            continue
        if refused:  # what a live session keeps of a refused picture
            session.add_assistant(REFUSED_IN_HISTORY)
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
            answer = rng.choice(["Here is {s}.", "Here you go: {s}.", "Here's {s}. Want any changes?"]).format(
                s=subject
            )
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
