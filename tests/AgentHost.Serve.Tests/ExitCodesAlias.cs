// Tests assert the `agent` process's exit codes by name: the CLI's own constants (internal, visible to this assembly),
// as in AgentHost.Tests (Support/ExitCodesAlias.cs); Cli/ExitCodesTests there pins each number to docs/cli.md.
global using ExitCodes = AgentHost.Cli.ExitCodes;
