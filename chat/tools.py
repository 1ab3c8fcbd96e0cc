"""The tools the chat model can call: plain typed functions with docstrings, as langchain tools.

Their schemas (name, arguments, the first line of the docstring) are what the model sees. The
`turn` argument is injected by the agent loop, never written by the model: it carries the
session and the `Studio`, whose policy gate every picture passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from langchain_core.tools import InjectedToolArg, tool

from chat.pictures import PictureOutcome, Studio
from chat.session import ChatSession

if TYPE_CHECKING:
    from models.image_backend import ProgressCallback


@dataclass
class TurnContext:
    session: ChatSession
    studio: Studio | None
    progress: ProgressCallback | None = None
    outcomes: list[PictureOutcome] = field(default_factory=list)
    # A fixed text the page offered (a refusal's stand-in), clicked: judged on its own words.
    judged_alone: bool = False

    def record(self, outcome: PictureOutcome) -> str:
        self.outcomes.append(outcome)
        return outcome.text


@tool(parse_docstring=True)
def generate_image(prompt: str, seed: int | None = None, turn: Annotated[Any, InjectedToolArg] = None) -> str:
    """Draw a new picture from a description.

    Args:
        prompt: What the picture shows, in the user's words: subject, colours, style, setting.
        seed: Only to repeat an earlier picture exactly; leave it out for a new picture.
    """
    if turn.studio is None:
        return turn.record(PictureOutcome("Drawing is not available in this deployment."))
    extra = {"judged_alone": True} if turn.judged_alone else {}
    return turn.record(turn.studio.generate(turn.session, prompt, seed=seed, progress=turn.progress, **extra))


@tool(parse_docstring=True)
def edit_image(
    image_id: str,
    instruction: str,
    strength: float = 0.5,
    seed: int | None = None,
    turn: Annotated[Any, InjectedToolArg] = None,
) -> str:
    """Change a picture already in this conversation.

    Args:
        image_id: The picture to change, such as img-2; usually the latest one.
        instruction: The change in the user's words, such as "make it blue" or "add a hat".
        strength: How much may change, from 0.1 (a touch) to 1.0 (almost a new picture).
        seed: Only to repeat an earlier result exactly.
    """
    if turn.studio is None:
        return turn.record(PictureOutcome("Drawing is not available in this deployment."))
    return turn.record(
        turn.studio.edit(turn.session, image_id, instruction, strength=strength, seed=seed, progress=turn.progress)
    )


IMAGE_TOOLS = [generate_image, edit_image]
TOOLS_BY_NAME = {t.name: t for t in IMAGE_TOOLS}
