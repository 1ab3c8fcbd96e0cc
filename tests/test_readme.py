"""The README and docs/ stay true to the repo: every link into the repo resolves (the file, and the
heading an #anchor names), and every `easel ...` command they show exists (`easel ... --help`
succeeds). Loads no model: `--help` only parses the command line."""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]
EASEL = Path(sys.executable).with_name("easel")

LINK = re.compile(r"\]\(([^)\s]+)\)")  # [text](target) and ![alt](target)
# `easel eval policy CASES ...` in backticks, or a code block's line: the words of the command
COMMAND = re.compile(r"(?:^\s*|`)easel((?: [a-z][a-z0-9-]*)+)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {slug(line.lstrip("#")) for line in text.splitlines() if re.match(r"#{1,6} ", line)}


def repo_links(page: Path) -> list[str]:
    return [target for target in LINK.findall(page.read_text(encoding="utf-8")) if not re.match(r"[a-z]+:", target)]


def test_the_readme_links_into_docs():
    assert any(link.startswith("docs/") for link in repo_links(README))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO)))
def test_every_link_into_the_repo_resolves(page):
    broken = []
    for link in repo_links(page):
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(f"{link}: no such file")
        elif anchor and target.suffix == ".md" and anchor not in anchors(target):
            broken.append(f"{link}: no heading #{anchor} in {target.relative_to(REPO)}")
    assert not broken, f"{page.relative_to(REPO)}: " + "; ".join(broken)


def shown_commands() -> dict[tuple[str, ...], str]:
    """Every `easel` subcommand path the pages show, with one page that shows it."""
    found = {}
    for page in PAGES:
        for line in page.read_text(encoding="utf-8").splitlines():
            for words in COMMAND.findall(line):
                found.setdefault(tuple(words.split()), page.name)
    return found


def test_the_readme_shows_commands():
    assert {("serve",), ("draw",), ("eval", "policy")} <= set(shown_commands())


def test_every_easel_command_shown_exists():
    """`easel a b --help` for each shown `easel a b ...`; the words after a command can be a
    lower-case argument (`easel optout remove zara`), so the longest path that parses counts."""

    def deepest_that_parses(words: tuple[str, ...]) -> tuple[str, ...]:
        for n in range(len(words), 0, -1):
            result = subprocess.run([str(EASEL), *words[:n], "--help"], capture_output=True, text=True, timeout=60)
            if result.returncode == 0:
                return words[:n]
        return ()

    commands = shown_commands()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(commands, pool.map(deepest_that_parses, commands), strict=True))
    missing = [f"easel {' '.join(words)} ({commands[words]})" for words, parsed in results.items() if not parsed]
    assert not missing, "shown but not a command: " + ", ".join(missing)
