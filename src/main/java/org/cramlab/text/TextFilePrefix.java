package org.cramlab.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.cramlab.checkpoint.TextTokenizer;

/**
 * The first L tokens of a UTF-8 text file, read and tokenised as a stream: only as much of the file as
 * the L tokens need is read (plus a few tokens of look-ahead, so the cut never changes a token), so memory
 * and time follow L, not the file size; a file of gigabytes with L = 8 reads a few kilobytes.
 *
 * <p>The text is decoded strictly: a byte sequence that is not UTF-8 inside the part read fails naming
 * its byte offset (bytes after the part needed are never looked at).
 *
 * @param text the decoded text read (the caller decodes {@code tokenIds} for what is compressed)
 * @param tokenIds at most {@code maxTokens} ids, special tokens included, as
 *     {@link TextTokenizer#encode(String, boolean, int)} of the whole file would give
 * @param bytesRead bytes read from the file
 * @param wholeFile whether the file was read to its end
 */
public record TextFilePrefix(String text, int[] tokenIds, long bytesRead, boolean wholeFile) {

    /** Tokens tokenised beyond the L needed before a cut is trusted (a token at the cut may still grow). */
    static final int LOOK_AHEAD_TOKENS = 16;

    private static final int CHUNK = 8192;

    /**
     * Reads and tokenises the beginning of {@code file}.
     *
     * @param maxTokens L; {@link Integer#MAX_VALUE} reads the whole file
     * @param what how the file was given, for messages (e.g. "--text-file")
     * @throws TextException naming the file and why it cannot be read: missing, a directory, permission,
     *     or not UTF-8 (with the byte offset)
     */
    public static TextFilePrefix read(Path file, TextTokenizer tok, int maxTokens, String what) {
        if (maxTokens < 1) {
            throw new TextException(what + " " + file + ": L must be >= 1 tokens, got " + maxTokens);
        }
        if (Files.isDirectory(file)) {
            throw new TextException("cannot read " + what + " " + file + ": it is a directory, expected a UTF-8 text file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, tok, maxTokens, what + " " + file);
        } catch (NoSuchFileException e) {
            throw new TextException("cannot read " + what + " " + file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new TextException("cannot read " + what + " " + file + ": permission denied (not readable by user "
                    + System.getProperty("user.name") + ")", e);
        } catch (FileSystemException e) {
            throw new TextException("cannot read " + what + " " + file + ": "
                    + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()), e);
        } catch (IOException e) {
            throw new TextException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@link #read(Path, TextTokenizer, int, String)} from a stream; {@code name} names it in messages. */
    static TextFilePrefix read(InputStream in, TextTokenizer tok, int maxTokens, String name) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        StringBuilder text = new StringBuilder();
        ByteBuffer bytes = ByteBuffer.allocate(CHUNK);
        CharBuffer chars = CharBuffer.allocate(CHUNK);
        long consumed = 0; // bytes decoded before bytes' current content
        long read = 0;
        boolean eof = false;
        // chars to gather before tokenising: a token is rarely > 8 chars; doubled while too few tokens
        long target = maxTokens == Integer.MAX_VALUE ? Long.MAX_VALUE : 8L * (maxTokens + LOOK_AHEAD_TOKENS) + 64;
        while (true) {
            while (!eof && text.length() < target) {
                int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                if (n < 0) {
                    eof = true;
                } else {
                    bytes.position(bytes.position() + n);
                    read += n;
                }
                bytes.flip();
                int before = bytes.position();
                CoderResult r = decoder.decode(bytes, chars, eof);
                if (r.isError()) {
                    throw new TextException(name + " is not UTF-8: " + (r.isMalformed() ? "malformed" : "unmappable")
                            + " byte sequence at byte offset " + (consumed + bytes.position() - before)
                            + " (expected a UTF-8 text file)");
                }
                if (eof) {
                    decoder.flush(chars);
                }
                consumed += bytes.position() - before;
                bytes.compact();
                chars.flip();
                text.append(chars);
                chars.clear();
            }
            if (eof) {
                return new TextFilePrefix(text.toString(), tok.encode(text.toString(), true, maxTokens), read, true);
            }
            // enough when the plain tokens run LOOK_AHEAD_TOKENS past L: the first L cannot change any more
            int[] plain = tok.encode(text.toString(), false, maxTokens + LOOK_AHEAD_TOKENS);
            if (plain.length >= maxTokens + LOOK_AHEAD_TOKENS) {
                return new TextFilePrefix(text.toString(), tok.encode(text.toString(), true, maxTokens), read, false);
            }
            target = 2 * target;
        }
    }
}
