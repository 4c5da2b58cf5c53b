package org.cramlab.kernel.runtime;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.util.UUID;
import org.cramlab.kernel.JavaKernel;
import org.cramlab.kernel.PlainText;

/**
 * IJava's notebook display functions, same names and behaviour, so notebooks run unchanged on
 * upstream IJava: {@code display} shows an output now and returns its id, {@code updateDisplay}
 * replaces that output, {@code render} only builds the bundle (return it as a cell's value).
 * With MIME types given, the object is rendered as those (a String as {@code "text/html"} is shown as HTML).
 * An HTML output's {@code text/plain} is one line ({@link PlainText}), not the HTML again.
 */
public final class Display {
    private Display() {}

    /** Renders {@code o} with its preferred representation. */
    public static DisplayData render(Object o) {
        return PlainText.fit(Kernel.require().getRenderer().render(o));
    }

    /** Renders {@code o} as the given MIME types. */
    public static DisplayData render(Object o, String... as) {
        return PlainText.fit(Kernel.require().getRenderer().renderAs(o, as));
    }

    /** Shows {@code o} as a new output; returns the display id for {@link #updateDisplay}. */
    public static String display(Object o) {
        return show(render(o));
    }

    /** Shows {@code o} rendered as the given MIME types; returns the display id. */
    public static String display(Object o, String... as) {
        return show(render(o, as));
    }

    /** Replaces the output with display id {@code id} by {@code o}. */
    public static void updateDisplay(String id, Object o) {
        Kernel.require().getIO().display.updateDisplay(id, render(o));
    }

    /** Replaces the output with display id {@code id} by {@code o} rendered as the given MIME types. */
    public static void updateDisplay(String id, Object o, String... as) {
        Kernel.require().getIO().display.updateDisplay(id, render(o, as));
    }

    private static String show(DisplayData data) {
        JavaKernel kernel = Kernel.require();
        if (!data.hasDisplayId()) {
            data.setDisplayId(UUID.randomUUID().toString());
        }
        kernel.display(data);
        return data.getDisplayId();
    }
}
