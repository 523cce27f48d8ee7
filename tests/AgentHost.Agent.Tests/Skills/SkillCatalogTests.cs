using AgentHost.Agent.Skills;
using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Skills;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Agent.Tests.Skills;

/// <summary>Discovery under roots: precedence, shadowing, caps, links, hot pick-up and the prompt catalog.</summary>
public sealed class SkillCatalogTests
{
    [Fact]
    public void HigherRoot_ShadowsLower_WithAWarningNamingBothPaths()
    {
        using var temp = new TempDirectory();
        var project = SkillFiles.Write(temp.Combine("project"), "review", "Project review rules.");
        var user = SkillFiles.Write(temp.Combine("user"), "review", "User review rules.");
        SkillFiles.Write(temp.Combine("user"), "notes");
        var catalog = new SkillCatalog([Root(temp.Combine("project"), SkillSource.Project), Root(temp.Combine("user"), SkillSource.User)]);

        var snapshot = catalog.Current;

        Assert.Equal("Project review rules.", snapshot.Find("review")!.Description);
        Assert.Equal(["notes", "review"], snapshot.Available.Select(s => s.Name).Order(StringComparer.Ordinal));
        var shadowed = Assert.Single(snapshot.All, s => s.Status == SkillStatus.Shadowed);
        Assert.Equal(user, shadowed.File);
        Assert.Equal(project, shadowed.ShadowedBy);
        var warning = Assert.Single(shadowed.Problems);
        Assert.Contains(user, warning.ToString(), StringComparison.Ordinal);
        Assert.Contains(project, warning.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DisabledNames_AreListedAsDisabled_InEveryRoot_AndLeaveThePromptCatalog()
    {
        using var temp = new TempDirectory();
        SkillFiles.Write(temp.Combine("project"), "deploy", "Deploys to production.");
        SkillFiles.Write(temp.Combine("user"), "deploy", "User deploy.");
        SkillFiles.Write(temp.Combine("user"), "notes", "Takes notes.");
        var catalog = new SkillCatalog([Root(temp.Combine("project"), SkillSource.Project), Root(temp.Combine("user"), SkillSource.User)])
        {
            Disabled = new HashSet<string>(["deploy"], StringComparer.Ordinal),
        };

        var snapshot = catalog.Current;

        Assert.Equal(["notes"], snapshot.Available.Select(s => s.Name));
        Assert.Null(snapshot.Find("deploy"));
        Assert.Equal([SkillStatus.Disabled, SkillStatus.Disabled], snapshot.All.Where(s => s.Name == "deploy").Select(s => s.Status));
        Assert.DoesNotContain("deploy", snapshot.ToPromptCatalog(), StringComparison.Ordinal);
        Assert.Contains("notes", snapshot.ToPromptCatalog(), StringComparison.Ordinal);
        var active = new ActiveSkills(catalog, temp.Path);
        var refused = Assert.Throws<SkillActivationException>(() => active.ActivateForUser("deploy"));
        Assert.Contains("skills.disabled", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenSkill_IsListedAsError_AndDoesNotShadowAUsableOne()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("a/pdf/SKILL.md", "---\nname: pdf\n---\nno description\n");
        SkillFiles.Write(temp.Combine("b"), "pdf", "Working PDF skill.");
        var catalog = new SkillCatalog([Root(temp.Combine("a"), SkillSource.Project), Root(temp.Combine("b"), SkillSource.User)]);

        var snapshot = catalog.Current;

        Assert.Equal(SkillStatus.Error, snapshot.All[0].Status);
        Assert.Equal("Working PDF skill.", snapshot.Find("pdf")!.Description);
    }

    [Fact]
    public void Search_SkipsGitAndNodeModules_FindsDotFolders_AndStopsAtTheDepthCap()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("root");
        SkillFiles.Write(Path.Combine(root, ".git"), "in-git");
        SkillFiles.Write(Path.Combine(root, "node_modules", "pkg"), "in-node-modules");
        SkillFiles.Write(Path.Combine(root, ".curated"), "curated");
        SkillFiles.Write(Path.Combine(root, "a", "b"), "two-deep");
        SkillFiles.Write(Path.Combine(root, "a", "b", "c", "d"), "four-deep");
        var catalog = new SkillCatalog([Root(root, SkillSource.User)], limits: new SkillScanLimits { MaxDepth = 3 });

        var names = catalog.Current.All.Select(s => s.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["curated", "two-deep"], names);
    }

    [Fact]
    public void DirectoryCap_StopsTheSearch_WithANote()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("root");
        for (var i = 0; i < 5; i++)
        {
            Directory.CreateDirectory(Path.Combine(root, $"empty{i}"));
        }

        var catalog = new SkillCatalog([Root(root, SkillSource.User)], limits: new SkillScanLimits { MaxDirectories = 3 });

        Assert.Contains("stopped searching for skills after 3 folders", Assert.Single(catalog.Current.Notes), StringComparison.Ordinal);
    }

    [Fact]
    public void SymbolicLinks_AreFollowed_AndALinkLoopIsVisitedOnce()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("root");
        SkillFiles.Write(temp.Combine("elsewhere"), "linked");
        Directory.CreateDirectory(root);
        Directory.CreateSymbolicLink(Path.Combine(root, "shared"), temp.Combine("elsewhere"));
        Directory.CreateSymbolicLink(Path.Combine(root, "loop"), root);
        var catalog = new SkillCatalog([Root(root, SkillSource.User)]);

        var snapshot = catalog.Current;

        Assert.Equal("linked", Assert.Single(snapshot.All).Name);
        Assert.Empty(snapshot.Notes);
    }

    [Fact]
    public void LinksBelowTheTopLevel_AreResolved_SoASkillReachedFromTwoRootsIsOneSkill_AndADeepLoopIsVisitedOnce()
    {
        // The scanner builds real paths level by level (only a link is resolved in full): a link two levels down, into
        // another root, and one that loops back to its grandparent must still be recognised.
        using var temp = new TempDirectory();
        var first = temp.Combine("first");
        var second = temp.Combine("second");
        SkillFiles.Write(Path.Combine(first, "nested"), "deep");
        Directory.CreateDirectory(Path.Combine(second, "group", "inner"));
        Directory.CreateSymbolicLink(Path.Combine(second, "group", "inner", "via"), Path.Combine(first, "nested"));
        Directory.CreateSymbolicLink(Path.Combine(second, "group", "inner", "back"), Path.Combine(second, "group"));
        var catalog = new SkillCatalog([Root(first, SkillSource.Project), Root(second, SkillSource.User)]);

        var snapshot = catalog.Current;

        var skill = Assert.Single(snapshot.All);
        Assert.Equal("deep", skill.Name);
        Assert.Equal(Path.Combine(first, "nested", "deep", "SKILL.md"), skill.File);
        Assert.Empty(snapshot.Notes);
    }

    [Fact]
    public void SkillAddedOrEditedAfterTheCatalogWasBuilt_IsPickedUpOnTheNextRead()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("skills");
        var file = SkillFiles.Write(root, "first", "Version one.");
        var catalog = new SkillCatalog([Root(root, SkillSource.User)]);
        var before = catalog.Current;
        Assert.Equal(["first"], before.All.Select(s => s.Name));
        Assert.Same(before, catalog.Current);

        SkillFiles.Write(root, "second");
        File.WriteAllText(file, "---\nname: first\ndescription: Version two, edited while the host runs.\n---\nBody\n");

        var after = catalog.Current;
        Assert.Equal(["first", "second"], after.All.Select(s => s.Name));
        Assert.Equal("Version two, edited while the host runs.", after.Find("first")!.Description);
        Assert.Same(after, catalog.Current);
    }

    [Fact]
    public async Task Problems_ArePublishedOnTheBusOnce_AsSkillsWarnings()
    {
        using var temp = new TempDirectory();
        var file = temp.WriteFile("skills/broken/SKILL.md", "# no frontmatter\n");
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var warnings = new List<WarningEvent>();
        using var subscription = CollectWarnings(bus, warnings);
        var catalog = new SkillCatalog([Root(temp.Combine("skills"), SkillSource.Project)], bus);

        _ = catalog.Current;
        SkillFiles.Write(temp.Combine("skills"), "fine");
        _ = catalog.Current;
        await bus.DrainAsync(CancellationToken.None);

        var warning = Assert.Single(warnings);
        Assert.Equal("skills", warning.Source);
        Assert.StartsWith($"{file}:1: error: SKILL.md must start with YAML frontmatter", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prefetch_PublishesNothing_ThenTheFirstReadGivesTheSameSkills_AndPublishesTheirProblemsOnce()
    {
        using var temp = new TempDirectory();
        var file = temp.WriteFile("skills/broken/SKILL.md", "# no frontmatter\n");
        SkillFiles.Write(temp.Combine("skills"), "fine");
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var warnings = new List<WarningEvent>();
        using var subscription = CollectWarnings(bus, warnings);
        var prefetched = new SkillCatalog([Root(temp.Combine("skills"), SkillSource.Project)], bus);
        var plain = new SkillCatalog([Root(temp.Combine("skills"), SkillSource.Project)]);

        prefetched.Prefetch();
        await bus.DrainAsync(CancellationToken.None);
        Assert.Empty(warnings);

        var first = prefetched.Current;
        _ = prefetched.Current;
        await bus.DrainAsync(CancellationToken.None);

        Assert.Equal(plain.Current.All.Select(s => (s.Name, s.File, s.Status)), first.All.Select(s => (s.Name, s.File, s.Status)));
        Assert.Equal(plain.Current.ToPromptCatalog(), first.ToPromptCatalog());
        var warning = Assert.Single(warnings);
        Assert.StartsWith($"{file}:1: error: SKILL.md must start with YAML frontmatter", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PromptCatalog_ListsNameDescriptionAndLocation_SortedAndEscaped_WithoutModelHiddenSkills()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("skills");
        var pdf = SkillFiles.Write(root, "pdf", "Read <PDF> & forms.");
        SkillFiles.Write(root, "adr", "Write architecture decision records.");
        SkillFiles.Write(root, "release", "Only the user runs releases.", extra: "disable-model-invocation: true\n");
        var catalog = new SkillCatalog([Root(root, SkillSource.Project)]);

        var text = catalog.Current.ToPromptCatalog();

        Assert.Equal(
            "<available_skills>\n" +
            $"<skill>\n<name>adr</name>\n<description>Write architecture decision records.</description>\n<location>{Path.Combine(root, "adr", "SKILL.md")}</location>\n</skill>\n" +
            $"<skill>\n<name>pdf</name>\n<description>Read &lt;PDF&gt; &amp; forms.</description>\n<location>{pdf}</location>\n</skill>\n" +
            "</available_skills>",
            text);
        Assert.NotNull(catalog.Current.Find("release"));
    }

    [Fact]
    public void PromptCatalog_IsNull_WhenNoSkillIsForTheModel()
    {
        using var temp = new TempDirectory();
        SkillFiles.Write(temp.Combine("skills"), "release", extra: "disable-model-invocation: true\n");

        Assert.Null(new SkillCatalog([Root(temp.Combine("skills"), SkillSource.User)]).Current.ToPromptCatalog());
    }

    [Fact]
    public void Corpus_LoadsTheUsableSkills_AndReportsTheBrokenOnes()
    {
        var snapshot = new SkillCatalog([Root(SkillFiles.Corpus, SkillSource.User)]).Current;

        Assert.Equal(
            ["agentic-workflow-designer", "brainstorming", "bump-version", "claude-api", "empty-body", "gh-fix-ci", "hook-development", "pdf", "template-skill", "use-when-colon", "writing-hookify-rules"],
            snapshot.Available.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal(4, snapshot.All.Count(s => s.Status == SkillStatus.Error));
    }

    private static SkillRoot Root(string path, SkillSource source) => new(path, source, source.ToString().ToLowerInvariant());

    /// <summary>Adds every warning published on the bus to the list (under its lock).</summary>
    private static IDisposable CollectWarnings(EventBus bus, List<WarningEvent> warnings) =>
        bus.Subscribe<WarningEvent>((e, _) =>
        {
            lock (warnings)
            {
                warnings.Add(e);
            }

            return ValueTask.CompletedTask;
        });
}
