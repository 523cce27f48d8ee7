using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// The project's <c>.env</c> files in the real bubblewrap sandbox (docs/sandbox.md): in yolo mode, so the rules let
/// every command run, a sandboxed command cannot open <c>.env</c> and <c>.env.*</c> at any depth (<c>/dev/null</c> is
/// bound in their place; templates such as <c>.env.example</c> stay), cannot write them, and sees one again when a
/// rule allows reading it.
/// </summary>
public sealed class EnvFileSandboxTests
{
    // Names the secret scrubber leaves alone (an API_KEY=… line would read as [REDACTED] either way).
    private const string Secret = "APP_MODE=env-secret-5d1f";
    private const string Nested = "DB_HOST=nested-secret-77aa";
    private const string Template = "APP_MODE=template-0b3c";
    private const string ReadAll = "cat .env; echo '|'; cat app/.env.local; echo '|'; cat .env.example; echo '|'; echo changed > .env; echo end";

    [BubblewrapFact]
    public async Task EnvFiles_AreHidden_AndReadOnly_ExceptTemplates()
    {
        using var ws = Workspace();
        var model = ws.Script(SandboxWorkspace.Shell(ReadAll));

        var sandboxed = await ws.RunAsync(model);

        Assert.True(sandboxed.Result.ExitCode == 0, sandboxed.All);
        var output = sandboxed.Results[0];
        Assert.DoesNotContain("env-secret", output, StringComparison.Ordinal);
        Assert.DoesNotContain("nested-secret", output, StringComparison.Ordinal);
        Assert.Contains(Template, output, StringComparison.Ordinal);
        Assert.Contains(".env: Permission denied", output, StringComparison.Ordinal);
        Assert.Equal(Secret + "\n", File.ReadAllText(Path.Combine(ws.Root, ".env")));

        var control = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("cat .env app/.env.local")), "--sandbox", "off");
        Assert.Contains("env-secret", control.Results[0], StringComparison.Ordinal);
        Assert.Contains("nested-secret", control.Results[0], StringComparison.Ordinal);
    }

    [BubblewrapFact]
    public async Task AnAllowReadRule_ShowsTheFilesItMatches_Only()
    {
        using var ws = Workspace();
        ws.WriteUserConfig("permissions:\n  allow:\n    - read(.env)\n");

        var run = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("cat .env; echo '|'; cat app/.env.local")));

        Assert.True(run.Result.ExitCode == 0, run.All);
        Assert.Contains("env-secret", run.Results[0], StringComparison.Ordinal);
        Assert.DoesNotContain("nested-secret", run.Results[0], StringComparison.Ordinal);
    }

    [BubblewrapFact]
    public async Task ADenyReadRule_KeepsItHidden_AndAFileMadeLater_IsNotHidden()
    {
        using var ws = Workspace();
        ws.WriteUserConfig("permissions:\n  deny:\n    - read(app/.env.local)\n");

        var run = await ws.RunAsync(ws.Script(
            SandboxWorkspace.Shell("cat app/.env.local; echo LATER=visible-later > app/.env.new; cat app/.env.new")));

        Assert.True(run.Result.ExitCode == 0, run.All);
        Assert.DoesNotContain("nested-secret", run.Results[0], StringComparison.Ordinal);
        Assert.Contains("visible-later", run.Results[0], StringComparison.Ordinal);
    }

    [BubblewrapFact]
    public async Task AnEnvFile_ReachedThroughALinkedFolder_IsHiddenToo()
    {
        using var ws = Workspace();
        var linked = Path.Combine(ws.Outside, "service");
        Directory.CreateDirectory(linked);
        File.WriteAllText(Path.Combine(linked, ".env"), "LINKED_MODE=linked-secret-91c2\n");
        Directory.CreateSymbolicLink(Path.Combine(ws.Root, "service"), linked);
        File.WriteAllText(Path.Combine(ws.Root, "read.sh"), "cat service/.env; echo '|end'\n");

        var run = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("sh read.sh")));

        Assert.True(run.Result.ExitCode == 0, run.All);
        Assert.Contains("|end", run.Results[0], StringComparison.Ordinal);
        Assert.DoesNotContain("linked-secret", run.Results[0], StringComparison.Ordinal);
        var control = await ws.RunAsync(ws.Script(SandboxWorkspace.Shell("sh read.sh")), "--sandbox", "off");
        Assert.Contains("linked-secret", control.Results[0], StringComparison.Ordinal);
    }

    private static SandboxWorkspace Workspace()
    {
        var ws = new SandboxWorkspace();
        Directory.CreateDirectory(Path.Combine(ws.Root, "app"));
        File.WriteAllText(Path.Combine(ws.Root, ".env"), Secret + "\n");
        File.WriteAllText(Path.Combine(ws.Root, "app", ".env.local"), Nested + "\n");
        File.WriteAllText(Path.Combine(ws.Root, ".env.example"), Template + "\n");
        return ws;
    }
}
