package org.cramlab.cli;

import picocli.CommandLine.Mixin;

/**
 * What every command that crams takes: the model ({@code --model/--device/--dtype}) and the optimiser
 * ({@code --steps/--lr/--patience/--seed/--no-greedy}).
 */
public final class CramOptions {

    @Mixin
    ModelOptions model;

    @Mixin
    OptimOptions optim;
}
