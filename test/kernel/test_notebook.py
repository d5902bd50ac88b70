"""A notebook using the magics, executed headless by nbclient with the installed lrlab kernel:
every cell runs without error and every plot output carries the whole display bundle
(lrlab payload, plotly JSON, SVG, text)."""
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).parent
BUNDLE = ["application/vnd.lrlab.plot+json", "application/vnd.plotly.v1+json", "image/svg+xml", "text/plain"]
PLOT = BUNDLE[0]


def plot_outputs(cell):
    return [o for o in cell.get("outputs", []) if o.get("output_type") in ("display_data", "execute_result") and PLOT in o.get("data", {})]


def test_magics_notebook_executes_with_plot_bundles():
    nb = nbformat.read(HERE / "magics_notebook.ipynb", as_version=4)
    NotebookClient(nb, kernel_name="lrlab", timeout=120, resources={"metadata": {"path": str(HERE)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    for c in code:
        errors = [o for o in c.outputs if o.output_type == "error"]
        assert not errors, f"cell failed: {c.source}\n{errors}"
    expected_kinds = {
        "%lr_schedule": "schedule", "%%lr_trace --name sgd": "trace", "%%lr_trace --name adam": "trace",
        "%lr_compare": "compare", "%lr_find": "range_test", "lrlab.preview": "schedule",
    }
    for prefix, kind in expected_kinds.items():
        cell = next(c for c in code if c.source.startswith(prefix))
        outs = plot_outputs(cell)
        # Saved notebooks keep the final state: a live plot's updates replace its output in place.
        assert len(outs) == 1, f"{prefix}: expected one plot output, got {len(outs)}"
        data = outs[0]["data"]
        for mime in BUNDLE:
            assert mime in data, f"{prefix}: {mime} missing from {list(data)}"
        assert data[PLOT]["kind"] == kind
        assert data[PLOT]["live"] is False
        assert data["image/svg+xml"].lstrip().startswith("<svg") or "<svg" in data["image/svg+xml"][:200]
    scale = next(c for c in code if c.source.startswith("%lr_scale"))
    assert "lr 0.4" in "".join(o.get("text", "") for o in scale.outputs)
