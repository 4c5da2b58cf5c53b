package org.cramlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.List;
import org.cramlab.core.Progress;
import org.cramlab.core.CramlabHome;
import org.cramlab.train.DefaultModel;
import org.junit.jupiter.api.Test;
import org.cramlab.run.Profile;

/**
 * The quickstart notebook's cases on the default model with the smoke profile (its step cap): the
 * default case solves and decodes exactly (a newcomer's first run shows the method working), the
 * contrast does not.
 */
class QuickstartTest {

    @Test
    void defaultCaseSolvesAndDecodesExactlyAndTheContrastDoesNot() {
        assumeTrue(Files.isDirectory(CramlabHome.corpusDir()),
                "the book corpus is not in " + CramlabHome.corpusDir() + " (environment/setup fetches it)");
        Profile smoke = Profile.smoke().withModelDirs(List.of(DefaultModel.directory().toString()));
        try (Quickstart quick = Quickstart.open(smoke)) {
            Quickstart.Result fits = quick.cram(Quickstart.DEFAULT_LENGTH, Quickstart.DEFAULT_MEM, Progress.silent());
            assertEquals(Quickstart.DEFAULT_LENGTH, fits.passage().tokenIds().length);
            assertEquals("solved", fits.record().trajectory().stopReason(), fits.summary());
            assertEquals(1.0, fits.record().metrics().bestAccuracy(), 0, fits.summary());
            assertTrue(fits.greedy().exactMatch(), fits.summary());
            assertEquals(fits.reconstruction().stringColumn(0).get(0), fits.reconstruction().stringColumn(1).get(0));

            Quickstart.Result tooLong = quick.cram(Quickstart.CONTRAST_LENGTH, Quickstart.DEFAULT_MEM, Progress.silent());
            assertTrue(tooLong.record().metrics().bestAccuracy() < 1.0, tooLong.summary());
            assertFalse(tooLong.greedy().exactMatch(), tooLong.summary());
            assertTrue(tooLong.record().metrics().originalCeNats() > fits.record().metrics().originalCeNats());
            String why = Quickstart.why(fits, tooLong);
            assertTrue(why.startsWith("Capacity follows the information gain, not the length"), why);
            assertTrue(why.contains(Quickstart.CONTRAST_LENGTH + "-token passage"), why);
        }
    }
}
