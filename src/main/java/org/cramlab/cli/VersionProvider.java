package org.cramlab.cli;

import org.cramlab.core.Versions;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the versions every run records ({@link Versions#all()}). */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return Versions.all().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toArray(String[]::new);
    }
}
