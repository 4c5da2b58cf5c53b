package org.cramlab.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import org.cramlab.run.FullDiskChannel;

/**
 * A file channel on a disk with {@code room} bytes left: a write past it writes what fits (a torn
 * write, as a real full disk does) and fails with "No space left on device". Truncation frees room.
 */
final class FullDiskChannel extends FileChannel {
    private final FileChannel real;
    private long room;

    FullDiskChannel(FileChannel real, long room) {
        this.real = real;
        this.room = room;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (src.remaining() <= room) {
            int n = real.write(src);
            room -= n;
            return n;
        }
        if (room > 0) {
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + (int) room);
            int n = real.write(part);
            src.position(src.position() + n);
            room -= n;
        }
        throw new IOException("No space left on device");
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        long before = real.size();
        real.truncate(size);
        room += Math.max(0, before - real.size());
        return this;
    }

    @Override public int read(ByteBuffer dst) throws IOException { return real.read(dst); }
    @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException { return real.read(dsts, offset, length); }
    @Override public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long n = 0;
        for (int i = offset; i < offset + length; i++) n += write(srcs[i]);
        return n;
    }
    @Override public long position() throws IOException { return real.position(); }
    @Override public FileChannel position(long p) throws IOException { real.position(p); return this; }
    @Override public long size() throws IOException { return real.size(); }
    @Override public void force(boolean metaData) throws IOException { real.force(metaData); }
    @Override public long transferTo(long position, long count, WritableByteChannel target) throws IOException { throw new IOException("not supported"); }
    @Override public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException { throw new IOException("not supported"); }
    @Override public int read(ByteBuffer dst, long position) throws IOException { return real.read(dst, position); }
    @Override public int write(ByteBuffer src, long position) throws IOException { throw new IOException("positional writes not supported"); }
    @Override public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException { throw new IOException("not supported"); }
    @Override public FileLock lock(long position, long size, boolean shared) throws IOException { return real.lock(position, size, shared); }
    @Override public FileLock tryLock(long position, long size, boolean shared) throws IOException { return real.tryLock(position, size, shared); }
    @Override protected void implCloseChannel() throws IOException { real.close(); }
}
