"""Executes one notebook headless with nbclient and writes the executed .ipynb and an HTML export.

Used by environment/run-notebooks (run it with Debian's /usr/bin/python3, which has nbclient and
nbconvert). Unlike `jupyter nbconvert --execute`, the executed notebook and its HTML are written
even when a cell fails, so the error can be read there. Exit status 0 = every cell ran.

usage: run_notebook.py NOTEBOOK OUT_IPYNB OUT_HTML TIMEOUT_SECONDS KERNEL_NAME
"""
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter


def first_error(nb):
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return f"cell {index + 1} ({cell.get('id', '?')}): {out.get('ename')}: {out.get('evalue')}"
    return None


def main(src, out_ipynb, out_html, timeout, kernel):
    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(
        nb,
        timeout=None if timeout <= 0 else timeout,
        kernel_name=kernel,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
    )
    problem = None
    try:
        client.execute()
    except CellTimeoutError as e:
        problem = f"a cell ran longer than {timeout} s: {str(e).splitlines()[0] if str(e) else ''}"
    except CellExecutionError:
        problem = first_error(nb) or "a cell failed"
    except DeadKernelError as e:
        problem = f"the kernel died: {e}"
    except Exception as e:  # kernel missing, bad notebook: still write what we have
        problem = f"{type(e).__name__}: {e}"
    nbformat.write(nb, out_ipynb)
    body, _ = HTMLExporter().from_notebook_node(nb)
    with open(out_html, "w", encoding="utf-8") as f:
        f.write(body)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]))
