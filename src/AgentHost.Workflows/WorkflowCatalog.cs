using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Sdk.Capabilities;
using AgentHost.Workflows.Model;
using AgentHost.Workflows.Parsing;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Workflows;

/// <summary>
/// Every workflow a project can run (docs/workflows.md "Where workflows come from"), in precedence order: the project's
/// <c>.agents/workflows/</c>, the user's <c>workflows/</c> beside config.yaml, plugins (their <c>workflows:</c> folders,
/// then <see cref="WorkflowCapability"/>s), bundled. A name found twice is taken from the first; the others are listed
/// as shadowed, with both origins. A project that is not trusted never takes a name another source has: its file is
/// listed as not used. A file with problems is listed with them and does not stop the others. Read once, on first use.
/// </summary>
public sealed class WorkflowCatalog
{
    private const string BundledPrefix = "AgentHost.Workflows.Bundled.";
    private readonly Func<IReadOnlyList<WorkflowEntry>> _read;
    private IReadOnlyList<WorkflowEntry>? _entries;

    /// <summary>Creates a catalog.</summary>
    /// <param name="projectRoot">The project root (its <c>.agents/workflows/</c> is searched).</param>
    /// <param name="userDirectory">The user's workflows folder (<see cref="UserDirectory"/>).</param>
    /// <param name="plugins">The loaded plugins' manifests (their <c>workflows:</c> folders).</param>
    /// <param name="registry">The capability registry (plugins' built workflows), when plugins are loaded.</param>
    /// <param name="includeBundled">Whether to list the bundled workflows.</param>
    /// <param name="projectTrusted">Whether the project is trusted; an untrusted project's workflows never take a name another source has.</param>
    public WorkflowCatalog(string projectRoot, string userDirectory, IEnumerable<PluginManifest>? plugins = null, CapabilityRegistry? registry = null, bool includeBundled = true, bool projectTrusted = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projectRoot);
        ArgumentException.ThrowIfNullOrWhiteSpace(userDirectory);
        ProjectDirectory = ProjectFolder(projectRoot);
        var manifests = (plugins ?? []).OrderBy(m => m.Id, StringComparer.Ordinal).ToList();
        _read = () => Read(userDirectory, manifests, registry, includeBundled, projectTrusted);
    }

    /// <summary>The project's workflows folder.</summary>
    public string ProjectDirectory { get; }

    /// <summary>Every workflow found, in precedence order, shadowed and broken ones included.</summary>
    public IReadOnlyList<WorkflowEntry> Entries => _entries ??= _read();

    /// <summary>The user's workflows folder: <c>workflows/</c> beside the user's config.yaml.</summary>
    /// <param name="paths">The host's folders.</param>
    /// <returns>The folder.</returns>
    public static string UserDirectory(AgentPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Path.Combine(paths.ConfigDirectory, "workflows");
    }

    /// <summary>The project's workflows folder: <c>.agents/workflows/</c> of the project root.</summary>
    /// <param name="projectRoot">The project root.</param>
    /// <returns>The folder.</returns>
    public static string ProjectFolder(string projectRoot) => Path.Combine(Path.GetFullPath(projectRoot), ".agents", "workflows");

    /// <summary>Whether a command-line argument names a file rather than a workflow (it has a slash or ends in .yaml/.yml).</summary>
    /// <param name="nameOrPath">The argument.</param>
    /// <returns>Whether it is a path.</returns>
    public static bool IsPath(string nameOrPath) => Parsing.WorkflowNodeReader.IsPath(nameOrPath ?? string.Empty);

    /// <summary>The names of the bundled workflows' files.</summary>
    /// <returns>The resource file names (<c>implement-test-fix.yaml</c>).</returns>
    public static IReadOnlyList<string> BundledFiles() =>
        typeof(WorkflowCatalog).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(BundledPrefix, StringComparison.Ordinal))
            .Select(n => n[BundledPrefix.Length..]).Order(StringComparer.Ordinal).ToList();

    /// <summary>The text of a bundled workflow file.</summary>
    /// <param name="file">Its name (<c>implement-test-fix.yaml</c>).</param>
    /// <returns>The YAML.</returns>
    public static string BundledText(string file)
    {
        using var stream = typeof(WorkflowCatalog).Assembly.GetManifestResourceStream(BundledPrefix + file)
            ?? throw new AgentHostException(ErrorKind.NotFound, $"no bundled workflow file '{file}'");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The workflow a command line names: a file (<see cref="IsPath"/>, relative to <paramref name="workingDirectory"/>),
    /// else the first workflow of that name in precedence order.
    /// </summary>
    /// <param name="nameOrPath">A name or a path.</param>
    /// <param name="workingDirectory">Where a relative path starts.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="WorkflowFormatException">The workflow is invalid.</exception>
    /// <exception cref="AgentHostException">No such file or workflow (<see cref="ErrorKind.NotFound"/>).</exception>
    public WorkflowDefinition Find(string nameOrPath, string workingDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(workingDirectory);
        if (IsPath(nameOrPath))
        {
            var full = Path.GetFullPath(nameOrPath, workingDirectory);
            if (!File.Exists(full))
            {
                throw new AgentHostException(ErrorKind.NotFound, $"no workflow file '{nameOrPath}' ({full}); check the path, or give a workflow's name ('agent workflow list' shows them)");
            }

            var inProject = full.StartsWith(ProjectDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal);
            return WorkflowParser.ParseFile(full, inProject ? WorkflowSourceKind.Project : WorkflowSourceKind.File);
        }

        var entry = Entries.FirstOrDefault(e => e.Name == nameOrPath && e.ShadowedBy is null);
        if (entry is null)
        {
            var close = Suggestions.Closest(nameOrPath, Entries.Select(e => e.Name).Distinct());
            throw new AgentHostException(ErrorKind.NotFound,
                $"no workflow named '{nameOrPath}'{(close is null ? string.Empty : $"; did you mean '{close}'?")} 'agent workflow list' shows the workflows this project can run (from {Path.Combine(".agents", "workflows")}/, your workflows folder, plugins and the bundled ones)");
        }

        return entry.Definition ?? throw entry.Error!;
    }

    /// <summary>The entries a name's winner shadows (the same name from other sources), for a note naming both origins.</summary>
    /// <param name="name">The workflow's name.</param>
    /// <returns>The shadowed entries, in precedence order.</returns>
    public IReadOnlyList<WorkflowEntry> Shadowed(string name) => Entries.Where(e => e.Name == name && e.ShadowedBy is not null).ToList();

    private List<WorkflowEntry> Read(string userDirectory, List<PluginManifest> manifests, CapabilityRegistry? registry, bool includeBundled, bool projectTrusted)
    {
        var entries = new List<WorkflowEntry>();
        entries.AddRange(Folder(ProjectDirectory, WorkflowSourceKind.Project, null));
        entries.AddRange(Folder(userDirectory, WorkflowSourceKind.User, null));
        foreach (var manifest in manifests)
        {
            foreach (var folder in manifest.WorkflowDirectories)
            {
                entries.AddRange(Folder(Path.GetFullPath(Path.Combine(manifest.Directory, folder)), WorkflowSourceKind.Plugin, manifest.Id));
            }
        }

        if (registry is not null)
        {
            foreach (var registered in registry.OfKind(CapabilityKind.Workflow).OrderBy(r => r.PluginId, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal))
            {
                var capability = (WorkflowCapability)registered.Capability;
                var source = new WorkflowSource(WorkflowSourceKind.Plugin, $"plugin '{registered.PluginId}' workflow '{capability.Name}'") { Plugin = registered.PluginId };
                entries.Add(Load(capability.Name, source, () => WorkflowParser.FromDocument(capability.Definition.Document, source)));
            }
        }

        if (includeBundled)
        {
            foreach (var file in BundledFiles())
            {
                var source = new WorkflowSource(WorkflowSourceKind.Bundled, $"bundled/{file}");
                var text = BundledText(file);
                entries.Add(Load(NameOf(text, file), source, () => WorkflowParser.Parse(text, source)));
            }
        }

        // An untrusted project's file never takes a name another source has (it would replace a bundled or plugin
        // workflow the user means to run): the first of the other sources wins it.
        var winners = entries
            .GroupBy(e => e.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (projectTrusted ? null : g.FirstOrDefault(e => e.Source.Kind != WorkflowSourceKind.Project)) ?? g.First(), StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var winner = winners[entries[i].Name];
            if (!ReferenceEquals(winner, entries[i]))
            {
                entries[i] = entries[i] with
                {
                    ShadowedBy = winner.Source,
                    NotTrusted = !projectTrusted && entries[i].Source.Kind == WorkflowSourceKind.Project && winner.Source.Kind != WorkflowSourceKind.Project,
                };
            }
        }

        return entries;
    }

    private static List<WorkflowEntry> Folder(string directory, WorkflowSourceKind kind, string? plugin)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(file =>
            {
                var source = new WorkflowSource(kind, Path.GetFullPath(file)) { Plugin = plugin };
                string text;
                try
                {
                    text = File.ReadAllText(file);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    var error = new WorkflowFormatException(source.Path, [$"{source.Path}: cannot be read ({ex.Message}). Check the file's permissions."]);
                    return new WorkflowEntry(Path.GetFileNameWithoutExtension(file), source) { Error = error };
                }

                return Load(NameOf(text, Path.GetFileName(file)), source, () => WorkflowParser.Parse(text, source));
            })
            .ToList();
    }

    private static WorkflowEntry Load(string name, WorkflowSource source, Func<WorkflowDefinition> parse)
    {
        try
        {
            var definition = parse();
            return new WorkflowEntry(definition.Name, source) { Definition = definition };
        }
        catch (WorkflowFormatException ex)
        {
            return new WorkflowEntry(name, source) { Error = ex };
        }
    }

    /// <summary>The name a file declares, when it can be read; else the file name without extension.</summary>
    private static string NameOf(string text, string file)
    {
        if (YamlSyntax.TryLoad(text, out var stream, out _) && stream.Documents.Count > 0
            && stream.Documents[0].RootNode is YamlMappingNode root
            && root.Children.TryGetValue(new YamlScalarNode("name"), out var node) && node is YamlScalarNode { Value: { Length: > 0 } name })
        {
            return name;
        }

        return Path.GetFileNameWithoutExtension(file);
    }
}

/// <summary>One workflow found by <see cref="WorkflowCatalog"/>.</summary>
/// <param name="Name">The workflow's name (for a file that cannot be read, its file name).</param>
/// <param name="Source">Where it was found.</param>
public sealed record WorkflowEntry(string Name, WorkflowSource Source)
{
    /// <summary>The definition, when valid.</summary>
    public WorkflowDefinition? Definition { get; init; }

    /// <summary>The problems, when invalid.</summary>
    public WorkflowFormatException? Error { get; init; }

    /// <summary>The entry that wins the name, when this one is shadowed.</summary>
    public WorkflowSource? ShadowedBy { get; init; }

    /// <summary>Whether it is shadowed because it is an untrusted project's file named like another source's workflow.</summary>
    public bool NotTrusted { get; init; }

    /// <summary>Why it is not used, naming the winner's origin: <c>(shadowed by bundled: bundled/x.yaml)</c>, or null when it is used.</summary>
    public string? ShadowNote => ShadowedBy is not { } by
        ? null
        : NotTrusted
            ? $"(not used: the project is not trusted, and {DescribeSource(by)} has this name: {by.Path}; 'agent trust' lets it take the name)"
            : $"(shadowed by {DescribeSource(by)}: {by.Path})";

    /// <summary>The problems (empty when valid).</summary>
    public IReadOnlyList<string> Problems => Error?.Problems ?? [];

    /// <summary>The description, when valid.</summary>
    public string? Description => Definition?.Description;

    /// <summary>The source as <c>list</c> shows it: <c>project</c>, <c>user</c>, <c>plugin NAME</c>, <c>bundled</c>.</summary>
    public string SourceName => DescribeSource(Source);

    /// <summary>Describes a source for people.</summary>
    /// <param name="source">The source.</param>
    /// <returns><c>project</c>, <c>user</c>, <c>plugin NAME</c>, <c>bundled</c> or <c>file</c>.</returns>
    public static string DescribeSource(WorkflowSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Kind == WorkflowSourceKind.Plugin ? $"plugin {source.Plugin}" : source.Kind.ToString().ToLowerInvariant();
    }
}
