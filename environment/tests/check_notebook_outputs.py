"""Checks executed notebooks for what a reader without a running kernel sees (run by environment/test).

For every DIR/*.ipynb: the file is under 5.5 MB; every figure output (HTML that draws with plotly)
carries a static PNG inside its HTML, and a script-less export (nbconvert's markdown) shows an image
(<img> or a markdown image) for every figure; every text/plain of a display or result is at most two
short lines (a description, not the HTML again). Prints one line per notebook and exits 1 on a failure.

usage: check_notebook_outputs.py DIR
"""
import glob
import os
import re
import sys

import nbformat
from nbconvert import MarkdownExporter

MAX_BYTES = 5.5e6
MAX_PLAIN_LINES = 2
MAX_PLAIN_CHARS = 300
IMAGE_IN_HTML = re.compile(r'<img[^>]*src="data:image/png;base64,')
IMAGE_IN_MARKDOWN = re.compile(r'<img\b|!\[[^\]]*\]\(')


def text(value):
    return "".join(value) if isinstance(value, list) else value


def is_figure(html):
    """A figure's HTML (cramlab's figure div, or any plot drawn with Plotly.newPlot), not the bare plotly.js
    library that a notebook shows once on its own (Lab.watch), which mentions Plotly.newPlot in its source."""
    if 'class="cramlab-figure"' in html:
        return True
    body = html.strip()
    library_only = body.startswith("<script>") and body.endswith("</script>") and body.count("<script") == 1
    return "Plotly.newPlot" in html and not library_only


def problems(path, exporter):
    found = []
    size = os.path.getsize(path)
    if size >= MAX_BYTES:
        found.append(f"{size / 1e6:.1f} MB, expected under {MAX_BYTES / 1e6} MB")
    nb = nbformat.read(path, as_version=4)
    figures = 0
    for n, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = out.get("data", {})
            html = text(data.get("text/html", ""))
            if is_figure(html):
                figures += 1
                if not IMAGE_IN_HTML.search(html):
                    found.append(f"cell {n}: a figure without a static PNG inside its HTML")
            plain = text(data.get("text/plain", ""))
            if plain.count("\n") >= MAX_PLAIN_LINES or len(plain) > MAX_PLAIN_CHARS:
                found.append(f"cell {n}: text/plain of {len(plain)} characters, {plain.count(chr(10)) + 1} lines: {plain[:60]!r}")
    markdown, _ = exporter.from_notebook_node(nb)
    images = len(IMAGE_IN_MARKDOWN.findall(markdown))
    if images < figures:
        found.append(f"markdown export shows {images} images for {figures} figures")
    return found, figures, size


def main(folder):
    notebooks = sorted(glob.glob(os.path.join(folder, "*.ipynb")))
    if not notebooks:
        print(f"check_notebook_outputs: no executed notebooks in {folder}", file=sys.stderr)
        return 2
    exporter = MarkdownExporter()
    failed = 0
    for path in notebooks:
        found, figures, size = problems(path, exporter)
        name = os.path.basename(path)
        print(f"{'ok    ' if not found else 'FAILED'} {name}: {size / 1e6:.2f} MB, {figures} figures")
        for p in found:
            print(f"         {p}")
        failed += bool(found)
    print(f"check_notebook_outputs: {len(notebooks) - failed} of {len(notebooks)} notebooks ok")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
