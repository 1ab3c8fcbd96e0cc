"""Easel's web app on a Hugging Face Space (and `python app.py`): the page is built in chat/page.py,
which `easel serve` uses too.
"""

from chat.gateway import fewer_malloc_arenas, trust_only
from chat.page import build_app, page_options
from chat.settings import Settings, configure_logging

settings = Settings()
fewer_malloc_arenas()
demo = build_app(settings)  # a weak EASEL_OPERATOR_PASSWORD stops it here, saying why

if __name__ == "__main__":
    configure_logging(settings)
    trust_only(settings.trusted_proxies)
    demo.launch(**page_options(), **settings.launch_options())
