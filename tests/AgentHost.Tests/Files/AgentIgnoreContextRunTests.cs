using AgentHost.Cli.Chat;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Files;

/// <summary>
/// End to end: what the project's agent ignore files (<c>.agentignore</c>, <c>.crushignore</c>) exclude stays out of
/// the model's context on every way in — <c>@file</c>, <c>@dir/</c>, <c>--context</c>, <c>--image</c>, memory imports
/// and the chat's <c>@</c> completion — with git's ignore-file meaning (negation, anchoring, nested files), as the files
/// plugin's tools refuse it.
/// </summary>
public sealed class AgentIgnoreContextRunTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public AgentIgnoreContextRunTests()
    {
        Write(".agentignore", "secrets/\n*.key\n!public.key\n");
        Write("secrets/.env", "API_TOKEN=hunter2-SECRET-ENV\n");
        Write("secrets/notes.md", "SECRET-NOTES from the vault\n");
        Write("notes.txt", "NOTE-CONTENT is fine\n");
        Write("deploy.key", "KEY-SECRET-MATERIAL\n");
        Write("public.key", "PUBLIC-KEY-CONTENT\n");
        Write("docs/.crushignore", "/private.md\n");
        Write("docs/private.md", "PRIVATE-DOC-CONTENT\n");
        Write("docs/public.md", "PUBLIC-DOC-CONTENT\n");
        Write("docs/deeper/private.md", "DEEPER-DOC-CONTENT\n");
    }

    [Fact]
    public async Task Run_InlineReferencesToExcludedFiles_AreNotExpanded_AndThePromptSaysWhy()
    {
        var script = _ws.WriteScript("""
            turns:
              - expect:
                  last_user_contains: "'secrets/.env' is excluded by the project's .agentignore"
                  last_user_lacks: [hunter2, KEY-SECRET-MATERIAL, PRIVATE-DOC-CONTENT]
                text: seen
              - expect:
                  last_user_contains: "'docs/private.md' is excluded by the project's docs/.crushignore"
                text: seen too
              - expect:
                  last_user_contains: "PUBLIC-KEY-CONTENT"
                text: negation kept it
              - expect:
                  last_user_contains: "DEEPER-DOC-CONTENT"
                text: anchoring kept it
            """);

        var excluded = await RunAsync(script, "Read @secrets/.env and @deploy.key and @docs/private.md and @notes.txt");
        var nested = await RunAsync(script, "Again @docs/private.md", "--continue");
        var negated = await RunAsync(script, "Now @public.key", "--continue");
        var anchored = await RunAsync(script, "And @docs/deeper/private.md", "--continue");

        Assert.True(excluded.ExitCode == ExitCodes.Success, excluded.Error);
        Assert.Contains("@secrets/.env was not included", excluded.Error, StringComparison.Ordinal);
        Assert.Contains("@deploy.key was not included", excluded.Error, StringComparison.Ordinal);
        Assert.True(nested.ExitCode == ExitCodes.Success, nested.Error);
        Assert.True(negated.ExitCode == ExitCodes.Success, negated.Error);
        Assert.True(anchored.ExitCode == ExitCodes.Success, anchored.Error);
    }

    [Fact]
    public async Task Run_DirectoryReference_LeavesExcludedEntriesOut()
    {
        var script = _ws.WriteScript("""
            turns:
              - expect:
                  last_user_contains: "docs/public.md"
                  last_user_lacks: ["secrets/.env", "secrets/notes.md", "deploy.key", "docs/private.md"]
                text: listed
              - expect:
                  last_user_contains: "'secrets/' is excluded by the project's .agentignore"
                text: refused
            """);

        var listed = await RunAsync(script, "List @./ please");
        var refused = await RunAsync(script, "List @secrets/ please", "--continue");

        Assert.True(listed.ExitCode == ExitCodes.Success, listed.Error);
        Assert.True(refused.ExitCode == ExitCodes.Success, refused.Error);
    }

    [Fact]
    public async Task Run_ExplicitContextOrImageOfAnExcludedFile_FailsNamingTheFileAndTheIgnoreFile()
    {
        Write("secrets/shot.png", "not really an image");
        var script = _ws.WriteScript("turns:\n  - text: never\n");

        var context = await RunAsync(script, "look", "--context", "secrets/.env");
        var image = await RunAsync(script, "look", "--image", "secrets/shot.png");

        Assert.Equal(ExitCodes.Usage, context.ExitCode);
        Assert.Contains("--context @secrets/.env: 'secrets/.env' is excluded by the project's .agentignore", context.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, image.ExitCode);
        Assert.Contains("--image secrets/shot.png: 'secrets/shot.png' is excluded by the project's .agentignore", image.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MemoryImportOfAnExcludedFile_IsSkippedWithAWarning()
    {
        Write("CLAUDE.md", "Project rules.\n@notes.txt\n@secrets/notes.md\n");
        var script = _ws.WriteScript("""
            turns:
              - expect:
                  system_contains: "NOTE-CONTENT"
                  system_lacks: ["SECRET-NOTES"]
                text: ok
            """);

        var run = await RunAsync(script, "hello");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("memory file CLAUDE.md imports @secrets/notes.md, which the project's .agentignore excludes", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatCompletion_DoesNotOfferExcludedFiles()
    {
        var mentions = new FileMentions(_ws.Root);

        var top = await mentions.CompleteAsync(string.Empty, CancellationToken.None);
        var docs = await mentions.CompleteAsync("docs/", CancellationToken.None);

        Assert.DoesNotContain("secrets/", top);
        Assert.DoesNotContain("deploy.key", top);
        Assert.Contains("public.key", top);
        Assert.Contains("notes.txt", top);
        Assert.Equal(["docs/.crushignore", "docs/deeper/", "docs/public.md"], docs);
    }

    public void Dispose() => _ws.Dispose();

    private Task<CliResult> RunAsync(string script, string prompt, params string[] more) =>
        _ws.RunAsync(["run", prompt, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + script, .. more]);

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(_ws.Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
