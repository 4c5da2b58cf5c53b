package org.cramlab.notebook;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * How {@link Lab#open(String)} shows HTML and replaces it in place, found in this order:
 * <ol>
 *   <li>hooks a kernel {@linkplain #register registered} (cramlab's kernel does at start);
 *   <li>a kernel's own display API found by reflection: a class with IJava's static
 *       {@code display(Object, String...)} and {@code updateDisplay(String, Object, String...)}
 *       (cramlab's kernel, IJava, JJava), used with MIME type {@code text/html};
 *   <li>plain text on {@code System.out}: the HTML's text, each replacement printed as a new line.
 * </ol>
 */
public final class DisplayHooks {

    /**
     * Display functions.
     *
     * @param show shows HTML as a new output, returns its display id
     * @param replace replaces the output with that id by new HTML
     * @param source where they come from (for messages)
     */
    public record Hooks(Function<String, String> show, BiConsumer<String, String> replace, String source) {}

    /** Display classes with IJava's static {@code display}/{@code updateDisplay}, tried in this order. */
    static final List<String> KERNEL_DISPLAY_CLASSES = List.of(
            "org.cramlab.kernel.runtime.Display",
            "io.github.spencerpark.ijava.runtime.Display",
            "org.dflib.jjava.runtime.Display",
            "org.dflib.jjava.jupyter.kernel.BaseNotebookStatics");

    private static volatile Hooks registered;

    private DisplayHooks() {}

    /**
     * Called by a kernel at start (cramlab's does, by reflection, when the workbench is on its classpath).
     *
     * @param show shows HTML as a new output, returns its display id
     * @param replace replaces the output with that id by new HTML
     */
    public static void register(Function<String, String> show, BiConsumer<String, String> replace) {
        registered = new Hooks(show, replace, "kernel hooks");
    }

    /** Forgets registered hooks (tests). */
    static void clear() {
        registered = null;
    }

    /** The hooks to use now, in the order of the class comment. */
    public static Hooks find() {
        return find(KERNEL_DISPLAY_CLASSES, DisplayHooks.class.getClassLoader(), System.out);
    }

    static Hooks find(List<String> displayClasses, ClassLoader loader, PrintStream out) {
        Hooks hooks = registered;
        if (hooks != null) {
            return hooks;
        }
        for (String name : displayClasses) {
            hooks = reflective(name, loader);
            if (hooks != null) {
                return hooks;
            }
        }
        return plainText(out);
    }

    /** The display API of class {@code name}, or null if it is absent or lacks the two methods. */
    static Hooks reflective(String name, ClassLoader loader) {
        Method display;
        Method update;
        try {
            Class<?> c = Class.forName(name, true, loader);
            display = c.getMethod("display", Object.class, String[].class);
            update = c.getMethod("updateDisplay", String.class, Object.class, String[].class);
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
            return null;
        }
        String[] html = {"text/html"};
        return new Hooks(h -> (String) invoke(display, h, html), (id, h) -> invoke(update, id, h, html), name);
    }

    private static Object invoke(Method m, Object... args) {
        try {
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new NotebookException(m + " failed: " + cause, cause);
        } catch (IllegalAccessException e) {
            throw new NotebookException("cannot call " + m + ": " + e.getMessage(), e);
        }
    }

    /** No kernel display: the HTML's text as lines (a replacement cannot update in place, so it prints anew). */
    static Hooks plainText(PrintStream out) {
        AtomicInteger ids = new AtomicInteger();
        return new Hooks(h -> {
            out.println(text(h));
            return "text-" + ids.incrementAndGet();
        }, (id, h) -> out.println(text(h)), "plain text");
    }

    /** The text of an HTML fragment: tags dropped, the common entities decoded. */
    static String text(String html) {
        return html.replaceAll("<[^>]*>", "").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&").strip();
    }
}
