using AgentHost.Tests.Files;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Files.Tests;

/// <summary>The session's dry-run default (<c>ToolContext.DryRunByDefaultKey</c>) on every write tool.</summary>
public sealed class DryRunDefaultTests : IAsyncLifetime
{
    private readonly FileToolHarness _tools = new();

    private TempDirectory Temp => _tools.Temp;

    public async Task InitializeAsync()
    {
        await _tools.InitializeAsync();
        Temp.WriteFile("ws/f.txt", "alpha\nbeta\n");
        Temp.WriteFile("ws/dir/g.txt", "g\n");
        await _tools.ViewAsync("f.txt");
    }

    public Task DisposeAsync() => _tools.DisposeAsync();

    [Theory]
    [InlineData("write", "Dry run: would overwrite 'f.txt'")]
    [InlineData("edit", "Dry run: would edit 'f.txt'")]
    [InlineData("multi_edit", "Dry run: would edit 'f.txt' with 1 edit")]
    [InlineData("move", "Dry run: would move 'f.txt'")]
    [InlineData("delete", "Dry run: would delete 'f.txt'")]
    [InlineData("delete_folder", "Dry run: would delete the folder 'dir/'")]
    public async Task WhenTheSessionDefaultsToDryRun_EveryWriteToolOnlyReports(string tool, string expected)
    {
        _tools.DryRunByDefault = true;
        var before = _tools.Snapshot();

        var result = await Invoke(tool);

        Assert.StartsWith(expected, result, StringComparison.Ordinal);
        Assert.Equal(before, _tools.Snapshot());
    }

    [Theory]
    [InlineData("write")]
    [InlineData("edit")]
    [InlineData("multi_edit")]
    [InlineData("move")]
    [InlineData("delete")]
    [InlineData("delete_folder")]
    public async Task AnExplicitDryRunFalse_OverridesTheSessionDefault(string tool)
    {
        _tools.DryRunByDefault = true;
        var before = _tools.Snapshot();

        var result = await Invoke(tool, ("dry_run", false));

        Assert.DoesNotContain("Dry run", result, StringComparison.Ordinal);
        Assert.NotEqual(before, _tools.Snapshot());
    }

    [Fact]
    public async Task WithoutASessionDefault_CallsWrite()
    {
        _tools.DryRunByDefault = false;

        await Invoke("edit");

        Assert.Equal("ALPHA\nbeta\n", File.ReadAllText(Temp.Combine("ws", "f.txt")));
    }

    private Task<string> Invoke(string tool, params (string Key, object? Value)[] more) => tool switch
    {
        "write" => _tools.InvokeJsonAsync("write", [("path", "f.txt"), ("content", "new\n"), .. more]),
        "edit" => _tools.InvokeJsonAsync("edit", [("path", "f.txt"), ("old_string", "alpha"), ("new_string", "ALPHA"), .. more]),
        "multi_edit" => _tools.InvokeJsonAsync("multi_edit", [("path", "f.txt"), ("edits", new object[] { new { old_string = "alpha", new_string = "ALPHA" } }), .. more]),
        "move" => _tools.InvokeJsonAsync("move", [("source", "f.txt"), ("destination", "moved/f.txt"), .. more]),
        "delete" => _tools.InvokeJsonAsync("delete", [("path", "f.txt"), .. more]),
        _ => _tools.InvokeJsonAsync("delete", [("path", "dir"), ("recursive", true), .. more]),
    };
}
