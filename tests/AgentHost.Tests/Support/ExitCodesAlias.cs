// Tests assert the `agent` process's exit codes by name: the CLI's own constants (internal, visible to this assembly),
// so a test reads `Assert.Equal(ExitCodes.NotFound, result.ExitCode)`. Cli/ExitCodesTests pins each number to docs/cli.md.
global using ExitCodes = AgentHost.Cli.ExitCodes;
