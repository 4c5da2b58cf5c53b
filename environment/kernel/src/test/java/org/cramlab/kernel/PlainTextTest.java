package org.cramlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;

class PlainTextTest {
    @Test
    void aStatedDescriptionWins() {
        assertEquals("Figure: a < b (700 \u00d7 450 px, 1 trace)",
                PlainText.describe("<div data-text-plain=\"Figure: a &lt; b (700 \u00d7 450 px, 1 trace)\"><script>var x = 1;</script></div>"));
    }

    @Test
    void aTableIsItsCaption() {
        assertEquals("Table: runs (3 rows \u00d7 2 columns)", PlainText.describe(
                "<table class=\"cramlab-table\">\n<caption>runs (3 rows \u00d7 2 columns)</caption>\n<thead><tr><th>n</th></tr></thead></table>"));
    }

    @Test
    void otherHtmlIsItsVisibleTextOnOneShortLine() {
        assertEquals("html display", PlainText.describe("<b>html display</b>"));
        assertEquals("a b", PlainText.describe("<pre>a\n\n  b</pre>"));
        assertEquals("(HTML output: a script)", PlainText.describe("<script>(function(){ /* plotly.js */ })();</script>"));
        assertEquals("(HTML output)", PlainText.describe("<div></div>"));
        String long_ = PlainText.describe("<p>" + "word ".repeat(100) + "</p>");
        assertEquals(PlainText.MAX, long_.length());
        assertTrue(long_.endsWith("\u2026"));
    }

    @Test
    void fitReplacesTheHtmlCopyOnlyWhenThereIsHtml() {
        DisplayData html = new DisplayData("<i>x</i>");
        html.putHTML("<i>x</i>");
        assertEquals("x", PlainText.fit(html).getData(MIMEType.TEXT_PLAIN));
        DisplayData text = new DisplayData("line 1\nline 2");
        assertEquals("line 1\nline 2", PlainText.fit(text).getData(MIMEType.TEXT_PLAIN));
        assertFalse(PlainText.fit(text).hasDataForType(MIMEType.TEXT_HTML));
    }
}
