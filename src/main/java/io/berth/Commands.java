package io.berth;

import io.berth.bench.BenchCommand;
import picocli.CommandLine;

/**
 * The subcommands of {@code berth} in one table: the server's own, then the load tool shipped in
 * the same jar. This is the one class that names the load tool, so the server (Berth, Main) does
 * not depend on it, and the tool depends on nothing of the server.
 */
public final class Commands {

    private Commands() {}

    /** The whole {@code berth} command line, ready to execute. */
    public static CommandLine commandLine() {
        CommandLine berth = new CommandLine(new Main());
        berth.addSubcommand(new Main.Serve());
        berth.addSubcommand(new Main.ConfigCommand());
        berth.addSubcommand(new CatalogCommand());
        berth.addSubcommand(new GarbageCollectCommand());
        berth.addSubcommand(new Main.VersionCommand());
        berth.addSubcommand(new BenchCommand());
        berth.addSubcommand(new CommandLine.HelpCommand());
        return berth;
    }
}
