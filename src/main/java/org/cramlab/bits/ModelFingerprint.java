package org.cramlab.bits;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a container must be decoded with: the model's id, a SHA-256 over its weights, config and
 * tokenizer files, and the dtype and device its logits were computed in.
 *
 * @param modelId the model's id (directory name), for messages only
 * @param sha256 32 bytes over config.json, every *.safetensors(.index.json), tokenizer.json and
 *     tokenizer_config.json of the directory (sorted by name; name, length and content of each)
 * @param compute dtype and device of the weights, e.g. "float32 cpu()"
 */
public record ModelFingerprint(String modelId, byte[] sha256, String compute) {

    /** Hashes the files of model directory {@code dir} that decide its logits and tokens. */
    public static ModelFingerprint of(Path dir, String modelId, String dtype, String device) {
        MessageDigest md = newDigest();
        byte[] buf = new byte[1 << 16];
        for (Path f : files(dir)) {
            try (InputStream in = Files.newInputStream(f)) {
                md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(Long.toString(Files.size(f)).getBytes(StandardCharsets.US_ASCII));
                md.update((byte) 0);
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            } catch (IOException e) {
                throw new BitsException("cannot read " + f + " to hash the model: " + e.getMessage(), e);
            }
        }
        return new ModelFingerprint(modelId, md.digest(), dtype + " " + device);
    }

    /** The hashed files of {@code dir}, sorted by name. */
    static List<Path> files(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(Files::isRegularFile).filter(f -> hashed(f.getFileName().toString()))
                    .sorted().toList();
            if (files.stream().noneMatch(f -> f.getFileName().toString().endsWith(".safetensors"))) {
                throw new BitsException("model directory " + dir + " has no *.safetensors weights to hash");
            }
            return files;
        } catch (IOException e) {
            throw new BitsException("cannot list model directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean hashed(String name) {
        return name.equals("config.json") || name.equals("tokenizer.json") || name.equals("tokenizer_config.json")
                || name.endsWith(".safetensors") || name.endsWith(".safetensors.index.json");
    }

    /** The hash as 64 hex digits. */
    public String hex() {
        return HexFormat.of().formatHex(sha256);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
