using System.Diagnostics;
using System.Text.Json;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Search;

/// <summary>
/// The files plugin loaded from the bundled catalog, a temporary workspace (<c>ws/</c>) beside an outside folder, and
/// helpers to call its tools and to drive a real <c>git</c> isolated from the user's configuration.
/// </summary>
public sealed class SearchHarness : IAsyncDisposable
{
    private readonly PluginHarness _plugins = new();
    private readonly TempDirectory _temp = new();

    private SearchHarness()
    {
    }

    public string Workspace => _temp.Combine("ws");

    public string Outside => _temp.Combine("outside");

    /// <summary>Loads the plugin, with its settings (<c>plugins.settings.files.*</c> without the prefix) when given.</summary>
    public static async Task<SearchHarness> CreateAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var harness = new SearchHarness();
        var result = await harness._plugins.LoadAsync(Catalog.PathOf("files"), settings);
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        Directory.CreateDirectory(harness.Workspace);
        Directory.CreateDirectory(harness.Outside);
        return harness;
    }

    /// <summary>Writes a file under the workspace (parents created).</summary>
    public string Write(string relativePath, string content)
    {
        var full = Path.Combine(Workspace, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    /// <summary>Writes raw bytes under the workspace.</summary>
    public string WriteBytes(string relativePath, byte[] content)
    {
        var full = Path.Combine(Workspace, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    /// <summary>Calls a tool of the plugin with the workspace as root; returns its text.</summary>
    public Task<string> InvokeAsync(string tool, params (string Key, object? Value)[] args) =>
        InvokeAsync(tool, readCheck: null, CancellationToken.None, args);

    /// <summary>Calls a tool with a read check in its context (as the host's pipeline gives one) and a cancellation token.</summary>
    public Task<string> InvokeAsync(string tool, Func<string, ReadAccess>? readCheck, CancellationToken cancellationToken, params (string Key, object? Value)[] args) =>
        InvokeAsync(tool, readCheck, walkedFileReadCheck: null, cancellationToken, args);

    /// <summary>Calls a tool with both read checks in its context (<see cref="ToolContext.ReadAccessKey"/>, <see cref="ToolContext.WalkedFileReadAccessKey"/>).</summary>
    public Task<string> InvokeAsync(
        string tool, Func<string, ReadAccess>? readCheck, Func<string, ReadAccess>? walkedFileReadCheck, CancellationToken cancellationToken, params (string Key, object? Value)[] args) =>
        InvokeAsync(tool, readCheck, walkedFileReadCheck, walkedTreeReadCheck: null, cancellationToken, args);

    /// <summary>
    /// Calls a tool with the three read checks in its context (<see cref="ToolContext.ReadAccessKey"/>,
    /// <see cref="ToolContext.WalkedFileReadAccessKey"/>, <see cref="ToolContext.WalkedTreeReadAccessKey"/>), as the host's
    /// pipeline gives them.
    /// </summary>
    public async Task<string> InvokeAsync(
        string tool,
        Func<string, ReadAccess>? readCheck,
        Func<string, ReadAccess>? walkedFileReadCheck,
        Func<string, string, ReadAccess>? walkedTreeReadCheck,
        CancellationToken cancellationToken,
        params (string Key, object? Value)[] args)
    {
        var function = Function(tool);
        var context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = Workspace };
        if (readCheck is not null)
        {
            context[ToolContext.ReadAccessKey] = readCheck;
        }

        if (walkedFileReadCheck is not null)
        {
            context[ToolContext.WalkedFileReadAccessKey] = walkedFileReadCheck;
        }

        if (walkedTreeReadCheck is not null)
        {
            context[ToolContext.WalkedTreeReadAccessKey] = walkedTreeReadCheck;
        }

        var arguments = new AIFunctionArguments { Context = context };
        foreach (var (key, value) in args)
        {
            arguments[key] = value;
        }

        var result = await function.InvokeAsync(arguments, cancellationToken);
        var text = result is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString()! : result?.ToString() ?? string.Empty;
        return text.Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>The lines of a tool result without its trailing <c>[...]</c> note.</summary>
    public static string[] Body(string output) =>
        [.. output.Split('\n').Where(line => line.Length > 0 && !line.StartsWith('[') && !line.StartsWith("No ", StringComparison.Ordinal))];

    /// <summary>The last line of a tool result (its note).</summary>
    public static string Note(string output) => output.Split('\n')[^1];

    /// <summary>The host's read check for this workspace in yolo mode (every decision allows; only the opens keep a read in).</summary>
    public ReadAccessCheck YoloReadCheck(string home) =>
        ReadAccessCheck.Create(new RulePermissionGate(PermissionPolicy.Empty, PermissionMode.Yolo, Workspace, home), "s", "c", Workspace)!;

    /// <summary>
    /// Writes each of <paramref name="names"/> in the workspace's <paramref name="folder"/> (one line "needle inside")
    /// and in a folder outside (two lines "needle secret"); returns a walked-file check that decides as
    /// <paramref name="check"/> and, right after deciding the folder's first file, swaps the folder for a link to the
    /// outside one (<see cref="SwapFolderForLink"/>).
    /// </summary>
    public FolderSwap SwapAfterItsFirstFile(ReadAccessCheck check, string folder, IEnumerable<string> names)
    {
        var outside = Path.Combine(Outside, "loot");
        Directory.CreateDirectory(outside);
        foreach (var name in names)
        {
            Write($"{folder}/{name}", "needle inside\n");
            File.WriteAllText(Path.Combine(outside, name), "needle secret\nneedle secret\n");
        }

        return new FolderSwap(check.CheckWalkedFile, folder, () => SwapFolderForLink(folder, outside));
    }

    /// <summary>Moves the workspace's <paramref name="folder"/> aside and puts a link to <paramref name="target"/> in its place.</summary>
    public void SwapFolderForLink(string folder, string target)
    {
        Directory.Move(Path.Combine(Workspace, folder), Path.Combine(Workspace, folder + "-moved"));
        Directory.CreateSymbolicLink(Path.Combine(Workspace, folder), target);
    }

    public ToolCapability Tool(string name) => (ToolCapability)_plugins.Registry.Find(CapabilityKind.Tool, name)!.Capability;

    /// <summary>Runs git in <paramref name="directory"/> with no system, global or user configuration; returns stdout.</summary>
    public string Git(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var home = _temp.Combine("git-home");
        Directory.CreateDirectory(home);
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = Path.Combine(home, "gitconfig");
        start.Environment["HOME"] = home;
        start.Environment["XDG_CONFIG_HOME"] = home;
        start.Environment["GIT_AUTHOR_NAME"] = start.Environment["GIT_COMMITTER_NAME"] = "test";
        start.Environment["GIT_AUTHOR_EMAIL"] = start.Environment["GIT_COMMITTER_EMAIL"] = "test@example.invalid";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)} failed: {stderr.Result}");
        return stdout;
    }

    public async ValueTask DisposeAsync()
    {
        await _plugins.DisposeAsync();
        _temp.Dispose();
    }

    private AIFunction Function(string tool) => Tool(tool).Function;
}

/// <summary>A walked-file check that swaps a folder for a link once (<see cref="SearchHarness.SwapAfterItsFirstFile"/>).</summary>
public sealed class FolderSwap(Func<string, ReadAccess> decide, string folder, Action swapFolder)
{
    private int _swaps;

    /// <summary>How many times the folder was swapped (0 or 1).</summary>
    public int Swaps => Volatile.Read(ref _swaps);

    /// <summary>The walked-file check to hand to the tool: decides, then swaps the folder after its first file.</summary>
    public ReadAccess Walked(string path)
    {
        var access = decide(path);
        if (path.Contains($"/{folder}/", StringComparison.Ordinal) && Interlocked.Exchange(ref _swaps, 1) == 0)
        {
            swapFolder();
        }

        return access;
    }
}
