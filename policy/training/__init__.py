"""Training-only code for the policy: the multilingual request corpus and the aspect head's training.

Nothing here runs in the app; `policy/aspect_head.npz` is what training leaves for the runtime.
"""
