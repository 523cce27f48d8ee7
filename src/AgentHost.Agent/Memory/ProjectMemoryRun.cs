using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Memory;

/// <summary>Project memory for one run: the system prompt section and the middleware for nested folders.</summary>
/// <param name="PromptText">The project memory section's text, or <see langword="null"/>.</param>
/// <param name="Middleware">The tool middleware that injects nested folders' files, or <see langword="null"/> when there are none.</param>
public sealed record ProjectMemoryRun(string? PromptText, ToolMiddleware? Middleware)
{
    /// <summary>The configuration key that turns project memory off.</summary>
    public const string EnabledKey = "memory.enabled";

    /// <summary>The configuration key that lists more memory files.</summary>
    public const string FilesKey = "memory.files";

    /// <summary>Nothing: memory is off or absent.</summary>
    public static ProjectMemoryRun None { get; } = new(null, null);

    /// <summary>The memory reader configured by <c>memory.*</c>, with the global file in the configuration folder.</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="environment">The environment (where the global configuration folder is).</param>
    /// <returns>The loader, or <see langword="null"/> when <c>memory.enabled</c> is <c>false</c>.</returns>
    public static ProjectMemoryLoader? CreateLoader(ConfigurationSnapshot configuration, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        if (bool.TryParse(configuration.Get(EnabledKey)?.Trim(), out var enabled) && !enabled)
        {
            return null;
        }

        List<string> extra = [.. configuration.GetSection(FilesKey).Values];
        if (MemoryAutoUpdateSettings.FromConfiguration(configuration, out _) is { } learning
            && !ProjectMemoryOptions.FolderFileNames.Contains(learning.File, StringComparer.Ordinal)
            && !extra.Any(f => string.Equals(f.Trim().Replace('\\', '/'), learning.File, StringComparison.Ordinal))
            && File.Exists(Path.Combine(configuration.ProjectRoot, learning.File)))
        {
            // The file the agent keeps notes in is read back like memory.files (once it exists).
            extra.Add(learning.File);
        }

        var paths = AgentPaths.Resolve(environment);
        var trusted = new Lazy<bool>(() => configuration.Trusts(configuration.ProjectRoot, paths));
        return new ProjectMemoryLoader(new ProjectMemoryOptions
        {
            GlobalDirectory = paths.ConfigDirectory,
            ExtraFiles = extra,
            HomeDirectory = environment.HomeDirectory,
            ImportsOutsideRoot = () => trusted.Value,
        });
    }

    /// <summary>Reads the memory files (the slow part: it searches the workspace for nested folders); safe to run in the background.</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="environment">The environment (working directory, global configuration folder).</param>
    /// <param name="workspaceRoot">The project root.</param>
    /// <returns>The loader and what it read, or <see langword="null"/> when memory is off.</returns>
    public static LoadedProjectMemory? Load(ConfigurationSnapshot configuration, HostEnvironment environment, string workspaceRoot)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return CreateLoader(configuration, environment) is { } loader
            ? new LoadedProjectMemory(loader, loader.Load(environment.CurrentDirectory, workspaceRoot))
            : null;
    }

    /// <summary>Turns loaded memory into the run's prompt section and middleware, publishing a warning per skipped file.</summary>
    /// <param name="loaded">What <see cref="Load"/> returned.</param>
    /// <param name="workspaceRoot">The project root.</param>
    /// <param name="history">The session's messages so far (nested folders already injected are not injected again).</param>
    /// <param name="events">Where warnings go.</param>
    /// <returns>The prompt text and middleware.</returns>
    public static ProjectMemoryRun Prepare(LoadedProjectMemory? loaded, string workspaceRoot, IEnumerable<ChatMessage> history, IEventBus events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (loaded is not var (loader, memory))
        {
            return None;
        }

        foreach (var warning in memory.Warnings)
        {
            events.Publish(new WarningEvent("memory", warning));
        }

        foreach (var detail in memory.Details)
        {
            events.Publish(new DetailEvent("memory", detail));
        }

        var middleware = memory.NestedFolders.Count == 0
            ? null
            : new ProjectMemoryMiddleware(loader, workspaceRoot, memory.NestedFolders, events, ProjectMemoryMiddleware.InjectedFolders(history))
            {
                AlreadyReported = memory.Warnings.Concat(memory.Details).ToHashSet(StringComparer.Ordinal),
            };
        return new ProjectMemoryRun(memory.ToPromptText(), middleware);
    }
}

/// <summary>Project memory read for a run, before it is turned into a <see cref="ProjectMemoryRun"/>.</summary>
/// <param name="Loader">The loader (nested folders are read through it on first touch).</param>
/// <param name="Memory">What it read.</param>
public sealed record LoadedProjectMemory(ProjectMemoryLoader Loader, ProjectMemory Memory);
