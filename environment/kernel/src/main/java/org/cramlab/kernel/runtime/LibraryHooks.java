package org.cramlab.kernel.runtime;

import java.lang.reflect.Method;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Gives the workbench's {@code org.cramlab.notebook.DisplayHooks} this kernel's display functions, so a
 * notebook opens its lab with {@code Lab.open("name")}. Called by reflection so the kernel builds and
 * runs without the workbench on its classpath.
 */
public final class LibraryHooks {
    static final String HOOKS_CLASS = "org.cramlab.notebook.DisplayHooks";

    private LibraryHooks() {}

    /**
     * Registers the hooks if the workbench is visible to {@code loader}.
     *
     * @return true if registered, false if the workbench is absent
     */
    public static boolean install(ClassLoader loader) {
        Function<String, String> show = html -> Display.display(html, "text/html");
        BiConsumer<String, String> replace = (id, html) -> Display.updateDisplay(id, html, "text/html");
        try {
            Class<?> hooks = Class.forName(HOOKS_CLASS, true, loader);
            Method register = hooks.getMethod("register", Function.class, BiConsumer.class);
            register.invoke(null, show, replace);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        } catch (ReflectiveOperationException | LinkageError e) {
            System.err.println("cramlab display hooks not registered (" + e + "); Lab.open(name) falls back");
            return false;
        }
    }
}
