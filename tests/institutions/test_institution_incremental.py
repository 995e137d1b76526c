"""Incremental harvests after the sources change: exactly the changes and the deletions, nothing else."""

from __future__ import annotations

import pytest
from institutions.demosources import Sources, StartSources, key

from adapters.testing import Outcome, collect
from demo.generator.ledger import expected_dirt
from schemas.harvest import Checkpoint, HarvestMode


def changes(sources: Sources, name: str) -> tuple[set[str], set[str], set[str]]:
    """Keys of the records changed and still valid, of the changed but planted-dirty, of the deleted."""
    ledger = expected_dirt(name, sources.state)
    deleted = {key(i) for i in ledger.deleted}
    rejected = {key(i) for i in ledger.rejected_ids()}
    touched = {key(i) for i in [*ledger.added, *ledger.updated]} - deleted
    return touched - rejected, touched & rejected, deleted


async def full_then_mutate(sources: Sources, name: str, **counts: int) -> Outcome:
    full = await collect(sources.adapter(name).run())
    assert full.finished.ok and full.finished.checkpoint is not None, full.finished.error
    sources.state[name].mutate(**counts)
    return full


@pytest.mark.parametrize("name", ["naro", "jcrb", "tsukuba"])
async def test_incremental_yields_exactly_the_changes_and_deletions(
    name: str, start_sources: StartSources
) -> None:
    sources = await start_sources()
    full = await full_then_mutate(sources, name, add=6, update=9, delete=0 if name == "tsukuba" else 4)
    inc = await collect(sources.adapter(name).run(HarvestMode.INCREMENTAL, full.finished.checkpoint))
    assert inc.finished.ok, inc.finished.error
    valid, dirty, deleted = changes(sources, name)
    assert {key(r.catalog_id) for r in inc.resources} == valid and valid
    assert {key(r.payload.get("jcrb_no") or r.payload.get("dwc:catalogNumber") or r.payload.get("id") or "")
            for r in inc.rejections} <= dirty | {""}
    assert len(inc.rejections) == len(dirty)
    assert {key(d.catalog_id) for d in inc.deletions} == deleted
    assert all(d.institution == full.resources[0].institution and d.source == name for d in inc.deletions)
    if name != "tsukuba":
        assert len(deleted) == 4
    revised = [r for r in inc.resources if r.description.ja and "改訂" in r.description.ja]
    assert revised, "updated records carry their new content"

    # The source's clock still reads the batch's tick and `from`/`updated_since` are inclusive: the
    # boundary's changes may come again (harmless, they are idempotent), nothing else does.
    idle = await collect(sources.adapter(name).run(HarvestMode.INCREMENTAL, inc.finished.checkpoint))
    assert idle.finished.ok
    assert {key(r.catalog_id) for r in idle.resources} <= valid
    assert {key(d.catalog_id) for d in idle.deletions} <= deleted


async def test_naro_deletions_use_catalog_numbers(start_sources: StartSources) -> None:
    sources = await start_sources()
    full = await full_then_mutate(sources, "naro", delete=3)
    inc = await collect(sources.adapter("naro").run(HarvestMode.INCREMENTAL, full.finished.checkpoint))
    assert {d.catalog_id for d in inc.deletions} == set(sources.state["naro"].log.deleted)
    assert not inc.resources and all(d.deleted_at is not None for d in inc.deletions)


async def test_riken_export_304_means_nothing_changed(start_sources: StartSources) -> None:
    sources = await start_sources()
    full = await collect(sources.adapter("riken").run())
    assert full.finished.ok and full.finished.checkpoint and full.finished.checkpoint.etag
    idle = await collect(sources.adapter("riken").run(HarvestMode.INCREMENTAL, full.finished.checkpoint))
    assert idle.finished.ok and idle.finished.stats.seen == 0 and not idle.resources and not idle.rejections
    assert idle.finished.checkpoint == full.finished.checkpoint

    sources.state["riken"].mutate(add=3, update=3, delete=2)
    changed = await collect(sources.adapter("riken").run(HarvestMode.INCREMENTAL, idle.finished.checkpoint))
    ledger = expected_dirt("riken", sources.state)
    # a changed export is re-read whole
    assert changed.finished.ok and changed.finished.stats.mapped == ledger.valid
    assert changed.finished.checkpoint != idle.finished.checkpoint
    again = await collect(sources.adapter("riken").run(HarvestMode.INCREMENTAL, changed.finished.checkpoint))
    assert again.finished.ok and again.finished.stats.seen == 0


async def test_riken_full_harvest_ignores_the_previous_validators(start_sources: StartSources) -> None:
    """A full harvest reads every export even when handed the last run's checkpoint."""
    sources = await start_sources()
    full = await collect(sources.adapter("riken").run())
    again = await collect(sources.adapter("riken").run(HarvestMode.FULL, full.finished.checkpoint))
    assert again.finished.ok and again.finished.stats.mapped == full.finished.stats.mapped > 0


async def test_riken_checkpoint_keeps_one_part_per_export_and_a_resumed_full_run_reads_the_rest(
    start_sources: StartSources,
) -> None:
    """The final checkpoint has each export's validators as a part; a full run resumed from a mid-run
    checkpoint skips the exports that run read, keeps their validators, and ignores the earlier run's."""
    sources = await start_sources()
    first = await collect(sources.adapter("riken").run())
    final = first.finished.checkpoint
    assert final is not None and final.etag and not final.etag.startswith("{")
    exports = list(sources.adapter("riken").config.exports)  # type: ignore[attr-defined]
    assert set(final.parts) == set(exports) and all(p.etag and not p.extra for p in final.parts.values())
    # A crash after the first export: its part read by the crashed run, the others from the first run.
    read, *rest = exports
    crashed = Checkpoint(parts={read: final.parts[read].model_copy(update={"extra": {"read": "1"}}),
                                **{kind: final.parts[kind] for kind in rest}}, extra={"done": read})
    resumed = await collect(sources.adapter("riken").run(HarvestMode.FULL, crashed))
    assert resumed.finished.ok, resumed.finished.error

    def exports_of(out: Outcome) -> set[str]:
        return {(r.provenance.source_record_id or "").split(":", 1)[0] for r in out.resources}

    # the export the crashed run read is not read again; every other one is read whole (markers ignored)
    assert exports_of(first) == set(exports) and exports_of(resumed) == set(rest)
    assert resumed.finished.checkpoint == final  # nothing changed: the same validators, the read one kept
