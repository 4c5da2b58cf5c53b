/**
 * The {@code cramlab} command line (picocli): one command class per subcommand and the option blocks they
 * share.
 */
package org.cramlab.cli;
