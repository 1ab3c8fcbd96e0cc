"""Pictures in a conversation: every request passes the policy gate, then the image backend.

`Studio` is shared by all sessions (it holds the policy agent and the loaded image models); the
pictures themselves are recorded in each session's `ChatSession.pictures`. The gate sits here, in
the only code path that reaches the image backend, so nothing the chat model or the user writes
can skip it; if the policy agent fails, no picture is made (fail closed).
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import PIL.Image

from chat.credentials import HASH_KIND, ContentCredentials, picture_hash, png_bytes
from chat.session import ChatSession, PictureRecord
from policy.storage import failure_kind
from policy.storage import user_message as storage_message

if TYPE_CHECKING:
    from models.image_backend import ProgressCallback

log = logging.getLogger(__name__)


@dataclass
class PictureOutcome:
    """What one tool call did: a new picture, a refusal, or a problem to explain."""

    text: str  # what the chat model is told, and the user's message when nothing was made
    picture: PictureRecord | None = None
    decision: object | None = None  # the policy Decision, when the gate refused
    reply: str | None = None  # the answer to show as it is (an exact edit says itself what changed)
    suggestions: list[str] = field(default_factory=list)  # what the model can draw instead ("a dog"), shown as buttons

    @property
    def refused(self) -> bool:
        return self.decision is not None and not self.decision.allowed


def missing_picture_message(session: ChatSession, image_id: object) -> str:
    """What the user is told when an edit names a picture this conversation does not have.

    With no picture at all (an edit asked for before anything was drawn, or a picture id from
    another conversation) the model passes whatever id it has, often none; the answer then says
    plainly that there is nothing to change yet rather than quoting a made-up id."""
    named = str(image_id or "").strip()
    named = named if re.fullmatch(r"img-\d+", named) else ""
    if not session.pictures:
        if named:
            return (
                f"There is no picture '{named}' in this conversation — there are no pictures here yet. "
                "Ask me to draw one first."
            )
        return "There is no picture in this conversation yet — ask me to draw one first."
    known = ", ".join(session.pictures)
    which = f"picture '{named}'" if named else "such picture"
    return (
        f"There is no {which} in this conversation (pictures here: {known}). "
        "Say which one to change, or ask me for a new drawing."
    )


def _explain_database_fault(decision, agent):
    """A check that failed because of the database says so: busy (try again in a moment) or
    damaged (the operator must repair it), instead of the generic policy-error message."""
    import dataclasses

    problem = getattr(getattr(agent, "registry", None), "problem", None)
    if decision.category != "policy_error" or problem is None or not hasattr(problem, "user_message"):
        return decision
    return dataclasses.replace(decision, message=problem.user_message, reason=f"{decision.reason}: {problem}")


UPLOAD_NOT_CHECKED = (
    "I couldn't check the picture you attached against the safety policy just now, so I can't use it. "
    "Please try again in a moment."
)


class UploadRefused(Exception):
    """An uploaded picture the policy refused (it shows nudity, or it could not be checked)."""

    def __init__(self, decision):
        super().__init__(decision.message)
        self.decision = decision


def _after(prompt: str, instruction) -> str:
    """An edit's description: its source's, then the instruction, said once (an upload sent with
    "make it blue" is described with those words already, and its card repeated them)."""
    if str(prompt).endswith(f": {instruction}"):
        return prompt
    return f"{prompt}, {instruction}"


UPLOAD_LABEL = "an uploaded picture"
SENT_WITH = ", sent with: "


def upload_description(text: str | None) -> str:
    """An upload's prompt on its card: the label, and what the person sent with it."""
    return UPLOAD_LABEL + (f"{SENT_WITH}{text.strip()[:200]}" if text and text.strip() else "")


def policy_source_words(source: PictureRecord | None) -> str | None:
    """What the gate reads as the picture being edited: its prompt, or for an upload only what
    the person sent with it. The label "an uploaded picture" says nothing about what it shows
    (whether it shows a real person is the face check's to say), and read beside an edit it looks
    like the undress-this-photo requests the policy's head learned to refuse: "put her in a
    winter coat" on an upload read as sexual."""
    if source is None:
        return None
    if source.model == "upload":
        return source.prompt.partition(SENT_WITH)[2] or None
    return source.prompt


class Studio:
    def __init__(
        self,
        policy_agent,
        generator,
        editor,
        image_dir: Path,
        *,
        steps: int | None = None,
        backend_for: Callable[[str], object] | None = None,
        policy_loader: Callable[[], object] | None = None,
        credentials=None,
    ):
        """`generator` draws from text; `editor` refines an existing picture (often the same
        backend); `backend_for(preset)` gives the backend of a preset a session picked.
        `policy_loader` builds the policy agent on first use instead (it embeds every exemplar,
        which would otherwise delay the page by seconds). `credentials` signs every picture saved
        (chat/credentials.py); by default the deployment's own key beside the image folder."""
        self._policy_agent = policy_agent
        self._credentials = credentials
        self._credentials_lock = threading.Lock()
        self._policy_loader = policy_loader
        self._policy_lock = threading.Lock()
        self.generator = generator
        self.editor = editor
        self.image_dir = image_dir
        self.steps = steps
        self.backend_for = backend_for

    @classmethod
    def from_settings(cls, settings) -> Studio:
        from models.image_backend import ImageBackend
        from policy.agent import PolicyAgent

        generator = ImageBackend.from_preset(settings.image_model, settings.model_cache_dir)
        editor = (
            generator
            if settings.edit_model in (None, "", settings.image_model)
            else ImageBackend.from_preset(settings.edit_model, settings.model_cache_dir)
        )
        image_dir = settings.images_dir
        backends = {settings.image_model: generator}
        lock = threading.Lock()

        def backend_for(preset: str):
            # One backend object a preset, shared by all sessions: it holds the loaded pipeline.
            with lock:
                if preset not in backends:
                    backends[preset] = ImageBackend.from_preset(preset, settings.model_cache_dir)
                return backends[preset]

        def load_policy_agent():
            agent = PolicyAgent.from_settings(settings)
            # A bounded wait for the database (a check refuses after it) and the audit retention.
            agent.registry.configure(
                busy_timeout=settings.db_busy_timeout,
                retention_days=settings.audit_retention_days,
                min_free_mb=settings.min_free_mb,
            )
            return agent

        return cls(
            None,
            generator,
            editor,
            image_dir,
            steps=settings.image_steps,
            backend_for=backend_for,
            policy_loader=load_policy_agent,
            credentials=ContentCredentials.from_settings(settings),
        )

    @property
    def credentials(self) -> ContentCredentials:
        with self._credentials_lock:
            if self._credentials is None:
                self._credentials = ContentCredentials.in_folder(Path(self.image_dir).parent / "credentials")
            return self._credentials

    @property
    def policy_agent(self):
        with self._policy_lock:
            if self._policy_agent is None and self._policy_loader is not None:
                self._policy_agent = self._policy_loader()
            return self._policy_agent

    def warm_up(self) -> None:
        """Load the policy agent, the default image model and its names in other languages now
        (the server calls this in the background at start-up, so the first picture does not wait
        for them)."""
        _ = self.policy_agent  # the property loads it
        if hasattr(self.generator, "embedded_pipeline") and self.generator.kind == "embedded":
            self.generator.embedded_pipeline()
            index = self.generator.concept_index()
            if index is not None:
                index.other_languages()  # subjects named in other languages (about a second)

    def knows_by_name(
        self, session: ChatSession, description: str, *, one_subject: bool = False, any_language: bool = False
    ) -> bool:
        """Whether the session's image model reads every word of the description: its subject by
        name, alias or emoji (not by a loose keyword or by meaning, so "a conclusion" or "the
        line" do not count), and only colour, size, place and background words besides.
        `one_subject`: a second subject ("a dog next to the cat") does not count either.
        `any_language`: a subject named in another language counts (its other words are not read).
        False for a model with no concept resolver: it reads any words, idioms included."""
        resolve = getattr(self._generator(session), "resolve", None)
        try:
            resolution = resolve(description) if resolve is not None else None
        except Exception:  # a model that cannot load says so when asked to draw
            return False
        if resolution is None or not resolution.resolved or resolution.unused:
            return False
        known = ("name", "common", "alias", "derived", "emoji") + (("translated",) if any_language else ())
        if resolution.how not in known:
            return False
        return not one_subject or len(resolution.concepts) == 1

    def _generator(self, session: ChatSession):
        preset = session.preferences.model
        return self.backend_for(preset) if preset and self.backend_for else self.generator

    def _editor(self, session: ChatSession):
        preset = session.preferences.model
        return self.backend_for(preset) if preset and self.backend_for else self.editor

    def _steps(self, session: ChatSession) -> int | None:
        return session.preferences.steps or self.steps

    def _seed(self, session: ChatSession, seed: int | None) -> int | None:
        return session.preferences.seed if seed is None else seed

    # -- the gate -----------------------------------------------------------------------------

    def _check(self, session: ChatSession, prompt: str, *, source: PictureRecord | None = None, alone: bool = False):
        """The policy's decision on a request (see `_decide`)."""
        return self._decide(session, prompt, source=source, alone=alone)[0]

    def _decide(self, session: ChatSession, prompt: str, *, source: PictureRecord | None = None, alone: bool = False):
        """(the policy's decision on a request, the ids of its allowed audit rows), with the
        conversation's earlier turns as context; `alone` judges it on its own words (only for a
        fixed text the page itself offered, such as a refusal's stand-in alternative: no user
        words, so nothing to carry over). A refused request's allowed rows (one reading allowed,
        another refused) get the outcome "refused" here; the others get theirs in `_carry_out`."""
        from policy.agent import PolicyRequest, check_fail_closed, refusal_on_error

        turns = session.user_turns()
        common = dict(
            context=() if alone else tuple(turns[:-1][-6:]),
            is_edit=source is not None,
            source_prompt=policy_source_words(source),
            user_age=session.user_age,
            source_shows_real_person=bool(source and source.shows_real_person),
        )
        # The user's own words are checked as well as the prompt the chat model wrote: a model
        # that drops or rewrites a name ("draw <person> walking a dog" -> "a dog walking") must
        # not carry a request past the gate.
        requests = [PolicyRequest(prompt=prompt, **common)]
        if turns and turns[-1].strip().lower() != prompt.strip().lower() and not alone:
            requests.append(PolicyRequest(prompt=turns[-1], **common))
        try:
            agent = self.policy_agent
        except Exception as error:  # an agent that cannot even start refuses like a failing one
            log.exception("policy agent failed to load (%s)", failure_kind(error))
            return refusal_on_error(error), []
        decisions = []
        for request in requests:
            decisions.append(_explain_database_fault(check_fail_closed(agent, request), agent))
            if decisions[-1].category == "policy_error":
                break  # a busy or broken database would only make the next check wait as long again
        chosen = next((d for d in decisions if not d.allowed), decisions[0])
        allowed_ids = [d.decision_id for d in decisions if d.allowed]
        if not chosen.allowed:
            self._record_outcome(allowed_ids, "refused")
        return chosen, allowed_ids

    def _record_outcome(self, decision_ids: list[str], outcome: str) -> None:
        registry = getattr(self._policy_agent, "registry", None)
        if decision_ids and hasattr(registry, "set_outcome"):
            registry.set_outcome(decision_ids, outcome)

    def _carry_out(self, decision_ids: list[str], work: Callable[[], PictureOutcome]) -> PictureOutcome:
        """Make an allowed picture, and record on its audit rows what came of it: "delivered" (saved
        and handed back), "failed" (the image model or the disk failed, or the request could not
        be drawn; the person is told why) or "interrupted" (Stop). A disk that cannot take the
        picture (full, read-only) is said in plain words, with no path or error number."""
        try:
            outcome = work()
        except OSError as error:
            log.error("picture of audit rows %s not saved: %s", ", ".join(decision_ids) or "-", failure_kind(error))
            outcome = PictureOutcome(storage_message(error))
        except BaseException:  # Stop pressed (TurnStopped), or the process going down
            self._record_outcome(decision_ids, "interrupted")
            raise
        self._record_outcome(decision_ids, "delivered" if outcome.picture is not None else "failed")
        return outcome

    # -- tools' work --------------------------------------------------------------------------

    def generate(
        self,
        session: ChatSession,
        prompt: str,
        *,
        seed: int | None = None,
        progress: ProgressCallback | None = None,
        judged_alone: bool = False,
    ) -> PictureOutcome:
        decision, allowed_ids = self._decide(session, prompt, alone=judged_alone)
        if not decision.allowed:
            return PictureOutcome(decision.message, decision=decision)
        return self._carry_out(allowed_ids, lambda: self._draw(session, prompt, decision, seed, progress))

    def _draw(self, session: ChatSession, prompt: str, decision, seed, progress) -> PictureOutcome:
        generator = self._generator(session)
        result = self._run(
            lambda: generator.generate(
                prompt,
                seed=self._seed(session, seed),
                steps=self._steps(session),
                size=session.preferences.size,
                progress=progress,
            )
        )
        if isinstance(result, PictureOutcome):
            return result
        picture = self._keep(session, result, parent=None, decision_id=decision.decision_id, instruction=None)
        left_out = f" {picture.left_out}" if picture.left_out else ""
        return PictureOutcome(f"Picture {picture.id} is ready: {picture.prompt}.{left_out}", picture=picture)

    def edit(
        self,
        session: ChatSession,
        image_id: str,
        instruction: str,
        *,
        strength: float = 0.5,
        seed: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> PictureOutcome:
        source = session.pictures.get(str(image_id or "").strip())
        if source is None:
            return PictureOutcome(missing_picture_message(session, image_id))
        decision, allowed_ids = self._decide(session, instruction, source=source)
        if not decision.allowed:
            return PictureOutcome(decision.message, decision=decision)
        return self._carry_out(
            allowed_ids, lambda: self._change(session, source, instruction, decision, strength, seed, progress)
        )

    def _change(self, session, source, instruction, decision, strength, seed, progress) -> PictureOutcome:
        editor = self._editor(session)
        # The embedded model's pictures (and uploads) are edited exactly: the instruction is read
        # into operations on the picture's subject and background (chat/picture_edits.py).
        exact = self._edit_exactly(session, source, instruction, editor, decision.decision_id, progress)
        if exact is not None:
            return exact
        # An instruction-edit model reads the instruction; img2img models read a description of
        # the result, which is the source's description with the change applied to it.
        is_instruction_model = getattr(getattr(editor, "preset", None), "task", "") == "edit"
        prompt = instruction if is_instruction_model else f"{source.prompt}, {instruction}"
        image = PIL.Image.open(source.path).convert("RGB")
        # Refinements keep the source's seed, so "make it blue" changes the colour, not the scene.
        seed = source.seed if seed is None else seed
        result = self._run(
            lambda: editor.refine(
                image, prompt, strength=strength, seed=seed, steps=self._steps(session), progress=progress
            )
        )
        if isinstance(result, PictureOutcome):
            return result
        picture = self._keep(session, result, parent=source, decision_id=decision.decision_id, instruction=instruction)
        return PictureOutcome(f"Picture {picture.id} is ready: {instruction}.", picture=picture)

    # -- exact edits ----------------------------------------------------------------------------

    def _edit_exactly(self, session, source, instruction, editor, decision_id, progress) -> PictureOutcome | None:
        """The edit as explicit operations (recolour, resize, move, background, add, remove,
        undo ...), or None to leave it to a hub model that reads instructions itself."""
        from chat.edit_instructions import parse_edit

        plan = parse_edit(instruction, source.prompt)
        turns = session.user_turns()
        if not plan.understood and turns and turns[-1].strip() != str(instruction).strip():
            # The chat model may shorten or garble the request; the user's own words decide then.
            own = parse_edit(turns[-1], source.prompt)
            plan = own if own.understood else plan
        if plan.undo:
            return self._undo(session, source, plan, instruction, decision_id, progress)
        if getattr(editor, "kind", "embedded") != "embedded":
            return None
        return self._apply_plan(session, source, plan, instruction, decision_id, progress)

    def _apply_plan(
        self, session, source, plan, instruction, decision_id, progress, *, change_prefix: str = ""
    ) -> PictureOutcome:
        import time

        from chat.edit_instructions import describe_capabilities
        from chat.picture_edits import EditNotPossible, NotSegmentable, apply_plan, scene_of
        from models.image_backend import GeneratedImage

        said = str(instruction).strip()
        if not plan.understood:
            text = (
                f"I can't make that change ('{said}') with this image model: it can "
                f"{describe_capabilities()}. Say it one of those ways, or ask me for a new drawing."
            )
            return PictureOutcome(text)
        started = time.perf_counter()
        try:
            scene = scene_of(source)
        except NotSegmentable as problem:
            return PictureOutcome(
                f"I can't change {source.id} that way: {problem}. I can only edit pictures with a "
                "plain background around their subject, like the ones I draw."
            )

        def draw(prompt: str):
            generator = self._generator(session)
            try:
                return generator.generate(
                    prompt, seed=source.seed, steps=self._steps(session), size=scene.size[0], progress=progress
                ).image
            except ValueError as problem:  # a request the image model cannot draw, in its own words
                raise EditNotPossible(f"I can't draw {prompt} to put in: {str(problem).rstrip('.')}") from problem

        try:
            result = apply_plan(scene, plan, draw)
        except EditNotPossible as problem:
            return PictureOutcome(f"I left {source.id} as it is: {problem}.")
        except Exception as error:
            log.exception("exact edit failed (%s)", failure_kind(error))
            return PictureOutcome("The picture could not be changed because of an internal error. Please try again.")
        changes = change_prefix + "; ".join(result.changes)
        made = GeneratedImage(
            result.scene.render(), source.prompt, source.seed, source.model, 0, None, time.perf_counter() - started
        )
        picture = self._keep(session, made, parent=source, decision_id=decision_id, instruction=said)
        picture.change, picture.before_id, picture.scene = changes, source.id, result.scene
        picture.instruction, picture.applied_to = said, source.id
        if not any(op.kind == "replace" for op in plan.ops):  # the same subject as its source
            picture.concept = getattr(source, "concept", None)
        reply = f"Done: {changes} ({picture.id}, from {source.id})."
        if plan.leftover:
            reply += f" I left out '{' '.join(plan.leftover)}': this image model can only {describe_capabilities()}."
        return PictureOutcome(f"Picture {picture.id} is ready: {changes}.", picture=picture, reply=reply)

    def _undo(self, session, source, plan, instruction, decision_id, progress) -> PictureOutcome:
        """ "Go back": the picture before the current one (or the older picture the model named)
        comes back as a new picture, and any further change in the same message applies to it."""
        from dataclasses import replace as replace_fields

        from models.image_backend import GeneratedImage

        target = session.pictures.get(source.before_id or "") if source.id == session.current_picture_id else source
        if target is None:
            return PictureOutcome(
                f"{source.id} is where this picture started, so there is nothing earlier to go back to."
            )
        if plan.ops:
            return self._apply_plan(
                session,
                target,
                replace_fields(plan, undo=False),
                instruction,
                decision_id,
                progress,
                change_prefix=f"back to {target.id}, then ",
            )
        with PIL.Image.open(target.path) as image:
            made = GeneratedImage(
                image.convert("RGB"), target.prompt, target.seed, target.model, target.steps, target.strength, 0.0
            )
        picture = self._keep(
            session, made, parent=source, decision_id=decision_id, instruction=str(instruction).strip()
        )
        picture.prompt = target.prompt
        picture.change, picture.before_id, picture.scene = f"back to {target.id}", target.before_id, target.scene
        picture.instruction, picture.applied_to = "", target.id
        picture.concept = getattr(target, "concept", None)
        return PictureOutcome(
            f"Picture {picture.id} is ready: back to {target.id}.",
            picture=picture,
            reply=f"Back to {target.id} ({picture.id}).",
        )

    def regenerate(
        self, session: ChatSession, picture_id: str, progress: ProgressCallback | None = None
    ) -> PictureOutcome:
        """The same request as an earlier picture, with a new seed (through the gate again)."""
        picture = session.pictures.get(picture_id)
        if picture is None:
            return PictureOutcome(f"There is no picture {picture_id!r} in this conversation.")
        new_seed = secrets.randbelow(2**31)
        if picture.instruction is not None:
            try:
                return self._regenerate_exact(session, picture, new_seed, progress)
            except OSError as error:  # the edits made again after the new drawing could not be saved
                log.error("regenerated picture not saved: %s", failure_kind(error))
                return PictureOutcome(storage_message(error))
        if picture.parent_id is None or picture.parent_id not in session.pictures:
            return self.generate(session, picture.prompt, seed=new_seed, progress=progress)
        instruction = picture.prompt.removeprefix(session.pictures[picture.parent_id].prompt + ", ")
        return self.edit(
            session, picture.parent_id, instruction, strength=picture.strength or 0.5, seed=new_seed, progress=progress
        )

    def _regenerate_exact(self, session: ChatSession, picture: PictureRecord, seed: int, progress) -> PictureOutcome:
        """An exactly edited picture with a new seed: its first drawing is drawn again (through
        the gate) and every exact edit since is made again on the new drawing, so the new line
        of pictures has the same changes and can itself be edited, undone or regenerated."""
        from chat.edit_instructions import parse_edit

        steps, record = [], picture
        while record.instruction is not None and record.applied_to in session.pictures:
            steps.append(record)
            record = session.pictures[record.applied_to]
        if record.instruction is not None or record.model == "upload" or record.parent_id is not None:
            return PictureOutcome(f"{picture.id} was not drawn here from a description, so there is no seed to change.")
        outcome = self.generate(session, record.prompt, seed=seed, progress=progress)
        if outcome.picture is None:
            return outcome
        again = {record.id: outcome.picture}
        for step in reversed(steps):
            base = again[step.applied_to]
            if not step.instruction:  # a "go back": the same picture as the one it went back to
                again[step.id] = base
                continue
            outcome = self._apply_plan(
                session,
                base,
                parse_edit(step.instruction, base.prompt),
                step.instruction,
                outcome.picture.decision_id,
                progress,
            )
            if outcome.picture is None:
                return PictureOutcome(f"The new drawing could not take the same changes: {outcome.text}")
            again[step.id] = outcome.picture
        return outcome

    def add_upload(
        self, session: ChatSession, image: PIL.Image.Image, description: str, original: Path | None = None
    ) -> PictureRecord:
        """An uploaded picture becomes the conversation's current picture, ready to be refined.

        The photo checks look for faces and nudity first (models/photo_checks.py) and the policy
        judges what they found: a picture that shows nudity is refused (`UploadRefused`, never
        saved); one with a face is recorded as a photo of a real person, so every edit of it is
        judged as an edit of a real person. Every edit passes the gate, which also sees the
        upload's description as the source's context. `original`, the file as it was sent, is read
        for Content Credentials: what they say goes on the card (an invalid manifest is said to be
        invalid), and the file is kept so that an edit carries it as its ingredient."""
        decision, shows_real_person = self._check_upload(session, image, description)
        if not decision.allowed:
            raise UploadRefused(decision)
        folder = self.image_dir / session.session_id
        folder.mkdir(parents=True, exist_ok=True)
        picture_id = session.next_picture_id()
        path = folder / f"{picture_id}-upload-{uuid.uuid4().hex[:8]}.png"
        found, kept = None, None
        try:
            image.save(path)
            if original is not None:
                data = Path(original).read_bytes()
                found = self.credentials.read(data)
                if found is not None:
                    kept = path.with_name(f"{path.stem}-original{Path(original).suffix.lower() or '.bin'}")
                    kept.write_bytes(data)
        except BaseException:
            self._record_outcome([decision.decision_id], "failed")
            raise
        picture = PictureRecord(
            id=picture_id,
            parent_id=None,
            prompt=description,
            seed=secrets.randbelow(2**31),
            model="upload",
            steps=0,
            strength=None,
            decision_id=decision.decision_id,
            path=path,
            seconds=0.0,
            shows_real_person=shows_real_person,
            credentials=found.describe() if found is not None else None,
            original=kept,
        )
        session.add_picture(picture)
        self._record_outcome([decision.decision_id], "delivered")
        return picture

    def _check_upload(self, session: ChatSession, image: PIL.Image.Image, description: str):
        """(the policy's decision on an uploaded picture, whether it is a photo of a real person).
        Fails closed: a policy agent that cannot check it refuses it."""
        from dataclasses import replace

        from models.photo_checks import check_photo
        from policy.agent import refusal_on_error, upload_shows_real_person

        findings = check_photo(image)
        if findings.face_error or findings.sexual_error:
            log.error(
                "photo checks could not run (%s); the upload is treated as a photo of a real person",
                findings.describe(),
            )
        agent = None
        try:
            agent = self.policy_agent
            decision = agent.check_upload(findings, description, user_age=session.user_age)
        except Exception as error:  # noqa: BLE001 - no upload without a decision (fail closed)
            log.exception("policy check of an upload failed")
            decision = replace(refusal_on_error(error), message=UPLOAD_NOT_CHECKED)
            decision = _explain_database_fault(decision, agent)
        return decision, upload_shows_real_person(findings)

    def _run(self, make):
        from models.image_backend import ImageInputError, ImageRequestError, UnknownSubjectError

        try:
            return make()
        except UnknownSubjectError as problem:  # nothing drawable named: say so, offer the closest
            return PictureOutcome(str(problem), suggestions=list(problem.suggestions))
        except (ImageRequestError, ImageInputError) as problem:
            return PictureOutcome(f"I couldn't make that picture: {problem}")
        except Exception as error:
            log.exception("image backend failed (%s)", failure_kind(error))
            return PictureOutcome("The image model failed while drawing. Please try again in a moment.")

    def _keep(self, session: ChatSession, result, *, parent: PictureRecord | None, decision_id: str, instruction):
        """Save the picture and add it to the conversation. It is written under a temporary name
        and renamed into place, so a disk that fills (or a process that dies) half-way leaves no
        half picture; the OSError of a failed save is the caller's to explain (`_carry_out`)."""
        folder = self.image_dir / session.session_id
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex[:8]}.png"
        partial = folder / f".{name}.partial"
        picture_id = session.next_picture_id()
        path = folder / f"{picture_id}-{name}"
        picture = PictureRecord(
            id=picture_id,
            parent_id=parent.id if parent else None,
            prompt=result.prompt if parent is None else _after(parent.prompt, instruction),
            seed=result.seed,
            model=result.model,
            steps=result.steps,
            strength=result.strength,
            decision_id=decision_id,
            path=path,
            seconds=result.seconds,
            concept=getattr(result, "concept", None),
            shows_real_person=bool(parent and parent.shows_real_person),  # an edit of a real person's photo
            left_out=getattr(result, "left_out", None),
            scene=getattr(result, "scene", None),
        )
        # Signed before it is written: every way the picture leaves hands out these bytes.
        ingredient = None if parent is None else (parent.original or parent.path)
        signed = self.credentials.sign_png(png_bytes(result.image), picture, parent=ingredient, title=path.name)
        try:
            partial.write_bytes(signed)
            partial.replace(path)
        except BaseException:
            try:
                partial.unlink(missing_ok=True)
            except OSError:
                pass
            raise
        self._record_hash(picture, result.image)
        session.add_picture(picture)
        return picture

    def _record_hash(self, picture: PictureRecord, image: PIL.Image.Image) -> None:
        """Keep the picture's perceptual hash with its audit row (`easel verify`). A database that
        cannot take it costs the look-up of this one picture, not the picture: it is logged by id."""
        registry = getattr(self.policy_agent, "registry", None)
        if registry is None or not hasattr(registry, "record_picture"):
            return
        try:
            registry.record_picture(picture.decision_id, picture.id, picture.model, HASH_KIND, picture_hash(image))
        except Exception as error:  # noqa: BLE001 - the picture is made; only its look-up is lost
            log.error("perceptual hash of audit row %s not kept: %s", picture.decision_id, failure_kind(error))
