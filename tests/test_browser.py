"""A real headless chromium (Debian's, driven by Playwright) uses the page as a person would."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Flags for a closed network: without the background-networking ones chromium keeps trying to
# reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def page(artifacts):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        yield page
        browser.close()


@pytest.mark.browser
def test_typing_a_message_and_pressing_enter_shows_a_streamed_answer(page, server_url, artifacts):
    page.goto(server_url)
    box = page.locator("#message textarea")
    box.fill("Which city is the capital of France?")
    page.screenshot(path=artifacts / "chat-1-typed.png")
    box.press("Enter")

    bot = page.locator("#conversation .message.bot").last
    expect(bot).to_contain_text("Paris", timeout=30_000)
    expect(page.locator("#conversation .message.user").last).to_contain_text("capital of France")
    expect(box).to_have_value("")
    page.screenshot(path=artifacts / "chat-2-answered.png")


@pytest.mark.browser
def test_an_empty_message_gets_a_clear_reply_in_the_page(page, server_url, artifacts):
    page.goto(server_url)
    box = page.locator("#message textarea")
    box.fill("   ")
    box.press("Enter")
    expect(page.locator("#conversation .message.bot").last).to_contain_text("empty", timeout=15_000)
    page.screenshot(path=artifacts / "chat-3-empty-message.png")


@pytest.mark.browser
def test_a_message_sent_while_an_answer_streams_is_answered_next(page, server_url, artifacts):
    page.goto(server_url)
    users = page.locator("#conversation .message.user")
    _send(page, "Tell me something about lighthouses.")
    expect(users.last).to_contain_text("lighthouses", timeout=15_000)
    # The first turn is still deciding or streaming (a routing decision alone takes about a second).
    _send(page, "Which city is the capital of France?")
    expect(users.last).to_contain_text("capital of France", timeout=60_000)
    expect(users).to_have_count(2)
    expect(page.locator("#conversation .message.bot").last).to_contain_text("Paris", timeout=60_000)
    page.screenshot(path=artifacts / "chat-4-typed-while-streaming.png")


def _models_shipped() -> bool:
    from models.chat_weights import EMBEDDED_ADAPTER_DIR
    from models.image_backend import EMBEDDED_DIR

    return (EMBEDDED_ADAPTER_DIR / "adapter_config.json").is_file() and (EMBEDDED_DIR / "model_index.json").is_file()


def _send(page, text: str) -> None:
    box = page.locator("#message textarea")
    box.fill(text)
    box.press("Enter")


@pytest.mark.browser
@pytest.mark.skipif(not _models_shipped(), reason="the embedded routing adapter or image model is not trained yet")
def test_draw_refine_and_refusal_in_the_browser(page, server_url, artifacts):
    from tests.conftest import OPTED_OUT_NAME

    page.goto(server_url)
    _send(page, "draw a cat")
    conversation = page.locator("#conversation")
    expect(conversation.locator("img")).to_have_count(1, timeout=60_000)
    expect(conversation).to_contain_text("img-1", timeout=30_000)
    # Let the turn finish so the screenshot shows the model's short answer under the card.
    page.wait_for_timeout(10_000)
    page.screenshot(path=artifacts / "product-1-drawn.png")

    _send(page, "make it blue")
    expect(conversation.locator("img")).to_have_count(2, timeout=60_000)
    expect(conversation).to_contain_text("refined from img-1", timeout=30_000)
    page.screenshot(path=artifacts / "product-2-refined.png")
    page.wait_for_timeout(10_000)

    _send(page, f"draw {OPTED_OUT_NAME} riding a bicycle")
    expect(conversation).to_contain_text("Not drawn", timeout=60_000)
    expect(conversation).to_contain_text("Try instead", timeout=10_000)
    # The reason is shown open, not folded into a collapsed box.
    expect(conversation.get_by_text("they have asked not to be depicted").last).to_be_visible()
    expect(conversation.locator("img")).to_have_count(2)
    page.screenshot(path=artifacts / "product-3-refused.png")
