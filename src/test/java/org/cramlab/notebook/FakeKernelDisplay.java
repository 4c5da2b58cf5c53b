package org.cramlab.notebook;

import java.util.ArrayList;
import java.util.List;

/** Stands in for a kernel's display class with IJava's static API (found by {@link DisplayHooks}'s reflection). */
public final class FakeKernelDisplay {
    static final List<String> CALLS = new ArrayList<>();

    private FakeKernelDisplay() {}

    public static String display(Object o, String... as) {
        CALLS.add("display " + String.join(",", as) + " " + o);
        return "fake-" + CALLS.size();
    }

    public static void updateDisplay(String id, Object o, String... as) {
        CALLS.add("update " + id + " " + String.join(",", as) + " " + o);
    }
}
