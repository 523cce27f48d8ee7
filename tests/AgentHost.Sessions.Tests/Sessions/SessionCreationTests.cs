using AgentHost.Sessions;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;

namespace AgentHost.Sessions.Tests;

/// <summary>A created session is returned as written, without reading its row back: it must be exactly the stored row.</summary>
public sealed class SessionCreationTests
{
    private const string Key = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";

    [Fact]
    public async Task CreateSession_ReturnsWhatAReadOfItsRowGives_TitleScrubbedAndSettingsNormalized()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var created = await harness.Store.CreateSessionAsync(new NewSession(harness.Workspace + Path.DirectorySeparatorChar, "openai", "gpt-4o")
        {
            Prompt = $"  \n fix the build with {Key} please\nand more",
            Settings = new Dictionary<string, string> { ["Max-Steps"] = "7", ["token"] = Key },
        });

        AssertSame(await harness.Store.GetSessionAsync(created.Id), created);
        Assert.DoesNotContain(Key, created.Title, StringComparison.Ordinal);
        Assert.Equal(harness.Workspace, created.Workspace);
    }

    [Fact]
    public async Task CreateLeasedSession_WithoutPromptOrModel_ReturnsWhatAReadOfItsRowGives()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var (created, lease) = await harness.Store.CreateLeasedSessionAsync(new NewSession(harness.Workspace));
        await using (lease)
        {
            AssertSame(await harness.Store.GetSessionAsync(created.Id), created);
            Assert.Equal(string.Empty, created.Title);
            Assert.Null(created.Provider);
        }
    }

    private static void AssertSame(SessionInfo stored, SessionInfo created)
    {
        Assert.Equal(stored with { Settings = created.Settings }, created);
        Assert.Equal(stored.Settings.OrderBy(p => p.Key, StringComparer.Ordinal), created.Settings.OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
