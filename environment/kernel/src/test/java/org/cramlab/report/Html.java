package org.cramlab.report;

import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

/** Test stand-in for the library's Html with the same signatures the kernel calls reflectively. */
public final class Html {
    private Html() {}

    public static String table(Table t) {
        return "<table data-name=\"" + t.name() + "\" data-rows=\"" + t.rowCount() + "\"></table>";
    }

    public static String figureFragment(Figure f, boolean includePlotly) {
        return (includePlotly ? "<script>PLOTLY</script>" : "") + "<div>figure</div>";
    }
}
