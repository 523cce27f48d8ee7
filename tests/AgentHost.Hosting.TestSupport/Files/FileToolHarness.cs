using System.Text.Json;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Files;

/// <summary>
/// The files plugin loaded from the bundled catalog, with a temp workspace at <c>ws/</c>. Calls carry the workspace
/// root and, unless <see cref="SessionId"/> is set to <see langword="null"/>, a session id, as the host's tool pipeline does.
/// </summary>
public sealed class FileToolHarness : IAsyncDisposable
{
    public const string DefaultSession = "session-1";

    private readonly PluginHarness _harness = new();
    private readonly IReadOnlyDictionary<string, string>? _settings;

    public FileToolHarness(IReadOnlyDictionary<string, string>? settings = null) => _settings = settings;

    public TempDirectory Temp { get; } = new();

    /// <summary>The session id calls carry; <see langword="null"/> for calls outside a session (like <c>agent tool run</c>).</summary>
    public string? SessionId { get; set; } = DefaultSession;

    /// <summary>The session's dry-run default (the context key <see cref="ToolContext.DryRunByDefaultKey"/>), when set.</summary>
    public bool? DryRunByDefault { get; set; }

    /// <summary>The session's editor files (the context key <see cref="ToolContext.EditorFilesKey"/>), when set.</summary>
    public IEditorFiles? EditorFiles { get; set; }

    public string Root => Temp.Combine("ws");

    public async Task InitializeAsync()
    {
        var result = await LoadAsync();
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        Directory.CreateDirectory(Root);
    }

    public Task<PluginLoadResult> LoadAsync() => _harness.LoadAsync(Catalog.PathOf("files"), _settings);

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        Temp.Dispose();
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    public ToolCapability Tool(string name) => (ToolCapability)_harness.Registry.Find(CapabilityKind.Tool, name)!.Capability;

    /// <summary>Invokes a tool with CLR argument values.</summary>
    public Task<string> InvokeAsync(string tool, params (string Key, object? Value)[] args) => RunAsync(tool, json: false, args);

    /// <summary>Invokes a tool with JSON argument values, as the host's pipeline passes them.</summary>
    public Task<string> InvokeJsonAsync(string tool, params (string Key, object? Value)[] args) => RunAsync(tool, json: true, args);

    /// <summary>Views a file (records it in the session's read ledger).</summary>
    public Task<string> ViewAsync(string path) => InvokeAsync("view", ("path", path));

    /// <summary>Every file and folder under the workspace with its bytes (folders: empty), to prove nothing changed.</summary>
    public SortedDictionary<string, string> Snapshot()
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in new DirectoryInfo(Temp.Path).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var relative = Path.GetRelativePath(Temp.Path, entry.FullName).Replace('\\', '/');
            entries[relative] = entry.LinkTarget is { } target ? "-> " + target
                : entry is FileInfo file ? Convert.ToBase64String(File.ReadAllBytes(file.FullName)) + "@" + file.LastWriteTimeUtc.Ticks
                : "/";
        }

        return entries;
    }

    /// <summary>Describes a call the way the tool pipeline does: arguments as JSON elements, the workspace root and session in the context.</summary>
    public ToolCallDescription Describe(string tool, params (string Key, object? Value)[] args) =>
        Tool(tool).Metadata.DescribeCall!(Arguments(args, json: true));

    private async Task<string> RunAsync(string tool, bool json, (string Key, object? Value)[] args)
    {
        var result = await Tool(tool).Function.InvokeAsync(Arguments(args, json));
        return result is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString()! : result?.ToString() ?? string.Empty;
    }

    private AIFunctionArguments Arguments((string Key, object? Value)[] args, bool json)
    {
        var context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = Root };
        if (SessionId is not null)
        {
            context[ToolContext.SessionIdKey] = SessionId;
        }

        if (DryRunByDefault is { } dryRun)
        {
            context[ToolContext.DryRunByDefaultKey] = dryRun;
        }

        if (EditorFiles is { } editorFiles)
        {
            context[ToolContext.EditorFilesKey] = editorFiles;
        }

        var arguments = new AIFunctionArguments { Context = context };
        foreach (var (key, value) in args)
        {
            arguments[key] = json ? JsonSerializer.SerializeToElement(value) : value;
        }

        return arguments;
    }
}
