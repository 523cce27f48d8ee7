using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Hosting.Tests.Kernel;

public sealed class CapabilityRegistryTests
{
    [Fact]
    public async Task NameClash_PlainNameGoesToFirstPluginIdInOrdinalOrder_WhateverTheLoadOrder_AndWarns()
    {
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var warnings = new List<WarningEvent>();
        using var subscription = bus.Subscribe<WarningEvent>((e, _) =>
        {
            warnings.Add(e);
            return ValueTask.CompletedTask;
        });
        var registry = new CapabilityRegistry(bus);

        registry.AddRange("zeta", "1.0.0", [new LspServerCapability("yaml", "zeta-yaml")]);
        registry.AddRange("alpha", "1.0.0", [new LspServerCapability("yaml", "alpha-yaml")]);
        await bus.DrainAsync();

        Assert.Equal("alpha", registry.Find(CapabilityKind.LspServer, "yaml")!.PluginId);
        Assert.Equal("zeta-yaml", ((LspServerCapability)registry.Find(CapabilityKind.LspServer, "zeta/yaml")!.Capability).Command);
        var warning = Assert.Single(warnings);
        Assert.Contains("alpha/yaml", warning.Message, StringComparison.Ordinal);
        Assert.Contains("zeta/yaml", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RemovePlugin_RemovesOnlyItsCapabilities_AndRaisesChanged()
    {
        var registry = new CapabilityRegistry();
        registry.AddRange("a", "1.0.0", [new LspServerCapability("yaml", "a"), new LspServerCapability("bash", "a")]);
        registry.AddRange("b", "1.0.0", [new LspServerCapability("yaml", "b")]);
        CapabilityChange? change = null;
        registry.Changed += (_, c) => change = c;

        registry.RemovePlugin("a");

        Assert.Equal("b", registry.Find(CapabilityKind.LspServer, "yaml")!.PluginId);
        Assert.Null(registry.Find(CapabilityKind.LspServer, "bash"));
        Assert.Equal(2, change!.Removed.Count);
    }

    [Fact]
    public void All_IsOrderedByKindNameAndPlugin()
    {
        var registry = new CapabilityRegistry();
        registry.AddRange("b", "1.0.0", [new LspServerCapability("yaml", "b"), new McpServerCapability("fs", McpTransport.Stdio) { Command = "x" }]);
        registry.AddRange("a", "1.0.0", [new LspServerCapability("yaml", "a"), new LspServerCapability("bash", "a")]);

        var order = registry.All().Select(e => $"{e.Kind}:{e.QualifiedName}").ToList();

        Assert.Equal(["LspServer:a/bash", "LspServer:a/yaml", "LspServer:b/yaml", "McpServer:b/fs"], order);
    }

    [Fact]
    public void OfKindAndOfPlugin_AreOrderedByOrdinalNameThenPlugin_AndNamesAreCaseSensitive()
    {
        var registry = new CapabilityRegistry();
        registry.AddRange("b", "1.0.0", [new LspServerCapability("yaml", "b"), new LspServerCapability("YAML", "b"), new McpServerCapability("fs", McpTransport.Stdio) { Command = "x" }]);
        registry.AddRange("a", "1.0.0", [new LspServerCapability("yaml", "a"), new LspServerCapability("bash", "a")]);

        Assert.Equal(["b/YAML", "a/bash", "a/yaml", "b/yaml"], registry.OfKind(CapabilityKind.LspServer).Select(e => e.QualifiedName));
        Assert.Equal(["LspServer:b/YAML", "LspServer:b/yaml", "McpServer:b/fs"], registry.OfPlugin("b").Select(e => $"{e.Kind}:{e.QualifiedName}"));
        Assert.Equal("b", registry.Find(CapabilityKind.LspServer, "YAML")!.PluginId);
        Assert.Null(registry.Find(CapabilityKind.McpServer, "yaml"));
    }

    [Fact]
    public void ReplacePlugin_NamesTheFirstRepeatedCapability_AndChangesNothing()
    {
        var registry = new CapabilityRegistry();
        registry.AddRange("a", "1.0.0", [new LspServerCapability("yaml", "a")]);

        var error = Assert.Throws<AgentHostException>(() => registry.ReplacePlugin("a", "1.0.1", [
            new LspServerCapability("toml", "a"), new LspServerCapability("bash", "a"), new LspServerCapability("bash", "a"), new LspServerCapability("toml", "a")]));

        Assert.Contains("registered LspServer 'toml' twice", error.Message, StringComparison.Ordinal);
        Assert.Equal(["a/yaml"], registry.All().Select(e => e.QualifiedName));
    }
}
