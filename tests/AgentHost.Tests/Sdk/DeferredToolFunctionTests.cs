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
    public async Task AKnownSchema_IsUsedWithoutBuilding_AndADirectlyBoundCallRunsWithoutBuildingEither()
    {
        var deferred = new DeferredMethodFunction(Method, Options());
        using var known = JsonDocument.Parse("""{"type":"object","properties":{"path":{"type":"string"}}}""");

        deferred.UseKnownSchema(known.RootElement.Clone());

        Assert.Equal(known.RootElement.GetRawText(), deferred.JsonSchema.GetRawText());
        Assert.False(deferred.IsMaterialized);
        var result = await deferred.InvokeAsync(new AIFunctionArguments { ["path"] = "a.txt", ["limit"] = 3 });
        Assert.True(deferred.BindsDirectly);
        Assert.False(deferred.IsMaterialized); // No AIFunctionFactory function: no marshallers, no schema generation.
        Assert.Equal("a.txt:3", Text(result));
    }

    private static readonly Delegate Everything =
        ([Description("Required.")] string pattern,
         [Description("Optional text.")] string? path = null,
         [Description("Optional integer.")] int? limit = null,
         [Description("A flag.")] bool hidden = false,
         [Description("An optional flag.")] bool? dry_run = null,
         [Description("A long.")] long? since = null,
         [Description("Strings.")] string[]? ignore = null,
         AIFunctionArguments arguments = null!,
         CancellationToken cancellationToken = default) =>
            Task.FromResult(string.Join(
                "|",
                pattern,
                path ?? "<null>",
                limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "<null>",
                hidden,
                dry_run?.ToString() ?? "<null>",
                since?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "<null>",
                ignore is null ? "<null>" : "[" + string.Join(",", ignore.Select(i => i ?? "<null>")) + "]",
                arguments.Context?["root"],
                cancellationToken.CanBeCanceled));

    public static TheoryData<string> BindableJson => new()
    {
        """{"pattern":"*.cs"}""",
        """{"pattern":"","path":"src","limit":5,"hidden":true,"dry_run":false,"since":9000000000,"ignore":["a","b"]}""",
        """{"pattern":"x","path":null,"limit":null,"dry_run":null,"since":null,"ignore":null}""",
        """{"pattern":null,"ignore":[],"unknown":{"deep":[1,2]}}""",
        """{"pattern":"\u00e9\n","ignore":["x",null],"limit":-3,"hidden":false}""",
    };

    [Theory]
    [MemberData(nameof(BindableJson))]
    public async Task DirectBinding_ReturnsWhatTheFactorysFunctionReturns_ForJsonArguments(string json)
    {
        var deferred = new DeferredMethodFunction(Everything, Options());
        using var cancellation = new CancellationTokenSource();

        var direct = await deferred.InvokeAsync(JsonArguments(json), cancellation.Token);
        Assert.False(deferred.IsMaterialized);
        var factory = await deferred.InvokeThroughFactoryAsync(JsonArguments(json), cancellation.Token);

        Assert.True(deferred.BindsDirectly);
        Assert.IsType<string>(direct);
        Assert.Equal(Text(factory), Text(direct));
    }

    [Fact]
    public async Task DirectBinding_ReturnsWhatTheFactorysFunctionReturns_ForClrArguments()
    {
        var deferred = new DeferredMethodFunction(Everything, Options());
        AIFunctionArguments Clr() => new()
        {
            ["pattern"] = "p",
            ["path"] = null,
            ["limit"] = 7,
            ["hidden"] = true,
            ["since"] = 5L,
            ["ignore"] = new[] { "a" },
            Context = new Dictionary<object, object?> { ["root"] = "/r" },
        };

        var direct = await deferred.InvokeAsync(Clr());
        Assert.False(deferred.IsMaterialized);

        Assert.Equal(Text(await deferred.InvokeThroughFactoryAsync(Clr())), Text(direct));
        Assert.Equal("p|<null>|7|True|<null>|5|[a]|/r|False", Text(direct));
    }

    public static TheoryData<string> UnbindableJson => new()
    {
        """{}""",                                  // the required argument is missing
        """{"path":"src"}""",
        """{"pattern":5}""",                       // a number for a string
        """{"pattern":"x","limit":2.5}""",         // not an integer
        """{"pattern":"x","limit":"7"}""",         // a string for an integer: the factory's options decide
        """{"pattern":"x","limit":99999999999}""", // out of range
        """{"pattern":"x","hidden":"yes"}""",
        """{"pattern":"x","hidden":null}""",          // null for a bool
        """{"pattern":"x","ignore":"a"}""",
        """{"pattern":"x","ignore":[1]}""",
        """{"pattern":["x"]}""",
    };

    [Theory]
    [MemberData(nameof(UnbindableJson))]
    public async Task ArgumentsDirectBindingCannotRead_GoThroughTheFactory_WithItsResultOrError(string json)
    {
        var deferred = new DeferredMethodFunction(Everything, Options());

        var direct = await Outcome(() => deferred.InvokeAsync(JsonArguments(json)));
        var factory = await Outcome(() => deferred.InvokeThroughFactoryAsync(JsonArguments(json)));

        Assert.True(deferred.IsMaterialized); // The call went to the factory's function.
        Assert.Equal(factory, direct);
    }

    [Fact]
    public async Task AMissingRequiredArgument_GetsTheFactorysErrorNamingIt()
    {
        var deferred = new DeferredMethodFunction(Everything, Options());

        var error = await Assert.ThrowsAsync<ArgumentException>(() => deferred.InvokeAsync(JsonArguments("{}")).AsTask());

        Assert.Contains("'pattern'", error.Message, StringComparison.Ordinal);
        Assert.True(deferred.IsMaterialized);
    }

    [Fact]
    public async Task MethodsWithOtherParameterTypes_AreLeftToTheFactory()
    {
        var deferred = new DeferredMethodFunction((double ratio, Uri? where) => $"{ratio}:{where}", Options());

        Assert.False(deferred.BindsDirectly);
        var result = await deferred.InvokeAsync(JsonArguments("""{"ratio":0.5,"where":"https://example.invalid/"}"""));

        Assert.True(deferred.IsMaterialized);
        Assert.Equal("0.5:https://example.invalid/", Text(result));
    }

    [Fact]
    public async Task AToolThrowing_FaultsTheCall_WithItsOwnException()
    {
        var deferred = new DeferredMethodFunction((string path) => path.Length > 0 ? throw new ToolException("no such file: " + path) : "empty", Options());

        var call = deferred.InvokeAsync(JsonArguments("""{"path":"a.txt"}"""));

        var error = await Assert.ThrowsAsync<ToolException>(() => call.AsTask());
        Assert.Equal("no such file: a.txt", error.Message);
        Assert.False(deferred.IsMaterialized);
    }

    [Fact]
    public void Prepare_ReadsTheParametersOfADirectlyBoundTool_AndBuildsAnyOther()
    {
        var direct = new DeferredMethodFunction(Method, Options());
        var other = new DeferredMethodFunction((double ratio) => ratio.ToString(System.Globalization.CultureInfo.InvariantCulture), Options());

        direct.Prepare();
        other.Prepare();

        Assert.False(direct.IsMaterialized);
        Assert.True(other.IsMaterialized);
    }

    private static AIFunctionArguments JsonArguments(string json)
    {
        using var document = JsonDocument.Parse(json);
        var arguments = new AIFunctionArguments { Context = new Dictionary<object, object?> { ["root"] = "/r" } };
        foreach (var property in document.RootElement.EnumerateObject())
        {
            arguments[property.Name] = property.Value.Clone();
        }

        return arguments;
    }

    private static async Task<string> Outcome(Func<ValueTask<object?>> call)
    {
        try
        {
            return "ok: " + Text(await call());
        }
        catch (Exception ex)
        {
            return $"{ex.GetType().FullName}: {ex.Message}";
        }
    }

    private static string? Text(object? result) => result is JsonElement element
        ? element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText()
        : result?.ToString();

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
