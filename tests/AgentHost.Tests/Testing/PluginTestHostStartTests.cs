using AgentHost.Sdk;
using AgentHost.Sdk.Events;
using AgentHost.Testing;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Testing;

/// <summary>Starting and disposing a <see cref="PluginTestHost"/>, and the errors a plugin author meets there.</summary>
public sealed class PluginTestHostStartTests
{
    [Fact]
    public async Task Dispose_UnloadsThePlugin_AndDeletesTheTemporaryWorkspace()
    {
        using var temp = new TempDirectory();
        var plugin = new SamplePlugin();
        var host = await PluginTestHost.StartAsync(plugin, new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp) });
        var workspace = host.WorkspaceRoot;
        await File.WriteAllTextAsync(Path.Combine(workspace, "scratch.txt"), "x");
        Assert.False(plugin.Stopping.IsCancellationRequested);

        await host.DisposeAsync();

        Assert.True(plugin.Stopping.IsCancellationRequested);
        Assert.False(Directory.Exists(workspace));
        Assert.Contains(host.Events, e => e is PluginUnloadedEvent { PluginId: "sample" });
        Assert.Empty(host.ToolNames);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => host.CallToolAsync("greet", new { name = "Ada" }));
    }

    [Fact]
    public async Task Dispose_KeepsAWorkspaceTheTestProvided()
    {
        using var temp = new TempDirectory();
        var workspace = temp.Combine("mine");
        var host = await PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp), WorkspaceRoot = workspace });

        await host.DisposeAsync();

        Assert.True(Directory.Exists(workspace));
    }

    [Fact]
    public async Task Start_ManifestNotFound_ListsWhereItLooked_AndHowToCopyIt()
    {
        var error = await Assert.ThrowsAsync<PluginTestHostException>(() => PluginTestHost.StartAsync<SamplePlugin>());

        Assert.Contains("plugin.yaml not found for AgentHost.Tests", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar), "plugin.yaml"), error.Message, StringComparison.Ordinal);
        Assert.Contains("<None Include=\"plugin.yaml\" CopyToOutputDirectory=\"PreserveNewest\" />", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ManifestPathMissing_SaysSo()
    {
        using var temp = new TempDirectory();
        var missing = temp.Combine("nowhere", "plugin.yaml");

        var error = await Assert.ThrowsAsync<PluginTestHostException>(() => PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = missing }));

        Assert.Contains($"PluginTestHostOptions.ManifestPath '{missing}' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InvalidManifest_GivesTheKernelsFileAndLineMessage()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile("plugin.yaml", "id: Not Valid\nversion: 1.0.0\ndescription: Bad id.\nsdk: \"^1.0\"\nentry: AgentHost.Tests.dll\n");

        var error = await Assert.ThrowsAsync<PluginTestHostException>(() => PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = path }));

        Assert.Contains($"{path}:1:", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Not Valid' is not a valid plugin id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SdkRangeNotSatisfied_IsRefusedWithTheKernelsMessage()
    {
        using var temp = new TempDirectory();
        var path = SampleManifest.Write(temp, sdk: "^2.0");

        var error = await Assert.ThrowsAsync<PluginTestHostException>(() => PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = path }));

        Assert.Contains("(Refused)", error.Message, StringComparison.Ordinal);
        Assert.Contains($"plugin 'sample' 1.0.0 requires SDK '^2.0', but this host provides SDK {SdkInfo.VersionText}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RegisterCoreThrows_GivesTheMessageAndThePluginId()
    {
        using var temp = new TempDirectory();
        var path = SampleManifest.Write(temp, id: "throwing-sample", type: typeof(ThrowingSamplePlugin).FullName!);

        var error = await Assert.ThrowsAsync<PluginTestHostException>(() => PluginTestHost.StartAsync<ThrowingSamplePlugin>(new PluginTestHostOptions { ManifestPath = path }));

        Assert.Contains("plugin 'throwing-sample' failed while loading: InvalidOperationException: missing API key for the sample service", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_EntryAssemblyOfAnotherPlugin_IsRefusedNamingBothAssemblies()
    {
        using var temp = new TempDirectory();
        var path = SampleManifest.Write(temp, assembly: "Acme.Other.dll");

        var error = await Assert.ThrowsAsync<PluginTestHostException>(() => PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = temp.Path }));

        Assert.Contains($"{path}: entry assembly 'Acme.Other.dll' does not match the plugin instance's assembly 'AgentHost.Tests'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_EntryTypeOfAnotherClass_IsRefused()
    {
        using var temp = new TempDirectory();
        SampleManifest.Write(temp, type: typeof(ThrowingSamplePlugin).FullName!);

        var error = await Assert.ThrowsAsync<PluginTestHostException>(() => PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = temp.Path }));

        Assert.Contains($"entry type '{typeof(ThrowingSamplePlugin).FullName}' does not match the plugin instance's type '{typeof(SamplePlugin).FullName}'", error.Message, StringComparison.Ordinal);
    }
}
