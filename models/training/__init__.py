"""Training and evaluation of the embedded models; nothing here runs in the app.

`image_model` trains the emoji diffusion model (`easel train image-model`), `chat_model` the
chat model's tool-routing LoRA adapter (`easel train chat-model`), `image_eval` measures the
image model with a classifier trained on real renders (`easel eval images`).
"""
