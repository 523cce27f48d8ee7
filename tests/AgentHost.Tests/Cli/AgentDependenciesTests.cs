using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Cli;

/// <summary>
/// What the agent carries: Orleans' packages list their code generator's Roslyn (with System.Composition and
/// Humanizer) as dependencies, which nothing loads at run time; the CLI excludes them (src/AgentHost.Cli's csproj), so
/// the agent's dependency manifest, and with it its output and its release build, holds none of them.
/// </summary>
public sealed class AgentDependenciesTests
{
    [Fact]
    public void TheAgentsManifest_ListsOrleans_ButNotTheCompilerItsPackagesNameForTheirCodeGenerator()
    {
        var manifest = Path.ChangeExtension(AgentProcess.AgentDll, ".deps.json");
        using var document = JsonDocument.Parse(File.ReadAllText(manifest));
        var libraries = document.RootElement.GetProperty("libraries").EnumerateObject().Select(library => library.Name).ToList();

        Assert.Contains(libraries, name => name.StartsWith("Microsoft.Orleans.Serialization/", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, name =>
            name.StartsWith("Microsoft.CodeAnalysis.Common/", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.CodeAnalysis.Workspaces.Common/", StringComparison.Ordinal)
            || name.StartsWith("Humanizer", StringComparison.Ordinal)
            || name.StartsWith("System.Composition", StringComparison.Ordinal));
    }
}
