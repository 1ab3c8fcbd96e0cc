"""A full or read-only disk, for real: small tmpfs mounts as the data folder or the pictures
folder (root only; skipped with the reason elsewhere). No prompt, earlier turn or path reaches a
log line or the person; the person is told in words; `easel db check` exits 1 naming the disk;
nothing is left half-written; and every allowed audit row gets its outcome (delivered, failed,
interrupted) or shows that it has none."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chat.settings import PrivateFormatter
from policy import registry as registry_module
from policy.registry import NO_OUTCOME, DatabaseFull, DatabaseReadOnly, OptOutRegistry, outcome_text, pending_path
from policy.storage import CANNOT_SAVE, OUT_OF_SPACE, check_disk, failure_kind, user_message
from tests.conftest import MODEL_CACHE

REPO = Path(__file__).resolve().parents[1]
EASEL = Path(sys.executable).with_name("easel")
SECRET = "a small purple zebra on a yellow background"  # the words that must not reach any log line
EARLIER = "my neighbour Ingrid's garden"
pytestmark = pytest.mark.timeout(300)


# -- real small disks -------------------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(path: Path, size: str = "2m", read_only: bool = False):
    """A tmpfs of `size` mounted at `path` for the duration."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the disk holding `folder`, leaving about `leave` bytes free."""
    filler = folder / "filler"
    with open(filler, "wb") as out:
        try:
            if leave:
                out.write(b"\0" * max(0, os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize - leave))
                out.flush()
            else:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


class Decision:
    def __init__(self, allowed=True, category="allowed"):
        self.decision_id, self.allowed, self.category = os.urandom(8).hex(), allowed, category
        self.reason, self.scores = "closest allowed example", {"graphic_gore": 0.1}


class Request:
    def __init__(self, prompt=SECRET, context=(EARLIER,)):
        self.prompt, self.context, self.is_edit, self.source_prompt, self.user_age = prompt, context, False, None, None


def log_lines(caplog) -> list[str]:
    """Every captured record as the deployed log writes it (with its traceback, if any)."""
    formatter = PrivateFormatter("%(levelname)s %(name)s: %(message)s")
    return [formatter.format(record) for record in caplog.records]


def assert_private(lines: list[str], *words: str) -> None:
    for line in lines:
        for word in (SECRET, EARLIER, *words):
            assert word not in line, f"{word!r} in the log: {line}"
        assert "Errno" not in line and "No space left" not in line, line  # the exception's own words


# -- the registry on a full disk ---------------------------------------------------------------------


def test_an_audit_row_with_nowhere_to_go_is_logged_by_id_and_error_number_only(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    with small_disk(tmp_path / "disk") as disk:
        registry = OptOutRegistry(disk / "easel.sqlite3")
        registry.record(Decision(), Request())  # the database exists before the disk fills
        fill(disk)
        decision = Decision()
        with pytest.raises(DatabaseFull) as raised:
            registry.record(decision, Request())
        assert raised.value.user_message.startswith(OUT_OF_SPACE)
        assert str(disk) not in str(raised.value)  # the exception's text can reach a traceback
        lines = log_lines(caplog)
        assert any(decision.decision_id in line and "ENOSPC" in line for line in lines), lines
        assert_private(lines, str(disk))
        # Nothing half-written: no pending file (or only whole lines), the database still sound.
        pending = pending_path(disk / "easel.sqlite3")
        assert not pending.exists() or all(json.loads(line) for line in pending.read_text().splitlines())
        health = registry.health()
        assert health["status"] == "disk full" and f"the disk holding {disk}" in health["detail"].lower()
        assert health["audit_rows"] == 1
        registry.close()


def test_a_pending_line_the_disk_takes_only_in_part_is_cut_off_again(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        target = disk / "pending.jsonl"
        target.write_bytes(b'{"whole": "line"}\n')
        fill(disk, leave=8192)
        with pytest.raises(OSError) as raised:
            registry_module._append_whole(target, b'{"prompt": "' + b"x" * 200_000 + b'"}\n')
        assert raised.value.errno == errno.ENOSPC
        assert target.read_bytes() == b'{"whole": "line"}\n'


# -- outcomes ------------------------------------------------------------------------------------------


def test_outcomes_are_recorded_once_and_an_allowed_row_without_one_says_so(tmp_path):
    registry = OptOutRegistry(tmp_path / "easel.sqlite3")
    drawn, died, refused = Decision(), Decision(), Decision(allowed=False, category="graphic_gore")
    for decision in (drawn, died, refused):
        registry.record(decision, Request())
    registry.record_event("operator_login_failed", "wrong operator password")
    registry.set_outcome([drawn.decision_id], "delivered")
    registry.set_outcome([drawn.decision_id], "failed")  # a late outcome never overwrites the first
    entries = {e["decision_id"]: e for e in registry.audit_entries(10)}
    assert outcome_text(entries[drawn.decision_id]) == "delivered"
    assert outcome_text(entries[died.decision_id]) == NO_OUTCOME  # the process stopped in between
    assert outcome_text(entries[refused.decision_id]) == "refused"
    event = next(e for e in entries.values() if e["category"] == "operator_login_failed")
    assert outcome_text(event) == ""
    registry.conn.execute("UPDATE audit_log SET created_at = created_at - 3600")
    assert registry.health()["no_outcome_rows"] == 1
    with pytest.raises(ValueError):
        registry.set_outcome([drawn.decision_id], "drawn")
    registry.close()


LOCK_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


def test_an_outcome_the_database_cannot_take_now_waits_and_is_written_later(tmp_path):
    db = tmp_path / "easel.sqlite3"
    registry = OptOutRegistry(db).configure(busy_timeout=0.3)
    decision = Decision()
    registry.record(decision, Request())
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        registry.set_outcome([decision.decision_id], "interrupted")  # never raises
        assert json.loads(pending_path(db).read_text()) == {
            "decision_id": decision.decision_id,
            "outcome": "interrupted",
        }
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    registry.record(Decision(allowed=False, category="graphic_gore"), Request("a later one"))
    assert not pending_path(db).exists()
    assert {e["decision_id"]: e["outcome"] for e in registry.audit_entries(5)}[decision.decision_id] == "interrupted"
    registry.close()


def test_a_version_2_file_gets_the_outcome_column_in_place(tmp_path):
    db = tmp_path / "easel.sqlite3"
    old = sqlite3.connect(db, isolation_level=None)
    old.create_function("name_key", 1, lambda text: text)
    old.executescript(registry_module.SCHEMA + "PRAGMA user_version = 2;")
    old.execute(
        "INSERT INTO audit_log (decision_id, created_at, prompt, context, is_edit, allowed, category, reason, scores)"
        " VALUES ('old1', 0, 'an old prompt', '[]', 0, 1, 'allowed', 'r', '{}')"
    )
    old.close()
    # Two processes' worth of connections open the old file at once: one upgrades, the other waits.
    errors = []

    def open_it():
        try:
            registry_module.connect(db).close()
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    registry = OptOutRegistry(db)
    assert registry.conn.execute("PRAGMA user_version").fetchone()[0] == registry_module.SCHEMA_VERSION == 4
    [entry] = registry.audit_entries(5)
    assert entry["prompt"] == "an old prompt" and entry["outcome"] is None and outcome_text(entry) == NO_OUTCOME
    registry.set_outcome(["old1"], "delivered")
    assert registry.audit_entries(5)[0]["outcome"] == "delivered"
    registry.close()


# -- what a failure may say ------------------------------------------------------------------------------


def save(prompt: str, where: Path):
    """Fails the way a picture save on a full disk does, under a call that quotes the prompt."""
    try:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(where))
    except OSError as error:
        raise ValueError("could not draw " + prompt) from error


def test_the_log_gets_the_kind_of_failure_and_where_not_its_words(tmp_path):
    path = tmp_path / "images" / "img-1-abc.png"
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    log = logging.getLogger("test.private")
    log.addHandler(Keep())
    try:
        save(SECRET, path)
    except ValueError:
        log.exception("image backend failed")
    finally:
        log.handlers.clear()
    text = PrivateFormatter("%(message)s").format(records[0])
    assert "OSError [errno 28 ENOSPC]" in text and "ValueError" in text and "test_disk_faults.py" in text
    assert SECRET not in text and str(path) not in text and "No space left" not in text
    assert failure_kind(sqlite3.OperationalError("database or disk is full")) == "OperationalError"
    assert user_message(OSError(errno.ENOSPC, "x")) == OUT_OF_SPACE
    assert user_message(OSError(errno.EROFS, "x")) == user_message(OSError(errno.EACCES, "x")) == CANNOT_SAVE


def test_handlers_easel_does_not_set_up_write_no_exception_words_either(tmp_path):
    """uvicorn sets up its own handlers when the server starts ("Exception in ASGI application")."""
    import io

    from chat.settings import Settings, configure_logging

    factory = logging.getLogRecordFactory()
    stream = io.StringIO()
    log = logging.getLogger("uvicorn.error.easel-test")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.addHandler(handler)
    log.propagate = False
    try:
        configure_logging(Settings(data_dir=tmp_path / "data"))
        try:
            save(SECRET, tmp_path / "gradio" / "upload.png")
        except ValueError:
            log.exception("Exception in ASGI application")
    finally:
        logging.setLogRecordFactory(factory)
        log.removeHandler(handler)
    text = stream.getvalue()
    assert "Exception in ASGI application" in text and "OSError [errno 28 ENOSPC]" in text
    assert SECRET not in text and str(tmp_path) not in text


# -- `easel db check` --------------------------------------------------------------------------------------


def easel(*args: str, data_dir: Path, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "EASEL_DATA_DIR": str(data_dir), "EASEL_MODEL_CACHE_DIR": str(MODEL_CACHE), **env}
    return subprocess.run([str(EASEL), *args], capture_output=True, text=True, env=environment, timeout=120)


def test_db_check_fails_naming_the_disk_when_it_is_full_or_low(tmp_path):
    with small_disk(tmp_path / "data", size="4m") as data:
        registry = OptOutRegistry(data / "easel.sqlite3")
        registry.record(Decision(), Request())  # allowed, then the process "died": no outcome
        registry.conn.execute("UPDATE audit_log SET created_at = created_at - 3600")
        registry.close()

        low = easel("db", "check", data_dir=data)  # 4 MB free, under the default 200 MB
        assert low.returncode == 1, low.stderr
        health = json.loads(low.stdout.splitlines()[-1])
        assert health["status"] == "disk low" and health["disk"]["folder"] == str(data)
        assert f"The disk holding {data} has" in low.stderr and "EASEL_MIN_FREE_MB" in low.stderr
        assert "1 allowed audit rows have no outcome recorded" in low.stderr

        assert easel("db", "check", data_dir=data, EASEL_MIN_FREE_MB="1").returncode == 0
        listed = easel("audit", "list", data_dir=data)
        assert listed.returncode == 0 and NO_OUTCOME in listed.stdout

        fill(data)
        full = easel("db", "check", data_dir=data, EASEL_MIN_FREE_MB="0")
        assert full.returncode == 1
        # A fresh process cannot even open the database there (its -shm file cannot grow).
        assert json.loads(full.stdout.splitlines()[-1])["status"] in ("full", "disk full")
        assert f"the disk holding {data}" in full.stderr.lower() and "ENOSPC" in full.stderr
        assert "Traceback" not in full.stderr
        assert sorted(p.name for p in data.iterdir() if not p.name.startswith("easel.sqlite3")) == ["filler"]


def test_a_database_on_a_disk_turned_read_only_is_said_so(tmp_path, caplog):
    with small_disk(tmp_path / "data") as data:
        OptOutRegistry(data / "easel.sqlite3").close()
        subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
        registry = OptOutRegistry(data / "easel.sqlite3")
        with pytest.raises(DatabaseReadOnly) as raised:
            registry.record(Decision(), Request())
        assert "nothing was saved" in raised.value.user_message and str(data) not in raised.value.user_message
        health = registry.health()
        assert health["status"] == "read-only" and "EROFS" in health["detail"] and str(data) in health["detail"]
        assert check_disk(data, min_free_mb=0).status == "read-only"
        assert_private(log_lines(caplog), str(data))
        registry.close()


# -- through the Studio and the Assistant ------------------------------------------------------------------


@pytest.fixture(scope="module")
def easel_on_a_small_disk(tmp_path_factory):
    """(Studio, Assistant, data folder): the real policy gate and image model, with the data
    folder (database, pictures) on a 16 MB tmpfs."""
    import torch
    from langchain_core.language_models.chat_models import BaseChatModel

    from chat.assistant import Assistant
    from chat.pictures import Studio
    from chat.settings import Settings

    class NoChatModel(BaseChatModel):
        """Plain drawing requests and edits go straight to the tools; this is never asked."""

        preset: str = "embedded"

        @property
        def _llm_type(self) -> str:
            return "none"

        def _generate(self, messages, stop=None, run_manager=None, **kwargs):
            raise AssertionError("the chat model was asked")

        def bind_tools(self, tools, **kwargs):
            return self

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("small-disk")
    with small_disk(root / "data", size="16m") as data:
        settings = Settings(data_dir=data, EASEL_MODEL_CACHE_DIR=MODEL_CACHE)
        studio = Studio.from_settings(settings)
        studio.warm_up()
        yield studio, Assistant(NoChatModel(), studio), data
        studio.policy_agent.registry.close()


def turn(assistant, text: str, session=None):
    from chat.session import ChatSession

    session = session or ChatSession()
    replies = list(assistant.reply(session, text))
    return replies[-1], session


def rows(studio) -> list[dict]:
    return studio.policy_agent.registry.audit_entries(20)


@pytest.mark.slow
def test_a_full_data_disk_tells_the_person_in_words_and_logs_no_words(easel_on_a_small_disk, caplog):
    studio, assistant, data = easel_on_a_small_disk
    caplog.set_level(logging.INFO)
    before = len(rows(studio))
    filler = fill(data)
    try:
        reply, session = turn(assistant, f"draw {SECRET}")
        assert reply.final and reply.text.startswith(OUT_OF_SPACE), reply.text
        assert str(data) not in reply.text and "Errno" not in reply.text
        assert not reply.outcomes or reply.outcomes[-1].picture is None
        lines = log_lines(caplog)
        assert any("could not be written anywhere" in line and "ENOSPC" in line for line in lines), lines
        assert_private(lines, str(data))
        assert not list(data.rglob("*.png")) and not list(data.rglob("*.partial"))
        assert not pending_path(data / "easel.sqlite3").exists()  # nothing half-written there either
    finally:
        filler.unlink()
    assert len(rows(studio)) == before  # the row had nowhere to go; the decision was not acted on
    reply, _ = turn(assistant, f"draw {SECRET}")  # space again: it draws
    assert reply.outcomes and reply.outcomes[-1].picture is not None, reply.text
    assert rows(studio)[0]["outcome"] == "delivered"


@pytest.mark.slow
def test_a_full_pictures_disk_says_so_and_the_audit_row_says_failed(easel_on_a_small_disk, tmp_path, caplog):
    studio, assistant, data = easel_on_a_small_disk
    caplog.set_level(logging.INFO)
    default = studio.image_dir
    with small_disk(tmp_path / "pictures", size="1m") as pictures:
        studio.image_dir = pictures
        filler = fill(pictures)
        try:
            reply, _ = turn(assistant, f"draw {SECRET}")
            assert reply.text == OUT_OF_SPACE and reply.error
            newest = rows(studio)[0]
            assert newest["allowed"] and newest["outcome"] == "failed"
            assert [p.name for p in pictures.rglob("*") if p.is_file()] == ["filler"]  # no half picture
            lines = log_lines(caplog)
            assert any(newest["decision_id"] in line and "ENOSPC" in line for line in lines), lines
            assert_private(lines, str(pictures), str(data))
        finally:
            studio.image_dir = default
            filler.unlink()


@pytest.mark.slow
def test_an_edit_on_a_full_pictures_disk_is_refused_in_words(easel_on_a_small_disk, tmp_path):
    studio, assistant, _ = easel_on_a_small_disk
    default = studio.image_dir
    reply, session = turn(assistant, f"draw {SECRET}")
    assert reply.outcomes[-1].picture is not None, reply.text
    with small_disk(tmp_path / "pictures", size="1m") as pictures:
        studio.image_dir = pictures
        filler = fill(pictures)
        try:
            reply, _ = turn(assistant, "make it blue", session)
            assert reply.text == OUT_OF_SPACE, reply.text
            assert rows(studio)[0]["outcome"] == "failed" and list(session.pictures) == ["img-1"]
        finally:
            studio.image_dir = default
            filler.unlink()


@pytest.mark.slow
def test_a_read_only_pictures_folder_is_said_without_its_path(easel_on_a_small_disk, tmp_path, caplog):
    studio, assistant, _ = easel_on_a_small_disk
    default = studio.image_dir
    with small_disk(tmp_path / "pictures", read_only=True) as pictures:
        studio.image_dir = pictures
        try:
            reply, _ = turn(assistant, f"draw {SECRET}")
        finally:
            studio.image_dir = default
    assert reply.text == CANNOT_SAVE
    assert rows(studio)[0]["outcome"] == "failed"
    assert_private(log_lines(caplog), str(pictures))


@pytest.mark.slow
def test_stop_while_drawing_records_interrupted(easel_on_a_small_disk):
    from chat.assistant import TurnStopped
    from chat.session import ChatSession

    studio, _, data = easel_on_a_small_disk

    def stop(step, total):
        raise TurnStopped()

    session = ChatSession()
    session.add_user(f"draw {SECRET}")
    with pytest.raises(TurnStopped):
        studio.generate(session, SECRET, progress=stop)
    assert rows(studio)[0]["outcome"] == "interrupted"
    assert not list(data.rglob("*.partial"))


@pytest.mark.slow
def test_the_operator_page_warns_of_a_low_disk(easel_on_a_small_disk):
    from chat.operator import OperatorHandlers

    studio, _, data = easel_on_a_small_disk
    from chat.settings import Settings

    settings = Settings(data_dir=data, EASEL_MODEL_CACHE_DIR=MODEL_CACHE, operator_password="a long operator password")
    operator = OperatorHandlers.from_settings(settings)
    operator.active = lambda *args, **kwargs: True  # unlocked (tests/test_operator.py covers how)
    operator.registry().configure(min_free_mb=100)  # 16 MB disk: low
    operator.registry().record(Decision(), Request())
    operator.registry().conn.execute("UPDATE audit_log SET created_at = created_at - 3600 WHERE outcome IS NULL")
    _, audit, note = operator.tables("unlocked")
    assert note.startswith("⚠️ The disk holding") and str(data) in note and "MB free" in note, note
    assert "no outcome recorded" in note and any(row[1] == f"allowed · {NO_OUTCOME}" for row in audit)
    assert any(row[1] == "allowed · delivered" for row in audit)
