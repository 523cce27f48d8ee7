using System.Diagnostics;
using System.Text.Json;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.ShellTools;

/// <summary>The shell plugin loaded from the bundled catalog, a temp project root "ws" inside a temp folder, and helpers.</summary>
public sealed class ShellPluginFixture : IAsyncDisposable
{
    private ShellPluginFixture(PluginHarness harness, TempDirectory temp)
    {
        Harness = harness;
        Temp = temp;
    }

    public PluginHarness Harness { get; }

    public TempDirectory Temp { get; }

    public string Root => Temp.Combine("ws");

    public static async Task<ShellPluginFixture> LoadAsync(params (string Key, string Value)[] settings)
    {
        var harness = new PluginHarness();
        var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("ws"));
        var result = await harness.LoadAsync(Catalog.PathOf("shell"), settings.ToDictionary(s => s.Key, s => s.Value));
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        return new ShellPluginFixture(harness, temp);
    }

    public ToolCapability Tool(string name) => (ToolCapability)Harness.Registry.Find(CapabilityKind.Tool, name)!.Capability;

    public Task<string> ShellAsync(string command, CancellationToken cancellationToken = default, params (string Key, object? Value)[] more) =>
        InvokeAsync("shell", cancellationToken, [("command", command), .. more]);

    public async Task<string> InvokeAsync(string tool, CancellationToken cancellationToken, params (string Key, object? Value)[] args)
    {
        var arguments = new AIFunctionArguments { Context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = Root } };
        foreach (var (key, value) in args)
        {
            arguments[key] = value;
        }

        var result = await Tool(tool).Function.InvokeAsync(arguments, cancellationToken);
        return result is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString()! : result?.ToString() ?? string.Empty;
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        Temp.Dispose();
    }
}

public static class ProcessProbe
{
    /// <summary>Waits (at most <paramref name="limit"/>) for <paramref name="condition"/>; returns whether it became true.</summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    /// <summary>Whether a process id names a live process (a zombie waiting to be reaped counts as gone).</summary>
    public static bool IsAlive(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            var stat = $"/proc/{pid}/stat";
            try
            {
                var text = File.ReadAllText(stat);
                return text[(text.LastIndexOf(')') + 2)..][0] != 'Z';
            }
            catch (IOException)
            {
                return false;
            }
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Reads a pid written by a command, waiting for the file to be complete.</summary>
    public static async Task<int> ReadPidAsync(string path)
    {
        var pid = 0;
        Assert.True(
            await UntilAsync(() => File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out pid), TimeSpan.FromSeconds(10)),
            $"the command did not write {path}");
        return pid;
    }
}
