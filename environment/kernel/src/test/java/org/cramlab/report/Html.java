package org.cramlab.report;

import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

/** Test stand-in for the library's Html with the same signatures the kernel calls reflectively. */
public final class Html {
    private Html() {}

    public static String table(Table t) {
        return "<table data-name=\"" + t.name() + "\" data-rows=\"" + t.rowCount() + "\"></table>";
    }

    public static String figureFragmentWithImage(Figure f, boolean includePlotly) {
        return "<div data-text-plain=\"Figure: stand-in\">" + (includePlotly ? "<script>PLOTLY</script>" : "")
                + "<img src=\"data:image/png;base64,AAAA\"><div>figure</div></div>";
    }
}
