using System.ComponentModel;
using System.Text.Json;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Sdk;

/// <summary>Tools added from delegates are built by reflection only when described or invoked, and describe themselves alike.</summary>
public sealed class DeferredToolFunctionTests
{
    private static readonly Func<string, int?, string> Method =
        ([Description("The path.")] string path, [Description("Most lines.")] int? limit) => $"{path}:{limit}";

    private static AIFunctionFactoryOptions Options() => new() { Name = "peek", Description = "Peeks at a file." };

    [Fact]
    public void NameDescriptionAndDeclaration_DoNotBuildTheFunction_TheSchemaDoes_AndEqualsTheFactorys()
    {
        var deferred = new DeferredMethodFunction(Method, Options());

        var declaration = deferred.AsDeclarationOnly();
        Assert.Equal(("peek", "Peeks at a file.", "peek"), (deferred.Name, deferred.Description, declaration.Name));
        Assert.Empty(deferred.AdditionalProperties);
        Assert.False(deferred.IsMaterialized);

        var schema = deferred.JsonSchema.GetRawText();

        Assert.True(deferred.IsMaterialized);
        Assert.Equal(AIFunctionFactory.Create(Method, Options()).JsonSchema.GetRawText(), schema);
        Assert.Contains("Most lines.", schema, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKnownSchema_IsUsedWithoutBuilding_AndInvocationBuildsAndRuns()
    {
        var deferred = new DeferredMethodFunction(Method, Options());
        using var known = JsonDocument.Parse("""{"type":"object","properties":{"path":{"type":"string"}}}""");

        deferred.UseKnownSchema(known.RootElement.Clone());

        Assert.Equal(known.RootElement.GetRawText(), deferred.JsonSchema.GetRawText());
        Assert.False(deferred.IsMaterialized);
        var result = await deferred.InvokeAsync(new AIFunctionArguments { ["path"] = "a.txt", ["limit"] = 3 });
        Assert.True(deferred.IsMaterialized);
        Assert.Equal("a.txt:3", result is JsonElement element ? element.GetString() : result?.ToString());
    }

    [Fact]
    public void TheSchemaKey_NamesTheMethodsBuild_AndDiffersPerMethod()
    {
        var first = new DeferredMethodFunction(Method, Options());
        var again = new DeferredMethodFunction(Method, Options());
        var other = new DeferredMethodFunction((string path) => path, Options());

        Assert.Equal(first.SchemaKey, again.SchemaKey);
        Assert.NotEqual(first.SchemaKey, other.SchemaKey);
        Assert.StartsWith(typeof(DeferredToolFunctionTests).Module.ModuleVersionId.ToString("N"), first.SchemaKey, StringComparison.Ordinal);
    }
}
