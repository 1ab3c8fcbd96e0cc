"""How well the embedded model's subjects are found in requests written in other languages.

    .venv/bin/python tests/benchmarks/bench_concept_names.py [--data tests/data/drawing_requests_multilingual.jsonl]

The data was written apart from the reader (models/concept_names.py), by people who read
neither it nor its tests: drawing requests, each with the concepts a reasonable person would
accept as the picture, and ordinary messages that ask for no picture.
`drawing_requests_multilingual.jsonl` (30 languages) was measured during development, and its
misses led to two fixes of whole classes (a short name before a keyword; the words of
conversation and numbers out of the table); `drawing_requests_multilingual_2.jsonl`
(24 languages, other subjects) was written afterwards and measured once, at the end. For every
drawing request: the concept the index resolves (right, wrong, or none), and whether the
assistant's shortcut sends it to the image tool (`chat.pre_router`, a new conversation). For
every other message: whether anything sends it to the image tool. The same requests through the
English-only resolver (the index with no other languages) are the baseline, in the same run.
Prints a table per language, the totals, median milliseconds per request, and a JSON line.
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

from chat.answer_guard import ROUTING_LANGUAGES, drawing_language  # noqa: E402
from chat.pre_router import _drawing_in_another_language  # noqa: E402
from chat.session import ChatSession  # noqa: E402
from models.concepts import ConceptIndex  # noqa: E402

DATA = REPO / "tests" / "data" / "drawing_requests_multilingual.jsonl"


def shipped_studio():
    """The picture studio with the shipped image model (no policy gate: only routing is asked)."""
    import tempfile

    from chat.pictures import Studio
    from models.image_backend import ImageBackend

    return Studio(
        policy_agent=None,
        generator=ImageBackend.from_preset("embedded"),
        editor=None,
        image_dir=Path(tempfile.mkdtemp()),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.data.read_text().splitlines() if line.strip()]
    english_only = ConceptIndex.from_folder(REPO / "models" / "embedded")
    english_only._other_languages = False  # the resolver before other languages were read
    studio = shipped_studio()
    index = studio.generator.concept_index()
    index.other_languages()  # loaded before timing (about a second, once per process)

    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    times, baseline_times, misses = [], [], []
    for row in rows:
        counts = table[row["language"]]
        started = time.perf_counter()
        resolution = index.resolve(row["text"])
        times.append(time.perf_counter() - started)
        if row["kind"] == "draw":
            counts["draw"] += 1
            if resolution.how not in ("similar", "keyword") and resolution.resolved:
                right = resolution.concept.name in row["accept"]
                counts["right" if right else "wrong"] += 1
                if not right:
                    misses.append((row["language"], row["text"], resolution.concept.name, row["accept"]))
            else:
                misses.append((row["language"], row["text"], None, row["accept"]))
            counts["shortcut"] += _drawing_in_another_language(row["text"], ChatSession(), studio) is not None
            started = time.perf_counter()
            before = english_only.resolve(row["text"])
            baseline_times.append(time.perf_counter() - started)
            counts["before"] += bool(before.resolved and before.concept.name in row["accept"])
        else:
            counts["chat"] += 1
            # After a text answer, `chat.pre_router.after_model` sends such a message to the
            # image tool when it has a drawing word of a language the chat model does not route.
            language = drawing_language(row["text"])
            counts["chat_to_image"] += bool(language is not None and language not in ROUTING_LANGUAGES)

    print(
        f"{'lang':5} {'draw':>4} {'right':>5} {'wrong':>5} {'none':>4} {'before':>6} {'shortcut':>8} {'chat->image':>11}"
    )
    totals: dict[str, int] = defaultdict(int)
    for language in sorted(table):
        c = table[language]
        none = c["draw"] - c["right"] - c["wrong"]
        print(
            f"{language:5} {c['draw']:4} {c['right']:5} {c['wrong']:5} {none:4} {c['before']:6} {c['shortcut']:8} "
            f"{c['chat_to_image']:>5}/{c['chat']}"
        )
        for k, v in c.items():
            totals[k] += v
    draw = totals["draw"] or 1
    summary = {
        "requests": totals["draw"],
        "right": round(totals["right"] / draw, 3),
        "wrong": round(totals["wrong"] / draw, 3),
        "none": round((totals["draw"] - totals["right"] - totals["wrong"]) / draw, 3),
        "right_before": round(totals["before"] / draw, 3),
        "shortcut": round(totals["shortcut"] / draw, 3),
        "chat_messages": totals["chat"],
        "chat_sent_to_image_tool": totals["chat_to_image"],
        "median_ms": round(statistics.median(times) * 1000, 2),
        "median_ms_english_only": round(statistics.median(baseline_times) * 1000, 2),
    }
    print("\nmisses (language, request, drawn, acceptable):")
    for miss in misses:
        print("  ", miss)
    print(
        f"\n{summary['right']:.1%} right, {summary['wrong']:.1%} wrong, {summary['none']:.1%} not found "
        f"(English-only resolver: {summary['right_before']:.1%} right); the shortcut sends "
        f"{summary['shortcut']:.1%} to the image tool; {totals['chat_to_image']} of {totals['chat']} other messages "
        f"would be sent there after a text answer; median {summary['median_ms']} ms per request "
        f"(English-only {summary['median_ms_english_only']} ms)"
    )
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
