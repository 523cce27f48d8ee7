using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using AgentHost.Tests.Template;

namespace AgentHost.Tests.Architecture;

/// <summary>
/// A kernel component's public types are the ones another product assembly uses. Read from the built assemblies'
/// metadata: every type reference of every other product assembly (the components under src/, the CLI's <c>agent</c>,
/// the first-party plugins under artifacts/catalog/), which covers signatures, base types, attributes and method bodies.
/// A public top-level type of a kernel component that none of them references is internal (its own test project sees
/// it through the <c>InternalsVisibleTo</c> the house rules allow), or it is on <see cref="MustStayPublic"/> with the
/// reason. The SDK and <c>AgentHost.Testing</c> are the plugin authors' contracts and are not checked; nested types
/// follow their parent. Not seen by the reader: a constant (a <c>const</c> field, an enum member) is compiled into its
/// user, so a type used only for its constants shows no reference and is listed here with that reason.
/// </summary>
public sealed class PublicSurfaceTests
{
    private const string UsedByOtherTests =
        "used by tests outside the component's own test project (the house rules grant internals to that project only); moving those tests would let it be internal";

    /// <summary>The public types no other product assembly references that stay public, each with why. This list may only shrink.</summary>
    private static readonly Dictionary<string, string> MustStayPublic = new(StringComparer.Ordinal)
    {
        // Constants: compiled into their users, so the metadata shows no reference.
        ["AgentHost.Common.Processes.Bubblewrap"] = "its constant Name is used by Permissions (SandboxPolicy) and Agent (Doctor)",
        ["AgentHost.Sessions.Leases.SessionLeases"] = "its constant EpochSql is used by Sessions.Postgres (PostgresSessionDatabase)",
        ["AgentHost.Agent.Mcp.McpJsonFile"] = "its constants are used by the CLI's agent mcp add / remove",
        ["AgentHost.Permissions.Gate.PermissionRisk"] = "its constants are used by tests/AgentHost.Agent.Tests (ApprovalWindowTests); " + UsedByOtherTests,

        // Parameters of positional records other assemblies use: a record's primary constructor cannot be narrowed.
        ["AgentHost.Hosting.Plugins.Settings.PluginSettingType"] = "a parameter of the public record PluginSettingDeclaration's primary constructor",
        ["AgentHost.Installation.CandidateKind"] = "a parameter of the public record PluginCandidate's primary constructor",
        ["AgentHost.Agent.Skills.SkillSeverity"] = "a parameter of the public record SkillProblem's primary constructor",
        ["AgentHost.Agent.Skills.SkillSource"] = "a parameter of the public record SkillRoot's primary constructor",
        ["AgentHost.Agent.Memory.ProjectMemoryOptions"] = "the parameter of the public ProjectMemoryLoader's primary constructor",

        // Test API of other test projects.
        ["AgentHost.Hosting.Plugins.Caches.PluginSnapshots"] = "tests/AgentHost.Tests (Support/PluginRuntimes: a runtime with its own snapshot file): " + UsedByOtherTests,
        ["AgentHost.Common.Processes.SandboxExec"] = "tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Hosting.Plugins.Loading.PluginBuilder"] = "tests/AgentHost.Agent.Tests, tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Hosting.Logging.FileLoggerProvider"] = "tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Permissions.Sandbox.SandboxNetworkProxy"] = "tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Permissions.Rules.AddRuleResult"] = "tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Permissions.Rules.ConfigRuleWriter"] = "tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Permissions.Gate.AllowAllPermissionGate"] = "tests/AgentHost.Agent.Tests, AgentHost.Agent.TestSupport, AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Sessions.SessionLeaseLostException"] = "tests/AgentHost.Sessions.TestSupport (the store contract suite), AgentHost.Sessions.Postgres.Tests: " + UsedByOtherTests,
        ["AgentHost.Sessions.Transfer.SessionTransfer"] = "tests/AgentHost.Agent.Tests: " + UsedByOtherTests,
        ["AgentHost.Sessions.Journal.ConversationLog"] = "tests/AgentHost.Agent.Tests, AgentHost.Sessions.Postgres.Tests, AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Sessions.Checkpoints.FileCheckpoints"] = "tests/AgentHost.Agent.Tests: " + UsedByOtherTests,
        ["AgentHost.Sessions.Audit.PermissionAudit"] = "tests/AgentHost.Sessions.TestSupport, AgentHost.Agent.Tests, AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Agent.Skills.SkillParseResult"] = "tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Agent.Skills.SkillParser"] = "tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Agent.Models.KnownProvider"] = "tests/AgentHost.Cli.TestSupport: " + UsedByOtherTests,
        ["AgentHost.Agent.Engine.GitStatus"] = "tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Agent.Engine.ModelRetryPolicy"] = "tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Agent.Engine.ToolSet"] = "tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Agent.Engine.DeferredTool"] = "tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Agent.Diagnostics.PrecompiledCodeCheck"] = "tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Agent.Composition.ProjectHost"] = "tests/AgentHost.Tests: " + UsedByOtherTests,
        ["AgentHost.Server.WorkflowRunView"] = "tests/AgentHost.Cluster.Tests: " + UsedByOtherTests,
    };

    /// <summary>The plugin authors' contracts: their surface is the released API, not what the kernel uses.</summary>
    private static readonly string[] Contracts = ["AgentHost.Sdk", "AgentHost.Testing"];

    private static readonly string Root = TemplateFeedFixture.FindRepositoryRoot();

    [Fact]
    public void EveryPublicKernelType_IsUsedByAnotherProductAssembly_OrListedWithItsReason()
    {
        var unused = UnusedPublicTypes().Where(type => !MustStayPublic.ContainsKey(type)).ToList();

        Assert.True(unused.Count == 0,
            $"{unused.Count} public types of kernel components that no other product assembly uses: make them internal (the "
            + "component's own test project sees its internals), or add them to PublicSurfaceTests.MustStayPublic with the "
            + "reason (docs/architecture.md, \"House rules\"):\n" + string.Join("\n", unused));
    }

    [Fact]
    public void TheAllowList_HoldsOnlyPublicTypesNothingElseUses()
    {
        // The list may only shrink: an entry whose type became internal, went away or found a user elsewhere is removed.
        var unused = UnusedPublicTypes().ToHashSet(StringComparer.Ordinal);
        var stale = MustStayPublic.Keys.Where(type => !unused.Contains(type)).ToList();

        Assert.True(stale.Count == 0, "entries of PublicSurfaceTests.MustStayPublic to remove: " + string.Join(", ", stale));
        Assert.All(MustStayPublic.Values, reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
    }

    [Fact]
    public void ReferenceReader_SeesWhatTheCliAndThePluginsUse()
    {
        // Guards the rule: a reader that found no references would report every public type, one that read a component
        // as its own user would report none.
        var references = References(ProductAssemblies()["AgentHost.Cli"]);
        Assert.Contains(("AgentHost.Agent", "AgentHost.Agent.Service.AgentSessionService"), references);
        Assert.Contains(("AgentHost.Server", "AgentHost.Server.ApiServer"), references);
        Assert.Contains(ProductAssemblies().Keys, name => name.StartsWith("AgentHost.Plugins.", StringComparison.Ordinal));
        Assert.DoesNotContain("AgentHost.Agent.Service.AgentSessionService", UnusedPublicTypes());
        Assert.Contains("AgentHost.Agent.Engine.ToolSet", UnusedPublicTypes());
    }

    /// <summary>The public top-level types of the kernel components that no other product assembly references.</summary>
    private static List<string> UnusedPublicTypes()
    {
        var assemblies = ProductAssemblies();
        var used = assemblies.ToDictionary(assembly => assembly.Key, assembly => References(assembly.Value), StringComparer.Ordinal);
        return (
            from component in ComponentGraphTests.Components().Keys
            where !Contracts.Contains(component) && component != "AgentHost.Cli"
            from type in PublicTopLevelTypes(assemblies[component])
            where !used.Any(user => user.Key != component && user.Value.Contains((component, type)))
            select type).ToList();
    }

    /// <summary>The product assemblies' paths by component or plugin name: the components beside the tests (the CLI's is <c>agent.dll</c>), the plugins in the catalog.</summary>
    private static Dictionary<string, string> ProductAssemblies()
    {
        var assemblies = ComponentGraphTests.Components().Keys.ToDictionary(
            component => component,
            component => Path.Combine(AppContext.BaseDirectory, (component == "AgentHost.Cli" ? "agent" : component) + ".dll"),
            StringComparer.Ordinal);
        var catalog = Path.Combine(Root, "artifacts", "catalog");
        if (Directory.Exists(catalog))
        {
            foreach (var plugin in Directory.GetDirectories(catalog).SelectMany(dir => Directory.GetFiles(dir, "AgentHost.Plugins.*.dll")))
            {
                assemblies[Path.GetFileNameWithoutExtension(plugin)] = plugin;
            }
        }

        return assemblies;
    }

    /// <summary>
    /// Full names of the public types declared at the top level. The Orleans code generator's invokers and codecs
    /// (namespace OrleansCodeGen) are left out: their visibility follows the grain interface they serve.
    /// </summary>
    private static List<string> PublicTopLevelTypes(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        return reader.TypeDefinitions
            .Select(reader.GetTypeDefinition)
            .Where(type => (type.Attributes & TypeAttributes.VisibilityMask) == TypeAttributes.Public)
            .Select(type => reader.GetString(type.Namespace) + "." + reader.GetString(type.Name))
            .Where(name => !name.StartsWith("OrleansCodeGen.", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>The (assembly, top-level type) pairs the assembly at <paramref name="path"/> references; a nested type counts as its outermost type.</summary>
    private static HashSet<(string Assembly, string Type)> References(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var references = new HashSet<(string, string)>();
        foreach (var handle in reader.TypeReferences)
        {
            var type = reader.GetTypeReference(handle);
            while (type.ResolutionScope.Kind == HandleKind.TypeReference)
            {
                type = reader.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
            }

            if (type.ResolutionScope.Kind == HandleKind.AssemblyReference)
            {
                var target = reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)type.ResolutionScope).Name);
                references.Add((target == "agent" ? "AgentHost.Cli" : target, reader.GetString(type.Namespace) + "." + reader.GetString(type.Name)));
            }
        }

        return references;
    }
}
