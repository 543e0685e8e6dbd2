"""`ledger print --year Y -o DIR` on both backends: every filing form and receipt of the versions
filed for the year and the statement, rendered in worker processes — the same bytes the API
serves for the same documents."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest


def test_print_writes_the_years_documents(seeded, runner, tmp_path, monkeypatch):
    # the same bytes as the API's when both link to the configured public URL (a development
    # server without one links to the host asked, the command line to the default)
    monkeypatch.setitem(seeded.app.config, "PUBLIC_URL_FROM_REQUEST", False)
    out = tmp_path / "2025"
    result = runner.invoke(args=["print", "--year", "2025", "-o", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    number = seeded.as_("admin").get(f"/agreements/{seeded.ids['a_filed']}").json["number"]
    expected = {f"filing-{number}-v1.pdf", f"receipt-{number}-v1.pdf", "statement-2025.pdf"}
    assert {p.name for p in out.iterdir()} == expected
    assert "wrote 3 PDFs (1 filing forms, 1 receipts, 1 statement;" in result.output
    assert "printing 3 documents" in result.output  # the progress bar's label

    admin = seeded.as_("admin")
    a = seeded.ids["a_filed"]
    for name, path in ((f"filing-{number}-v1.pdf", f"/agreements/{a}/filing.pdf"),
                       (f"receipt-{number}-v1.pdf", f"/agreements/{a}/receipt.pdf"),
                       ("statement-2025.pdf", "/attribution/statement.pdf?year=2025")):
        assert (out / name).read_bytes() == admin.get(path).data, name


def test_a_year_without_filed_versions_prints_the_statement_only(seeded, runner, tmp_path):
    result = runner.invoke(args=["print", "--year", "2024", "-o", str(tmp_path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["statement-2024.pdf"]


@pytest.mark.parametrize("args,message", [
    (["--year", "1800"], "year: must be between 1990 and 2100"),
    (["--year", "2025", "--as-of", "2999-01-01T00:00:00Z"], "as_of: must not be in the future"),
])
def test_bad_arguments_are_one_line_errors(seeded, runner, tmp_path, args, message):
    result = runner.invoke(args=["print", *args, "-o", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert result.output == f"error: {message}\n"
    assert not (tmp_path / "x").exists()


def test_an_empty_ledger_needs_as_of(app, runner, tmp_path):
    result = runner.invoke(args=["print", "--year", "2025", "-o", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert result.output == "error: the ledger has no postings yet: give as_of to print a statement\n"


def test_a_workers_refusal_reaches_the_command_with_its_code():
    """Refusals cross the process boundary by pickle: they must come back as themselves."""
    import pickle

    from ledger.domain.errors import Invalid, Unavailable
    for err in (Unavailable("document.missing_glyphs", characters="\U000F0001 (U+F0001)"),
                Invalid("as_of.future", field="as_of")):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err)
        assert (back.code, back.message, back.errors) == (err.code, err.message, err.errors)
        assert back.message.params == err.message.params


def test_a_small_batch_renders_in_process_and_a_large_one_in_workers(seeded, tmp_path,
                                                                      monkeypatch):
    """The default: workers only when the batch is large enough to pay for starting them."""
    from ledger import current
    from ledger.documents import batch
    from ledger.policy import Actor

    pools: list[int] = []
    real_pool = batch.ProcessPoolExecutor

    def counting_pool(**kwargs):
        pools.append(kwargs["max_workers"])
        return real_pool(**kwargs)

    monkeypatch.setattr(batch, "ProcessPoolExecutor", counting_pool)
    with seeded.app.app_context():
        ctx = current.context(Actor.system("test"))
        docs = batch.year_documents(ctx, 2025)
        assert len(batch.print_documents(ctx, docs, tmp_path / "small")) == len(docs) == 3
        assert pools == []
        many = [replace(d, filename=f"{i}-{d.filename}") for i in range(6) for d in docs]
        assert len(many) >= batch.POOL_MIN_DOCUMENTS
        printed = batch.print_documents(ctx, many, tmp_path / "large")
    cores = os.cpu_count() or 1
    assert pools == ([cores] if cores > 1 else [])
    assert sorted(p.path.name for p in printed) == sorted(d.filename for d in many)
    assert all(p.path.read_bytes().startswith(b"%PDF-1.7") for p in printed)


def test_a_print_longer_than_workers_times_tasks_per_child_finishes(seeded, tmp_path,
                                                                    monkeypatch):
    """ProcessPoolExecutor(max_tasks_per_child=…) hangs for good on
    Python 3.11 after workers × tasks-per-child documents (gh-115634; 2 × 2 and 9 jobs hang
    there). 2 workers × 2 tasks and 9 documents: every file is written, by three pools of fresh
    workers (4, 4 and 1 documents)."""
    import threading

    from ledger import current
    from ledger.documents import batch
    from ledger.policy import Actor

    pools: list[dict] = []
    real_pool = batch.ProcessPoolExecutor

    def counting_pool(**kwargs):
        pools.append(kwargs)
        return real_pool(**kwargs)

    monkeypatch.setattr(batch, "ProcessPoolExecutor", counting_pool)
    outcome: dict = {}

    def run() -> None:
        with seeded.app.app_context():
            ctx = current.context(Actor.system("test"))
            docs = batch.year_documents(ctx, 2025)
            many = [replace(d, filename=f"{i}-{d.filename}") for i in range(3) for d in docs]
            outcome["names"] = sorted(d.filename for d in many)
            outcome["printed"] = batch.print_documents(ctx, many, tmp_path, workers=2,
                                                       tasks_per_child=2)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the print hung"
    printed = outcome["printed"]
    assert len(outcome["names"]) == 9
    assert sorted(p.path.name for p in printed) == outcome["names"]
    assert sorted(p.name for p in tmp_path.iterdir()) == outcome["names"]
    assert all(p.path.read_bytes().startswith(b"%PDF-1.7") for p in printed)
    assert [kw["max_workers"] for kw in pools] == [2, 2, 1]
    assert not any("max_tasks_per_child" in kw for kw in pools)
