using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Memory;

/// <summary>
/// Applies nested memory files to their subtree: the first time in a session a tool call succeeds with a path argument
/// (<c>path</c>, <c>file_path</c>, <c>paths</c>, <c>workdir</c>) inside a folder that has memory files of its own, those
/// files are appended to that call's result as <c>&lt;project_memory path="…"&gt;</c> elements (outer folders first).
/// A <see cref="ToolResult"/> keeps its structured value and summary (<see cref="ToolResult.AppendText"/>); a failed
/// call, thrown or returned as <see cref="ToolResult.Failure"/>, gets nothing.
/// </summary>
/// <remarks>
/// One instance per run of a session; folders already injected earlier in the session (found in its history with
/// <see cref="InjectedFolders"/>) are not injected again. Files are read when injected, so the model sees their
/// current content. Thread-safe: parallel calls inject each folder once.
/// </remarks>
internal sealed partial class ProjectMemoryMiddleware : ToolMiddleware
{
    /// <summary>The argument names read as paths.</summary>
    public static IReadOnlyList<string> PathArgumentNames { get; } = ["path", "file_path", "paths", "workdir"];

    private readonly ProjectMemoryLoader _loader;
    private readonly string _root;
    private readonly IReadOnlyList<MemoryFolder> _folders;
    private readonly IEventBus? _events;
    private readonly ConcurrentDictionary<string, bool> _injected = new(MemoryPaths.Comparer);

    /// <summary>Creates the middleware for one session.</summary>
    /// <param name="loader">Reads the folders' files (and caps them).</param>
    /// <param name="workspaceRoot">The project root relative paths are resolved against.</param>
    /// <param name="folders">The folders with memory files of their own (<see cref="ProjectMemory.NestedFolders"/>).</param>
    /// <param name="events">Where unreadable files are reported; none when <see langword="null"/>.</param>
    /// <param name="alreadyInjected">Folder display paths (<c>sub/</c>) injected earlier in the session.</param>
    public ProjectMemoryMiddleware(
        ProjectMemoryLoader loader, string workspaceRoot, IReadOnlyList<MemoryFolder> folders, IEventBus? events = null, IEnumerable<string>? alreadyInjected = null)
    {
        ArgumentNullException.ThrowIfNull(loader);
        ArgumentException.ThrowIfNullOrWhiteSpace(workspaceRoot);
        ArgumentNullException.ThrowIfNull(folders);
        _loader = loader;
        _root = MemoryPaths.Full(workspaceRoot);
        _folders = [.. folders.OrderBy(f => f.FullPath.Length).ThenBy(f => f.DisplayPath, StringComparer.Ordinal)];
        _events = events;
        foreach (var folder in alreadyInjected ?? [])
        {
            _injected.TryAdd(folder, true);
        }
    }

    /// <summary>
    /// Warnings and details already reported for this run (the loader's, which <see cref="ProjectMemoryRun.Prepare"/>
    /// publishes): a folder's read that meets the same thing (a file the agent ignore files exclude) does not report it
    /// again, and not as a warning where the loader gave a detail.
    /// </summary>
    internal IReadOnlySet<string> AlreadyReported { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The folders (<c>sub/</c>) whose memory files a session's history already carries in tool results.</summary>
    /// <param name="history">The session's messages.</param>
    /// <returns>The folder display paths.</returns>
    public static IReadOnlySet<string> InjectedFolders(IEnumerable<ChatMessage> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var folders = new HashSet<string>(MemoryPaths.Comparer);
        foreach (var result in history.SelectMany(m => m.Contents).OfType<FunctionResultContent>())
        {
            var text = result.Result switch
            {
                string s => s,
                JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
                null => null,
                var other => other.ToString(),
            };
            if (text is null || !text.Contains("<project_memory ", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (Match match in InjectedElement().Matches(text))
            {
                var path = match.Groups[1].Value;
                var slash = path.LastIndexOf('/');
                folders.Add(slash < 0 ? string.Empty : path[..(slash + 1)]);
            }
        }

        return folders;
    }

    /// <inheritdoc />
    protected override async ValueTask<object?> InvokeCoreAsync(ToolInvocationContext context, ToolInvocationHandler nextHandler, CancellationToken cancellationToken)
    {
        var result = await nextHandler(context, cancellationToken).ConfigureAwait(false);
        if (_folders.Count == 0 || result is ToolResult { IsError: true })
        {
            return result;
        }

        var touched = TouchedPaths(context.Arguments);
        if (touched.Count == 0)
        {
            return result;
        }

        StringBuilder? text = null;
        foreach (var folder in _folders)
        {
            if (!touched.Any(path => MemoryPaths.IsInside(folder.FullPath, path)) || !_injected.TryAdd(folder.DisplayPath, true))
            {
                continue;
            }

            var files = _loader.ReadFolder(_root, folder.FullPath, out var warnings);
            foreach (var warning in warnings.Where(w => !AlreadyReported.Contains(w)))
            {
                _events?.Publish(new WarningEvent("memory", warning));
            }

            foreach (var file in files)
            {
                text ??= new StringBuilder();
                text.Append("\n\n").Append(file.ToElement("project_memory").TrimEnd());
            }
        }

        return text is null ? result : ToolResult.AppendText(result, text.ToString());
    }

    /// <summary>The full paths the call's path arguments name (relative ones resolved against the root).</summary>
    private List<string> TouchedPaths(AIFunctionArguments arguments)
    {
        var paths = new List<string>();
        foreach (var name in PathArgumentNames)
        {
            if (!arguments.TryGetValue(name, out var value) || value is null)
            {
                continue;
            }

            foreach (var text in Strings(value))
            {
                if (string.IsNullOrWhiteSpace(text) || text.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
                {
                    continue;
                }

                try
                {
                    paths.Add(MemoryPaths.Full(text.Trim(), _root));
                }
                catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
                {
                    // Not a usable path: the tool already answered it; nothing to inject.
                }
            }
        }

        return paths;
    }

    private static IEnumerable<string?> Strings(object value) => value switch
    {
        string text => [text],
        JsonElement { ValueKind: JsonValueKind.String } element => [element.GetString()],
        JsonElement { ValueKind: JsonValueKind.Array } array => array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()),
        IEnumerable<string> list => list,
        _ => [],
    };

    [GeneratedRegex("<project_memory path=\"([^\"]+)\">", RegexOptions.CultureInvariant)]
    private static partial Regex InjectedElement();
}
