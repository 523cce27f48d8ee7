using System.Diagnostics;
using AgentHost.Agent.Hooks;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Hooks;

/// <summary>
/// A plugin hook's <c>${CLAUDE_PLUGIN_ROOT}</c> stays a reference to the variable (never the folder's text in shell
/// source), quoted where it stands unquoted, so any folder name is one word and never code.
/// </summary>
public sealed class PluginRootReferencesTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("${CLAUDE_PLUGIN_ROOT}/hooks/guard.sh", "\"${CLAUDE_PLUGIN_ROOT}\"/hooks/guard.sh")]
    [InlineData("bash $CLAUDE_PLUGIN_ROOT/x.sh --flag", "bash \"${CLAUDE_PLUGIN_ROOT}\"/x.sh --flag")]
    [InlineData("node ${AGENT_PLUGIN_ROOT}/a.js && ${CLAUDE_PLUGIN_ROOT}/b", "node \"${AGENT_PLUGIN_ROOT}\"/a.js && \"${CLAUDE_PLUGIN_ROOT}\"/b")]
    [InlineData("\"${CLAUDE_PLUGIN_ROOT}/x.sh\"", "\"${CLAUDE_PLUGIN_ROOT}/x.sh\"")]
    [InlineData("sh -c 'exec ${CLAUDE_PLUGIN_ROOT}/x.sh'", "sh -c 'exec ${CLAUDE_PLUGIN_ROOT}/x.sh'")]
    [InlineData("echo \\${CLAUDE_PLUGIN_ROOT}", "echo \\${CLAUDE_PLUGIN_ROOT}")]
    [InlineData("echo $CLAUDE_PLUGIN_ROOTS", "echo $CLAUDE_PLUGIN_ROOTS")]
    [InlineData("echo \"$(ls ${CLAUDE_PLUGIN_ROOT})\"", "echo \"$(ls \"${CLAUDE_PLUGIN_ROOT}\")\"")]
    [InlineData("x=$( (cd ${CLAUDE_PLUGIN_ROOT}) ) ${CLAUDE_PLUGIN_ROOT}", "x=$( (cd \"${CLAUDE_PLUGIN_ROOT}\") ) \"${CLAUDE_PLUGIN_ROOT}\"")]
    [InlineData("cat <<EOF\n${CLAUDE_PLUGIN_ROOT}\nEOF\n${CLAUDE_PLUGIN_ROOT}/a", "cat <<EOF\n${CLAUDE_PLUGIN_ROOT}\nEOF\n\"${CLAUDE_PLUGIN_ROOT}\"/a")]
    [InlineData("plain command", "plain command")]
    public void QuotePosix_QuotesOnlyUnquotedReferences(string command, string expected) =>
        Assert.Equal(expected, PluginRootReferences.QuotePosix(command));

    [Theory]
    [InlineData("${CLAUDE_PLUGIN_ROOT}\\hooks\\guard.cmd", "\"%CLAUDE_PLUGIN_ROOT%\"\\hooks\\guard.cmd")]
    [InlineData("\"${CLAUDE_PLUGIN_ROOT}\\x.cmd\" a", "\"%CLAUDE_PLUGIN_ROOT%\\x.cmd\" a")]
    public void QuoteCmd_RefersToTheVariable_InsideDoubleQuotes(string command, string expected) =>
        Assert.Equal(expected, PluginRootReferences.QuoteCmd(command));

    /// <summary>The folders a plugin can really be installed in: a space (macOS's Application Support), or a name with shell syntax.</summary>
    [UnixTheory("the quoted command runs in /bin/sh")]
    [InlineData("Application Support/acme guard")]
    [InlineData("kit$(touch pwned)`touch pwned2`")]
    [InlineData("it's \"here\" *")]
    public async Task TheQuotedCommand_RunsTheScriptInAnyFolder_AndNeverRunsTheFoldersName(string folder)
    {
        var root = _temp.Combine("plugins", folder);
        Directory.CreateDirectory(Path.Combine(root, "hooks"));
        var script = Path.Combine(root, "hooks", "guard.sh");
        File.WriteAllText(script, "#!/bin/sh\necho \"guard ran in $CLAUDE_PLUGIN_ROOT\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var command = PluginRootReferences.QuotePosix("${CLAUDE_PLUGIN_ROOT}/hooks/guard.sh");
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _temp.Path };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        start.Environment["CLAUDE_PLUGIN_ROOT"] = root;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, error);
        Assert.Equal($"guard ran in {root}\n", output);
        Assert.False(File.Exists(_temp.Combine("pwned")));
        Assert.False(File.Exists(_temp.Combine("pwned2")));
    }
}
