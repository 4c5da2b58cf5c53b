package org.cramlab.core;

import org.cramlab.cli.Main;

/** A planted layering violation (core, the lowest package, using cli, the highest) for LayeringTest; test code only. */
public final class LayeringFixture {
    private LayeringFixture() {}

    /** Uses the CLI's entry class: the import LayeringTest must report. */
    public static String cliName() {
        return Main.class.getSimpleName();
    }
}
