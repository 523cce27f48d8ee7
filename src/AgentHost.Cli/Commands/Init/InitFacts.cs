namespace AgentHost.Cli.Commands.Init;

/// <summary>What a command is for, in the order <c>agent init</c> lists them.</summary>
internal enum InitCommandKind
{
    Build,
    Test,
    Lint,
    Other,
}

/// <summary>One command <c>agent init</c> found.</summary>
/// <param name="Kind">What it is for.</param>
/// <param name="Command">The command line.</param>
/// <param name="Source">Where it was found (a file name).</param>
internal sealed record InitFoundCommand(InitCommandKind Kind, string Command, string Source);

/// <summary>What <c>agent init</c> learned about a repository.</summary>
internal sealed record InitFacts
{
    /// <summary>The project's name (the root folder's name).</summary>
    public required string Name { get; init; }

    /// <summary>The first paragraph of the README, when there is one.</summary>
    public string? Summary { get; init; }

    /// <summary>Languages with their file counts, most files first.</summary>
    public IReadOnlyList<(string Language, int Files)> Languages { get; init; } = [];

    /// <summary>Top-level folders with their file counts, by name.</summary>
    public IReadOnlyList<(string Folder, int Files)> Folders { get; init; } = [];

    /// <summary>Build, test, lint and other commands, in discovery order.</summary>
    public IReadOnlyList<InitFoundCommand> Commands { get; init; } = [];

    /// <summary>Commands the CI workflows run, by workflow file.</summary>
    public IReadOnlyList<(string Workflow, IReadOnlyList<string> Commands)> Workflows { get; init; } = [];

    /// <summary>Conventions inferred from configuration files.</summary>
    public IReadOnlyList<string> Conventions { get; init; } = [];

    /// <summary>Whether git listed the files (ignored files are left out).</summary>
    public bool FromGit { get; init; }
}
