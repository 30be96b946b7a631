"""Runs an exported notebook or script headless and prints its training history.

    /usr/bin/python3 run_export.py FILE.ipynb|FILE.py [FIGURE_DIR]

An .ipynb is first validated against the nbformat 4 schema (nbformat.validate), then its
code cells run in order in one namespace, as a kernel runs them; a .py runs as a script.
Then it prints `HISTORY <json>` (the notebook's `history`: one row per epoch, full
precision) and saves every open matplotlib figure into FIGURE_DIR when given.
The working directory is the file's folder, as Jupyter's is.
"""
import json
import os
import runpy
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

path = os.path.abspath(sys.argv[1])
figure_dir = sys.argv[2] if len(sys.argv) > 2 else None
os.chdir(os.path.dirname(path))

if path.endswith(".ipynb"):
    import nbformat

    with open(path, encoding="utf-8") as f:
        nb = nbformat.reads(f.read(), as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)  # raises nbformat.ValidationError
    print(f"NBFORMAT {nb.nbformat}.{nb.nbformat_minor} valid", flush=True)
    namespace = {"__name__": "__main__"}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            exec(compile(cell.source, f"{os.path.basename(path)}, cell {i + 1}", "exec"), namespace)
else:
    namespace = runpy.run_path(path, run_name="__main__")

if figure_dir:
    for n in plt.get_fignums():
        plt.figure(n).savefig(os.path.join(figure_dir, f"figure-{n}.png"), dpi=72)
print(f"FIGURES {len(plt.get_fignums())}")
print("HISTORY " + json.dumps(namespace["history"]), flush=True)
