package org.cramlab.kernel;

import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Rich output for library types: Tablesaw tables as HTML tables and figures as offline plotly
 * plots with a static image inside (their one-line text/plain comes from {@link PlainText}). The HTML comes from {@code org.cramlab.report.Html} in the workbench jar, called
 * reflectively so the kernel builds without it; types absent from the classpath are skipped.
 */
final class Renderers {
    static final String HTML_CLASS = "org.cramlab.report.Html";

    private Renderers() {}

    /**
     * Registers what is available. {@code plotlySent} is shared per kernel session: only the first
     * figure inlines plotly.js, later outputs find it on the page.
     */
    static void register(Renderer renderer, ClassLoader loader, AtomicBoolean plotlySent) {
        Class<?> html = load(HTML_CLASS, loader);
        Class<?> table = load("tech.tablesaw.api.Table", loader);
        Class<?> figure = load("tech.tablesaw.plotly.components.Figure", loader);
        if (html == null) {
            return;
        }
        if (table != null) {
            Method toHtml = method(html, "table", table);
            renderer.createRegistration(table)
                    .preferring(MIMEType.TEXT_HTML)
                    .supporting(MIMEType.TEXT_HTML)
                    .register((t, ctx) -> ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> call(toHtml, t)));
        }
        if (figure != null) {
            // with a static PNG inside (headless Chromium), so the figure shows where no script runs
            Method toHtml = method(html, "figureFragmentWithImage", figure, boolean.class);
            renderer.createRegistration(figure)
                    .preferring(MIMEType.TEXT_HTML)
                    .supporting(MIMEType.TEXT_HTML)
                    .register((f, ctx) -> ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> {
                        boolean first = plotlySent.compareAndSet(false, true);
                        try {
                            return call(toHtml, f, first);
                        } catch (RuntimeException e) {
                            if (first) {
                                plotlySent.set(false);
                            }
                            throw e;
                        }
                    }));
        }
    }

    private static Class<?> load(String name, ClassLoader loader) {
        try {
            return Class.forName(name, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static Method method(Class<?> owner, String name, Class<?>... params) {
        try {
            return owner.getMethod(name, params);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(owner.getName() + " has no " + name + " method: lib/ is out of date, run environment/setup", e);
        }
    }

    private static String call(Method m, Object... args) {
        try {
            return (String) m.invoke(null, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
