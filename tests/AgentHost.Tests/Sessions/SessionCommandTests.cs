using System.Text.Json;
using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Sessions;

/// <summary><c>agent session …</c> through the real command line, against a real database in a temp AGENT_HOME.</summary>
public sealed class SessionCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public SessionCommandTests()
    {
        Directory.CreateDirectory(_temp.Combine("repo", ".git"));
        Directory.CreateDirectory(_temp.Combine("elsewhere"));
    }

    private string Repo => _temp.Combine("repo");

    private HostEnvironment Environment => TestEnvironment.Create(_temp.Path, Repo);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task List_ShowsThisWorkspacesSessions_AndAllWithTheFlag()
    {
        var (mine, other) = await SeedTwoAsync();

        var list = await RunAsync("session", "list");
        var all = await RunAsync("session", "list", "--all");
        var json = await RunAsync("session", "list", "--all", "--json");

        Assert.Equal(ExitCodes.Success, list.ExitCode);
        Assert.Matches(@"ID\s+UPDATED\s+STATUS\s+MESSAGES\s+TITLE", list.Output);
        Assert.Matches($@"{mine.Id}\s+\S+ \S+\s+completed\s+2\s+Fix the build", list.Output);
        Assert.DoesNotContain(other.Id, list.Output, StringComparison.Ordinal);
        Assert.Contains(other.Id, all.Output, StringComparison.Ordinal);
        Assert.Contains("WORKSPACE", all.Output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(2, document.RootElement.GetArrayLength());
        Assert.Equal(other.Id, document.RootElement[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task List_WhenEmpty_SaysHowToSeeOtherWorkspaces()
    {
        var result = await RunAsync("session", "list");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("No sessions in", result.Output, StringComparison.Ordinal);
        Assert.Contains("--all", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_ByUniquePrefix_PrintsMetadataUsageCostAndCounts()
    {
        var (mine, _) = await SeedTwoAsync();

        var result = await RunAsync("session", "show", mine.Id[..18].ToLowerInvariant());
        var json = await RunAsync("session", "show", mine.Id, "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains($"{mine.Id}  Fix the build", result.Output, StringComparison.Ordinal);
        Assert.Contains("model:       openai/gpt-4o", result.Output, StringComparison.Ordinal);
        Assert.Contains("tokens:      1000 in, 50 out, 0 cached", result.Output, StringComparison.Ordinal);
        Assert.Contains("cost:        $0.0120", result.Output, StringComparison.Ordinal);
        Assert.Contains("messages:    2", result.Output, StringComparison.Ordinal);
        Assert.Contains("tool calls:  1", result.Output, StringComparison.Ordinal);
        Assert.Contains("status:      completed", result.Output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(0.012m, document.RootElement.GetProperty("usage").GetProperty("cost").GetDecimal());
        Assert.Equal(1, document.RootElement.GetProperty("toolEvents").GetInt32());
    }

    [Fact]
    public async Task UnknownId_ExitsWithNotFound_AndSuggestsACloseId()
    {
        var (mine, _) = await SeedTwoAsync();
        var typo = mine.Id[..^1] + (mine.Id[^1] == 'Z' ? "Y" : "Z");

        foreach (var command in new[] { "show", "history", "delete", "export", "fork" })
        {
            var result = await RunAsync("session", command, typo);

            Assert.Equal(ExitCodes.NotFound, result.ExitCode);
            Assert.Contains($"error: session '{typo}' was not found. Did you mean: {mine.Id}?", result.Error, StringComparison.Ordinal);
        }

        var nothingClose = await RunAsync("session", "show", "ZZZZZZZZZZZZZZZZZZZZZZZZZZ");
        Assert.Equal(ExitCodes.NotFound, nothingClose.ExitCode);
        Assert.Contains("See 'agent session list --all'", nothingClose.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_PagesWithTheCursorItPrints()
    {
        string id;
        using (var store = await OpenStoreAsync())
        {
            var session = await store.CreateSessionAsync(new NewSession(Repo));
            id = session.Id;
            for (var i = 1; i <= 5; i++)
            {
                await store.Conversation.AppendMessageAsync(id, new ChatMessage(ChatRole.User, $"message {i}"));
            }

            await store.Conversation.RecordToolEventAsync(new ToolEventRecord(id, "c1", "grep", "core", "{\"pattern\":\"TODO\"}", ToolCallStatus.Succeeded, 42));
        }

        var first = await RunAsync("session", "history", id, "--limit", "2");
        var second = await RunAsync("session", "history", id, "--limit", "2", "--cursor", "2");
        var last = await RunAsync("session", "history", id, "--limit", "2", "--cursor", "4", "--json");
        var tools = await RunAsync("session", "history", id, "--kind", "tools");
        var bad = await RunAsync("session", "history", id, "--cursor", "nope");

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Contains("message 1", first.Output, StringComparison.Ordinal);
        Assert.Contains("message 2", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("message 3", first.Output, StringComparison.Ordinal);
        Assert.Contains("next cursor: 2", first.Output, StringComparison.Ordinal);
        Assert.Contains("message 3", second.Output, StringComparison.Ordinal);
        Assert.Contains("next cursor: 4", second.Output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(last.Output);
        Assert.Equal(1, json.RootElement.GetProperty("items").GetArrayLength());
        Assert.Equal(5, json.RootElement.GetProperty("items")[0].GetProperty("seq").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("nextCursor").ValueKind);
        Assert.Matches(@"#1\s+\S+ \S+\s+grep\s+succeeded\s+42 ms\s+\{""pattern"":""TODO""\}", tools.Output);
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("not a history cursor", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rename_SetsTheTitle()
    {
        var (mine, _) = await SeedTwoAsync();

        var result = await RunAsync("session", "rename", mine.Id, "Build fixes, round 2");
        var show = await RunAsync("session", "show", mine.Id);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains($"Renamed {mine.Id}: Build fixes, round 2", result.Output, StringComparison.Ordinal);
        Assert.Contains("Build fixes, round 2", show.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_NeedsYesWhenHeadless_ThenDeletes()
    {
        var (mine, other) = await SeedTwoAsync();

        var refused = await RunAsync("session", "delete", mine.Id);
        var stillThere = await RunAsync("session", "show", mine.Id);
        var deleted = await RunAsync("session", "delete", mine.Id, "--yes");
        var gone = await RunAsync("session", "show", mine.Id);

        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("--yes", refused.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", refused.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, stillThere.ExitCode);
        Assert.Equal(ExitCodes.Success, deleted.ExitCode);
        Assert.Contains($"Deleted session {mine.Id}.", deleted.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, gone.ExitCode);
        Assert.Equal(ExitCodes.Success, (await RunAsync("session", "show", other.Id)).ExitCode);
    }

    [Fact]
    public async Task ExportImport_RoundTripsThroughFiles_AndMarkdownGoesToStdout()
    {
        var (mine, _) = await SeedTwoAsync();
        var file = _temp.Combine("out", "session.jsonl");

        var export = await RunAsync("session", "export", mine.Id, "--format", "jsonl", "--output", file);
        var delete = await RunAsync("session", "delete", mine.Id, "--yes");
        var import = await RunAsync("session", "import", file);
        var markdown = await RunAsync("session", "export", mine.Id, "--format", "markdown");
        var missing = await RunAsync("session", "import", _temp.Combine("nope.jsonl"));

        Assert.True(export.ExitCode == ExitCodes.Success, export.Error);
        Assert.Contains(file, export.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, delete.ExitCode);
        Assert.True(import.ExitCode == ExitCodes.Success, import.Error);
        Assert.Contains($"Imported session {mine.Id} (2 messages, 1 tool calls): Fix the build", import.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, markdown.ExitCode);
        Assert.StartsWith("# Fix the build", markdown.Output, StringComparison.Ordinal);
        Assert.Contains("## Assistant", markdown.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fork_AtAMessage_CreatesALinkedCopy()
    {
        var (mine, _) = await SeedTwoAsync();
        string firstMessage;
        using (var store = await OpenStoreAsync())
        {
            firstMessage = (await store.Conversation.GetHistoryAsync(mine.Id)).Messages[0].Id;
        }

        var fork = await RunAsync("session", "fork", mine.Id, "--at", firstMessage);

        Assert.True(fork.ExitCode == ExitCodes.Success, fork.Error);
        Assert.Matches($@"Forked {mine.Id} into (\w{{26}}) \(1 messages, up to {firstMessage}\)\.", fork.Output);
        var forkId = System.Text.RegularExpressions.Regex.Match(fork.Output, @"into (\w{26})").Groups[1].Value;
        var show = await RunAsync("session", "show", forkId);
        Assert.Contains($"forked from: {mine.Id} at message {firstMessage}", show.Output, StringComparison.Ordinal);
        var badAt = await RunAsync("session", "fork", mine.Id, "--at", "01NOTAMESSAGE");
        Assert.Equal(ExitCodes.NotFound, badAt.ExitCode);
    }

    [Fact]
    public async Task Prune_DeletesOldSessions_WithYes_AndRejectsABadAge()
    {
        string oldId;
        string newId;
        using (var old = await OpenStoreAsync(new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(-45))))
        {
            oldId = (await old.CreateSessionAsync(new NewSession(Repo))).Id;
        }

        using (var store = await OpenStoreAsync())
        {
            newId = (await store.CreateSessionAsync(new NewSession(Repo))).Id;
        }

        var refused = await RunAsync("session", "prune", "--older-than", "30d");
        var pruned = await RunAsync("session", "prune", "--older-than", "30d", "--yes");
        var nothing = await RunAsync("session", "prune", "--older-than", "720h", "--yes");
        var bad = await RunAsync("session", "prune", "--older-than", "a month", "--yes");

        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("--yes", refused.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, pruned.ExitCode);
        Assert.Contains("Pruned 1 sessions not updated for 30d.", pruned.Output, StringComparison.Ordinal);
        Assert.Contains("No sessions older than 720h.", nothing.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("'a month' is not an age", bad.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("session", "show", oldId)).ExitCode);
        Assert.Equal(ExitCodes.Success, (await RunAsync("session", "show", newId)).ExitCode);
    }

    [Fact]
    public async Task Settings_SetThenGet_ShowsTheValueAndItsLayer()
    {
        var (mine, _) = await SeedTwoAsync();
        _temp.WriteFile("repo/.agent/config.yaml", "session:\n  temperature: 0.3\n");

        var set = await RunAsync("session", "settings", "set", mine.Id, "max_steps", "25");
        var one = await RunAsync("session", "settings", "get", mine.Id, "max_steps");
        var all = await RunAsync("session", "settings", "get", mine.Id);
        var flag = await RunAsync("session", "settings", "get", mine.Id, "max_steps", "-c", "session.max_steps=3");
        var missing = await RunAsync("session", "settings", "get", mine.Id, "max_step");

        Assert.Equal(ExitCodes.Success, set.ExitCode);
        Assert.Contains($"Set max_steps = 25 for session {mine.Id}.", set.Output, StringComparison.Ordinal);
        Assert.Equal("max_steps = 25    (source: session)", one.Output.Trim());
        Assert.Contains("max_steps = 25    (source: session)", all.Output, StringComparison.Ordinal);
        Assert.Contains($"temperature = 0.3    (source: {_temp.Combine("repo", ".agent", "config.yaml")}:2)", all.Output, StringComparison.Ordinal);
        Assert.Equal("max_steps = 3    (source: flag -c session.max_steps=3)", flag.Output.Trim());
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
        Assert.Contains("Did you mean: max_steps?", missing.Error, StringComparison.Ordinal);
    }

    private async Task<(SessionInfo Mine, SessionInfo Other)> SeedTwoAsync()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        using var store = await OpenStoreAsync(time);
        var mine = await store.CreateSessionAsync(new NewSession(Repo, "openai", "gpt-4o"));
        await store.Conversation.AppendMessageAsync(mine.Id, new ChatMessage(ChatRole.User, "Fix the build"));
        await store.Conversation.AppendMessageAsync(mine.Id, new ChatMessage(ChatRole.Assistant, "Fixed."));
        await store.Conversation.RecordToolEventAsync(new ToolEventRecord(mine.Id, "c1", "bash", "core", "{\"command\":\"dotnet build\"}", ToolCallStatus.Succeeded, 900));
        await store.RecordUsageAsync(mine.Id, new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 50 }, 0.012m);
        await store.SetStatusAsync(mine.Id, SessionStatus.Completed);
        time.Advance(TimeSpan.FromMinutes(1));
        var other = await store.CreateSessionAsync(new NewSession(_temp.Combine("elsewhere")) { Prompt = "Elsewhere work" });
        return (await store.GetSessionAsync(mine.Id), other);
    }

    [Fact]
    public async Task GrantRevokeAndAudit_ManageTheSessionsAllowRules()
    {
        var (mine, _) = await SeedTwoAsync();
        using (var store = await OpenStoreAsync())
        {
            await store.Audit.RecordDecisionAsync(new AgentHost.Permissions.Gate.PermissionAuditEntry(mine.Id, "c9", "shell", "deny", "mode", "config")
            {
                Subject = "make deploy",
                Mode = "dont-ask",
                Reason = "no rule allows running make deploy",
                Risk = "execute",
            });
        }

        var granted = await RunAsync("session", "grant", mine.Id[..10], "shell(make test)", "write(src/**)");
        var malformed = await RunAsync("session", "grant", mine.Id, "shell(make test");
        var revoked = await RunAsync("session", "revoke", mine.Id, "write(src/**)");
        var mode = await RunAsync("session", "settings", "set", mine.Id, "permission_mode", "acceptEdits");
        var badMode = await RunAsync("session", "settings", "set", mine.Id, "permission_mode", "sometimes");
        var text = await RunAsync("session", "audit", mine.Id);
        var json = await RunAsync("session", "audit", mine.Id, "--json");

        Assert.Equal(ExitCodes.Success, granted.ExitCode);
        Assert.Equal(ExitCodes.Usage, malformed.ExitCode);
        Assert.Contains("is not a permission rule", malformed.Error, StringComparison.Ordinal);
        Assert.Contains("Revoked write(src/**)", revoked.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, mode.ExitCode);
        Assert.Equal(ExitCodes.Usage, badMode.ExitCode);
        Assert.Contains("ask, accept-edits, plan, yolo, dont-ask", badMode.Error, StringComparison.Ordinal);
        Assert.Contains("mode accept-edits, 1 grant(s): shell(make test)", text.Output, StringComparison.Ordinal);
        Assert.Matches(@"deny\s+mode\s+config\s+dont-ask\s+execute\s+shell make deploy", text.Output);
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(["shell(make test)"], document.RootElement.GetProperty("grants").EnumerateArray().Select(g => g.GetString()));
        var decision = Assert.Single(document.RootElement.GetProperty("decisions").EnumerateArray());
        Assert.Equal("make deploy", decision.GetProperty("subject").GetString());
        Assert.Equal("config", decision.GetProperty("answeredBy").GetString());
        Assert.Equal("execute", decision.GetProperty("risk").GetString());
    }

    private Task<SessionStore> OpenStoreAsync(TimeProvider? time = null) =>
        SessionStore.OpenAsync(SessionTestStore.DatabaseOf(Environment), SecretScrubber.PatternsOnly, time);

    private Task<CliResult> RunAsync(params string[] args) => CliRunner.RunAsync(Environment, args);
}
