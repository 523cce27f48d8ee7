using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Security;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Configuration;

/// <summary>
/// #25: the configuration and scrubber code on every run's way to its first model request uses plain loops instead of
/// LINQ over value-type pairs (JIT-compiled on every run). These pin down the orders and choices the LINQ versions made.
/// </summary>
public sealed class StartupPathConfigurationTests
{
    [Fact]
    public void DefaultPlugins_AreInNumericIndexOrder_TrimmedAndEachOnce()
    {
        using var project = new ConfigProject();
        // Twelve items: as text, indices 10 and 11 would sort before 2. A blank item is skipped, a repeated one kept once.
        project.WriteGlobal("plugins:\n  defaults: [files, ' shell ', git, web, p4, p5, p6, p7, p8, '  ', p10, files]\n");

        var config = project.Resolve();

        Assert.Equal(["files", "shell", "git", "web", "p4", "p5", "p6", "p7", "p8", "p10"], config.DefaultPlugins);
    }

    [Fact]
    public void EnvironmentWarnings_AreInOrdinalOrderOfTheVariableNames()
    {
        using var project = new ConfigProject();
        var variables = new Dictionary<string, string>
        {
            // Four underscores make an empty key segment: not a configuration key, so each is a warning.
            ["AGENT_ZZZ____X"] = "1",
            ["AGENT_AAA____X"] = "1",
            ["AGENT_MMM____X"] = "1",
        };

        var config = project.Resolve(variables);

        var origins = config.Problems.Where(p => p.Origin?.StartsWith("env AGENT_", StringComparison.Ordinal) == true).Select(p => p.Origin).ToList();
        Assert.Equal(["env AGENT_AAA____X", "env AGENT_MMM____X", "env AGENT_ZZZ____X"], origins);
    }

    [Fact]
    public void MissingRequiredKey_IsReportedOncePerInstance_InFileOrder()
    {
        using var project = new ConfigProject();
        project.TrustRepo(); // a project's feeds apply once it is trusted
        var file = project.WriteProject("plugins:\n  feeds:\n    - name: a\n    - url: https://example.invalid/feed\n    - name: c\n");

        var config = project.Resolve();

        var problems = config.Problems.Select(p => p.ToString()).ToList();
        Assert.Equal(
            [
                $"{file}:3: key 'plugins.feeds.0': 'url' is missing. Add 'url:' (An http(s) URL or a local folder.)",
                $"{file}:5: key 'plugins.feeds.2': 'url' is missing. Add 'url:' (An http(s) URL or a local folder.)",
            ],
            problems.Where(p => p.Contains("is missing", StringComparison.Ordinal)));
    }

    [Fact]
    public void Scrubber_MasksALongerSecretBeforeAShorterOneInsideIt_AndEachValueOnce()
    {
        var environment = TestEnvironment.Create(Path.GetTempPath(), Path.GetTempPath(), new Dictionary<string, string>
        {
            ["SHORT_TOKEN"] = "abcdef12",
            ["LONG_API_KEY"] = "xx-abcdef12-yy-zz",
            ["SAME_SECRET"] = "abcdef12",
            ["TINY_KEY"] = "abc", // under 6 characters: not masked (too likely to hit ordinary text)
            ["NOT_SECRET_NAME"] = "xx-abcdef12-yy-zz-plain",
        });
        var scrubber = new SecretScrubber(environment);

        Assert.Equal($"use {SecretScrubber.Mask} and {SecretScrubber.Mask}; abc", scrubber.Scrub("use xx-abcdef12-yy-zz and abcdef12; abc"));
    }
}
