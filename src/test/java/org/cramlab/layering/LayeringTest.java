package org.cramlab.layering;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.ArrayList;
import java.util.List;
import org.cramlab.cli.Main;
import org.cramlab.core.LayeringFixture;
import org.junit.jupiter.api.Test;

/**
 * The package layering of cramlab (docs/architecture.md): each package uses only packages on a lower
 * line; packages on one line are peers and do not use each other.
 */
class LayeringTest {

    /** Bottom up. report sits below run: the run layer's capacity search summarises with report's aggregates. */
    static final List<List<String>> ORDER = List.of(
            List.of("core"),
            List.of("checkpoint"),
            List.of("model", "text"),
            List.of("cram", "train"),
            List.of("bits"),
            List.of("init"),
            List.of("capacity"),
            List.of("report"),
            List.of("run"),
            List.of("experiment", "effects"),
            List.of("bench"),
            List.of("sweep"),
            List.of("notebook", "cli"));

    /** The rule: a package may use only the packages on the lines below its own. */
    static LayeredArchitecture layering(boolean everyPackagePresent) {
        LayeredArchitecture rule = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .withOptionalLayers(!everyPackagePresent);
        for (List<String> line : ORDER) {
            for (String pkg : line) rule = rule.layer(pkg).definedBy("org.cramlab." + pkg + "..");
        }
        List<String> below = new ArrayList<>();
        for (List<String> line : ORDER) {
            for (String pkg : line) {
                rule = below.isEmpty() ? rule.whereLayer(pkg).mayNotAccessAnyLayer()
                        : rule.whereLayer(pkg).mayOnlyAccessLayers(below.toArray(String[]::new));
            }
            below.addAll(line);
        }
        return rule;
    }

    @Test
    void productionPackagesUseOnlyLowerPackages() {
        JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.cramlab");
        assertFalse(main.contain(LayeringFixture.class), "test fixtures are not part of the production check");
        layering(true).check(main);
    }

    @Test
    void theRuleReportsALowerPackageUsingAHigherOne() {
        // a fixture in core (the lowest package) that uses cli (the highest): the same rule must flag it
        JavaClasses planted = new ClassFileImporter().importClasses(LayeringFixture.class, Main.class);
        EvaluationResult result = layering(false).evaluate(planted);
        assertTrue(result.hasViolation(), "a core class using cli is a violation");
        String report = result.getFailureReport().toString();
        assertTrue(report.contains("LayeringFixture") && report.contains("org.cramlab.cli.Main"), report);
    }
}
