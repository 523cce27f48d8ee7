using System.Text.RegularExpressions;
using AgentHost.Tests.Template;

namespace AgentHost.Tests.Architecture;

/// <summary>
/// One composition path: every front end gets its session service from a provider built by <c>AddAgentHost</c>
/// (directly, or for another root through <c>ProjectRootFactory.CreateHost</c>), and the composition root never blocks
/// on asynchronous work. The behaviour is tested in <c>KernelCompositionTests</c>; this keeps side doors from coming back.
/// </summary>
public sealed partial class CompositionPathTests
{
    private static readonly string Source = Path.Combine(TemplateFeedFixture.FindRepositoryRoot(), "src");

    [Fact]
    public void TheSessionService_IsConstructedOnlyByTheCompositionRoot()
    {
        var constructing = Files()
            .Where(file => NewSessionService().IsMatch(File.ReadAllText(file)))
            .Select(Relative)
            .ToList();

        Assert.Equal(["AgentHost.Agent/Composition/AgentHostServiceCollectionExtensions.cs"], constructing);
    }

    [Fact]
    public void TheCompositionRoot_NeverBlocksOnAsynchronousWork()
    {
        var blocking = Directory.EnumerateFiles(Path.Combine(Source, "AgentHost.Agent", "Composition"), "*.cs")
            .Where(file => Blocking().IsMatch(File.ReadAllText(file)))
            .Select(Relative)
            .ToList();

        Assert.Empty(blocking);
    }

    private static IEnumerable<string> Files() =>
        Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string Relative(string file) => Path.GetRelativePath(Source, file).Replace('\\', '/');

    [GeneratedRegex(@"new\s+AgentSessionService\s*\(")]
    private static partial Regex NewSessionService();

    [GeneratedRegex(@"\.GetAwaiter\(\)\s*\.GetResult\(\)|\.Result\b|\.Wait\(\)")]
    private static partial Regex Blocking();
}
