using System.Text.Json;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Search;

/// <summary>
/// The files plugin's tools bind their arguments directly (no <see cref="AIFunctionFactory"/> function on a call) and
/// answer as the factory's reflection path does; their schemas are still the factory's, from the same delegates.
/// </summary>
public sealed class FilesToolBindingTests
{
    private static readonly string[] Direct = ["ls", "view", "glob", "grep", "write", "edit", "move", "delete"];

    [Fact]
    public async Task EveryFilesToolButMultiEdit_BindsDirectly()
    {
        await using var search = await SearchHarness.CreateAsync();

        foreach (var name in Direct)
        {
            var function = Assert.IsType<DeferredMethodFunction>(search.Tool(name).Function);
            Assert.True(function.BindsDirectly, name);
            Assert.False(function.IsMaterialized, name); // Reading the parameters does not build the factory's function.
        }

        // An array of objects (EditOperation) is left to the factory.
        Assert.False(Assert.IsType<DeferredMethodFunction>(search.Tool("multi_edit").Function).BindsDirectly);
    }

    public static TheoryData<string, string> Calls => new()
    {
        { "glob", """{"pattern":"*.ts"}""" },
        { "glob", """{"pattern":"**/*.{ts,md}","limit":2,"offset":1,"hidden":true}""" },
        { "glob", """{"pattern":"*.ts","path":"src","sort":"modified","no_ignore":true}""" },
        { "grep", """{"pattern":"fetch\\w+"}""" },
        { "grep", """{"pattern":"FETCH","literal":true,"case_insensitive":true,"context":1,"include":"*.ts,!b.ts"}""" },
        { "grep", """{"pattern":"fetch","output":"count","max_matches":1,"offset":1,"no_ignore":true}""" },
        { "grep", """{"pattern":"fetch","output":"files","path":"src/a.ts"}""" },
        { "grep", """{"pattern":"(unclosed"}""" },
        { "grep", """{"pattern":"x","context":2.5}""" },
        { "ls", """{"depth":3,"ignore":["*.md"]}""" },
        { "view", """{"path":"src/a.ts","offset":2,"limit":1}""" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task ADirectCall_AnswersAsTheFactorysFunction(string tool, string json)
    {
        await using var search = await SearchHarness.CreateAsync();
        search.Write("src/a.ts", "const a = 1;\nfetchUser();\nfetchTeam();\n");
        search.Write("src/b.ts", "FETCHALL\n");
        search.Write("docs/readme.md", "fetch the docs\n");
        search.Write(".hidden/c.ts", "fetch hidden\n");
        search.Write(".gitignore", "dist/\n");
        search.Write("dist/d.ts", "fetch built\n");
        var function = Assert.IsType<DeferredMethodFunction>(search.Tool(tool).Function);

        var direct = await Outcome(() => function.InvokeAsync(Arguments(search, json)));
        var factory = await Outcome(() => function.InvokeThroughFactoryAsync(Arguments(search, json)));

        Assert.Equal(factory, direct);
    }

    private static AIFunctionArguments Arguments(SearchHarness search, string json)
    {
        using var document = JsonDocument.Parse(json);
        var arguments = new AIFunctionArguments { Context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = search.Workspace } };
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
            var result = await call();
            return "ok: " + (result is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString() : result?.ToString());
        }
        catch (Exception ex)
        {
            return $"{ex.GetType().FullName}: {ex.Message}";
        }
    }
}
