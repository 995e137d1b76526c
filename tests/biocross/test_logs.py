"""Log lines carry the request, adapter and run they belong to, as text or as JSON."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from biocross.logs import HANDLER_NAME, configure_logging
from schemas import logcontext


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    root.setLevel(level)


def test_json_lines_carry_the_bound_context(restore_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", "INFO")
    log = logging.getLogger("biocross.test")
    with logcontext.bound(adapter="riken", run_id="riken-20250101T000000-abc123"):
        log.info("harvest of %s started", "riken")
    log.warning("outside any run", extra={"request_id": "req-1"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines[0]["message"] == "harvest of riken started" and lines[0]["level"] == "INFO"
    assert lines[0]["adapter"] == "riken" and lines[0]["run_id"] == "riken-20250101T000000-abc123"
    assert lines[0]["request_id"] is None
    assert lines[1]["request_id"] == "req-1" and lines[1]["adapter"] is None and lines[1]["run_id"] is None


async def test_concurrent_tasks_keep_their_own_context(restore_logging: None,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("text", "INFO")
    log = logging.getLogger("biocross.test")

    async def harvest(name: str) -> None:
        with logcontext.bound(adapter=name, run_id=f"{name}-run"):
            await asyncio.sleep(0.01)
            log.info("done")

    await asyncio.gather(harvest("jcrb"), harvest("naro"))
    err = capsys.readouterr().err
    assert "adapter=jcrb run=jcrb-run]: done" in err and "adapter=naro run=naro-run]: done" in err
    assert "request=- " in err


def test_lines_go_to_the_current_stderr_after_a_runner_closed_its_capture(capsys: pytest.CaptureFixture[str]) -> None:
    """A CLI runner or test capture that swapped stderr while logging was configured, then closed it,
    must not leave every later line failing with "--- Logging error ---"."""
    real = sys.stderr
    sys.stderr = io.StringIO()
    configure_logging()
    sys.stderr.close()
    sys.stderr = real
    logging.getLogger("biocross.test").warning("after the capture closed")
    err = capsys.readouterr().err
    assert "after the capture closed" in err and "Logging error" not in err
