"""Models are built from their weights one at a time in the whole process.

transformers, diffusers and sentence-transformers build a model under patches of torch that
last for the load (parameters made on the meta device, then filled in). The server loads the
chat model in the background while the first request loads the policy's and the image model's
encoders; two loads that interleave their patches can leave one in place, and every model built
afterwards keeps empty weights. A fresh server failed every chat turn that way once
("lm_head.weight MISSING", then NotImplementedError while saving the de-quantised chat model);
the interleaving did not come back on demand, so loads are serialised rather than patched
around. Loading is rare and short next to serving. Take the lock around the call that builds a
model and nothing else, so that it is always the last lock taken.
"""

from __future__ import annotations

import threading

WEIGHTS_LOCK = threading.RLock()
