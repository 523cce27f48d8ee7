using AgentHost.Common.Processes;
using AgentHost.Hosting;

namespace AgentHost.Agent.Credentials;

/// <summary>
/// Where one configured secret lives: the value itself, an environment variable, a file, or a command that prints it
/// (<c>api_key</c> / <c>api_key_env</c> / <c>api_key_file</c> / <c>api_key_command</c> of a provider,
/// <c>bearer_token…</c> of an MCP server). The first one set wins. The secret is never logged; messages name the
/// source, never the value. A value holding a shell command substitution (<c>$(…)</c>, backticks) is refused, never
/// run nor sent: commands belong in the <c>_command</c> source, which only the user's own configuration may set.
/// </summary>
/// <param name="Value">The secret itself, if set.</param>
/// <param name="Variable">The environment variable holding it, if set.</param>
/// <param name="File">The file holding it, if set.</param>
/// <param name="Command">A command that prints it, if set.</param>
internal sealed record SecretSource(string? Value, string? Variable, string? File, string? Command)
{
    /// <summary>The most time a command may take.</summary>
    public static TimeSpan CommandTimeout { get; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether any source is set.</summary>
    public bool IsSet => (Value ?? Variable ?? File ?? Command) is not null;

    /// <inheritdoc/>
    public override string ToString() =>
        $"SecretSource {{ Value = {(Value is null ? "(none)" : "***")}, Variable = {Variable}, File = {File}, Command = {Command} }}";

    /// <summary>Reads the secret from the first source set.</summary>
    /// <param name="owner">Who needs it, for messages: <c>provider 'openai'</c>, <c>MCP server 'tracker'</c>.</param>
    /// <param name="what">What it is, for messages: <c>API key</c>, <c>bearer token</c>.</param>
    /// <param name="keyPrefix">The configuration key without its suffix, for messages: <c>api_key</c>, <c>bearer_token</c>.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>The secret, or <see langword="null"/> when no source is set.</returns>
    /// <exception cref="AgentHostException">A source is set but is missing, empty or fails (<see cref="ErrorKind.Configuration"/>); the message says what to fix.</exception>
    public string? Resolve(string owner, string what, string keyPrefix, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (Value is { Length: > 0 })
        {
            // A shell command substitution is never run from here, nor sent as the secret itself.
            return Value.Contains("$(", StringComparison.Ordinal) || Value.Count(c => c == '`') >= 2
                ? throw new AgentHostException(ErrorKind.Configuration, $"{owner}: {keyPrefix} holds a shell command substitution ('$(…)'), which is not run and would be sent as the {what} itself. Set {keyPrefix}_command to the command instead (docs/configuration.md, 'Keys from a command').")
                : Value;
        }

        if (Variable is { } variable)
        {
            return environment.Get(variable)
                ?? throw new AgentHostException(ErrorKind.Configuration, $"{owner} reads its {what} from ${variable}, which is not set. Export {variable}=<your {what}>.");
        }

        if (File is { } file)
        {
            return System.IO.File.Exists(file) && System.IO.File.ReadAllText(file).Trim() is { Length: > 0 } text
                ? text
                : throw new AgentHostException(ErrorKind.Configuration, $"{owner} reads its {what} from {file}, which is missing or empty. Write the {what} into that file.");
        }

        return Command is { } command ? RunCommand(owner, what, keyPrefix, command, environment) : null;
    }

    private static string RunCommand(string owner, string what, string keyPrefix, string command, HostEnvironment environment)
    {
        // The shell is found like every program the host starts (absolute PATH entries only, never the project).
        var (shell, flags) = OperatingSystem.IsWindows() ? ("cmd.exe", new[] { "/d", "/c" }) : ("/bin/sh", new[] { "-c" });
        var spec = new ProcessSpec(shell, [.. flags, command])
        {
            WorkingDirectory = environment.CurrentDirectory,
            Purpose = $"{owner}: {keyPrefix}_command's shell",
        };
        ProcessOutput result;
        try
        {
            // Callers resolve synchronously (model selection, server definitions): the command runs on this thread, with a time limit.
            result = ProcessLauncher.Run(spec, CommandTimeout, maxOutputCharacters: 64_000);
        }
        catch (ProgramStartException ex)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"{owner}: {keyPrefix}_command could not run ({ex.Message}).", ex);
        }

        if (result.TimedOut)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"{owner}: {keyPrefix}_command did not finish within {CommandTimeout.TotalSeconds:0} s. Make it print the {what} without waiting for input.");
        }

        var secret = result.Output.Trim();
        if (result.ExitCode != 0 || secret.Length == 0)
        {
            // The command's error text may quote the secret; show only its first line, cut short.
            var firstLine = result.Error.Split('\n', 2)[0].Trim().TrimEnd('.'); // the message adds its own period
            throw new AgentHostException(
                ErrorKind.Configuration,
                $"{owner}: {keyPrefix}_command exited with {result.ExitCode}{(secret.Length == 0 ? $" and printed no {what}" : string.Empty)}{(firstLine.Length > 0 ? ": " + (firstLine.Length > 200 ? firstLine[..200] + "…" : firstLine) : string.Empty)}. Fix the command in config.yaml.");
        }

        return secret;
    }
}
