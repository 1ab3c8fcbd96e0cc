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
