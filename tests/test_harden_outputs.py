"""Outputs: every writer renames a finished temporary file into place (an error part-way
leaves the old file and no debris), and quick or partial runs write next to — never over —
the committed full-scale artefacts, saying where they wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsltheory import PowerLawTask, Schedule, exact_risk


def test_atomic_write_and_open(tmp_path):
    from fsltheory.io import atomic_open, atomic_write

    p = tmp_path / "a.txt"
    assert atomic_write(p, "one\n") == p and p.read_text() == "one\n"
    atomic_write(p, b"two\n")
    assert p.read_bytes() == b"two\n"
    for exc in (RuntimeError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(exc)):
            with atomic_open(p) as fh:
                fh.write("partial")
                raise exc
        assert p.read_text() == "two\n"  # old content intact
    assert [q.name for q in tmp_path.iterdir()] == ["a.txt"]  # no temporary file left
    with pytest.raises(ValueError, match="mode"):
        with atomic_open(p, "a"):
            pass
    with pytest.raises(TypeError, match="data must be str or bytes"):
        atomic_write(p, 3.0)


def test_curve_csv_interrupted_midway_keeps_the_old_file(tmp_path, monkeypatch):
    # before: to_csv opened the target with open(path, "w"): a failure after the first
    # rows left a truncated CSV where the good one was
    import csv as csv_mod

    curve = exact_risk(PowerLawTask(2.0, 0.25, modes=20), Schedule.constant(4, 400, 0.2))
    path = tmp_path / "curve.csv"
    path.write_text("good,old,file\n")
    real_writer = csv_mod.writer

    class Boom:
        def __init__(self, fh):
            self.w, self.n = real_writer(fh), 0

        def writerow(self, row):
            self.n += 1
            if self.n > 5:
                raise KeyboardInterrupt
            self.w.writerow(row)

    monkeypatch.setattr(csv_mod, "writer", Boom)
    with pytest.raises(KeyboardInterrupt):
        curve.to_csv(path)
    assert path.read_text() == "good,old,file\n"
    assert [q.name for q in tmp_path.iterdir()] == ["curve.csv"]
    monkeypatch.setattr(csv_mod, "writer", real_writer)
    curve.to_csv(path)
    assert path.read_text().splitlines()[0] == "step,data,time,risk"
    assert len(path.read_text().splitlines()) == len(curve) + 1


def test_save_figure_failure_keeps_old_png_and_pdf(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    from fsltheory.plots import save_figure

    for ext in ("pdf", "png"):
        (tmp_path / f"f.{ext}").write_bytes(b"old " + ext.encode())
    fig = plt.figure()
    real = type(fig).savefig

    def half_then_fail(self, fname, *a, **k):
        Path(fname).write_bytes(b"half a figure")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(fig), "savefig", half_then_fail)
    with pytest.raises(OSError):
        save_figure(fig, tmp_path, "f")
    assert (tmp_path / "f.pdf").read_bytes() == b"old pdf"
    assert (tmp_path / "f.png").read_bytes() == b"old png"
    assert sorted(q.name for q in tmp_path.iterdir()) == ["f.pdf", "f.png"]
    monkeypatch.setattr(type(fig), "savefig", real)
    fig = plt.figure()
    files = save_figure(fig, tmp_path, "f")
    assert [f.read_bytes()[:4] for f in files] == [b"%PDF", b"\x89PNG"]


def test_write_proofs_is_atomic(tmp_path, monkeypatch):
    from fsltheory.symbolic import render

    monkeypatch.setattr(render, "proofs_files", lambda: {"derivations/X.md": "text\n"})
    written = render.write_proofs(str(tmp_path))
    assert Path(written[0]).read_text() == "text\n"
    assert sorted(q.name for q in (tmp_path / "derivations").iterdir()) == ["X.md"]


@pytest.mark.parametrize("quick,partial,perturbed,name", [
    (True, False, False, "REPORT.quick.md"),
    (False, True, False, "REPORT.partial.md"),
    (True, True, False, "REPORT.quick.md"),
    (False, False, True, "REPORT.perturbed.md"),
    (False, False, False, "REPORT.md"),
])
def test_verify_quick_and_partial_reports_go_next_to_the_full_one(quick, partial, perturbed,
                                                                   name):
    # before: every run wrote proofs/REPORT.md, replacing the committed full-scale report
    from fsltheory.cli.verify import default_report_path

    proofs = Path(__file__).resolve().parents[1] / "proofs"
    assert default_report_path(quick, partial, perturbed) == proofs / name


def test_verify_quick_writes_quick_report_and_says_where(cli, monkeypatch, tmp_path):
    from fsltheory.cli import verify

    monkeypatch.setattr(verify, "default_report_path",
                        lambda quick=False, partial=False, perturbed=False: tmp_path / (
                            "REPORT.quick.md" if quick else "REPORT.md"))
    rc, out, err = cli("verify", "C-KERNEL", "--quick", "--no-progress")
    assert rc == 0
    assert f"report written to {tmp_path / 'REPORT.quick.md'}" in err
    assert sorted(q.name for q in tmp_path.iterdir()) == ["REPORT.quick.md"]


def test_figures_quick_default_dir_is_not_the_committed_one(monkeypatch, cli, tmp_path):
    # before: figures --quick (and reproduce --quick) wrote into figures/, over the
    # committed full-scale PNG/PDF files
    from fsltheory.cli import figures

    seen = {}

    def fake(names, out, quick=False, progress=True, jobs=1):
        seen["out"], seen["quick"] = out, quick
        return []

    monkeypatch.setattr(figures, "make_figures", fake)
    monkeypatch.chdir(tmp_path)
    rc, out, _ = cli("figures", "kernels", "--quick")
    assert rc == 0 and seen == {"out": "figures/quick", "quick": True}
    assert "written to figures/quick/" in out
    rc, out, _ = cli("figures", "kernels")
    assert rc == 0 and seen["out"] == "figures"


def test_reproduce_quick_targets(monkeypatch, cli):
    from fsltheory.cli import reproduce

    calls = []
    monkeypatch.setattr(reproduce, "_has_command", lambda name: True)
    monkeypatch.setattr(reproduce, "_run_subcommand",
                        lambda argv: calls.append(argv) or ("ok", ""))
    monkeypatch.setattr(reproduce, "_run_pooled", lambda *a: pytest.fail("no worker pool"))
    rc, out, _ = cli("reproduce", "--quick", "--jobs", "1")
    assert rc == 0
    assert calls[1] == ["verify", "--quick", "--jobs", "1"]
    assert calls[2] == ["figures", "--quick", "--out", "figures/quick", "--jobs", "1"]
    assert "REPORT.quick.md" in out and "figures/quick/" in out


def test_json_on_error_prints_nothing_on_stdout(cli):
    # documented in fsltheory/cli/__init__.py: on error --json prints nothing on stdout
    for argv in (["simulate", "--json", "--lr", "-1"],
                 ["optimize", "--json", "--budget", "0"],
                 ["derive", "--json", "C-NOPE"],
                 ["verify", "--json", "C-NOPE"]):
        rc, out, err = cli(*argv)
        assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1, argv


def test_version(cli):
    import fsltheory

    rc, out, _ = cli("--version")
    assert rc == 0 and out.strip() == f"fsltheory {fsltheory.__version__}"


def test_help_texts_have_no_duplicated_defaults_and_one_modes_default(cli):
    import re

    from fsltheory.cli import build_parser
    from fsltheory.cli.common import DEFAULT_MODES

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    modes_defaults = set()
    # commands whose --modes default differs on purpose must say why in the help text
    reasons = {"fit": "re-runs the engine", "example-curves": "re-runs the engine",
               "critical-batch": "M^β = 300·t_opt"}
    for name, p in sub.choices.items():
        for act in p._actions:
            if act.dest == "modes":
                if name in reasons:
                    assert reasons[name] in act.help, name
                else:
                    modes_defaults.add(act.default)
        text = p.format_help()
        # a default written into the help text and appended again by the formatter
        assert not re.search(r"\(\d[^()]*\)\s*\(default: ", text), name
        assert "(default: None)" not in text, name
    assert modes_defaults == {DEFAULT_MODES}
