using AgentHost.Sdk.Tools;
using AgentHost.Tests.Files;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Files.Tests;

/// <summary>The <c>multi_edit</c> tool: ordered replacements in one file, all or nothing, one diff.</summary>
public sealed class MultiEditToolTests : IAsyncLifetime
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private readonly FileToolHarness _tools = new();

    private TempDirectory Temp => _tools.Temp;

    public Task InitializeAsync() => _tools.InitializeAsync();

    public Task DisposeAsync() => _tools.DisposeAsync();

    [Fact]
    public async Task MultiEdit_AppliesEditsInOrder_EachToTheResultOfTheOneBefore_WithOneDiff()
    {
        var path = Temp.WriteFile("ws/app.py", "def old_name():\n    return 1\n\nprint(old_name())\n");
        await _tools.ViewAsync("app.py");

        var result = await _tools.InvokeJsonAsync(
            "multi_edit",
            ("path", "app.py"),
            ("edits", new object[]
            {
                new { old_string = "old_name", new_string = "new_name", replace_all = true },
                new { old_string = "def new_name():\n    return 1", new_string = "def new_name():\n    return 2" },
            }));

        Assert.Equal("def new_name():\n    return 2\n\nprint(new_name())\n", File.ReadAllText(path));
        Assert.StartsWith("Edited 'app.py' with 2 edits, 3 replacements (+3 -3 lines).", result, StringComparison.Ordinal);
        Assert.Equal(2, result.Split("--- a/app.py").Length);
        Assert.Contains("--- a/app.py\n+++ b/app.py\n@@ -1,4 +1,4 @@\n-def old_name():\n-    return 1\n+def new_name():\n+    return 2\n \n-print(old_name())\n+print(new_name())", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MultiEdit_AFailingEdit_NamesItsIndexAndReason_AndWritesNothing()
    {
        var path = Temp.WriteFile("ws/f.txt", "alpha\nbeta\ngamma\n");
        await _tools.ViewAsync("f.txt");
        var before = File.ReadAllBytes(path);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeJsonAsync(
            "multi_edit",
            ("path", "f.txt"),
            ("edits", new object[]
            {
                new { old_string = "alpha", new_string = "ALPHA" },
                new { old_string = "delta", new_string = "DELTA" },
                new { old_string = "gamma", new_string = "GAMMA" },
            })));

        Assert.StartsWith("edits[1] (edit 2 of 3) failed (matched against the text after edits[0]; line numbers are of that text): old_string was not found in 'f.txt'", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was written; fix that edit and send all the edits again.", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task MultiEdit_AnEditMatchingSeveralPlaces_FailsUnlessItsReplaceAllIsSet()
    {
        var path = Temp.WriteFile("ws/dup.txt", "x\nx\ny\n");
        await _tools.ViewAsync("dup.txt");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeJsonAsync(
            "multi_edit", ("path", "dup.txt"), ("edits", new object[] { new { old_string = "y", new_string = "z" }, new { old_string = "x", new_string = "w" } })));
        await _tools.InvokeJsonAsync(
            "multi_edit", ("path", "dup.txt"), ("edits", new object[] { new { old_string = "y", new_string = "z" }, new { old_string = "x", new_string = "w", replace_all = true } }));

        Assert.Contains("edits[1] (edit 2 of 2) failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("old_string occurs 2 times in 'dup.txt'", error.Message, StringComparison.Ordinal);
        Assert.Equal("w\nw\nz\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task MultiEdit_UsesTheWhitespaceInsensitiveFallback_AndSaysWhichEditDid()
    {
        var path = Temp.WriteFile("ws/a.cs", "class A\n{\n    void M()\n    {\n        Go();\n    }\n}\n");
        await _tools.ViewAsync("a.cs");

        var result = await _tools.InvokeJsonAsync(
            "multi_edit",
            ("path", "a.cs"),
            ("edits", new object[] { new { old_string = "class A", new_string = "class B" }, new { old_string = "{\n    Go();\n}", new_string = "{\n    Go();\n    Stop();\n}" } }));

        Assert.Contains("edits[1] did not match exactly and used the whitespace-insensitive match", result, StringComparison.Ordinal);
        Assert.Equal("class B\n{\n    void M()\n    {\n        Go();\n        Stop();\n    }\n}\n", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("[]", "edits is empty")]
    [InlineData("""[{"old_string":"a","new_string":"b"},{"old_string":"","new_string":"c"}]""", "edits[1].old_string is empty")]
    [InlineData("""[{"old_string":"a","new_string":"a"}]""", "edits[0].old_string and edits[0].new_string are the same")]
    public async Task MultiEdit_RejectsBadEdits_NamingTheField(string edits, string expected)
    {
        var path = Temp.WriteFile("ws/f.txt", "a\n");
        await _tools.ViewAsync("f.txt");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeJsonAsync(
            "multi_edit", ("path", "f.txt"), ("edits", System.Text.Json.JsonDocument.Parse(edits).RootElement)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal("a\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task MultiEdit_KeepsCrlfAndByteOrderMark()
    {
        var path = Temp.Combine("ws", "win.txt");
        File.WriteAllBytes(path, [.. Bom, .. "one\r\ntwo\r\nthree\r\n"u8]);
        await _tools.ViewAsync("win.txt");

        await _tools.InvokeJsonAsync(
            "multi_edit",
            ("path", "win.txt"),
            ("edits", new object[] { new { old_string = "one\ntwo", new_string = "1\n2\n2.5" }, new { old_string = "three", new_string = "3" } }));

        Assert.Equal([.. Bom, .. "1\r\n2\r\n2.5\r\n3\r\n"u8], File.ReadAllBytes(path));
    }

    [Fact]
    public async Task MultiEdit_DryRun_LeavesTheDiskUntouched_AndShowsTheDiff()
    {
        Temp.WriteFile("ws/d.txt", "alpha\nbeta\n");
        await _tools.ViewAsync("d.txt");
        var before = _tools.Snapshot();

        var result = await _tools.InvokeJsonAsync(
            "multi_edit", ("path", "d.txt"), ("edits", new object[] { new { old_string = "alpha", new_string = "ALPHA" } }), ("dry_run", true));

        Assert.Equal(before, _tools.Snapshot());
        Assert.StartsWith("Dry run: would edit 'd.txt' with 1 edit, 1 replacement (+1 -1 lines). Nothing was written.", result, StringComparison.Ordinal);
        Assert.Contains("-alpha\n+ALPHA", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MultiEdit_RefusesPathsOutsideTheRoot()
    {
        var outside = Temp.WriteFile("secret.txt", "top\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _tools.InvokeJsonAsync(
            "multi_edit", ("path", "../secret.txt"), ("edits", new object[] { new { old_string = "top", new_string = "no" } })));

        Assert.Contains("outside the project root", error.Message, StringComparison.Ordinal);
        Assert.Equal("top\n", File.ReadAllText(outside));
    }

    [Fact]
    public void MultiEdit_DescribesTheCallWithTheDiff_WithoutWriting()
    {
        var path = Temp.WriteFile("ws/src/d.txt", "alpha\nbeta\n");

        var description = _tools.Describe("multi_edit", ("path", "src/d.txt"), ("edits", new object[] { new { old_string = "beta", new_string = "gamma" } }));

        Assert.Equal(ToolEffect.Write, _tools.Tool("multi_edit").Metadata.Effect);
        Assert.Equal(("write", "src/d.txt"), (description.Action, description.Subject));
        Assert.Contains("--- a/src/d.txt\n+++ b/src/d.txt\n@@ -1,2 +1,2 @@\n alpha\n-beta\n+gamma", description.Details, StringComparison.Ordinal);
        Assert.Equal("alpha\nbeta\n", File.ReadAllText(path));
    }
}
