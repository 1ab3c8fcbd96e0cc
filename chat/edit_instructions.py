"""Edit instructions in plain words, read into explicit operations on a picture.

    parse_edit("make it blue and a bit bigger")
    -> EditPlan(ops=[EditOp("recolour", "blue"), EditOp("resize", 1.25)], leftover=[])

The chat model passes the user's words (its `edit_image` instruction), in English or in French,
Spanish, German, Portuguese, Dutch or Italian. Each operation is one the picture studio can
carry out exactly (see `models/scene_edits.py`):

    recolour    "make it blue", "turn the hat red", "rends-le bleu", "mach es grün"
    resize      "make it bigger", "twice as big", "shrink it a little", "hazlo más pequeño"
    move        "move it to the left", "put it in the top right corner", "centre it"
    background  "make the background yellow", "on a red background", "remove the background"
    tone        "make it darker" / "lighter"
    flip        "mirror it", "turn it upside down"
    add         "add a hat", "put a crown on it", "add a dog next to it", "ajoute un chapeau"
    remove      "remove the hat", "without the dog"
    replace     "turn it into a dog", "replace it with a rocket"
    undo        "go back", "undo that", "as it was before", "annule"

Words that are none of these (and not the picture's own subject) are kept in `leftover`, so the
studio can say plainly what it did not do ("make it look happier"). Nothing here looks at pixels.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EditOp:
    kind: str  # recolour | resize | move | background | tone | flip | add | remove | replace
    value: object = None  # colour name, scale factor, position, thing (for add/remove/replace)
    amount: float | None = None  # move: a nudge as a share of the picture instead of to the edge
    placement: str | None = None  # add: "on" | "beside" | "left" | "right" | None (by the thing)


@dataclass
class EditPlan:
    text: str  # the normalised instruction
    ops: list[EditOp] = field(default_factory=list)
    undo: bool = False  # go back one step first ("go back", "undo and make it red")
    leftover: list[str] = field(default_factory=list)  # content words nothing above used
    draws_anew: bool = False  # asks for a new drawing ("draw a dog") rather than a change
    question: bool = False  # asks about something ("is it big?", "how do I make it blue?")
    names_a_picture: bool = False  # says which picture ("the first one", "img-2"): the chat model picks it

    @property
    def understood(self) -> bool:
        return bool(self.ops) or self.undo

    @property
    def complete(self) -> bool:
        """Every content word was read into an operation: the whole message is an edit."""
        return (
            self.understood
            and not self.leftover
            and not self.draws_anew
            and not self.question
            and not self.names_a_picture
        )


def normalise(text: str) -> str:
    """Lower case, accents and apostrophes dropped, hyphens as spaces: "Rends-le plus grand !"
    -> "rends le plus grand"."""
    text = str(text).replace("ß", "ss").replace("ẞ", "ss").lower()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[’'`´‘]", " ", text)
    text = re.sub(r"[-_/]", " ", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)
    text = re.sub(r"[^\w\s.%]", " ", text)
    return " ".join(text.split())


def _alt(words) -> str:
    return "(?:" + "|".join(sorted((w.replace(" ", r"\s+") for w in words), key=len, reverse=True)) + ")"


def _lookup(table: dict[str, list[str]]) -> tuple[dict[str, str], re.Pattern]:
    """Each word of `table` -> the name it is listed under, and a pattern that finds any of the
    words as whole words (the longest first)."""
    name_of = {w: name for name, words in table.items() for w in words}
    return name_of, re.compile(r"\b" + _alt(name_of) + r"\b")


# -- colours ------------------------------------------------------------------------------------

_COLOUR_WORDS: dict[str, list[str]] = {
    "red": [
        "red",
        "crimson",
        "scarlet",
        "maroon",
        "rouge",
        "rouges",
        "rojo",
        "roja",
        "rojos",
        "rojas",
        "rot",
        "rote",
        "roten",
        "roter",
        "rotes",
        "vermelho",
        "vermelha",
        "rood",
        "rode",
        "rosso",
        "rossa",
        "rossi",
        "rosse",
    ],
    "orange": ["orange", "oranges", "naranja", "anaranjado", "anaranjada", "laranja", "oranje", "arancione", "arancio"],
    "yellow": [
        "yellow",
        "jaune",
        "jaunes",
        "amarillo",
        "amarilla",
        "gelb",
        "gelbe",
        "gelben",
        "gelber",
        "gelbes",
        "amarelo",
        "amarela",
        "geel",
        "gele",
        "giallo",
        "gialla",
    ],
    "gold": [
        "gold",
        "golden",
        "dore",
        "doree",
        "dorado",
        "dorada",
        "goldene",
        "goldenen",
        "goldener",
        "goldenes",
        "dourado",
        "dourada",
        "goud",
        "gouden",
        "dorato",
        "dorata",
        "oro",
    ],
    "lime": ["lime", "light green", "vert clair", "verde claro", "hellgrun", "verde lima"],
    "green": [
        "green",
        "vert",
        "verte",
        "verts",
        "vertes",
        "verde",
        "verdes",
        "grun",
        "grune",
        "grunen",
        "gruner",
        "grunes",
        "groen",
        "groene",
        "dark green",
    ],
    "teal": ["teal"],
    "turquoise": ["turquoise", "turquesa", "turkis", "turkise", "turkisen", "turchese", "aqua"],
    "cyan": [
        "cyan",
        "cian",
        "light blue",
        "sky blue",
        "baby blue",
        "bleu clair",
        "azul claro",
        "hellblau",
        "azzurro",
        "azzurra",
        "lichtblauw",
        "celeste",
    ],
    "navy": [
        "navy",
        "navy blue",
        "dark blue",
        "bleu marine",
        "bleu fonce",
        "azul marino",
        "azul oscuro",
        "dunkelblau",
        "azul escuro",
        "azul marinho",
        "donkerblauw",
        "blu scuro",
    ],
    "blue": [
        "blue",
        "bleu",
        "bleue",
        "bleus",
        "bleues",
        "azul",
        "azules",
        "blau",
        "blaue",
        "blauen",
        "blauer",
        "blaues",
        "blauw",
        "blauwe",
        "blu",
    ],
    "indigo": ["indigo", "dark purple"],
    "purple": [
        "purple",
        "violet",
        "violette",
        "violets",
        "violettes",
        "morado",
        "morada",
        "violeta",
        "lila",
        "lilafarben",
        "violett",
        "violette",
        "roxo",
        "roxa",
        "paars",
        "paarse",
        "viola",
    ],
    "lilac": ["lilac", "lavender", "lilas", "mauve", "lavande", "lavanda", "lilla"],
    "magenta": ["magenta", "fuchsia", "fucsia"],
    "pink": ["pink", "rose", "roses", "rosa", "rosado", "rosada", "roze", "rosafarben"],
    "brown": [
        "brown",
        "tan",
        "marron",
        "brun",
        "brune",
        "marrom",
        "castanho",
        "braun",
        "braune",
        "braunen",
        "brauner",
        "braunes",
        "bruin",
        "bruine",
        "marrone",
    ],
    "beige": ["beige", "bege", "cream"],
    "black": [
        "black",
        "noir",
        "noire",
        "noirs",
        "noires",
        "negro",
        "negra",
        "negros",
        "negras",
        "schwarz",
        "schwarze",
        "schwarzen",
        "schwarzer",
        "schwarzes",
        "preto",
        "preta",
        "zwart",
        "zwarte",
        "nero",
        "nera",
    ],
    "grey": [
        "grey",
        "gray",
        "gris",
        "grise",
        "grau",
        "graue",
        "grauen",
        "grauer",
        "graues",
        "cinza",
        "cinzento",
        "grijs",
        "grijze",
        "grigio",
        "grigia",
    ],
    "silver": [
        "silver",
        "argent",
        "argente",
        "argentee",
        "plateado",
        "plateada",
        "silber",
        "silbern",
        "silberne",
        "prateado",
        "prateada",
        "zilver",
        "zilveren",
        "argento",
        "argentato",
    ],
    "white": [
        "white",
        "blanc",
        "blanche",
        "blancs",
        "blanches",
        "blanco",
        "blanca",
        "weiss",
        "weisse",
        "weissen",
        "weisser",
        "weisses",
        "branco",
        "branca",
        "wit",
        "witte",
        "bianco",
        "bianca",
    ],
    "black and white": [
        "black and white",
        "black & white",
        "b&w",
        "greyscale",
        "grayscale",
        "noir et blanc",
        "blanco y negro",
        "schwarz weiss",
        "preto e branco",
        "zwart wit",
        "bianco e nero",
    ],
}
_COLOUR_OF, _COLOUR_RE = _lookup(_COLOUR_WORDS)

# -- words for places, sizes and the rest --------------------------------------------------------

_BACKGROUND = [
    "background",
    "backgrounds",
    "backdrop",
    "bg",
    "sky",
    "ground",
    "floor",
    "wall",
    "fond",
    "arriere plan",
    "ciel",
    "fondo",
    "cielo",
    "suelo",
    "hintergrund",
    "himmel",
    "boden",
    "fundo",
    "ceu",
    "chao",
    "achtergrond",
    "lucht",
    "grond",
    "sfondo",
    "behind it",
    "behind",
]
_BACKGROUND_RE = re.compile(r"\b" + _alt(_BACKGROUND) + r"\b")
_CLEAR = re.compile(
    r"\b(?:remove|delete|erase|no|without|plain|clear|transparent|get\s+rid\s+of|take\s+away|enleve|"
    r"enlever|supprime|supprimer|sans|quita|quitar|elimina|eliminar|sin|entferne|entfernen|ohne|remova|"
    r"remover|tire|sem|verwijder|zonder|rimuovi|togli|senza|empty|simple)\b"
)

_NUDGE = (
    r"(?:a\s+(?:little|bit|tad|touch)(?:\s+bit)?|slightly|somewhat|a\s+little\s+more|un\s+peu|un\s+poco|"
    r"etwas|ein\s+bisschen|ein\s+wenig|um\s+pouco|een\s+beetje|een\s+stukje|un\s+po|leggermente|ligeramente|legerement)"
)
_MUCH = r"(?:much|a\s+lot|way|far|really|very|loads|beaucoup|bien|mucho|muy|viel|sehr|muito|veel|molto|tres)"

_BIGGER = re.compile(
    r"\b(?:bigger|biger|larger|enlarge\w*|grow|increase\s+(?:its\s+|the\s+)?size|scale\s+(?:it\s+)?up|"
    r"zoom\s+in|upscale|huge|giant|enormous|massive|big|large|plus\s+grand\w*|plus\s+gros\w*|agrandi\w*|"
    r"grossi\w*|mas\s+grande\w*|agrand\w*|aumenta\w*|grande|grosser|grossere\w*|vergross\w*|gross|"
    r"maior|mais\s+grande\w*|aument\w*|ampli\w*|groter|vergroot|vergroten|groot|piu\s+grande|ingrand\w*|"
    r"double\s+(?:the\s+)?size|twice\s+as\s+(?:big|large))\b"
)
_SMALLER = re.compile(
    r"\b(?:smaller|smaler|shrink\w*|reduce\s+(?:its\s+|the\s+)?size|scale\s+(?:it\s+)?down|zoom\s+out|"
    r"tiny|small|minuscule|plus\s+petit\w*|rapetiss\w*|redui\w*|reduire|petit\w*|mas\s+pequen\w*|"
    r"pequen\w*|mas\s+chic\w*|achic\w*|reduc\w*|kleiner|klein|verklein\w*|menor|mais\s+pequen\w*|"
    r"diminu\w*|reduz\w*|piu\s+piccol\w*|piccol\w*|rimpiccol\w*|ridu\w*|half\s+(?:the\s+)?size|"
    r"half\s+as\s+(?:big|large))\b"
)
_TIMES = re.compile(
    r"\b(\d+(?:\.\d+)?)\s*(?:x|times|fois|veces|mal|vezes|keer|volte)\b|\b(\d+(?:\.\d+)?)\s*%|"
    r"\b(twice|double|two\s+times|three\s+times|triple|half|deux\s+fois|dos\s+veces|doppelt|zweimal|"
    r"duas\s+vezes|twee\s+keer|due\s+volte|moitie|mitad|halb|metade|helft|meta)\b"
)

_DIRECTIONS = {
    "left": ["left", "gauche", "izquierda", "links", "esquerda", "sinistra"],
    "right": ["right", "droite", "derecha", "rechts", "direita", "destra"],
    "top": [
        "top",
        "up",
        "upper",
        "upwards",
        "haut",
        "arriba",
        "oben",
        "nach oben",
        "boven",
        "cima",
        "topo",
        "in alto",
        "alto",
        "omhoog",
    ],
    "bottom": [
        "bottom",
        "down",
        "lower",
        "downwards",
        "bas",
        "abajo",
        "unten",
        "nach unten",
        "beneden",
        "onder",
        "omlaag",
        "baixo",
        "in basso",
        "basso",
    ],
    "centre": [
        "centre",
        "center",
        "middle",
        "milieu",
        "centro",
        "mitte",
        "midden",
        "centrum",
        "centrer",
        "centre it",
        "center it",
        "centrala",
    ],
}
_DIRECTION_OF, _DIRECTION_RE = _lookup(_DIRECTIONS)

_DARKER = re.compile(
    r"\b(?:darker|dark|dimmer|plus\s+sombre|plus\s+fonce\w*|sombre|fonce\w*|mas\s+oscur\w*|oscur\w*|"
    r"dunkler|dunkel|mais\s+escur\w*|escur\w*|donkerder|donker|piu\s+scur\w*|scur\w*)\b"
)
_LIGHTER = re.compile(
    r"\b(?:lighter|brighter|paler|light|bright|pale|plus\s+clair\w*|clair\w*|mas\s+clar\w*|claro|clara|"
    r"heller|hell|mais\s+clar\w*|lichter|licht|helderder|piu\s+chiar\w*|chiaro|chiara)\b"
)
_FLIP_Y = re.compile(
    r"\b(?:upside\s+down|flip\s+(?:it\s+)?vertically|a\s+l\s+envers|boca\s+abajo|kopfuber|auf\s+den\s+kopf|"
    r"de\s+cabeca\s+para\s+baixo|ondersteboven|sottosopra)\b"
)
_FLIP_X = re.compile(
    r"\b(?:flip\w*|mirror\w*|turn\s+it\s+around|face\s+the\s+other\s+way|other\s+way\s+round|"
    r"retourne\w*|miroir|espejo|refleja\w*|spiegel\w*|espelh\w*|specchi\w*|gespiegeld)\b"
)

_UNDO = re.compile(
    r"\b(?:undo|go\s+back|goes\s+back|revert\w*|change\s+it\s+back|put\s+it\s+back|back\s+to\s+(?:how|the\s+way|"
    r"what)\s+it\s+was|the\s+way\s+it\s+was|as\s+it\s+was|as\s+before|like\s+before|back\s+to\s+the\s+"
    r"(?:previous|last|original|old|first)(?:\s+(?:one|version|picture|image))?|previous\s+(?:one|version|"
    r"picture|image)|undo\s+that|take\s+that\s+back|annule\w*|reviens|revenir|retour\s+en\s+arriere|"
    r"comme\s+avant|deshaz\w*|deshacer|vuelve|volver|como\s+antes|como\s+estaba|ruckgangig|zuruck|"
    r"wie\s+vorher|wie\s+zuvor|desfa\w*|volta\w*|voltar|ongedaan|terug|zoals\s+(?:het\s+)?(?:eerst|was)|"
    r"annulla|torna\w*|come\s+prima)\b"
)

# Verbs of drawing by hand; with "generate", "create" and the like they ask for a new picture.
_PAINT_VERBS = r"draw|paint|sketch|dessine\w*|dibuja\w*|pinta|zeichne\w*|male|desenh\w*|disegna\w*|teken\w*"
_DRAW = re.compile(
    r"\b(?:" + _PAINT_VERBS + r"|generate|create|render|illustrate|peins|schilder\w*)\b(?!\s+(?:it|him|her|them|"
    r"this|that|le|la|lo|les|es|ihn|sie|o|het|again|instead)\b)"
)

_QUESTION = re.compile(
    r"(?:what|how|why|who|where|when|which|is|are|does|do|did|was|were|should|shall|qu\w*|quoi|comment|"
    r"pourquoi|est\s+ce|como|por\s+que|cual|cuando|donde|warum|wie|wo|wer|ist|sind|welche\w*|porque|"
    r"o\s+que|qual|wat|hoe|waarom|welke|cosa|come|perche|quale)\b"
)

_PICTURE_NAMED = re.compile(
    r"\b(?:img\s*\d+|first|second|third|fourth|original|earlier|older|other\s+(?:one|picture)|"
    r"premiere|primera|primeira|erste\w*|eerste|prima|originale?)\b"
)

_DETERMINERS = {
    "a": "a",
    "an": "an",
    "some": "some",
    "another": "another",
    "two": "two",
    "three": "three",
    "second": "a second",
    "un": "a",
    "une": "a",
    "des": "some",
    "du": "some",
    "deux": "two",
    "trois": "three",
    "una": "a",
    "uno": "a",
    "unos": "some",
    "unas": "some",
    "otro": "another",
    "otra": "another",
    "dos": "two",
    "tres": "three",
    "ein": "a",
    "eine": "a",
    "einen": "a",
    "einem": "a",
    "einer": "a",
    "zwei": "two",
    "drei": "three",
    "noch": "another",
    "um": "a",
    "uma": "a",
    "uns": "some",
    "umas": "some",
    "outro": "another",
    "outra": "another",
    "dois": "two",
    "duas": "two",
    "een": "a",
    "nog": "another",
    "twee": "two",
    "drie": "three",
    "dei": "some",
    "delle": "some",
    "degli": "some",
    "altro": "another",
    "altra": "another",
    "due": "two",
}
_ARTICLES = {
    "the",
    "le",
    "la",
    "les",
    "l",
    "el",
    "los",
    "las",
    "der",
    "die",
    "das",
    "den",
    "dem",
    "o",
    "os",
    "as",
    "de",
    "het",
    "il",
    "lo",
    "gli",
    "i",
    "its",
    "his",
    "her",
    "their",
    "that",
    "this",
    "those",
    "these",
    "sa",
    "son",
    "ses",
    "su",
    "sus",
    "sein",
    "seine",
    "seinen",
    "ihr",
    "ihre",
    "seu",
    "sua",
    "zijn",
    "haar",
}

# Things people add, in the other languages, to the English the image model reads.
_THINGS = {
    "hat": ["chapeau", "sombrero", "hut", "chapeu", "hoed", "cappello"],
    "hats": ["chapeaux", "sombreros", "hute", "chapeus", "hoeden", "cappelli"],
    "crown": ["couronne", "corona", "krone", "coroa", "kroon"],
    "flower": ["fleur", "flor", "blume", "bloem", "fiore"],
    "flowers": ["fleurs", "flores", "blumen", "bloemen", "fiori"],
    "star": ["etoile", "estrella", "stern", "estrela", "ster", "stella"],
    "stars": ["etoiles", "estrellas", "sterne", "estrelas", "sterren", "stelle"],
    "rainbow": ["arc en ciel", "arcoiris", "arco iris", "regenbogen", "regenboog", "arcobaleno"],
    "sun": ["soleil", "sol", "sonne", "zon", "sole"],
    "moon": ["lune", "luna", "mond", "lua", "maan"],
    "snowflake": ["neige", "nieve", "schnee", "neve", "sneeuw", "snow"],
    "heart": ["coeur", "corazon", "herz", "coracao", "hart", "cuore"],
    "dog": ["chien", "perro", "hund", "cachorro", "cao", "hond", "cane"],
    "cat": ["chat", "gato", "katze", "kat", "gatto"],
    "tree": ["arbre", "arbol", "baum", "arvore", "boom", "albero"],
    "bird": ["oiseau", "pajaro", "vogel", "passaro", "uccello"],
    "cloud": ["nuage", "nube", "wolke", "nuvem", "wolk", "nuvola"],
    "clouds": ["nuages", "nubes", "wolken", "nuvens", "nuvole"],
    "glasses": ["lunettes", "gafas", "brille", "oculos", "bril", "occhiali"],
    "sunglasses": [
        "lunettes de soleil",
        "gafas de sol",
        "sonnenbrille",
        "oculos de sol",
        "zonnebril",
        "occhiali da sole",
    ],
    "ball": ["balle", "pelota", "ball", "bola", "bal", "palla"],
    "balloon": ["ballon", "globo", "luftballon", "balao", "palloncino"],
    "fish": ["poisson", "pez", "fisch", "peixe", "vis", "pesce"],
    "car": ["voiture", "coche", "auto", "carro", "macchina"],
    "house": ["maison", "casa", "haus", "huis"],
    "apple": ["pomme", "manzana", "apfel", "maca", "appel", "mela"],
    "cake": ["gateau", "pastel", "kuchen", "bolo", "taart", "torta"],
    "umbrella": ["parapluie", "paraguas", "regenschirm", "guarda chuva", "paraplu", "ombrello"],
    "bow": ["noeud", "lazo", "schleife", "laco", "strik", "fiocco"],
    "rocket": ["fusee", "cohete", "rakete", "foguete", "raket", "razzo"],
    "horse": ["cheval", "caballo", "pferd", "cavalo", "paard", "cavallo"],
    "boat": ["bateau", "barco", "boot", "barca"],
    "mouse": ["souris", "raton", "maus", "rato", "muis", "topo"],
}
_THING_OF = {w: en for en, words in _THINGS.items() for w in words}

_ADD_VERBS = (
    r"(?:add(?:\s+in)?|also\s+add|include|draw\s+in|ajoute\w*|rajoute\w*|anade\w*|agrega\w*|fuge|fug|adicione\w*|"
    r"adiciona\w*|acrescente\w*|acrescenta\w*|voeg|aggiungi\w*)"
)
# Verbs that add only when a determiner follows ("put a hat on it", not "put it on the left").
_PLACE_VERBS = (
    r"(?:put|place|stick|give\s+(?:it|him|her|them)|with|mets|mettre|place|donne\s+lui|avec|pon|ponle|ponga|"
    r"coloca\w*|con|setz\w*|gib\s+(?:ihm|ihr)|mit|coloque|ponha|poe|com|zet|geef\s+(?:het|hem|haar)|met|metti\w*)"
)
_REMOVE_VERBS = (
    r"(?:remove|delete|erase|take\s+away|take\s+off|take\s+out|get\s+rid\s+of|without|lose|drop|no\s+more|"
    r"enleve\w*|retire\w*|supprime\w*|efface\w*|sans|quita\w*|elimina\w*|borra\w*|saca\w*|sin|entferne\w*|"
    r"losche\w*|ohne|remova|remove|tire|tira|apague|sem|verwijder\w*|zonder|rimuovi|togli\w*|cancella|senza)"
)
_REPLACE = re.compile(
    r"\b(?:(?:turn|transform|change|convert|make)\s+(?:it|him|her|them|this|that)\s+into|make\s+(?:it|this)(?=\s+(?:a|an)\s)|"
    r"replace\s+(?:it|him|her|them|the\s+\w+)\s+(?:with|by)|swap\s+(?:it|the\s+\w+)\s+(?:for|with)|"
    r"change\s+(?:it|the\s+\w+)\s+(?:in)?to(?=\s+(?:a|an)\s)|transforme\w*\s+(?:le\s+|la\s+)?en|change\s+(?:le|la)\s+en|"
    r"remplace\w*\s+(?:le\s+|la\s+)?par|conviert\w*\s+en|transforma\w*\s+(?:en|em)|cambia\w*\s+por|troque\w*\s+por|"
    r"verwandle\w*\s+(?:es\s+)?in|mach\s+daraus|ersetze\w*\s+(?:es\s+)?durch|verander\w*\s+(?:het\s+)?in|"
    r"trasforma\w*\s+in|sostitui\w*\s+con)\s+(?P<np>.+?)(?=\s+(?:and|then|et|puis|y|und|dann|e|en)\b|,|$)"
)
_NP_END = (
    r"(?=\s+(?:and|then|also|et|puis|y|und|dann|e|depois|poi|to\s+it|on\s+it|onto\s+it|in\s+it|to\s+the\s+picture|"
    r"next\s+to|beside|besides|on\s+(?:its|his|her|the|their)\s+head|on\s+top|over\s+it|above\s+it|hinzu|toe|please|"
    r"s\s+il\s+te\s+plait|por\s+favor|bitte|alstublieft|per\s+favore)\b|,|$)"
)
_ADD_RE = re.compile(r"\b" + _ADD_VERBS + r"\s+(?P<np>.+?)" + _NP_END)
_PLACE_RE = re.compile(r"\b" + _PLACE_VERBS + r"\s+(?P<np>(?:" + _alt(_DETERMINERS) + r")\s+.+?)" + _NP_END)
_REMOVE_RE = re.compile(r"\b" + _REMOVE_VERBS + r"\s+(?P<np>.+?)" + _NP_END.replace("|$)", r"|\s+weg\b|$)"))
# "draw a hat on it", "paint a moustache on the cat", "dessine un chapeau dessus": a drawing verb
# that puts a thing onto the picture shown is an addition, not a new drawing. The place must name
# the picture ("it", "him", its subject); "draw a hat on a table" stays a new drawing.
_DRAW_ONTO_RE = re.compile(
    r"\b(?:" + _PAINT_VERBS + r")\s+"
    r"(?P<np>(?:" + _alt(_DETERMINERS) + r")\s+.+?)(?=\s+(?P<place>(?:on|onto|over|above|next\s+to|beside)\s+"
    r"(?:it|him|her|them|(?:its|his|her|their)\s+head|the\s+(?P<subject>\w+))|dessus|sur\s+(?:lui|elle|sa\s+tete)|"
    r"encima|sobre\s+(?:el|ella|su\s+cabeza)|darauf|drauf|auf\s+(?:ihn|sie|seinen\s+kopf|ihren\s+kopf))\b)"
)
_DUPLICATE = re.compile(
    r"\b(?:another\s+one|a\s+second\s+one|one\s+more|two\s+of\s+them|duplicate\s+it|copy\s+of\s+it|"
    r"a\s+copy|second\s+one)\b"
)
_PLACEMENT = [
    (
        "on",
        re.compile(
            r"\b(?:on\s+(?:its|his|her|their|the)\s+head|on\s+top|on\s+it|onto\s+it|over\s+it|above\s+it|"
            r"sur\s+(?:sa|la)\s+tete|en\s+la\s+cabeza|auf\s+den\s+kopf|na\s+cabeca|op\s+(?:zijn|het)\s+hoofd|"
            r"in\s+testa|sulla\s+testa)\b"
        ),
    ),
    (
        "beside",
        re.compile(
            r"\b(?:next\s+to|beside|besides|alongside|a\s+cote|al\s+lado|daneben|neben|ao\s+lado|"
            r"naast|accanto)\b"
        ),
    ),
]

# Words that carry no content of their own in an edit ("please make it ...").
_FILLER = set(
    """
a an the it its it's this that these those them him her his their one ones of to in into on onto at by for from with as
and or but then also too so now please pls plz can could would will you me my i we let lets let's just some more less
very really quite bit little lot tad make made makes turn change changed colour color colours colors paint painted
tint shade hue size look looking looks like should be is are was were want wanted need would like do does did again
instead picture image photo drawing pic thing version same whole entire everything all both side corner edge part area
move moved put place set get go way over there here new old first last previous next okay ok yes hey hmm well great
nice cool thanks thank good awesome perfect lovely wow actually maybe still even way sized slightly somewhat
fais fait faire le la les l un une des du de et en au aux sur dans avec s il te plait svp rends rend mets mettre
peux tu vous est sa son ses ce cette plus moins tout couleur taille
hazlo haz hacer lo la los las el un una unos unas de del y en con por favor ponlo pon cambialo cambia puedes que mas
menos color tamano todo su sus
mach mache machen es ihn sie der die das den dem ein eine einen und in mit bitte farbe grosse kannst du noch mehr
weniger alles sein seine farbe farbe
deixe deixa faca faz o a os as um uma e em com por favor pinte de da do cor tamanho mais menos tudo seu sua muda mude
maak het de een en in met alsjeblieft kleur grootte meer minder alles zijn haar
fallo fai rendilo il lo la gli le un una e in con per favore colore dimensione piu meno tutto suo sua metti
give move shift deplace deplacer deplace bouge bouger muevelo mueve mover desplaza desplazalo verschiebe verschieb
schieb schiebe bewege beweg nach mova move mude movimente verplaats schuif sposta spostalo hinzu toe weg side kant lado
seite lato cote how eso esto isso isto dat ca cela questo quello
""".split()
)


@dataclass
class _Text:
    """The normalised text and which of its characters an operation has already used."""

    text: str
    used: list[bool] = field(default_factory=list)

    def __post_init__(self):
        self.used = [False] * len(self.text)

    def take(self, start: int, end: int) -> None:
        for k in range(start, end):
            self.used[k] = True

    def free(self, start: int, end: int) -> bool:
        return not any(self.used[start:end])

    def finditer(self, pattern: re.Pattern):
        return [m for m in pattern.finditer(self.text) if self.free(m.start(), m.end())]

    def leftover(self) -> list[str]:
        words = []
        for m in re.finditer(r"[\w.%]+", self.text):
            if self.free(m.start(), m.end()):
                words.append(m.group())
        return words


def english_thing(phrase: str) -> str:
    """The noun phrase of an add/remove/replace in the English the image model reads:
    "un chapeau" -> "a hat", "des fleurs" -> "some flowers"; English stays as it is."""
    words = phrase.split()
    if not words:
        return phrase
    determiner = _DETERMINERS.get(words[0]) if words[0] not in ("a", "an", "some") else words[0]
    rest = words[1:] if words[0] in _DETERMINERS or words[0] in _ARTICLES else words
    text = " ".join(rest)
    for source in sorted(_THING_OF, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(source)}\b", _THING_OF[source], text)
    for source, name in _COLOUR_OF.items():
        if name != "black and white" and " " not in source and source != name:
            text = re.sub(rf"\b{re.escape(source)}\b", name, text)
    if words[0] in _ARTICLES:
        return f"the {text}".strip()
    if determiner in (None, "a", "an"):
        if determiner is None and text.endswith("s"):
            return text
        return (("an " if text[:1] in "aeiou" else "a ") + text).strip()
    return f"{determiner} {text}".strip()


def _nearest(spans: list[tuple[int, int, str]], position: int, after_only: bool = False):
    best, best_distance = None, None
    for span in spans:
        distance = span[0] - position if span[0] >= position else position - span[1]
        if after_only and span[0] < position:
            continue
        if best is None or distance < best_distance:
            best, best_distance = span, distance
    return best


def parse_edit(instruction: str, known_words: str = "") -> EditPlan:
    """The operations an instruction asks for (see the module docstring). `known_words` (the
    picture's own description) are not counted as leftover: "make the cat blue" is complete."""
    text = _Text(normalise(instruction))
    plan = EditPlan(text.text)
    plan.draws_anew = bool(_DRAW.search(text.text))
    plan.question = bool(_QUESTION.match(text.text))
    plan.names_a_picture = bool(_PICTURE_NAMED.search(text.text))

    for m in text.finditer(_UNDO):
        plan.undo = True
        text.take(m.start(), m.end())

    def colour_spans():
        return [(m.start(), m.end(), _COLOUR_OF[re.sub(r"\s+", " ", m.group())]) for m in text.finditer(_COLOUR_RE)]

    # Add, remove and replace first: their noun phrases ("a red balloon", "a top hat") hold
    # words the other operations would misread.
    for m in text.finditer(_REPLACE):
        thing = m.group("np").strip()
        if _is_thing(thing):
            plan.ops.append(EditOp("replace", english_thing(thing)))
            text.take(m.start(), m.end())
    for m in text.finditer(_DRAW_ONTO_RE):
        thing, subject = m.group("np").strip(), m.group("subject")
        if subject and subject not in known_words.lower().split():
            continue  # "draw a hat on the table": not a place in the picture shown
        if _is_thing(thing) and not _BACKGROUND_RE.search(thing):
            beside = m.group("place").startswith(("next", "beside"))
            plan.ops.append(EditOp("add", english_thing(thing), placement="beside" if beside else "on"))
            plan.draws_anew = False
            text.take(m.start(), m.end("place"))
    for pattern in (_ADD_RE, _PLACE_RE):
        for m in text.finditer(pattern):
            thing = m.group("np").strip()
            if _BACKGROUND_RE.search(thing):
                continue  # "add a blue background": a background edit
            if _DUPLICATE.search(thing):
                plan.ops.append(EditOp("add", "another one", placement="beside"))
            elif _is_thing(thing):
                plan.ops.append(EditOp("add", english_thing(thing), placement=_placement(text.text[m.end() :])))
            else:
                continue
            text.take(m.start(), m.end())
            for _, placement_re in _PLACEMENT:
                for p in text.finditer(placement_re):
                    text.take(p.start(), p.end())
    for m in text.finditer(_DUPLICATE):
        plan.ops.append(EditOp("add", "another one", placement="beside"))
        text.take(m.start(), m.end())
    for m in text.finditer(_REMOVE_RE):
        thing = m.group("np").strip()
        if _BACKGROUND_RE.search(thing):
            continue  # "remove the background": below
        if re.fullmatch(r"(?:it|that|this|them|le|la|lo|es|o|het)", thing) or _is_thing(thing):
            plan.ops.append(EditOp("remove", english_thing(thing)))
            text.take(m.start(), m.end())
            tail = re.match(r"\s+weg\b", text.text[m.end() :])
            if tail:
                text.take(m.end(), m.end() + tail.end())

    # The background: a background word with the colour nearest to it (or a word clearing it).
    colours = colour_spans()
    for m in text.finditer(_BACKGROUND_RE):
        before = text.text[max(0, m.start() - 40) : m.start()]
        after = text.text[m.end() : m.end() + 12]
        clear = _CLEAR.search(before[-25:]) or re.match(r"\s+(?:removed|gone|away)\b", after)
        candidates = [c for c in colours if not re.search(r"\b(?:from|von|van|de)\s*$", text.text[: c[0]])]
        near = _nearest(candidates, m.start())
        if (
            near is not None
            and abs((near[0] if near[0] >= m.end() else m.start()) - (near[1] if near[0] < m.start() else near[0]))
            <= 30
        ):
            # "change the background from white to red": the colour after "to" wins.
            to_colour = [
                c for c in candidates if re.search(r"\b(?:to|into|en|a|zu|naar|para|in)\s*$", text.text[: c[0]])
            ]
            if to_colour and near not in to_colour:
                near = to_colour[-1]
            plan.ops.append(EditOp("background", near[2]))
            text.take(near[0], near[1])
            colours.remove(near)
        elif clear:
            plan.ops.append(EditOp("background", "white"))
            text.take(m.start() - len(before[-25:]) + clear.start(), m.start() - len(before[-25:]) + clear.end())
        else:
            continue
        text.take(m.start(), m.end())
    # "on a red background" with the word "background" missing: "put it on red".
    for m in text.finditer(
        re.compile(r"\b(?:on|sur|sobre|auf|op|su)\s+(?:a\s+|un\s+|una\s+|einem\s+|een\s+)?" + _COLOUR_RE.pattern[2:])
    ):
        name = _COLOUR_OF.get(re.sub(r"\s+", " ", m.group().split(maxsplit=1)[-1].removeprefix("a ").strip()))
        if name and name != "black and white":
            plan.ops.append(EditOp("background", name))
            text.take(m.start(), m.end())

    # Size, with how much.
    for pattern, grow in ((_BIGGER, True), (_SMALLER, False)):
        for m in text.finditer(pattern):
            factor = _factor(text, m, grow)
            plan.ops.append(EditOp("resize", factor))
            text.take(m.start(), m.end())
            break
    # Darker / lighter (after colours such as "light blue" have been read below? no: colour
    # phrases are matched first by the colour pass, so protect them here).
    colour_taken = colour_spans()

    def overlaps_colour(m):
        return any(c[0] <= m.start() < c[1] or m.start() <= c[0] < m.end() for c in colour_taken)

    for pattern, darker in ((_DARKER, True), (_LIGHTER, False)):
        for m in text.finditer(pattern):
            if overlaps_colour(m):
                continue
            plan.ops.append(EditOp("tone", "darker" if darker else "lighter"))
            text.take(m.start(), m.end())
            break
    for pattern, vertical in ((_FLIP_Y, True), (_FLIP_X, False)):
        for m in text.finditer(pattern):
            plan.ops.append(EditOp("flip", "vertical" if vertical else "horizontal"))
            text.take(m.start(), m.end())
            break

    # Position: one horizontal and/or one vertical word ("top right corner"), maybe a nudge.
    found = {}
    for m in text.finditer(_DIRECTION_RE):
        direction = _DIRECTION_OF[re.sub(r"\s+", " ", m.group())]
        axis = "h" if direction in ("left", "right") else "v" if direction in ("top", "bottom") else "c"
        found.setdefault(axis, (direction, m))
    if found:
        parts = [found[a][0] for a in ("v", "h") if a in found]
        where = "-".join(parts) if parts else "centre"
        first = min(m.start() for _, m in found.values())
        nudge = re.search(
            _NUDGE + r"\s*(?:more\s+)?(?:to\s+the\s+|towards\s+the\s+|a\s+la\s+|nach\s+|para\s+a\s+|naar\s+)?$",
            text.text[:first],
        )
        if not nudge:
            nudge_after = re.match(r"\s+" + _NUDGE, text.text[max(m.end() for _, m in found.values()) :])
        else:
            nudge_after = None
        amount = 0.15 if (nudge or nudge_after) and where != "centre" else None
        plan.ops.append(EditOp("move", where, amount=amount))
        for _, m in found.values():
            text.take(m.start(), m.end())
        if nudge:
            text.take(nudge.start(), nudge.end())
        # "corner", "side", "edge" are filler words

    # Whatever colour words remain recolour the subject.
    for start, end, name in colour_spans():
        if re.search(r"\b(?:from|von|van)\s*$", text.text[:start]):
            text.take(start, end)  # "from red to blue": the old colour
            continue
        plan.ops.append(EditOp("recolour", name))
        text.take(start, end)
        break
    for start, end, _ in colour_spans():
        text.take(start, end)  # a second colour word ("blue or green"): one recolour is enough

    known = set(normalise(known_words).split())
    for m in re.finditer(_NUDGE + "|" + _MUCH, text.text):
        text.take(m.start(), m.end())
    plan.leftover = [
        w
        for w in text.leftover()
        if w not in _FILLER
        and w not in known
        and w.rstrip("s") not in known
        and not w.isdigit()
        and len(w) > 1
        and not re.fullmatch(r"img\s*\d+|\d+", w)
    ]
    plan.leftover = [w for w in plan.leftover if not re.fullmatch(r"img", w)]
    return plan


def _is_thing(phrase: str) -> bool:
    """Whether a phrase names a thing to draw (not "a bit bigger", not "it", not just a colour)."""
    words = phrase.split()
    content = [w for w in words if w not in _DETERMINERS and w not in _ARTICLES and w not in _FILLER]
    if not content:
        return False
    if re.match(r"(?:a\s+)?(?:bit|little|lot|tad|touch)\b", phrase):
        return False
    if all(w in _COLOUR_OF or w in ("colour", "color", "tint", "shade", "look", "glow") for w in content):
        return False
    if _BIGGER.fullmatch(" ".join(content)) or _SMALLER.fullmatch(" ".join(content)):
        return False
    if all(w in _DIRECTION_OF for w in content):
        return False
    return True


def _placement(after: str) -> str | None:
    for name, pattern in _PLACEMENT:
        if pattern.match(after.strip()) or pattern.search(after[:30]):
            return name
    return None


def _factor(text: _Text, m: re.Match, grow: bool) -> float:
    word = m.group()
    if re.search(r"double|twice", word):
        return 2.0
    if "half" in word:
        return 0.5
    window_start = max(0, m.start() - 30)
    window = text.text[window_start : m.end() + 30]
    times = _TIMES.search(window)
    if times:
        text.take(window_start + times.start(), window_start + times.end())
        if times.group(1):
            value = float(times.group(1))
            return value if grow else (1 / value if value > 1 else value)
        if times.group(2):
            share = float(times.group(2)) / 100
            if grow:
                return share if share > 1 else 1 + share
            return (
                share
                if "smaller" not in word and share < 1 and re.search(r"\bto\s+\d", window)
                else max(0.1, 1 - share)
            )
        word_factor = times.group(3)
        if re.search(r"half|moitie|mitad|halb|metade|helft|meta", word_factor):
            return 0.5
        if re.search(r"three|triple", word_factor):
            return 3.0 if grow else 1 / 3
        return 2.0 if grow else 0.5
    if re.search(_NUDGE, window):
        return 1.25 if grow else 0.8
    if re.search(r"\b" + _MUCH + r"\b", window) or re.search(r"huge|giant|enormous|massive|tiny|minuscule", word):
        return 2.0 if grow else 0.4
    return 1.5 if grow else 0.65


def describe_capabilities() -> str:
    return (
        "change the subject's colour, make it bigger or smaller, move it (left, right, top, bottom, a corner, "
        "the centre), change the background colour, make it darker or lighter, mirror it, add or remove a second "
        "subject, turn it into another subject, or go back a step"
    )
