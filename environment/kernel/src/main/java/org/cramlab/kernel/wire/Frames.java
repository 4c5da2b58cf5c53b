package org.cramlab.kernel.wire;

import java.util.ArrayList;
import java.util.List;
import org.zeromq.ZMQ;

/** Reads exactly one multipart message, so a short message can never take frames of the next one. */
final class Frames {
    private Frames() {}

    /** All frames of the next message, or null when none is waiting ({@code flags} = ZMQ.DONTWAIT) or the socket closed. */
    static List<byte[]> receive(ZMQ.Socket socket, int flags) {
        byte[] first = socket.recv(flags);
        if (first == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>();
        frames.add(first);
        while (socket.hasReceiveMore()) {
            byte[] next = socket.recv();
            if (next == null) {
                break;
            }
            frames.add(next);
        }
        return frames;
    }
}
