using System.Text.RegularExpressions;
using AgentHost.Sdk;

namespace AgentHost.Plugins.Git;

/// <summary>Which trailer <c>git_commit</c> adds to the message.</summary>
internal enum Attribution
{
    /// <summary><c>Assisted-by: AgentHost:&lt;model&gt;</c> (the default).</summary>
    AssistedBy,

    /// <summary><c>Co-authored-by: &lt;co_author&gt;</c>.</summary>
    CoAuthoredBy,

    /// <summary>No trailer.</summary>
    None,
}

/// <summary>The plugin's settings (<c>plugins.settings.git.*</c>), validated once at registration.</summary>
internal sealed partial record GitSettings
{
    public const string Prefix = "plugins.settings.git.";

    public const string DefaultCoAuthor = "AgentHost <agenthost@noreply.invalid>";

    private static readonly string[] Known = ["program", "attribution", "co_author", "generated_with", "timeout_ms", "max_output_chars"];

    /// <summary>The git program: a name looked up on PATH or an absolute path; <see langword="null"/> for <c>git</c>.</summary>
    public string? Program { get; init; }

    public Attribution Attribution { get; init; } = Attribution.AssistedBy;

    /// <summary>Whether commit messages get a <c>Generated with AgentHost</c> line in their body (independent of <see cref="Attribution"/>).</summary>
    public bool GeneratedWith { get; init; } = true;

    /// <summary>The <c>Name &lt;email&gt;</c> of the <c>Co-authored-by</c> trailer.</summary>
    public string CoAuthor { get; init; } = DefaultCoAuthor;

    /// <summary>How long one git command may run (a commit includes its hooks).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest result given to the model.</summary>
    public int MaxOutputCharacters { get; init; } = 30_000;

    /// <summary>Reads and validates the settings.</summary>
    /// <param name="values">The plugin's flattened settings.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ArgumentException">A value is invalid; the message names the key and the fix.</exception>
    public static GitSettings Parse(IReadOnlyDictionary<string, string> values)
    {
        var settings = new PluginSettingsReader("git", values, Known);
        var program = settings.GetString("program");
        if (program is not null && program.IndexOfAny(['/', '\\']) >= 0 && !Path.IsPathFullyQualified(program))
        {
            throw new ArgumentException($"{Prefix}program: '{program}' is a relative path; use a name found on PATH (git) or an absolute path.");
        }

        var coAuthor = settings.GetString("co_author");
        if (coAuthor is not null && !NameAndEmail().IsMatch(coAuthor))
        {
            throw new ArgumentException($"{Prefix}co_author: '{coAuthor}' is not 'Name <email>'; write it like '{DefaultCoAuthor}'.");
        }

        return new GitSettings
        {
            Program = program,
            Attribution = ParseAttribution(settings.GetString("attribution")),
            CoAuthor = coAuthor ?? DefaultCoAuthor,
            GeneratedWith = settings.GetBoolean("generated_with", true),
            Timeout = TimeSpan.FromMilliseconds(settings.GetInteger("timeout_ms", 120_000, 1_000, 60 * 60 * 1000)),
            MaxOutputCharacters = (int)settings.GetInteger("max_output_chars", 30_000, 1_000, 1_000_000),
        };
    }

    private static Attribution ParseAttribution(string? text) =>
        text?.Trim().ToLowerInvariant() switch
        {
            null or "" or "assisted-by" => Attribution.AssistedBy,
            "co-authored-by" => Attribution.CoAuthoredBy,
            "none" => Attribution.None,
            _ => throw new ArgumentException($"{Prefix}attribution: '{text}' is not one of assisted-by, co-authored-by, none (default assisted-by)."),
        };

    [GeneratedRegex(@"^[^<>\r\n]+ <[^<>\s]+>$", RegexOptions.CultureInvariant)]
    private static partial Regex NameAndEmail();
}
