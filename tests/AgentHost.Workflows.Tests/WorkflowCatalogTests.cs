using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Workflows;
using AgentHost.Tests.Support;
using AgentHost.Workflows.Model;
using AgentHost.Workflows.Parsing;

namespace AgentHost.Workflows.Tests;

/// <summary>Where workflows are found, precedence and shadowing, broken files, Find by name or path, and the bundled ones.</summary>
public sealed class WorkflowCatalogTests
{
    private static string Flow(string name, string description = "d") =>
        $"name: {name}\ndescription: {description}\nnodes:\n  - id: a\n    kind: shell\n    command: echo hi\n";

    [Fact]
    public void Entries_FollowPrecedence_ProjectUserPluginFolderPluginCodeBundled_AndMarkShadowed()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("project/.agents/workflows/review.yaml", Flow("parallel-review", "project review"));
        temp.WriteFile("project/.agents/workflows/mine.yml", Flow("mine"));
        temp.WriteFile("project/.agents/workflows/notes.txt", "not a workflow");
        temp.WriteFile("user/workflows/mine.yaml", Flow("mine", "user mine"));
        temp.WriteFile("user/workflows/user-only.yaml", Flow("user-only"));
        temp.WriteFile("plugin/flows/from-folder.yaml", Flow("from-folder"));
        temp.WriteFile("plugin/plugin.yaml", "id: kit\nversion: 1.0.0\ndescription: Workflows\nsdk: \"^1.0\"\nworkflows: flows\n");
        var manifest = ManifestReader.ReadFromDirectory(temp.Combine("plugin"));
        Assert.Equal(["flows"], manifest.WorkflowDirectories);
        var registry = new CapabilityRegistry();
        registry.AddRange("kit", "1.0.0", [new WorkflowCapability(new WorkflowBuilder("from-code").Description("built").Nodes(n => n.Shell("s", "true")).Build())]);

        var catalog = new WorkflowCatalog(temp.Combine("project"), temp.Combine("user", "workflows"), [manifest], registry);

        var entries = catalog.Entries;
        Assert.Equal(
            ["mine", "parallel-review", "mine", "user-only", "from-folder", "from-code", "feature-pipeline", "implement-test-fix", "parallel-review"],
            entries.Select(e => e.Name));
        Assert.Equal(["project", "project", "user", "user", "plugin kit", "plugin kit", "bundled", "bundled", "bundled"], entries.Select(e => e.SourceName));
        Assert.Null(entries[0].ShadowedBy);
        Assert.Equal(entries[0].Source, entries[2].ShadowedBy);
        Assert.Equal(entries[1].Source, entries[8].ShadowedBy);
        Assert.Equal("built", entries[5].Description);
        Assert.Equal("plugin 'kit' workflow 'from-code'", entries[5].Source.Path);
        Assert.Equal("kit", entries[4].Source.Plugin);
        Assert.All(entries, e => Assert.Empty(e.Problems));

        Assert.Equal("project review", catalog.Find("parallel-review", temp.Path).Description);
        Assert.Equal(WorkflowSourceKind.Project, catalog.Find("mine", temp.Path).Source.Kind);
        Assert.Equal(WorkflowSourceKind.Bundled, catalog.Find("implement-test-fix", temp.Path).Source.Kind);
    }

    [Fact]
    public void AnUntrustedProjectsWorkflow_NeverTakesANameAnotherSourceHas_AndIsListedWithBothOrigins()
    {
        using var temp = new TempDirectory();
        var file = temp.WriteFile("project/.agents/workflows/review.yaml", Flow("parallel-review", "project review"));
        temp.WriteFile("project/.agents/workflows/own.yaml", Flow("own-name"));

        var untrusted = new WorkflowCatalog(temp.Combine("project"), temp.Combine("u"), projectTrusted: false);
        var trusted = new WorkflowCatalog(temp.Combine("project"), temp.Combine("u"), projectTrusted: true);

        Assert.Equal(WorkflowSourceKind.Bundled, untrusted.Find("parallel-review", temp.Path).Source.Kind);
        Assert.Equal(WorkflowSourceKind.Project, untrusted.Find("own-name", temp.Path).Source.Kind);
        var shadowed = Assert.Single(untrusted.Shadowed("parallel-review"));
        Assert.True(shadowed.NotTrusted);
        Assert.Equal(file, shadowed.Source.Path);
        Assert.Equal("(not used: the project is not trusted, and bundled has this name: bundled/parallel-review.yaml; 'agent trust' lets it take the name)", shadowed.ShadowNote);

        Assert.Equal("project review", trusted.Find("parallel-review", temp.Path).Description);
        var bundled = Assert.Single(trusted.Shadowed("parallel-review"));
        Assert.False(bundled.NotTrusted);
        Assert.Equal($"(shadowed by project: {file})", bundled.ShadowNote);
    }

    [Fact]
    public void BrokenFile_IsListedWithItsProblems_AndFindReportsThem()
    {
        using var temp = new TempDirectory();
        var file = temp.WriteFile("p/.agents/workflows/broken.yaml", "name: broken\nnodes:\n  - id: a\n    kind: shel\n");
        temp.WriteFile("p/.agents/workflows/good.yaml", Flow("good"));
        var catalog = new WorkflowCatalog(temp.Combine("p"), temp.Combine("u"), includeBundled: false);

        var broken = Assert.Single(catalog.Entries, e => e.Name == "broken");
        Assert.Null(broken.Definition);
        Assert.StartsWith($"{file}:4: field 'a.kind': 'shel' is not a node kind.", Assert.Single(broken.Problems), StringComparison.Ordinal);
        Assert.NotNull(Assert.Single(catalog.Entries, e => e.Name == "good").Definition);
        var error = Assert.Throws<WorkflowFormatException>(() => catalog.Find("broken", temp.Path));
        Assert.Same(broken.Error, error);
    }

    [Fact]
    public void Find_ByPath_ReadsTheFile_RelativeToTheWorkingDirectory()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("elsewhere/x.yaml", Flow("x"));
        temp.WriteFile("p/.agents/workflows/y.yaml", Flow("y"));
        var catalog = new WorkflowCatalog(temp.Combine("p"), temp.Combine("u"), includeBundled: false);

        var x = catalog.Find("elsewhere/x.yaml", temp.Path);
        Assert.Equal(new WorkflowSource(WorkflowSourceKind.File, temp.Combine("elsewhere", "x.yaml")), x.Source);
        Assert.Equal(WorkflowSourceKind.Project, catalog.Find(temp.Combine("p", ".agents", "workflows", "y.yaml"), "/").Source.Kind);
        var missing = Assert.Throws<AgentHostException>(() => catalog.Find("nope.yaml", temp.Path));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
        Assert.Contains("no workflow file 'nope.yaml'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_UnknownName_SuggestsTheClosest()
    {
        using var temp = new TempDirectory();
        var catalog = new WorkflowCatalog(temp.Path, temp.Combine("u"));
        var error = Assert.Throws<AgentHostException>(() => catalog.Find("implement-tset-fix", temp.Path));
        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.StartsWith("no workflow named 'implement-tset-fix'; did you mean 'implement-test-fix'? 'agent workflow list' shows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PluginBuiltWorkflow_WithProblems_NamesThePlugin()
    {
        using var temp = new TempDirectory();
        var registry = new CapabilityRegistry();
        registry.AddRange("kit", "1.0.0", [new WorkflowCapability(new WorkflowBuilder("bad-one").Nodes(n => n.Agent("a", "{{ inputs.nope }}")).Build())]);
        var catalog = new WorkflowCatalog(temp.Path, temp.Combine("u"), registry: registry, includeBundled: false);

        var entry = Assert.Single(catalog.Entries);
        Assert.Equal(
            ["plugin 'kit' workflow 'bad-one': field 'a.prompt': 'inputs.nope' names no input of this workflow. Declare it under 'inputs:' (none are declared)."],
            entry.Problems);
    }

    [Theory]
    [InlineData("implement-test-fix.yaml")]
    [InlineData("parallel-review.yaml")]
    public void BundledWorkflows_AreValid(string file)
    {
        Assert.Contains(file, WorkflowCatalog.BundledFiles());
        var definition = WorkflowParser.Parse(WorkflowCatalog.BundledText(file), new WorkflowSource(WorkflowSourceKind.Bundled, "bundled/" + file));
        Assert.Equal(Path.GetFileNameWithoutExtension(file), definition.Name);
        Assert.False(string.IsNullOrWhiteSpace(definition.Description));
    }

    [Fact]
    public void ImplementTestFix_IsAnAgentStep_ThenABoundedLoopOfAShellCheckAndAFixThatContinuesIt()
    {
        var definition = new WorkflowCatalog("/", "/nonexistent-user-dir").Find("implement-test-fix", "/");
        Assert.Equal(["task", "test_command"], definition.Inputs.Select(i => i.Name));
        Assert.True(definition.Inputs[0].Required);
        var implement = Assert.IsType<AgentNode>(definition.Nodes.Nodes[0]);
        var loop = Assert.IsType<LoopNode>(definition.Nodes.Nodes[1]);
        Assert.Equal(3, loop.MaxIterations);
        Assert.Equal("nodes.test.exit_code == 0", loop.Until);
        Assert.IsType<ShellNode>(loop.Body.Nodes[0]);
        Assert.Equal(implement.Id, Assert.IsType<AgentNode>(loop.Body.Nodes[1]).Continue);
    }

    [Fact]
    public void ParallelReview_CapturesTheDiff_ReviewsInThreeBranches_ThenSummarises()
    {
        var definition = new WorkflowCatalog("/", "/nonexistent-user-dir").Find("parallel-review", "/");
        Assert.Equal("HEAD~1", definition.Inputs.Single(i => i.Name == "base").Default!.GetValue<string>());
        Assert.Contains("git", Assert.IsType<ShellNode>(definition.Nodes.Nodes[0]).Command, StringComparison.Ordinal);
        var parallel = Assert.IsType<ParallelNode>(definition.Nodes.Nodes[1]);
        Assert.Equal(["correctness", "security", "readability"], parallel.Branches.Select(b => b.Key));
        Assert.All(parallel.Branches, b => Assert.Contains("{{ nodes.diff.stdout }}", Assert.IsType<AgentNode>(Assert.Single(b.Value.Nodes)).Prompt, StringComparison.Ordinal));
        var summarise = Assert.IsType<AgentNode>(definition.Nodes.Nodes[2]);
        Assert.All(["correctness", "security", "readability"], id => Assert.Contains($"{{{{ nodes.{id}.text }}}}", summarise.Prompt, StringComparison.Ordinal));
        Assert.Equal("{{ nodes.summarise.text }}", definition.Output);
    }
}
