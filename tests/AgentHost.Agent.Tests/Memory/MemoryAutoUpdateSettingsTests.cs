using AgentHost.Agent.Memory;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Memory;

/// <summary>The memory.auto_update keys: who may set them, their defaults, and what is refused.</summary>
public sealed class MemoryAutoUpdateSettingsTests
{
    [Fact]
    public void AutoUpdate_IsOffByDefault_AndOnFromTheUsersFlag_WithTheDefaultFile()
    {
        using var temp = new TempDirectory();
        var environment = TestEnvironment.Create(temp.Path, temp.Path);

        var off = MemoryAutoUpdateSettings.FromConfiguration(ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment)), out _);
        var on = MemoryAutoUpdateSettings.FromConfiguration(ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), ["memory.auto_update=true"]), out var problem);

        Assert.Null(off);
        Assert.Null(problem);
        Assert.Equal(new MemoryAutoUpdateSettings("AGENTS.md", false, LearnedSection.DefaultMaxNotes), on);
    }

    [Fact]
    public void AnUntrustedProject_CannotTurnItOn_NorChooseTheFile()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/.agent/config.yaml", "memory:\n  auto_update: true\n  auto_update_file: src/Program.cs\n  create_if_missing: true\n  enabled: true\n");
        var environment = TestEnvironment.Create(temp.Path, temp.Combine("ws"));

        var configuration = ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment));

        Assert.Null(MemoryAutoUpdateSettings.FromConfiguration(configuration, out _));
        Assert.Equal("AGENTS.md", configuration.Get("memory.auto_update_file")); // the default, not the project's
        Assert.Equal("true", configuration.Get("memory.enabled"));
        Assert.Contains(configuration.Problems, p => p.Message.Contains("its memory updates are ignored (memory.auto_update, memory.auto_update_file, memory.create_if_missing)", StringComparison.Ordinal));
    }

    [Fact]
    public void ATrustedProject_TurnsItOn_WithItsFile()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/.agent/config.yaml", "memory:\n  auto_update: true\n  auto_update_file: docs/NOTES.md\n");
        var environment = TestEnvironment.Create(temp.Path, temp.Combine("ws"));

        var configuration = ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), [$"permissions.trusted_projects.0={temp.Combine("ws")}"]);

        Assert.Equal("docs/NOTES.md", MemoryAutoUpdateSettings.FromConfiguration(configuration, out _)?.File);
    }

    [Theory]
    [InlineData("memory.auto_update_file=../outside.md", "is not a file path inside the project")]
    [InlineData("memory.auto_update_file=/etc/motd", "is not a file path inside the project")]
    [InlineData("memory.create_if_missing=sometimes", "is not true or false")]
    public void AFileOutsideTheProject_OrABadValue_TurnsItOff_WithTheReason(string setting, string expected)
    {
        using var temp = new TempDirectory();
        var environment = TestEnvironment.Create(temp.Path, temp.Path);

        var settings = MemoryAutoUpdateSettings.FromConfiguration(ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), ["memory.auto_update=true", setting]), out var problem);

        Assert.Null(settings);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownMemoryKey_StaysAnError()
    {
        using var temp = new TempDirectory();
        var environment = TestEnvironment.Create(temp.Path, temp.Path);

        var configuration = ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), ["memory.auto_updates=true"]);

        Assert.True(configuration.HasErrors);
        Assert.Contains(configuration.Problems, p => p.IsError && p.ToString().Contains("memory.auto_updates", StringComparison.Ordinal));
    }

    [Fact]
    public void MemoryOff_TurnsAutoUpdateOffToo()
    {
        using var temp = new TempDirectory();
        var environment = TestEnvironment.Create(temp.Path, temp.Path);

        var configuration = ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), ["memory.auto_update=true", "memory.enabled=false"]);

        Assert.Null(MemoryAutoUpdateSettings.FromConfiguration(configuration, out _));
    }
}
