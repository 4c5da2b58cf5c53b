/**
 * The kernel's own reading of the shell and control sockets, on JeroMQ: one multipart message at a
 * time ({@link Frames}), checked ({@link Signer}, {@link WireParser}) and handed to basekernel's
 * handlers ({@link RoutingChannel}, {@link KernelConnection}). basekernel's own loop ends its thread
 * on the first message it cannot read; here such a message is dropped with one line on stderr.
 */
package org.cramlab.kernel.wire;
