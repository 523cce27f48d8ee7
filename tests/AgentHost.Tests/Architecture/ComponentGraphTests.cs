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
        ["AgentHost.Agent"] = ["AgentHost.Sdk", "AgentHost.Hosting", "AgentHost.Permissions", "AgentHost.Sessions"],
        ["AgentHost.Testing"] = ["AgentHost.Sdk", "AgentHost.Hosting", "AgentHost.Permissions", "AgentHost.Sessions", "AgentHost.Agent"],
        ["AgentHost.Cli"] = ["AgentHost.Sdk", "AgentHost.Hosting", "AgentHost.Installation", "AgentHost.Permissions", "AgentHost.Sessions", "AgentHost.Agent"],
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
    public void ReferenceReader_SeesTheAgentsReferencesToTheComponentsBelow()
    {
        // Guards the test itself: a reader that found no references would let every forbidden one through.
        Assert.Equal(
            ["AgentHost.Hosting", "AgentHost.Permissions", "AgentHost.Sdk", "AgentHost.Sessions"],
            ReferencedComponents(Components()["AgentHost.Agent"]).Order(StringComparer.Ordinal));
    }

    /// <summary>src/AgentHost.*/AgentHost.*.csproj by project name.</summary>
    private static Dictionary<string, string> Components() =>
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
