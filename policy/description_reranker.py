"""Does this request refer to this described person? Read together, word against word.

The description index (`policy/descriptions.py`) compares a request with every registered
description by one embedding each: fast, but a single vector cannot weigh a shop's name and its
town together ("the Gaivota bookshop in Lisbon" sits as close to "the owner of the Gaivota
bookshop in Porto" as a request about her), nor tell the drummer of a band from its singer once
the band is named. The reranker reads the request and ONE description as a pair, in a single
forward pass of multilingual-e5-small with LoRA adapters and a linear head trained for this
(`easel train description-reranker`, policy/training/description_reranker.py), and gives the
probability that the request is about that person. It only reads the description the index puts
closest, and only when that one is close, so a request close to none costs nothing more.

Pairs are scored one at a time, unpadded, so a pair's probability does not depend on what else
was shortlisted with it (the index reads one pair a check, `RERANK_LIMIT`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

RERANKER_PATH = Path(__file__).with_name("description_reranker")
HEAD_FILE = "head.npz"
MAX_PAIR_TOKENS = 160  # request and description together (a request is cut first)


def pair_tokens(tokenizer, requests: list[str], descriptions: list[str], padding: bool = False):
    """Requests and descriptions as e5 reads two queries, one pair per row: training and checks
    tokenize the same way."""
    from models.multilingual_encoder import PREFIX

    return tokenizer(
        [PREFIX + text for text in requests],
        [PREFIX + text for text in descriptions],
        truncation="longest_first",
        max_length=MAX_PAIR_TOKENS,
        padding=padding,
        return_tensors="pt",
        return_token_type_ids=False,
    )


class DescriptionReranker:
    """The probability that a request refers to a described person, from the pair read together."""

    def __init__(self, encoder, weight: np.ndarray, bias: float):
        self.encoder = encoder  # models.multilingual_encoder.MultilingualEncoder, adapters merged
        self.weight = np.asarray(weight, dtype=np.float32).reshape(-1)
        self.bias = float(bias)

    def probabilities(self, request: str, descriptions: list[str]) -> np.ndarray:
        import torch

        logits = []
        for description in descriptions:
            batch = pair_tokens(self.encoder.tokenizer, [request], [description])
            with torch.inference_mode():
                hidden = self.encoder.hidden_states(batch)
            pooled = hidden[0].float().mean(dim=0).numpy()  # one pair, no padding
            logits.append(float(pooled @ self.weight) + self.bias)
        return 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))


def load_description_reranker(
    path: Path | str | None = None, cache_dir: Path | str | None = None, share_with=None
) -> DescriptionReranker | None:
    """The shipped reranker (or the one in `path`: adapters and `head.npz`), or None when the
    folder holds none (the index then decides by its thresholds alone).

    Kept in float32: int8 moved a pair's logit by 2-5 (its pooled state at a cosine of 0.4-0.8
    with float32's), and by 1-2 even with the feed-forward outputs left in float32; the embedding
    encoders, which compare directions, lose nothing that matters. `share_with`: an encoder of the
    same base (the description encoder): the adapters leave the word embeddings as they are, so the
    two models can hold one copy (384 MB of the model's 470), and one tokenizer."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from models.loading import WEIGHTS_LOCK
    from models.multilingual_encoder import MultilingualEncoder, packaged_weights

    folder = Path(path) if path is not None else RERANKER_PATH
    if not (folder / HEAD_FILE).exists():
        return None
    head = np.load(folder / HEAD_FILE)
    base_dir = packaged_weights(cache_dir)
    with WEIGHTS_LOCK:
        from peft import PeftModel

        model = AutoModel.from_pretrained(str(base_dir), add_pooling_layer=False)
        model = PeftModel.from_pretrained(model, str(folder)).merge_and_unload()
        theirs = getattr(getattr(getattr(share_with, "model", None), "embeddings", None), "word_embeddings", None)
        ours = model.embeddings.word_embeddings
        # Compared on every 997th row: reading the whole table would page in all of the weights
        # file's 384 MB that sharing saves (the weights are memory-mapped).
        if (
            isinstance(theirs, torch.nn.Embedding)
            and theirs.weight.shape == ours.weight.shape
            and torch.equal(theirs.weight[::997], ours.weight[::997])
        ):
            model.embeddings.word_embeddings = theirs
    # The same tokenizer as the encoder's it shares with (the XLM-R vocabulary takes 330 MB).
    tokenizer = getattr(share_with, "tokenizer", None) or AutoTokenizer.from_pretrained(str(base_dir))
    return DescriptionReranker(
        MultilingualEncoder(model, tokenizer, quantize=False), head["weight"], float(head["bias"])
    )
