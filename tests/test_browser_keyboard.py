"""Keyboard and screen-reader use of a long conversation, in a real headless chromium.

After 30 turns (pictures with their cards and buttons, a scene, a 512 px picture), the message
box is reached from the top of the page in at most five key presses (a skip link, then Enter),
it shows a focus ring, the conversation is a named landmark, pictures stay inside the
conversation's column, the Pictures panel highlights the newest picture, and axe-core finds no
serious or critical violation.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.conftest import served_app
from tests.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _ask,
    _assert_no_serious_axe_violations,
    needs_models,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]  # a real chromium, the embedding and image models

SUBJECTS = ["cat", "dog", "rocket", "apple", "tree", "house", "car", "fish", "bird", "banana"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A server that lets one session send 30 messages in a minute (the default allows 12)."""
    before = os.environ.get("EASEL_MESSAGES_PER_MINUTE")
    os.environ["EASEL_MESSAGES_PER_MINUTE"] = "600"
    try:
        with served_app(tmp_path_factory.mktemp("keyboard-data"), max_new_tokens=60) as served:
            yield served
    finally:
        if before is None:
            os.environ.pop("EASEL_MESSAGES_PER_MINUTE", None)
        else:
            os.environ["EASEL_MESSAGES_PER_MINUTE"] = before


@pytest.fixture(scope="module")
def page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        yield page
        browser.close()


def _active(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; if (!e) return '';"
        " if (e.closest('#message') && e.tagName === 'TEXTAREA') return 'message-box';"
        " if (e.closest('#skip-to-message')) return 'skip-link'; return e.tagName + ' ' + (e.innerText || '').slice(0, 30); }"
    )


@needs_models
def test_a_long_conversation_is_easy_to_use_with_the_keyboard(page, served, artifacts):
    url, _ = served
    page.goto(url)
    expect(page.locator("#conversation")).to_contain_text("emoji-style", timeout=15_000)
    # Pictures at 512 px, to check they stay inside the conversation's column.
    page.get_by_text("Settings", exact=True).click()
    page.locator("#picture-size input").click()
    page.get_by_role("option", name="512").click()
    page.get_by_text("Settings", exact=True).click()
    for turn in range(30):
        subject = SUBJECTS[turn % len(SUBJECTS)]
        text = "draw a cat next to a dog at sunset" if turn == 29 else f"draw a {subject}"
        _ask(page, text, timeout_s=60)
    assert page.locator("#conversation .message.bot img").count() >= 30
    expect(page.locator("#conversation")).to_contain_text("setting: sunset")

    # From the top of the page: Tab reaches the skip link first, Enter puts the focus in the box.
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.locator("body").click(position={"x": 3, "y": 3})  # the top of the page
    presses = 0
    while _active(page) != "message-box" and presses < 5:
        page.keyboard.press("Enter" if _active(page) == "skip-link" else "Tab")
        presses += 1
    assert _active(page) == "message-box", f"not in the message box after {presses} presses: {_active(page)}"
    ring = page.locator("#message").evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert ring[0] != "none" and ring[1] >= 2, ring
    page.screenshot(path=artifacts / "keyboard-long-chat.png")

    # The conversation is a landmark with a name.
    page.evaluate("() => window.easelAccessibilityFixes && window.easelAccessibilityFixes()")
    conversation = page.locator("#conversation")
    assert conversation.get_attribute("role") == "region" and conversation.get_attribute("aria-label")

    # A 512 px picture stays inside the conversation's column.
    column = conversation.bounding_box()
    for picture in page.locator("#conversation .message.bot img").all()[-3:]:
        box = picture.bounding_box()
        assert box["x"] + box["width"] <= column["x"] + column["width"] + 1, (box, column)

    # The Pictures panel highlights the newest picture (the one its actions apply to).
    expect(page.locator("#picture-chosen")).to_contain_text("img-30")
    selected = page.locator("#picture-tree .thumbnail-item.selected")
    expect(selected).to_have_count(1)
    assert "img-30" in (selected.get_attribute("aria-label") or selected.inner_text())

    _assert_no_serious_axe_violations(page, "long-chat", artifacts)
