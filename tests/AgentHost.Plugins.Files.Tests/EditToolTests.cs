using AgentHost.Sdk.Tools;
using AgentHost.Tests.Files;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Files.Tests;

/// <summary>The <c>edit</c> tool of the files plugin, on real temp folders.</summary>
public sealed class EditToolTests : IAsyncLifetime
{
    private readonly FileToolHarness _tools = new();

    private TempDirectory Temp => _tools.Temp;

    public Task InitializeAsync() => _tools.InitializeAsync();

    public Task DisposeAsync() => _tools.DisposeAsync();

    [Fact]
    public async Task Edit_ReplacesAUniqueMatch_AndReturnsTheDiff()
    {
        var path = Temp.WriteFile("ws/app.cs", "class App\n{\n    int x = 1;\n}\n");
        await _tools.ViewAsync("app.cs");

        var result = await _tools.InvokeAsync("edit", ("path", "app.cs"), ("old_string", "int x = 1;"), ("new_string", "int x = 2;"));

        Assert.Equal("class App\n{\n    int x = 2;\n}\n", File.ReadAllText(path));
        Assert.StartsWith("Edited 'app.cs': replaced 1 occurrence (+1 -1 lines).", result, StringComparison.Ordinal);
        Assert.Contains("--- a/app.cs\n+++ b/app.cs\n@@ -1,4 +1,4 @@\n class App\n {\n-    int x = 1;\n+    int x = 2;\n }", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_SeveralMatches_FailsNamingTheCountAndLines()
    {
        var path = Temp.WriteFile("ws/dup.txt", "x = 1\ny = 2\nx = 1\n");
        await _tools.ViewAsync("dup.txt");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("edit", ("path", "dup.txt"), ("old_string", "x = 1"), ("new_string", "x = 3")));

        Assert.Contains("old_string occurs 2 times in 'dup.txt' (at lines 1, 3)", error.Message, StringComparison.Ordinal);
        Assert.Contains("replace_all", error.Message, StringComparison.Ordinal);
        Assert.Equal("x = 1\ny = 2\nx = 1\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task Edit_ReplaceAll_ChangesEveryOccurrence()
    {
        var path = Temp.WriteFile("ws/dup.txt", "x = 1\ny = 2\nx = 1\n");
        await _tools.ViewAsync("dup.txt");

        var result = await _tools.InvokeAsync("edit", ("path", "dup.txt"), ("old_string", "x = 1"), ("new_string", "x = 3"), ("replace_all", true));

        Assert.Equal("x = 3\ny = 2\nx = 3\n", File.ReadAllText(path));
        Assert.Contains("replaced 2 occurrences (+2 -2 lines)", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_WhitespaceInsensitiveFallback_ReindentsTheNewText()
    {
        var path = Temp.WriteFile("ws/a.cs", "class A\n{\n    void M()\n    {\n        if (x)\n        {\n            Go();\n        }\n    }\n}\n");
        await _tools.ViewAsync("a.cs");

        var result = await _tools.InvokeAsync(
            "edit",
            ("path", "a.cs"),
            ("old_string", "if (x)\n{\n    Go();\n}"),
            ("new_string", "if (y)\n{\n    Go();\n    Stop();\n}"));

        Assert.Equal("class A\n{\n    void M()\n    {\n        if (y)\n        {\n            Go();\n            Stop();\n        }\n    }\n}\n", File.ReadAllText(path));
        Assert.Contains("did not match exactly, so its whitespace-insensitive match at line 5 was replaced", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_WhitespaceInsensitiveFallback_RemovesExtraIndentation()
    {
        var path = Temp.WriteFile("ws/b.py", "def f():\n  return 1\n");
        await _tools.ViewAsync("b.py");

        await _tools.InvokeAsync("edit", ("path", "b.py"), ("old_string", "        return 1\n"), ("new_string", "        x = 1\n        return x\n"));

        Assert.Equal("def f():\n  x = 1\n  return x\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task Edit_NoMatch_ShowsTheClosestLine()
    {
        var path = Temp.WriteFile("ws/calc.cs", "using System;\n    var total = ComputeTotal(items);\nreturn total;\n");
        await _tools.ViewAsync("calc.cs");

        var error = await Assert.ThrowsAnyAsync<Exception>(
            () => _tools.InvokeAsync("edit", ("path", "calc.cs"), ("old_string", "var total = ComputeSum(items);"), ("new_string", "var total = 0;")));

        Assert.Contains("old_string was not found in 'calc.cs'", error.Message, StringComparison.Ordinal);
        Assert.Contains("The closest line is:\n     2\t    var total = ComputeTotal(items);", error.Message, StringComparison.Ordinal);
        Assert.Equal("using System;\n    var total = ComputeTotal(items);\nreturn total;\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task Edit_KeepsCrlfLineEndings()
    {
        var path = Temp.Combine("ws", "win.txt");
        File.WriteAllBytes(path, "a\r\nb\r\nc\r\n"u8.ToArray());
        await _tools.ViewAsync("win.txt");

        await _tools.InvokeAsync("edit", ("path", "win.txt"), ("old_string", "b\nc"), ("new_string", "B\nC\nD"));

        Assert.Equal("a\r\nB\r\nC\r\nD\r\n"u8.ToArray(), File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData("", "x", "old_string is empty")]
    [InlineData("same", "same", "old_string and new_string are the same")]
    public async Task Edit_RejectsPointlessArguments(string oldString, string newString, string expected)
    {
        Temp.WriteFile("ws/f.txt", "same\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("edit", ("path", "f.txt"), ("old_string", oldString), ("new_string", newString)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_MissingFile_SuggestsWrite()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("edit", ("path", "nope.txt"), ("old_string", "a"), ("new_string", "b")));

        Assert.Contains("no file 'nope.txt' in the project; use write to create it.", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Temp.Combine("ws", "nope.txt")));
    }

    [Fact]
    public async Task Edit_RefusesPathsOutsideTheRoot()
    {
        var outside = Temp.WriteFile("secret.txt", "top secret\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeAsync("edit", ("path", "../secret.txt"), ("old_string", "top"), ("new_string", "no")));

        Assert.Contains("outside the project root", error.Message, StringComparison.Ordinal);
        Assert.Equal("top secret\n", File.ReadAllText(outside));
    }

    [Fact]
    public async Task Edit_DryRun_LeavesTheFileUnchanged()
    {
        var path = Temp.WriteFile("ws/d.txt", "alpha\nbeta\n");
        await _tools.ViewAsync("d.txt");

        var result = await _tools.InvokeAsync("edit", ("path", "d.txt"), ("old_string", "beta"), ("new_string", "gamma"), ("dry_run", true));

        Assert.Equal("alpha\nbeta\n", File.ReadAllText(path));
        Assert.Contains("Nothing was written", result, StringComparison.Ordinal);
        Assert.Contains("-beta\n+gamma", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Edit_DescribesTheCallWithADiff_WithoutWriting()
    {
        var path = Temp.WriteFile("ws/src/d.txt", "alpha\nbeta\n");

        var description = _tools.Describe("edit", ("path", "src/d.txt"), ("old_string", "beta"), ("new_string", "gamma"));

        Assert.Equal(ToolEffect.Write, _tools.Tool("edit").Metadata.Effect);
        Assert.Equal(new ToolCallDescription("edit", "src/d.txt") { Details = description.Details }, description);
        Assert.Contains("--- a/src/d.txt\n+++ b/src/d.txt\n@@ -1,2 +1,2 @@\n alpha\n-beta\n+gamma", description.Details, StringComparison.Ordinal);
        Assert.Equal("alpha\nbeta\n", File.ReadAllText(path));
    }

    [Fact]
    public void Edit_DescribesAFailingCall_WithoutDetails_AndWithoutThrowing()
    {
        Temp.WriteFile("ws/d.txt", "alpha\n");

        var description = _tools.Describe("edit", ("path", "d.txt"), ("old_string", "missing"), ("new_string", "x"));

        Assert.Equal(new ToolCallDescription("edit", "d.txt"), description);
    }
}
