using System.Security;

namespace AgentHost.Tests.Installation;

/// <summary>
/// <c>agent plugin install</c> reads package sources and credentials from the user's nuget.config (a project's only
/// when the project is trusted), against a real NuGet v3 feed on 127.0.0.1.
/// </summary>
public sealed class NuGetConfigTests
{
    [Fact]
    public async Task Install_FindsAPluginInASourceOfTheUsersNuGetConfig()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer();
        feed.Add("corp-tools", "1.1.0", box.Package("corp-tools", "1.1.0"));
        WriteUserNuGetConfig(box, $"""<packageSources><add key="corp" value="{feed.IndexUrl}" /></packageSources>""");

        var implicitSearch = await box.RunAsync("plugin", "install", "corp-tools", "--yes");

        Assert.True(implicitSearch.ExitCode == ExitCodes.Success, implicitSearch.Error);
        var entry = box.LockFile().Find("corp-tools")!;
        Assert.Equal(("1.1.0", "feed:corp", feed.BaseUrl + "v3/flat/corp-tools/1.1.0/corp-tools.1.1.0.nupkg"), (entry.Version, entry.Source, entry.Origin));
        Assert.Equal("unsigned", entry.Signature);
        Assert.Contains("Signature    unsigned (allowed;", implicitSearch.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_BySourceName_FromTheUsersNuGetConfig()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer();
        feed.Add("corp-tools", "1.0.0", box.Package("corp-tools", "1.0.0"));
        WriteUserNuGetConfig(box, $"""<packageSources><clear /><add key="Corp Feed" value="{feed.IndexUrl}" /></packageSources>""");

        var result = await box.RunAsync("plugin", "install", "corp-tools", "--source", "corp feed", "--yes");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Equal("feed:Corp Feed", box.LockFile().Find("corp-tools")!.Source);
    }

    [Fact]
    public async Task Install_FromAFeedRequiringBasicAuth_UsesTheCredentialsOfNuGetConfig()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer { BasicAuth = ("alice", "s3cret&<token>") };
        feed.Add("private-tools", "2.0.0", box.Package("private-tools", "2.0.0"));
        WriteUserNuGetConfig(box, $"""
            <packageSources><add key="private" value="{feed.IndexUrl}" /></packageSources>
            <packageSourceCredentials><private>
              <add key="Username" value="alice" />
              <add key="ClearTextPassword" value="{SecurityElement.Escape("s3cret&<token>")}" />
            </private></packageSourceCredentials>
            """);

        var result = await box.RunAsync("plugin", "install", "private-tools", "--yes");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Equal(("2.0.0", "feed:private"), (box.LockFile().Find("private-tools")!.Version, box.LockFile().Find("private-tools")!.Source));
        Assert.Contains("/v3/flat/private-tools/2.0.0/private-tools.2.0.0.nupkg", feed.Requests);
    }

    [Fact]
    public async Task Install_TakesAPasswordFromAnEnvironmentVariableNamedInNuGetConfig()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer { BasicAuth = ("ci", "from-the-environment") };
        feed.Add("private-tools", "1.0.0", box.Package("private-tools", "1.0.0"));
        var variable = "AGENT_TEST_FEED_TOKEN_" + Guid.NewGuid().ToString("N");
        WriteUserNuGetConfig(box, $"""
            <packageSources><add key="private" value="{feed.IndexUrl}" /></packageSources>
            <packageSourceCredentials><private>
              <add key="Username" value="ci" />
              <add key="ClearTextPassword" value="%{variable}%" />
            </private></packageSourceCredentials>
            """);

        // NuGet.Configuration expands %VARIABLE% from the process environment (not the agent's injected one).
        Environment.SetEnvironmentVariable(variable, "from-the-environment");
        try
        {
            var result = await box.RunAsync("plugin", "install", "private-tools", "--yes");

            Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
            Assert.Equal("feed:private", box.LockFile().Find("private-tools")!.Source);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Install_FromAFeedRequiringAuth_WithoutCredentials_NamesTheSourceAndTheFix()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer { BasicAuth = ("alice", "secret") };
        feed.Add("private-tools", "2.0.0", box.Package("private-tools", "2.0.0"));
        WriteUserNuGetConfig(box, $"""<packageSources><add key="private" value="{feed.IndexUrl}" /></packageSources>""");

        var result = await box.RunAsync("plugin", "install", "private-tools", "--source", "private", "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Contains(
            $"feed 'private' ({feed.IndexUrl}): it requires authentication (401 Unauthorized) and no credentials are configured for it. Add them for this source in your nuget.config (~/.nuget/NuGet/NuGet.Config), e.g. 'dotnet nuget add source {feed.IndexUrl} --name private --username USER --password TOKEN --store-password-in-clear-text'",
            result.Error,
            StringComparison.Ordinal);
        Assert.Null(box.LockFile().Find("private-tools"));
        Assert.True(feed.Unauthorized > 0);
    }

    [Fact]
    public async Task Install_WithWrongCredentials_SaysTheyWereRefused()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer { BasicAuth = ("alice", "secret") };
        feed.Add("private-tools", "2.0.0", box.Package("private-tools", "2.0.0"));
        WriteUserNuGetConfig(box, $"""
            <packageSources><add key="private" value="{feed.IndexUrl}" /></packageSources>
            <packageSourceCredentials><private><add key="Username" value="alice" /><add key="ClearTextPassword" value="wrong" /></private></packageSourceCredentials>
            """);

        var result = await box.RunAsync("plugin", "install", "private-tools", "--source", "private", "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Contains($"feed 'private' ({feed.IndexUrl}): it refused the credentials from nuget.config (401 Unauthorized).", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_NeverSendsNuGetConfigCredentialsToAnotherUrl()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer { BasicAuth = ("alice", "secret") };
        feed.Add("private-tools", "2.0.0", box.Package("private-tools", "2.0.0"));
        using var other = new NuGetTestServer { BasicAuth = ("alice", "secret") };
        other.Add("private-tools", "2.0.0", box.Package("private-tools", "2.0.0", output: Path.Combine(box.Root, "other")));

        // config.yaml's feed has the nuget.config source's name but another URL: the credentials stay with their URL.
        WriteUserNuGetConfig(box, $"""
            <packageSources><add key="private" value="{feed.IndexUrl}" /></packageSources>
            <packageSourceCredentials><private><add key="Username" value="alice" /><add key="ClearTextPassword" value="secret" /></private></packageSourceCredentials>
            """);
        box.WriteConfig($"plugins:\n  feeds:\n    - name: private\n      url: {other.IndexUrl}\n");

        var result = await box.RunAsync("plugin", "install", "private-tools", "--source", "private", "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Contains($"feed 'private' ({other.IndexUrl}): it requires authentication", result.Error, StringComparison.Ordinal);
        Assert.Empty(feed.Requests);
    }

    [Fact]
    public async Task Install_IgnoresAnUntrustedProjectsNuGetConfig_AndSaysSo()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer();
        feed.Add("team-tools", "1.0.0", box.Package("team-tools", "1.0.0"));
        var projectConfig = Path.Combine(box.Work, "nuget.config");
        File.WriteAllText(projectConfig, NuGetConfig($"""<packageSources><add key="project-feed" value="{feed.IndexUrl}" /></packageSources>"""));

        var result = await box.RunAsync("plugin", "install", "team-tools", "--yes");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Null(box.LockFile().Find("team-tools"));
        Assert.Empty(feed.Requests);
        Assert.Contains(
            $"warning: {projectConfig}: the project is not trusted, so its nuget.config is ignored (package sources, disabled sources and credentials); a project cannot choose where plugins come from or which credentials are sent, the rule that applies to .agent/config.yaml. If you trust this repository, run 'agent trust' in it.",
            result.Error,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_UsesATrustedProjectsNuGetConfig()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer();
        feed.Add("team-tools", "1.0.0", box.Package("team-tools", "1.0.0"));
        File.WriteAllText(Path.Combine(box.Work, "nuget.config"), NuGetConfig($"""<packageSources><add key="project-feed" value="{feed.IndexUrl}" /></packageSources>"""));

        var result = await box.RunAsync("plugin", "install", "team-tools", "--yes", "-c", "permissions.trusted_projects.0=" + box.Work);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Equal("feed:project-feed", box.LockFile().Find("team-tools")!.Source);
        Assert.DoesNotContain("not trusted", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_SkipsDisabledSources_AndRefusesThemByName()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer();
        feed.Add("corp-tools", "1.0.0", box.Package("corp-tools", "1.0.0"));
        WriteUserNuGetConfig(box, $"""
            <packageSources><add key="corp" value="{feed.IndexUrl}" /></packageSources>
            <disabledPackageSources><add key="corp" value="true" /></disabledPackageSources>
            """);

        var implicitSearch = await box.RunAsync("plugin", "install", "corp-tools", "--yes");
        var byName = await box.RunAsync("plugin", "install", "corp-tools", "--source", "corp", "--yes");

        Assert.Equal(ExitCodes.NotFound, implicitSearch.ExitCode);
        Assert.Equal(ExitCodes.Usage, byName.ExitCode);
        Assert.Contains("--source 'corp' is disabled in nuget.config (disabledPackageSources in ", byName.Error, StringComparison.Ordinal);
        Assert.Contains("enable it with 'dotnet nuget enable source corp'", byName.Error, StringComparison.Ordinal);
        Assert.Empty(feed.Requests);
        Assert.Null(box.LockFile().Find("corp-tools"));
    }

    [Fact]
    public async Task Update_FindsANuGetConfigSourceAgainByName_WithItsCredentials()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer { BasicAuth = ("alice", "secret") };
        feed.Add("private-tools", "1.0.0", box.Package("private-tools", "1.0.0"));
        WriteUserNuGetConfig(box, $"""
            <packageSources><add key="private" value="{feed.IndexUrl}" /></packageSources>
            <packageSourceCredentials><private><add key="Username" value="alice" /><add key="ClearTextPassword" value="secret" /></private></packageSourceCredentials>
            """);
        var install = await box.RunAsync("plugin", "install", "private-tools", "--yes");
        Assert.True(install.ExitCode == ExitCodes.Success, install.Error);
        feed.Add("private-tools", "1.1.0", box.Package("private-tools", "1.1.0"));

        var update = await box.RunAsync("plugin", "update", "private-tools", "--yes");

        Assert.True(update.ExitCode == ExitCodes.Success, update.Error);
        Assert.Contains("Updated private-tools 1.0.0 -> 1.1.0.", update.Output, StringComparison.Ordinal);
        Assert.Equal(("1.1.0", "feed:private", "unsigned"), (box.LockFile().Find("private-tools")!.Version, box.LockFile().Find("private-tools")!.Source, box.LockFile().Find("private-tools")!.Signature));
    }

    internal static void WriteUserNuGetConfig(InstallSandbox box, string body)
    {
        var file = Path.Combine(box.Root, ".nuget", "NuGet", "NuGet.Config");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, NuGetConfig(body));
    }

    private static string NuGetConfig(string body) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
        {body}
        </configuration>
        """;
}
