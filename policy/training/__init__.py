"""Training-only code for the policy: the generated request set and the harm classifier's training.

Nothing here runs in the app; `policy/harm_head.npz` is what training leaves for the runtime.
"""
