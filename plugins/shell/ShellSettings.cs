using AgentHost.Sdk;

namespace AgentHost.Plugins.Shell;

/// <summary>The plugin's settings (<c>plugins.settings.shell.*</c>), validated once at registration.</summary>
internal sealed record ShellSettings
{
    public const string Prefix = "plugins.settings.shell.";

    private static readonly string[] Known = ["program", "default_timeout_ms", "max_timeout_ms", "max_output_chars", "max_jobs", "banned_commands"];

    /// <summary>The shell program: a name (<c>bash</c>, <c>sh</c>, <c>pwsh</c>, <c>powershell</c>, <c>cmd</c>…) or a path; <see langword="null"/> for the platform default.</summary>
    public string? Program { get; init; }

    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan MaxTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public int MaxOutputCharacters { get; init; } = 30_000;

    public int MaxJobs { get; init; } = 5;

    /// <summary>Banned commands: a name (<c>curl</c>) or a name with leading arguments (<c>git push</c>).</summary>
    public IReadOnlyList<string> BannedCommands { get; init; } = [];

    /// <summary>Reads and validates the settings.</summary>
    /// <param name="values">The plugin's flattened settings.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ArgumentException">A value is invalid; the message names the key and the fix.</exception>
    public static ShellSettings Parse(IReadOnlyDictionary<string, string> values)
    {
        var settings = new PluginSettingsReader("shell", values, Known);
        var program = settings.GetString("program");
        if (program is not null)
        {
            _ = ShellProgram.KindOf(program) ?? throw new ArgumentException(
                $"{Prefix}program: '{program}' is not a supported shell; use bash, sh, zsh, dash, ksh, pwsh, powershell or cmd (a name on PATH or a full path).");
        }

        var maxTimeout = settings.GetMilliseconds("max_timeout_ms", 600_000);
        var defaultTimeout = settings.GetMilliseconds("default_timeout_ms", 120_000);
        if (defaultTimeout > maxTimeout)
        {
            throw new ArgumentException($"{Prefix}default_timeout_ms ({defaultTimeout.TotalMilliseconds}) is larger than max_timeout_ms ({maxTimeout.TotalMilliseconds}); lower it or raise max_timeout_ms.");
        }

        return new ShellSettings
        {
            Program = program,
            DefaultTimeout = defaultTimeout,
            MaxTimeout = maxTimeout,
            MaxOutputCharacters = (int)settings.GetInteger("max_output_chars", 30_000, 1_000, 1_000_000),
            MaxJobs = (int)settings.GetInteger("max_jobs", 5, 0, 100),
            BannedCommands = Banned(settings),
        };
    }

    /// <summary><c>banned_commands</c>: a list, each entry with its inner spaces collapsed (<c>git  push</c> is <c>git push</c>).</summary>
    private static List<string> Banned(PluginSettingsReader settings) =>
        [.. settings.GetList("banned_commands")
            .Select(v => string.Join(' ', v.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Distinct(StringComparer.OrdinalIgnoreCase)];
}
