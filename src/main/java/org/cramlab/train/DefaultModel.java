package org.cramlab.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.cramlab.core.CramlabHome;
import org.cramlab.core.Hashing;
import org.cramlab.text.TextException;

/**
 * cramlab's default model (trained by {@link DefaultModelTrainer}, see its {@code README.md}), shipped
 * as resources under {@code cramlab/default-model/}. {@link #directory()} gives a filesystem
 * directory holding it, for {@code Models.load} and everything that takes a model directory.
 */
public final class DefaultModel {

    /** Resource folder of the default model. */
    public static final String RESOURCE = "cramlab/default-model/";

    /** The files of the model directory. */
    public static final List<String> FILES = List.of("config.json", "generation_config.json", "model.safetensors",
            "tokenizer.json", "tokenizer_config.json", "words.txt", "README.md");

    private DefaultModel() {}

    /**
     * The default model's directory: {@code $CRAMLAB_DEFAULT_MODEL} if set; the source folder
     * {@code src/main/resources/cramlab/default-model} when running from a checkout (classes in
     * {@code target/classes}); else the resources, extracted once from the jar into
     * {@code $CRAMLAB_HOME/default-model-<sha256 prefix>/}.
     */
    public static Path directory() {
        String env = System.getenv("CRAMLAB_DEFAULT_MODEL");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return directory(DefaultModel.class.getClassLoader());
    }

    /** {@link #directory()} for the resources of {@code loader} (tests use a jar of their own). */
    static Path directory(ClassLoader loader) {
        URL config = loader.getResource(RESOURCE + "config.json");
        if (config == null) {
            throw new TextException("this build has no default model (resource " + RESOURCE
                    + " missing): train one with `java -jar lib/cramlab.jar train-default --out DIR` and pass --model DIR");
        }
        if (config.getProtocol().equals("file")) {
            Path dir = toPath(config).getParent();
            // target/classes/cramlab/default-model -> src/main/resources/cramlab/default-model
            Path source = dir.getParent().getParent().getParent().getParent()
                    .resolve("src/main/resources").resolve(RESOURCE);
            return Files.isRegularFile(source.resolve("config.json")) ? source : dir;
        }
        return extract(loader);
    }

    private static synchronized Path extract(ClassLoader loader) {
        String sha = resourceSha256(loader).substring(0, 12);
        Path dir = CramlabHome.dir().resolve("default-model-" + sha);
        if (FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)))) {
            return dir;
        }
        try {
            Files.createDirectories(dir.getParent());
            Path tmp = Files.createTempDirectory(dir.getParent(), "default-model-");
            for (String f : FILES) {
                try (InputStream in = open(loader, f)) {
                    Files.copy(in, tmp.resolve(f));
                }
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) { // another process extracted it first
                if (!Files.isRegularFile(dir.resolve("config.json"))) {
                    throw raced;
                }
            }
            return dir;
        } catch (IOException e) {
            throw new TextException("cannot extract the default model into " + dir + ": " + e.getMessage()
                    + " (set CRAMLAB_HOME to a writable directory)", e);
        }
    }

    /** SHA-256 over the resource files, one after another (a few MB, read once per JVM). */
    private static String resourceSha256(ClassLoader loader) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            for (String f : FILES) {
                try (InputStream in = open(loader, f)) {
                    in.transferTo(all);
                }
            }
        } catch (IOException e) {
            throw new TextException("cannot read the default model's resources: " + e.getMessage(), e);
        }
        return Hashing.sha256(all.toByteArray());
    }

    private static InputStream open(ClassLoader loader, String file) throws IOException {
        InputStream in = loader.getResourceAsStream(RESOURCE + file);
        if (in == null) {
            throw new IOException("resource " + RESOURCE + file + " missing from the jar");
        }
        return in;
    }

    private static Path toPath(URL url) {
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new TextException("bad resource URL " + url, e);
        }
    }
}
