"""Easel's web app on a Hugging Face Space (and `python app.py`): the page is built in chat/page.py,
which `easel serve` uses too.
"""

from chat.page import build_app, page_options
from chat.settings import Settings, configure_logging

settings = Settings()
demo = build_app(settings)

if __name__ == "__main__":
    configure_logging(settings)
    demo.launch(**page_options(), **settings.launch_options())
