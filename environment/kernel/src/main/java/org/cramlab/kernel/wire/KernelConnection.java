package org.cramlab.kernel.wire;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.publish.PublishStatus;
import java.io.PrintStream;
import java.security.GeneralSecurityException;
import org.zeromq.ZMQ;

/**
 * basekernel's connection with the shell and control sockets replaced by {@link RoutingChannel}s.
 * Heartbeat, iopub and stdin stay basekernel's; so do the handlers registered by the kernel.
 * (basekernel still creates its own shell and control sockets; they are never bound and are closed with the rest.)
 */
public final class KernelConnection extends JupyterConnection {
    private final KernelConnectionProperties props;
    private final ZMQ.Context routingContext = ZMQ.context(1);
    private final RoutingChannel shellChannel;
    private final RoutingChannel controlChannel;
    private boolean connected;

    public KernelConnection(KernelConnectionProperties props, PrintStream log) throws GeneralSecurityException {
        super(props);
        this.props = props;
        Signer signer = Signer.of(props.getSignatureScheme(), props.getKey());
        this.shellChannel = new RoutingChannel(routingContext, props.createHMACGenerator(), signer, "shell", true, this, log);
        this.controlChannel = new RoutingChannel(routingContext, props.createHMACGenerator(), signer, "control", false, this, log);
    }

    @Override
    public synchronized void connect() {
        if (connected) {
            return;
        }
        heartbeat.bind(props);
        shellChannel.bind(props);
        controlChannel.bind(props);
        stdin.bind(props);
        iopub.bind(props);
        iopub.sendMessage(new Message<>(null, PublishStatus.MESSAGE_TYPE, PublishStatus.STARTING));
        connected = true;
    }

    @Override
    public void close() {
        shellChannel.close();
        controlChannel.close();
        super.close();
    }

    @Override
    public void waitUntilClose() {
        super.waitUntilClose();
        shellChannel.waitUntilClose();
        controlChannel.waitUntilClose();
        routingContext.close();
    }
}
