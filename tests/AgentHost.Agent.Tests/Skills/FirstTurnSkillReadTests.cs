using AgentHost.Agent.Skills;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Skills;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Skills;

/// <summary>
/// A session's first turn and the read of the skills begun when the session opened (#50): a turn that begins soon
/// after the open takes that read even when it is done (a headless run's turn begins milliseconds after the open; a
/// second walk of every skill folder was on the way to its first request); a turn that begins later (a person typed)
/// reads the skills again, and sees what changed meanwhile.
/// </summary>
public sealed class FirstTurnSkillReadTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);

    private string Skills => _temp.Combine("user-skills");

    [Fact]
    public async Task AFirstTurnSoonAfterTheOpen_TakesTheFinishedOpeningRead_WithoutWalkingTheFoldersAgain()
    {
        SkillFiles.Write(Skills, "alpha", "The opening description.");
        var (active, catalog) = await OpenAsync();
        _time.Advance(ActiveSkills.OpeningReadKeptFor - TimeSpan.FromMilliseconds(1));

        active.BeginTurn();
        var snapshot = active.Snapshot;

        Assert.Equal(1, catalog.Scans);
        Assert.Equal("The opening description.", snapshot.Find("alpha")!.Description);
    }

    [Fact]
    public async Task AFirstTurnLaterThanThat_ReadsTheSkillsAgain_AndSeesWhatChanged()
    {
        SkillFiles.Write(Skills, "alpha", "The opening description.");
        var (active, catalog) = await OpenAsync();
        SkillFiles.Write(Skills, "alpha", "Edited while the person was typing.");
        _time.Advance(ActiveSkills.OpeningReadKeptFor);

        active.BeginTurn();
        var snapshot = active.Snapshot;

        Assert.Equal(2, catalog.Scans);
        Assert.Equal("Edited while the person was typing.", snapshot.Find("alpha")!.Description);
    }

    /// <summary>A session's skills whose opening read (a real scan, as <c>SkillSession.Create</c> does it) has finished.</summary>
    private async Task<(ActiveSkills Active, SkillCatalog Catalog)> OpenAsync()
    {
        var catalog = new SkillCatalog([new SkillRoot(Skills, SkillSource.User, "user")]);
        var opening = SkillOpeningRead.Begin(catalog.ReadAhead);
        var active = new ActiveSkills(catalog, _temp.Combine("home"), opening, async () => ActiveSkills.TakeBaseline((await opening.Completion)!.All), _time);
        await opening.Completion;
        return (active, catalog);
    }

    public void Dispose() => _temp.Dispose();
}
