import org.cramlab.report.Html;
import tech.tablesaw.api.*;
import tech.tablesaw.plotly.api.LinePlot;

/** Time of a figure fragment without and with its static PNG (headless Chromium); run by environment/bench/figure-png-cost. */
public class FigurePngCost {
    public static void main(String[] a) {
        var t = Table.create("p", IntColumn.create("x", 1, 2, 3), IntColumn.create("y", 1, 4, 9));
        var fig = LinePlot.create("bench", t, "x", "y");
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            String plain = Html.figureFragment(fig, false);
            long t1 = System.nanoTime();
            String img = Html.figureFragmentWithImage(fig, false);
            long t2 = System.nanoTime();
            System.out.printf("figureFragment %.0f ms, figureFragmentWithImage %.0f ms (+%d bytes)%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6, img.length() - plain.length());
        }
    }
}
