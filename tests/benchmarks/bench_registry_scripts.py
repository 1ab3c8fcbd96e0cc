"""Registered names written in other scripts, as their speakers spell foreign names: how many the
name index finds, per language, and how many look-alike controls it leaves alone. With --chance,
how often a registered name is met by chance in ordinary text of those scripts, by the length of
its loanword skeleton (the figures behind policy.names.LOANWORD_CHANCE).

    .venv/bin/python tests/benchmarks/bench_registry_scripts.py [CASES.jsonl REGISTRY.txt] [--errors]
    .venv/bin/python tests/benchmarks/bench_registry_scripts.py --chance 50   # about 5 minutes
    .venv/bin/python tests/benchmarks/bench_registry_scripts.py --east-asian-chance   # about 1 minute

The name index alone decides here (no model is loaded): `easel eval policy CASES --optout REGISTRY`
gives the agent's decisions, which also weigh what the request asks for. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

from tqdm import tqdm

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import policy.names as names_module  # noqa: E402
from policy.names import NameIndex  # noqa: E402
from policy.registry import Person  # noqa: E402
from policy.training.corpus import read_yaml  # noqa: E402

DATA = REPO / "tests" / "data"
CORPUS = REPO / "policy" / "training" / "corpus"
# Languages of the corpus written in scripts other than Latin.
OTHER_SCRIPT_LANGUAGES = ("ja", "ko", "zh", "ar", "he", "fa", "hi", "bn", "th", "ru", "uk", "el")
# faker locales for a registry like a real one: mostly Latin names, a fifth in their own script.
LATIN_LOCALES = "en_US en_GB de_DE fr_FR es_ES es_MX it_IT pl_PL tr_TR pt_BR nl_NL sv_SE en_IN id_ID cs_CZ ro_RO hu_HU fi_FI da_DK vi_VN"
NATIVE_LOCALES = "ru_RU ja_JP zh_CN ko_KR ar_AA he_IL hi_IN el_GR uk_UA fa_IR"


def index_of(names: list[str]) -> NameIndex:
    return NameIndex.build([Person(i + 1, name, ()) for i, name in enumerate(names)])


def found_and_left(cases_path: Path, registry_path: Path, errors: bool) -> dict:
    index = index_of([line.strip() for line in registry_path.read_text(encoding="utf-8").splitlines() if line.strip()])
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for line in cases_path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        matches = [m for m in index.find(case["prompt"]) if not m.needs_person_context]
        right = bool(matches) == (case["expected"] == "refuse")
        tally[case["expected"], case["language"]][0] += right
        tally[case["expected"], case["language"]][1] += 1
        if errors and not right:
            what = "missed" if case["expected"] == "refuse" else f"refused as {matches[0].name} ({matches[0].how})"
            print(f"{case['language']}  {what}: {case['prompt']}")
    summary = {}
    for expected, label in (("refuse", "found"), ("allow", "left alone")):
        rows = {lang: counts for (e, lang), counts in sorted(tally.items()) if e == expected}
        right, total = sum(r for r, _ in rows.values()), sum(n for _, n in rows.values())
        print(
            f"{label:>10}: {right}/{total} = {right / total:.3f}   "
            + " ".join(f"{k} {r}/{n}" for k, (r, n) in rows.items())
        )
        summary[label.replace(" ", "_")] = round(right / total, 4)
    summary["loanword_min_length"] = index.loanword_min_length
    return summary


def corpus_texts(per_language: int, rng: random.Random) -> list[str]:
    texts: dict[str, list[str]] = defaultdict(list)
    for path in sorted(CORPUS.glob("*.yaml")):
        for family in read_yaml(path).get("families", []):
            for language, written in (family.get("texts") or {}).items():
                if language in OTHER_SCRIPT_LANGUAGES:
                    texts[language] += written
    chosen = []
    for language in OTHER_SCRIPT_LANGUAGES:
        rng.shuffle(texts[language])
        chosen += texts[language][:per_language]
    return chosen


def synthetic_registry(count: int, rng: random.Random) -> list[str]:
    from faker import Faker  # a test dependency: realistic names from many countries

    fakers = {locale: Faker(locale) for locale in (LATIN_LOCALES + " " + NATIVE_LOCALES).split()}
    for fake in fakers.values():
        fake.seed_instance(7)
    latin, native = LATIN_LOCALES.split(), NATIVE_LOCALES.split()
    names: dict[str, None] = {}
    while len(names) < count:
        fake = fakers[rng.choice(latin) if rng.random() < 0.8 else rng.choice(native)]
        names[f"{fake.first_name()} {fake.last_name()}"] = None
    return list(names)


def chance_by_length(per_language: int) -> dict:
    """Every registered name read as a loanword whatever its length, 100,000 of them, against
    ordinary requests that name nobody: matches per text and per name, by skeleton length."""
    rng = random.Random(1)
    texts = corpus_texts(per_language, rng)
    names_module.LOANWORD_FALSE_MATCH_BUDGET = float("inf")  # every length looked up
    index = index_of(synthetic_registry(100_000, rng))
    shortest: dict[int, int] = {}
    names_of_length: Counter = Counter()
    for skeleton, entries in index.loanword.items():
        for key_id, _ in entries:
            person = index.keys[key_id].person_id
            shortest[person] = min(shortest.get(person, 99), len(skeleton))
            names_of_length[len(skeleton)] += 1
    met: Counter = Counter()
    for text in tqdm(texts, desc="texts", unit="text"):
        for person in {m.person_id for m in index.find(text) if m.how == "loanword"}:
            met[shortest[person]] += 1
    chance = {
        length: met[length] / len(texts) / names_of_length[length] for length in sorted(names_of_length) if length >= 5
    }
    print(f"{len(texts)} texts in {len(OTHER_SCRIPT_LANGUAGES)} languages, 100,000 registered names")
    for length, value in chance.items():
        print(
            f"  {length:>2} classes: {names_of_length[length]:>6} names, met {met[length]:>5} times, {value:.2e} a name a text"
        )
    return {"texts": len(texts), "chance": {str(k): float(f"{v:.3g}") for k, v in chance.items()}}


def east_asian_registries(korean: int, japanese: int, rng: random.Random) -> dict[str, list[str]]:
    """Made-up Korean and Japanese names in Latin letters, as a registry holds them: every
    combination of faker's family and given names, shuffled ("Gim Min-jun", "Haruka Sato")."""
    from anyascii import anyascii
    from faker import Faker

    ko = Faker("ko_KR").provider("faker.providers.person")
    korean_names = sorted(
        {
            f"{anyascii(family).capitalize()} " + "-".join(anyascii(s) for s in given).capitalize()
            for family in set(ko.last_names)
            for given in set(ko.first_names)
        }
    )
    ja = Faker("ja_JP").provider("faker.providers.person")
    japanese_names = sorted({f"{g} {f}" for g in set(ja.first_romanized_names) for f in set(ja.last_romanized_names)})
    rng.shuffle(korean_names)
    rng.shuffle(japanese_names)
    return {"ko": korean_names[:korean], "ja": japanese_names[:japanese]}


def east_asian_chance(korean: int = 4000, japanese: int = 2000) -> dict:
    """How often Korean requests meet a registered Korean name read in Hangul, and Japanese ones a
    Japanese name read in kanji, by chance (policy/korean.py, policy/japanese.py): every text of
    the corpus in the language against registries of made-up names. Some matches are real people
    of that name the corpus mentions; they are printed so they can be told apart."""
    registries = east_asian_registries(korean, japanese, random.Random(1))
    summary = {}
    for language, how in (("ko", "korean"), ("ja", "kanji")):
        index = index_of(registries[language])
        texts = sorted(
            {
                text
                for path in sorted(CORPUS.glob("*.yaml"))
                for family in read_yaml(path).get("families", [])
                for text in (family.get("texts") or {}).get(language, [])
            }
        )
        met = 0
        for text in tqdm(texts, desc=language, unit="text"):
            matches = [m for m in index.find(text) if m.how == how and not m.needs_person_context]
            if matches:
                met += 1
                print(f"  {language} met {[(m.name, m.matched) for m in matches]}: {text[:60]}")
        print(
            f"{language}: {len(registries[language])} names, {met} of {len(texts)} requests met one ({met / len(texts):.4f})"
        )
        summary[language] = {"names": len(registries[language]), "texts": len(texts), "met": met}
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", type=Path, nargs="?", default=DATA / "registry_scripts_heldout.jsonl")
    parser.add_argument("registry", type=Path, nargs="?", default=DATA / "registry_scripts_heldout.txt")
    parser.add_argument("--errors", action="store_true", help="print every missed name and refused control")
    parser.add_argument("--chance", type=int, metavar="TEXTS", help="measure chance matches on TEXTS per language")
    parser.add_argument(
        "--east-asian-chance", action="store_true", help="chance matches of names read in Hangul and kanji"
    )
    args = parser.parse_args()
    if args.east_asian_chance:
        summary = east_asian_chance()
    elif args.chance:
        summary = chance_by_length(args.chance)
    else:
        summary = found_and_left(args.cases, args.registry, args.errors)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
