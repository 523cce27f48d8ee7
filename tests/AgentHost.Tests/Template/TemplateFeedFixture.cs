using System.Reflection;
using System.Text.RegularExpressions;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Template;

/// <summary>The template end-to-end tests run alone: they start nested builds that use both cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TemplateEndToEnd : ICollectionFixture<TemplateFeedFixture>
{
    public const string Name = "Template end-to-end";
}

/// <summary>
/// A plugin author's machine in a temp folder: a local NuGet feed packed the way plugin-template/README.md says (one
/// <c>dotnet pack</c> of <c>local-feed.slnf</c>, here with <c>--no-build</c> from the outer test build), a nuget.config
/// in <see cref="Work"/> that adds it to the user's sources, a private NuGet package folder (no stale AgentHost.*
/// package can be used) and a private <c>dotnet new</c> hive with the template installed from the repo folder.
/// </summary>
public sealed partial class TemplateFeedFixture : IAsyncLifetime
{
    /// <summary>Generous: a nested restore may download xunit and friends; a hung child fails with its output.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    private readonly TempDirectory _temp = new();

    public string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The configuration the test assembly (and so the projects it references) was built with.</summary>
    public string Configuration { get; } =
        typeof(TemplateFeedFixture).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public string Feed => _temp.Combine("feed");

    /// <summary>Where generated solutions go; its nuget.config adds <see cref="Feed"/>.</summary>
    public string Work => _temp.Combine("work");

    public string Hive => _temp.Combine("hive");

    public string SdkVersion => ReadAgentSdkVersion(RepositoryRoot);

    /// <summary>How long packing the feed took (printed by the flow test; never asserted).</summary>
    public TimeSpan FeedPackTime { get; private set; }

    /// <summary>Variables for nested dotnet processes.</summary>
    public IReadOnlyDictionary<string, string> DotnetEnvironment => new Dictionary<string, string>
    {
        ["NUGET_PACKAGES"] = _temp.Combine("nuget-packages"),
    };

    /// <summary>A new folder inside this fixture's temp folder.</summary>
    public string NewFolder(string name) => Directory.CreateDirectory(_temp.Combine(name)).FullName;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        Directory.CreateDirectory(Work);
        // The README's one pack command (PluginTemplateReadme.PackFeed), without building: the outer test build already
        // built every project, in its configuration.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await DotnetAsync(RepositoryRoot, "pack", Path.Combine("plugin-template", "local-feed.slnf"), "--no-build", "-c", Configuration, "-o", Feed);
        FeedPackTime = watch.Elapsed;

        // No <clear/>: the user's and machine's sources still supply xunit and the Microsoft.Extensions packages.
        await File.WriteAllTextAsync(Path.Combine(Work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="agenthost-test-feed" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        await DotnetAsync(Work, "new", "install", Path.Combine(RepositoryRoot, "plugin-template"), "--debug:custom-hive", Hive);
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Runs dotnet and asserts it succeeded, showing its output otherwise.</summary>
    public Task<string> DotnetAsync(string workingDirectory, params string[] args) =>
        DotnetAsync(workingDirectory, DotnetEnvironment, args);

    /// <summary>Runs dotnet with <paramref name="environment"/> and asserts it succeeded, showing its output otherwise.</summary>
    public static async Task<string> DotnetAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var (code, output) = await DotnetProcess.RunAsync(workingDirectory, environment, Timeout, args);
        Assert.True(code == 0, $"dotnet {string.Join(' ', args)} exited with {code}:\n{output}");
        return output;
    }

    /// <summary><c>dotnet new agent-plugin -n name [options]</c> into <see cref="Work"/>/name; returns that folder.</summary>
    public async Task<string> NewPluginAsync(string name, string hive, params string[] options)
    {
        await DotnetAsync(Work, ["new", "agent-plugin", "-n", name, "--debug:custom-hive", hive, .. options]);
        return Path.Combine(Work, name);
    }

    public static string ReadAgentSdkVersion(string repositoryRoot)
    {
        var props = File.ReadAllText(Path.Combine(repositoryRoot, "Directory.Build.props"));
        return AgentSdkVersionPattern().Match(props) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException("<AgentSdkVersion> not found in Directory.Build.props");
    }

    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Host.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Host.sln) not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"<AgentSdkVersion>\s*([^<\s]+)\s*</AgentSdkVersion>")]
    private static partial Regex AgentSdkVersionPattern();
}
