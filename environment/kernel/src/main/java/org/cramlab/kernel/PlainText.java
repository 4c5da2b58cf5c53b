package org.cramlab.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code text/plain} of an HTML output: one line saying what it is (a terminal front end prints it,
 * and it is stored in the notebook beside the HTML), never the HTML itself. basekernel would put the
 * HTML string there a second time, which doubled a notebook's size when that HTML carried plotly.js.
 */
public final class PlainText {
    static final int MAX = 120;
    private static final Pattern STATED = Pattern.compile("data-text-plain=\"([^\"]*)\"");
    private static final Pattern CAPTION = Pattern.compile("(?s)<table[^>]*>\\s*<caption>(.*?)</caption>");
    private static final Pattern SCRIPT_OR_STYLE = Pattern.compile("(?is)<(script|style)\\b.*?</\\1\\s*>");
    private static final Pattern TAG = Pattern.compile("(?s)<[^>]*>");

    private PlainText() {}

    /** Replaces {@code data}'s text/plain by {@link #describe} of its text/html, if it has HTML; returns it. */
    public static DisplayData fit(DisplayData data) {
        if (data != null && data.getData(MIMEType.TEXT_HTML) instanceof String html) {
            data.putData(MIMEType.TEXT_PLAIN, describe(html));
        }
        return data;
    }

    /**
     * One line for an HTML output: the {@code data-text-plain} it states (cramlab's figures), a table's
     * caption, or its visible text cut to {@value #MAX} characters.
     */
    public static String describe(String html) {
        Matcher m = STATED.matcher(html);
        if (m.find()) {
            return unescape(m.group(1));
        }
        m = CAPTION.matcher(html);
        if (m.find()) {
            return "Table: " + oneLine(unescape(TAG.matcher(m.group(1)).replaceAll("")));
        }
        String text = oneLine(unescape(TAG.matcher(SCRIPT_OR_STYLE.matcher(html).replaceAll(" ")).replaceAll(" ")));
        if (text.isEmpty()) {
            return html.contains("<script") ? "(HTML output: a script)" : "(HTML output)";
        }
        return text.length() <= MAX ? text : text.substring(0, MAX - 1) + "\u2026";
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    }
}
