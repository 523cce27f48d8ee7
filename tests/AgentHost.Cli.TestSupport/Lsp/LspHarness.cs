using System.Text.Json;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Lsp;

/// <summary>
/// The files plugin, the LSP bridge and language plugins loaded from the bundled catalog over a temp workspace
/// (<c>ws/</c>); file tools run through the registered tool middleware as the host's pipeline runs them.
/// Disposing unloads the bridge, which shuts its servers down (and kills what does not stop).
/// </summary>
public sealed class LspHarness : IAsyncDisposable
{
    private readonly PluginHarness _harness = new();

    public TempDirectory Temp { get; } = new();

    public string Root => Temp.Combine("ws");

    public PluginHarness Plugins => _harness;

    public static Task<LspHarness> StartAsync(IReadOnlyDictionary<string, string>? lspSettings, params string[] languages) =>
        StartWithRootAsync(_ => lspSettings, languages);

    /// <summary>Starts with settings that may name folders inside the workspace root (passed to <paramref name="lspSettings"/>).</summary>
    public static async Task<LspHarness> StartWithRootAsync(Func<string, IReadOnlyDictionary<string, string>?> lspSettings, params string[] languages)
    {
        var harness = new LspHarness();
        Directory.CreateDirectory(harness.Root);
        var settings = new Dictionary<string, string>(lspSettings(harness.Root) ?? new Dictionary<string, string>());
        settings.TryAdd("diagnostics_timeout_ms", "60000");
        if (LspServers.BinDirectory is { } bin && !settings.ContainsKey("path"))
        {
            settings["path"] = bin;
        }

        foreach (var folder in languages.Prepend("files"))
        {
            var result = await harness._harness.LoadAsync(Catalog.PathOf(folder));
            Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        }

        var bridge = await harness._harness.LoadAsync(Catalog.PathOf("lsp"), settings);
        Assert.True(bridge.Status == PluginLoadStatus.Loaded, bridge.Error);
        return harness;
    }

    public string Write(string relative, string content) => Temp.WriteFile("ws/" + relative, content);

    /// <summary>Runs a tool through the registered middleware (the diagnostics middleware included), outside a session.</summary>
    public async Task<string> RunAsync(string tool, params (string Key, object? Value)[] args)
    {
        var capability = (ToolCapability)_harness.Registry.Find(CapabilityKind.Tool, tool)!.Capability;
        var arguments = new AIFunctionArguments { Context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = Root } };
        foreach (var (key, value) in args)
        {
            arguments[key] = JsonSerializer.SerializeToElement(value);
        }

        ToolInvocationHandler next = (context, ct) => context.Tool.InvokeAsync(context.Arguments, ct);
        foreach (var middleware in _harness.Registry.OfKind(CapabilityKind.ToolMiddleware).Select(m => ((ToolMiddlewareCapability)m.Capability).Middleware).Reverse())
        {
            var inner = next;
            next = (context, ct) => middleware.InvokeAsync(context, inner, ct);
        }

        var result = await next(new ToolInvocationContext(capability.Function, capability.Metadata, arguments, "call-1") { WorkspaceRoot = Root }, CancellationToken.None);
        return result is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString()! : result?.ToString() ?? string.Empty;
    }

    /// <summary>Waits for an event matching <paramref name="match"/> (already published ones count).</summary>
    public async Task<TEvent> WaitForAsync<TEvent>(Func<TEvent, bool> match)
        where TEvent : AgentEvent
    {
        var found = new TaskCompletionSource<TEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _harness.Bus.Subscribe<TEvent>((e, _) =>
        {
            if (match(e))
            {
                found.TrySetResult(e);
            }

            return ValueTask.CompletedTask;
        });
        await _harness.Bus.DrainAsync(); // Events published before the subscription reach the recording first.
        if (_harness.Events.OfType<TEvent>().FirstOrDefault(match) is { } earlier)
        {
            return earlier;
        }

        return await found.Task.WaitAsync(TimeSpan.FromMinutes(2));
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        Temp.Dispose();
    }
}
