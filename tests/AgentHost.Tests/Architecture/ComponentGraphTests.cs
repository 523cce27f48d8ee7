using System.Xml.Linq;
using AgentHost.Tests.Template;

namespace AgentHost.Tests.Architecture;

/// <summary>
/// The components under src/ depend on each other in one direction only. The allowed graph is written once, here, and
/// drawn in docs/architecture.md; a ProjectReference outside it fails the build's tests.
/// </summary>
public sealed class ComponentGraphTests
{
    /// <summary>Each component and the components it may reference directly (lower layers first).</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["AgentHost.Sdk"] = [],
        ["AgentHost.Hosting"] = ["AgentHost.Sdk"],
        ["AgentHost.Installation"] = ["AgentHost.Sdk", "AgentHost.Hosting"],
        ["AgentHost.Permissions"] = ["AgentHost.Sdk", "AgentHost.Hosting"],
        ["AgentHost.Sessions"] = ["AgentHost.Sdk", "AgentHost.Hosting", "AgentHost.Permissions"],
        ["AgentHost.Sessions.Postgres"] = ["AgentHost.Sdk", "AgentHost.Hosting", "AgentHost.Permissions", "AgentHost.Sessions"],
        ["AgentHost.Agent"] = ["AgentHost.Sdk", "AgentHost.Hosting", "AgentHost.Permissions", "AgentHost.Sessions"],
        ["AgentHost.Workflows"] = ["AgentHost.Sdk", "AgentHost.Hosting", "AgentHost.Permissions", "AgentHost.Sessions", "AgentHost.Agent"],
        ["AgentHost.Testing"] = ["AgentHost.Sdk", "AgentHost.Hosting", "AgentHost.Permissions", "AgentHost.Sessions", "AgentHost.Agent"],
        ["AgentHost.Server"] = ["AgentHost.Sdk", "AgentHost.Hosting", "AgentHost.Permissions", "AgentHost.Sessions", "AgentHost.Agent", "AgentHost.Workflows"],
        ["AgentHost.Telemetry"] = ["AgentHost.Hosting"],
        ["AgentHost.Cluster"] = ["AgentHost.Sdk", "AgentHost.Hosting", "AgentHost.Permissions", "AgentHost.Sessions", "AgentHost.Sessions.Postgres", "AgentHost.Agent", "AgentHost.Workflows", "AgentHost.Server"],
        ["AgentHost.Cli"] = ["AgentHost.Sdk", "AgentHost.Hosting", "AgentHost.Installation", "AgentHost.Permissions", "AgentHost.Sessions", "AgentHost.Sessions.Postgres", "AgentHost.Agent", "AgentHost.Workflows", "AgentHost.Server", "AgentHost.Telemetry", "AgentHost.Cluster"],
    };

    private static readonly string Root = TemplateFeedFixture.FindRepositoryRoot();

    [Fact]
    public void EveryComponent_ReferencesOnlyWhatTheGraphAllows()
    {
        var forbidden = (
            from component in Components()
            from reference in ReferencedComponents(component.Value)
            where !Allowed[component.Key].Contains(reference)
            select $"{component.Key} -> {reference}").ToList();

        Assert.True(forbidden.Count == 0,
            "forbidden component references (see the allowed graph in ComponentGraphTests and docs/architecture.md): "
            + string.Join(", ", forbidden));
    }

    [Fact]
    public void EveryComponentUnderSrc_IsInTheAllowedGraph()
    {
        var unknown = Components().Keys.Where(name => !Allowed.ContainsKey(name)).ToList();

        Assert.True(unknown.Count == 0,
            "components missing from the allowed graph (add them to ComponentGraphTests and docs/architecture.md): "
            + string.Join(", ", unknown));
    }

    [Fact]
    public void AllowedGraph_HasNoCycles()
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var component in Allowed.Keys)
        {
            Visit(component, []);
        }

        void Visit(string component, List<string> path)
        {
            Assert.False(path.Contains(component), "cycle: " + string.Join(" -> ", path.Append(component)));
            if (!done.Add(component))
            {
                return;
            }

            foreach (var reference in Allowed[component])
            {
                Visit(reference, [.. path, component]);
            }
        }
    }

    [Theory]
    [InlineData("AgentHost.Installation")]
    [InlineData("AgentHost.Permissions")]
    [InlineData("AgentHost.Sessions")]
    [InlineData("AgentHost.Sessions.Postgres")]
    public void ComponentsBelowTheAgent_NeverReachIt(string component)
    {
        // Transitively: Installation, Permissions and Sessions must not see the agent (skills approve through
        // ISkillApprovals, the store implements the permissions' IPermissionStore), and Permissions must not see Sessions.
        var reachable = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(Allowed[component]);
        while (pending.TryPop(out var next))
        {
            if (reachable.Add(next))
            {
                foreach (var reference in Allowed[next])
                {
                    pending.Push(reference);
                }
            }
        }

        Assert.DoesNotContain("AgentHost.Agent", reachable);
        Assert.DoesNotContain("AgentHost.Cli", reachable);
        if (component == "AgentHost.Permissions")
        {
            Assert.DoesNotContain("AgentHost.Sessions", reachable);
        }
    }

    [Fact]
    public void TheServer_SitsAboveTheAgent_AndOnlyTheCliAndTheClusterReachIt()
    {
        // The server is a front end of the session service like the CLI: it never sees the CLI (a cluster node hosts it
        // without one), the plugin installer or Orleans, and no component below the front ends reaches it.
        Assert.Equal(
            ["AgentHost.Agent", "AgentHost.Hosting", "AgentHost.Permissions", "AgentHost.Sdk", "AgentHost.Sessions", "AgentHost.Workflows"],
            ReferencedComponents(Components()["AgentHost.Server"]).Order(StringComparer.Ordinal));
        Assert.Equal(["AgentHost.Cluster", "AgentHost.Cli"], Allowed.Where(c => c.Value.Contains("AgentHost.Server")).Select(c => c.Key));
    }

    [Fact]
    public void TheWorkflows_SitAboveTheAgent_AndOnlyTheFrontEndsReachThem()
    {
        // Workflows are a client of the session service (docs/workflows.md): the engine never sees them, so a change to
        // the workflow format or runner cannot reach an `agent run` that uses none. The server's workflow runs, the
        // cluster above it and the CLI's `agent workflow` and /workflow are their only users.
        Assert.Equal(
            ["AgentHost.Agent", "AgentHost.Hosting", "AgentHost.Permissions", "AgentHost.Sdk", "AgentHost.Sessions"],
            ReferencedComponents(Components()["AgentHost.Workflows"]).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["AgentHost.Cli", "AgentHost.Cluster", "AgentHost.Server"],
            Allowed.Where(c => c.Value.Contains("AgentHost.Workflows")).Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("AgentHost.Workflows", ReferencedComponents(Components()["AgentHost.Agent"]));
    }

    [Fact]
    public void TheCluster_IsReachedOnlyByTheCli()
    {
        // Orleans stays in its own component: only the CLI's cluster path reaches it, never the server or the kernel.
        Assert.Equal(["AgentHost.Cli"], Allowed.Where(c => c.Value.Contains("AgentHost.Cluster")).Select(c => c.Key));
        Assert.Contains("AgentHost.Server", ReferencedComponents(Components()["AgentHost.Cluster"]));
    }

    [Fact]
    public void ReferenceReader_SeesTheAgentsReferencesToTheComponentsBelow()
    {
        // Guards the test itself: a reader that found no references would let every forbidden one through.
        Assert.Equal(
            ["AgentHost.Hosting", "AgentHost.Permissions", "AgentHost.Sdk", "AgentHost.Sessions"],
            ReferencedComponents(Components()["AgentHost.Agent"]).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The test projects obey the same graph: tests/AgentHost.X.Tests and tests/AgentHost.X.TestSupport may reference
    /// component X, what X may reach, the general tests/AgentHost.TestSupport and the test support of X or of a
    /// component X reaches; never another test project. The end-to-end projects (tests/AgentHost.Tests: the CLI;
    /// tests/AgentHost.Serve.Tests: agent serve; tests/AgentHost.Plugins.X.Tests: the first-party plugins) may reference anything. So AgentHost.Sessions.Tests referencing
    /// AgentHost.Agent fails here.
    /// </summary>
    [Fact]
    public void EveryComponentTestProject_ReferencesOnlyItsComponentsClosureAndTestSupport()
    {
        var forbidden = (
            from project in TestProjects()
            let allowed = AllowedForTestProject(project.Key)
            from reference in ReferencedProjects(project.Value)
            where !allowed.Contains(reference)
            select $"{project.Key} -> {reference}").ToList();

        Assert.True(forbidden.Count == 0,
            "forbidden test project references (a component's tests may reference only its component's closure and the "
            + "test support projects of that closure; see docs/testing.md \"Test projects\"): " + string.Join(", ", forbidden));
    }

    [Fact]
    public void EveryTestProjectUnderTests_BelongsToAComponentInTheGraph()
    {
        // A new tests/AgentHost.X.Tests or tests/AgentHost.X.TestSupport must name a component of the graph; the general
        // support and the CLI's project are the only others. Guards the rule above from a project it cannot place.
        var projects = TestProjects();
        var unknown = projects.Keys.Where(name => ComponentOf(name) is { } component && !Allowed.ContainsKey(component)).ToList();

        Assert.True(unknown.Count == 0, "test projects for no known component: " + string.Join(", ", unknown));
        Assert.Contains("AgentHost.TestSupport", projects.Keys);
        Assert.Contains("AgentHost.Sessions.Tests", projects.Keys);
        Assert.Contains("AgentHost.Sessions", ReferencedProjects(projects["AgentHost.Sessions.Tests"]));
    }

    [Fact]
    public void TestProjectRule_RejectsAComponentTestProjectReachingAbove()
    {
        // Guards the rule itself with the case the issue names: the session tests must not see the agent.
        Assert.DoesNotContain("AgentHost.Agent", AllowedForTestProject("AgentHost.Sessions.Tests"));
        Assert.DoesNotContain("AgentHost.Agent.TestSupport", AllowedForTestProject("AgentHost.Sessions.Tests"));
        Assert.DoesNotContain("AgentHost.Agent.Tests", AllowedForTestProject("AgentHost.Agent.TestSupport"));
        Assert.DoesNotContain("AgentHost.Hosting", AllowedForTestProject("AgentHost.TestSupport"));
        Assert.Contains("AgentHost.Permissions.TestSupport", AllowedForTestProject("AgentHost.Sessions.Tests"));
    }

    /// <summary>
    /// The test projects that run the whole agent, which may reference anything: the CLI's tests (tests/AgentHost.Tests),
    /// tests/AgentHost.Serve.Tests for <c>agent serve</c>, tests/AgentHost.Acp.Tests for <c>agent acp</c>, and the first-party
    /// plugins' tests (<see cref="PluginTestProjects"/>), which load each plugin from the bundled catalog as the agent does.
    /// </summary>
    public static IReadOnlyList<string> EndToEndTestProjects { get; } = ["AgentHost.Tests", "AgentHost.Serve.Tests", "AgentHost.Acp.Tests", .. PluginTestProjects()];

    /// <summary>tests/AgentHost.Plugins.X.Tests by project name: the tests of the first-party plugin AgentHost.Plugins.X.</summary>
    public static IReadOnlyList<string> PluginTestProjects() =>
        Directory.GetDirectories(Path.Combine(Root, "tests"), "AgentHost.Plugins.*.Tests")
            .Select(dir => Path.GetFileName(dir))
            .Where(name => File.Exists(Path.Combine(Root, "tests", name, name + ".csproj")))
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void EveryFirstPartyPluginWithCode_HasItsOwnTestProject_AndEveryPluginTestProjectAPlugin()
    {
        // A plugin's tests live in tests/AgentHost.Plugins.X.Tests (X as in the plugin's project, plugins/x/AgentHost.Plugins.X.csproj),
        // not in the CLI's tests; the manifest-only language plugins (yaml, typescript, bash, terraform-ls) are tested
        // with the LSP bridge in tests/AgentHost.Plugins.Lsp.Tests. See docs/testing.md "Test projects".
        var plugins = Directory.GetFiles(Path.Combine(Root, "plugins"), "AgentHost.Plugins.*.csproj", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => Path.GetFileNameWithoutExtension(path) + ".Tests")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(plugins);
        Assert.Equal(plugins, PluginTestProjects());
    }

    /// <summary>tests/AgentHost.*/AgentHost.*.csproj by project name, except the end-to-end ones (<see cref="EndToEndTestProjects"/>).</summary>
    private static Dictionary<string, string> TestProjects() =>
        Directory.GetDirectories(Path.Combine(Root, "tests"), "AgentHost.*")
            .Select(dir => Path.Combine(dir, Path.GetFileName(dir) + ".csproj"))
            .Where(File.Exists)
            .Where(path => !EndToEndTestProjects.Contains(Path.GetFileNameWithoutExtension(path)))
            .ToDictionary(path => Path.GetFileNameWithoutExtension(path), StringComparer.Ordinal);

    /// <summary>The component a test project belongs to (AgentHost.X.Tests, AgentHost.X.TestSupport), or null for the general support.</summary>
    private static string? ComponentOf(string testProject)
    {
        foreach (var suffix in new[] { ".Tests", ".TestSupport" })
        {
            if (testProject.EndsWith(suffix, StringComparison.Ordinal) && testProject != "AgentHost" + suffix)
            {
                return testProject[..^suffix.Length];
            }
        }

        return null;
    }

    /// <summary>What a test project may reference: its component's closure, the general support and that closure's test support.</summary>
    private static HashSet<string> AllowedForTestProject(string testProject)
    {
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        if (ComponentOf(testProject) is not { } component || !Allowed.ContainsKey(component))
        {
            return allowed;   // the general support references no component and no other test project
        }

        var pending = new Stack<string>([component]);
        while (pending.TryPop(out var next))
        {
            if (allowed.Add(next))
            {
                foreach (var reference in Allowed[next])
                {
                    pending.Push(reference);
                }
            }
        }

        foreach (var reachable in allowed.ToList())
        {
            allowed.Add(reachable + ".TestSupport");
        }

        allowed.Add("AgentHost.TestSupport");
        allowed.Remove(testProject);
        return allowed;
    }

    /// <summary>The projects (by name) a project file references, compile-time references only.</summary>
    private static List<string> ReferencedProjects(string projectFile) =>
        XDocument.Load(projectFile).Descendants("ProjectReference")
            .Where(reference => !string.Equals((string?)reference.Attribute("ReferenceOutputAssembly"), "false", StringComparison.OrdinalIgnoreCase))
            .Select(reference => Path.GetFileNameWithoutExtension(((string?)reference.Attribute("Include") ?? "").Replace('\\', '/')))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>src/AgentHost.*/AgentHost.*.csproj by project name.</summary>
    internal static Dictionary<string, string> Components() =>
        Directory.GetDirectories(Path.Combine(Root, "src"), "AgentHost.*")
            .Select(dir => Path.Combine(dir, Path.GetFileName(dir) + ".csproj"))
            .Where(File.Exists)
            .ToDictionary(path => Path.GetFileNameWithoutExtension(path), StringComparer.Ordinal);

    /// <summary>The components (src/AgentHost.* projects) a project file references, compile-time references only.</summary>
    private static List<string> ReferencedComponents(string projectFile) =>
        XDocument.Load(projectFile).Descendants("ProjectReference")
            .Where(reference => !string.Equals((string?)reference.Attribute("ReferenceOutputAssembly"), "false", StringComparison.OrdinalIgnoreCase))
            .Select(reference => Path.GetFileNameWithoutExtension(((string?)reference.Attribute("Include") ?? "").Replace('\\', '/')))
            .Where(name => name.StartsWith("AgentHost.", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();
}
