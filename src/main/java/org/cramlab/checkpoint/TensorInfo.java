package org.cramlab.checkpoint;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;

/**
 * One entry of a safetensors header.
 *
 * @param name tensor name
 * @param dtype safetensors dtype string (F32, BF16, ...)
 * @param shape tensor shape
 * @param file the file that holds it
 * @param offset absolute byte offset of the data in the file
 * @param length data length in bytes
 */
public record TensorInfo(String name, String dtype, Shape shape, Path file, long offset, long length) {}
