"""A registered person described, not named: found how often, on requests written apart.

    .venv/bin/python tests/benchmarks/bench_descriptions.py [--data tests/data/description_heldout.json]
        (also description_heldout_2.json, description_heldout_3.json, description_heldout_4.json:
        written apart, later)
        [--adapter DIR] [--reranker DIR | --no-reranker]

Each case holds an operator's description of a person (English), a request in one of 20
languages that refers to that person without the name ("refers"), and a similar request that
does not ("other"; in description_heldout_4.json someone of the same trade in the same place, with
a second one, "other_named", about another holder of the role, named; any key that begins with
"refers" is a request about the person, any that begins with "other" one about someone else). All descriptions are registered together; for every request, the
description index (`policy/descriptions.py`, windows from one forward pass) says whether it
matches one, and which. The encoder is the one the policy agent compares descriptions with:
multilingual-e5-small with the description adapters (`policy/description_adapter`, or
`--adapter DIR` for a candidate from `easel train description-encoder --out DIR`), and the reranker
that reads the closest description with the request (`policy/description_reranker`, `--reranker
DIR` from `easel train description-reranker --out DIR`, `--no-reranker` for the thresholds
alone). Prints found /
false rates per language and overall, and a JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

DATA = REPO / "tests" / "data" / "description_heldout.json"


def load_encoder(adapter: Path | None):
    import torch

    from policy.descriptions import load_description_encoder

    torch.set_num_threads(1)
    return load_description_encoder(adapter=adapter)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--adapter", type=Path, default=None, help="description adapters (default: the shipped ones)")
    parser.add_argument("--reranker", type=Path, default=None, help="reranker folder (default: the shipped one)")
    parser.add_argument("--no-reranker", action="store_true", help="the index's thresholds alone")
    args = parser.parse_args()
    from tqdm import tqdm

    from policy.description_reranker import load_description_reranker
    from policy.descriptions import DescriptionIndex, embed_request

    cases = json.loads(args.data.read_text(encoding="utf-8"))
    encoder = load_encoder(args.adapter)
    reranker = None if args.no_reranker else load_description_reranker(args.reranker, share_with=encoder)
    pairs = [(f"person {i}", c["description"]) for i, c in enumerate(cases)]
    index = DescriptionIndex.build(pairs, encoder, reranker)
    found, false, times = defaultdict(list), defaultdict(list), []
    found_by_kind, false_by_kind = defaultdict(list), defaultdict(list)
    misses, false_matches = [], []
    for case in tqdm(cases, desc="requests", unit="case"):
        # "refers..." requests are about the described person, "other..." ones about someone else
        # (a set may have several of each: "refers_evasive", "other_town", "other_named", ...).
        for kind in [key for key in case if key.startswith(("refers", "other")) and isinstance(case[key], str)]:
            started = time.perf_counter()
            request = embed_request(encoder, case[kind])
            match = index.match(case[kind], request.vector, request.spans)
            times.append(time.perf_counter() - started)
            if kind.startswith("refers"):
                right = match is not None and match.description == case["description"]
                found[case["lang"]].append(right)
                found_by_kind[kind].append(right)
                if not right:
                    misses.append((case["lang"], case[kind], match.description if match else None))
            else:
                false[case["lang"]].append(match is not None)
                false_by_kind[kind].append(match is not None)
                if match is not None:
                    false_matches.append((case["lang"], case[kind], match.description))
    print(
        f"\nadapter: {args.adapter or 'shipped'}, reranker: {'none' if reranker is None else args.reranker or 'shipped'}\n{'lang':>5} {'n':>3} {'found':>6} {'false':>6}"
    )
    for lang in sorted(found):
        print(
            f"{lang:>5} {len(found[lang]):>3} {statistics.mean(found[lang]):>6.2f} {statistics.mean(false[lang]):>6.2f}"
        )
    all_found = [x for rows in found.values() for x in rows]
    all_false = [x for rows in false.values() for x in rows]
    print("\nmissed:", *misses, sep="\n  ")
    print("\nfalse matches:", *false_matches, sep="\n  ")
    summary = {
        "adapter": str(args.adapter or "shipped"),
        "reranker": "none" if reranker is None else str(args.reranker or "shipped"),
        "cases": len(cases),
        "found": round(statistics.mean(all_found), 3),
        "false": round(statistics.mean(all_false), 3),
        "found_english": round(statistics.mean(found.get("en", [0])), 3),
        **{
            f"found_{kind}": round(statistics.mean(rows), 3) for kind, rows in found_by_kind.items() if kind != "refers"
        },
        **{f"false_{kind}": round(statistics.mean(rows), 3) for kind, rows in false_by_kind.items()},
        "median_ms": round(statistics.median(times) * 1000, 2),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
