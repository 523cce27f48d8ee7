using AgentHost.Hosting.Configuration;
namespace AgentHost.Tests.Configuration;

public sealed class ConfigurationResolverTests
{
    [Fact]
    public void Resolve_WithNoConfiguration_UsesBuiltInDefault()
    {
        using var project = new ConfigProject();

        var config = project.Resolve();

        var entry = config.Explain("log_level");
        Assert.NotNull(entry);
        Assert.Equal("information", entry.Value);
        Assert.Equal(ConfigLayer.Default, entry.Layer);
        Assert.Equal("default", entry.Source);
        Assert.Empty(config.Problems);
        Assert.Null(config.ProjectConfigFile);
    }

    [Fact]
    public void Resolve_GlobalOverridesDefault_AndExplainsFileAndLine()
    {
        using var project = new ConfigProject();
        var global = project.WriteGlobal("# global settings\nmodel: openai/gpt-4o\nlog_level: warning\n");

        var entry = project.Resolve().Explain("log_level");

        Assert.NotNull(entry);
        Assert.Equal("warning", entry.Value);
        Assert.Equal(ConfigLayer.Global, entry.Layer);
        Assert.Equal(global, entry.File);
        Assert.Equal(3, entry.Line);
        Assert.Equal($"{global}:3", entry.Source);
    }

    [Fact]
    public void Resolve_ProjectOverridesGlobal_AndExplainsSource()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("log_level: warning\nmodel: global-model\n");
        var projectFile = project.WriteProject("\n\nlog_level: error\n");

        var config = project.Resolve();

        var level = config.Explain("log_level")!;
        Assert.Equal("error", level.Value);
        Assert.Equal(ConfigLayer.Project, level.Layer);
        Assert.Equal(projectFile, level.File);
        Assert.Equal(3, level.Line);
        Assert.Equal(projectFile, config.ProjectConfigFile);
        Assert.Equal(ConfigLayer.Global, config.Explain("model")!.Layer);
        Assert.Equal("global-model", config.Get("model"));
    }

    [Fact]
    public void Resolve_EnvironmentOverridesProject_AndNamesTheVariable()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("log_level: warning\n");
        project.WriteProject("log_level: error\n");

        var entry = project.Resolve(new Dictionary<string, string> { ["AGENT_LOG_LEVEL"] = "debug" }).Explain("log_level")!;

        Assert.Equal("debug", entry.Value);
        Assert.Equal(ConfigLayer.Environment, entry.Layer);
        Assert.Equal("AGENT_LOG_LEVEL", entry.Origin);
        Assert.Equal("env AGENT_LOG_LEVEL", entry.Source);
    }

    [Fact]
    public void Resolve_FlagOverridesEnvironment_AndShowsTheFlag()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("log_level: warning\n");
        project.WriteProject("log_level: error\n");

        var config = project.Resolve(new Dictionary<string, string> { ["AGENT_LOG_LEVEL"] = "debug" }, null, "log_level=none", "log_level=trace");

        var entry = config.Explain("log_level")!;
        Assert.Equal("trace", entry.Value);
        Assert.Equal(ConfigLayer.Flag, entry.Layer);
        Assert.Equal("flag -c log_level=trace", entry.Source);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Trace, config.LogLevel);
    }

    [Fact]
    public void Resolve_FindsNearestProjectConfig_WalkingUpFromTheCurrentDirectory()
    {
        using var project = new ConfigProject();
        project.WriteProject("model: repo-model\n");
        var nested = project.Temp.WriteFile(Path.Combine("repo", "app", ".agent", "config.yaml"), "model: app-model\n");
        var deep = project.Temp.Combine("repo", "app", "src", "lib");
        Directory.CreateDirectory(deep);

        var config = project.Resolve(currentDirectory: deep);

        Assert.Equal("app-model", config.Get("model"));
        Assert.Equal(nested, config.ProjectConfigFile);
        Assert.Equal(project.Temp.Combine("repo", "app"), config.ProjectRoot);
        Assert.Equal(project.Repo, config.GitRoot);
    }

    [Fact]
    public void Resolve_StopsProjectSearchAtGitRoot_NeverReadingConfigAboveIt()
    {
        using var project = new ConfigProject();
        project.Temp.WriteFile(Path.Combine(".agent", "config.yaml"), "model: outside-the-repo\n");
        var sub = project.Temp.Combine("repo", "sub");
        Directory.CreateDirectory(sub);

        var config = project.Resolve(currentDirectory: sub);

        Assert.Null(config.ProjectConfigFile);
        Assert.Null(config.Get("model"));
        Assert.Equal(project.Repo, config.ProjectRoot);
    }

    [Fact]
    public void Resolve_ProjectRootIsCurrentDirectory_OutsideAnyRepositoryOrProject()
    {
        using var project = new ConfigProject();
        var loose = project.Temp.Combine("loose", "dir");
        Directory.CreateDirectory(loose);

        var config = project.Resolve(currentDirectory: loose);

        Assert.Equal(loose, config.ProjectRoot);
        Assert.Null(config.GitRoot);
        Assert.Null(config.ProjectConfigFile);
    }

    [Fact]
    public void Resolve_MapsEnvironmentVariables_DoubleUnderscoreNests_AndIgnoresHostVariables()
    {
        using var project = new ConfigProject();
        var variables = new Dictionary<string, string>
        {
            ["AGENT_PROVIDERS__OPENAI__BASE_URL"] = "http://127.0.0.1:9/v1",
            ["AGENT_SKILLS_DIR"] = "/somewhere",
            ["AGENT_CATALOG_DIR"] = "/elsewhere",
            ["AGENT_BUILDDIRECTORY"] = "/ci/build",
        };

        var config = project.Resolve(variables);

        var entry = config.Explain("providers.openai.base_url")!;
        Assert.Equal("http://127.0.0.1:9/v1", entry.Value);
        Assert.Equal("AGENT_PROVIDERS__OPENAI__BASE_URL", entry.Origin);
        Assert.Equal("http://127.0.0.1:9/v1", config.Providers["openai"].BaseUrl);
        Assert.DoesNotContain(config.Entries, e => e.Key.StartsWith("skills", StringComparison.Ordinal) || e.Key.StartsWith("home", StringComparison.Ordinal) || e.Key.StartsWith("catalog", StringComparison.Ordinal) || e.Key.StartsWith("builddirectory", StringComparison.Ordinal));
        Assert.False(config.HasErrors);
    }

    [Fact]
    public void Resolve_EnvironmentOverridesKeyWrittenInAnyCase()
    {
        using var project = new ConfigProject();
        project.WriteProject("providers:\n  OpenAI:\n    base_url: https://api.openai.com/v1\n");

        var config = project.Resolve(new Dictionary<string, string> { ["AGENT_PROVIDERS__OPENAI__BASE_URL"] = "http://127.0.0.1:8/v1" });

        Assert.Single(config.Providers);
        Assert.Equal("http://127.0.0.1:8/v1", config.Providers["openai"].BaseUrl);
    }

    [Fact]
    public void Resolve_ExpandsVariablesInFileValues_WithDefaultsAndDollarEscape()
    {
        using var project = new ConfigProject();
        project.TrustRepo(); // a project's provider settings and feeds apply once it is trusted
        var file = project.WriteProject(
            "model: ${MODEL_NAME:-fallback-model}\n" +
            "providers:\n" +
            "  local:\n" +
            "    base_url: http://${HOSTNAME_X}:${PORT_X:-8080}/v1\n" +
            "    headers:\n" +
            "      X-Price: $$5 and $$HOME\n" +
            "      X-User: $USER_X\n" +
            "      X-Missing: a${NOT_SET_ANYWHERE}b\n");

        var config = project.Resolve(new Dictionary<string, string> { ["HOSTNAME_X"] = "127.0.0.1", ["USER_X"] = "ada" });

        Assert.Equal("fallback-model", config.Get("model"));
        Assert.Equal("http://127.0.0.1:8080/v1", config.Get("providers.local.base_url"));
        Assert.Equal("$5 and $HOME", config.Get("providers.local.headers.X-Price"));
        Assert.Equal("ada", config.Get("providers.local.headers.X-User"));
        Assert.Equal("ab", config.Get("providers.local.headers.X-Missing"));
        var warning = Assert.Single(config.Problems);
        Assert.Equal(ConfigSeverity.Warning, warning.Severity);
        Assert.Equal(file, warning.File);
        Assert.Equal(8, warning.Line);
        Assert.Contains("NOT_SET_ANYWHERE", warning.Message, StringComparison.Ordinal);
        Assert.False(config.HasErrors);
    }

    [Fact]
    public void Resolve_DoesNotExpandEnvironmentOrFlagValues()
    {
        using var project = new ConfigProject();

        var config = project.Resolve(new Dictionary<string, string> { ["AGENT_MODEL"] = "$HOME-model" }, null, "providers.x.api_key=pa$$word");

        Assert.Equal("$HOME-model", config.Get("model"));
        Assert.Equal("pa$$word", config.Get("providers.x.api_key"));
    }

    [Fact]
    public void Resolve_ListInHigherFileReplacesLowerList_AndRelativeFeedFoldersResolveAgainstTheirFile()
    {
        using var project = new ConfigProject();
        project.TrustRepo(); // a project's provider settings and feeds apply once it is trusted
        project.WriteGlobal("plugins:\n  feeds:\n    - name: a\n      url: https://a.example/feed\n    - name: b\n      url: https://b.example/feed\n");
        project.WriteProject("plugins:\n  feeds:\n    - name: local\n      url: ../local-plugins\n    - url: https://c.example/v3/index.json\n");

        var feeds = project.Resolve().PluginFeeds;

        Assert.Equal(2, feeds.Count);
        Assert.Equal(new PluginFeedSettings("local", Path.Combine(project.Repo, "local-plugins")), feeds[0]);
        Assert.True(feeds[0].IsLocalFolder);
        Assert.Equal("https://c.example/v3/index.json", feeds[1].Name);
        Assert.False(feeds[1].IsLocalFolder);
    }

    [Fact]
    public void Resolve_EnvironmentOverridesOneListItem_KeepingTheRest()
    {
        using var project = new ConfigProject();
        project.TrustRepo(); // a project's provider settings and feeds apply once it is trusted
        project.WriteProject("plugins:\n  feeds:\n    - name: main\n      url: https://a.example/feed\n");

        var config = project.Resolve(new Dictionary<string, string> { ["AGENT_PLUGINS__FEEDS__0__URL"] = "https://mirror.example/feed" });

        var feed = Assert.Single(config.PluginFeeds);
        Assert.Equal(new PluginFeedSettings("main", "https://mirror.example/feed"), feed);
    }

    [Fact]
    public void GetSection_ReturnsChildrenWithThePrefixRemoved()
    {
        using var project = new ConfigProject();
        project.WriteProject("plugins:\n  settings:\n    acme-tools:\n      server:\n        url: http://127.0.0.1:7000\n      retries: 3\n    other:\n      x: 1\n");

        var config = project.Resolve();

        var section = config.GetSection("plugins.settings.acme-tools");
        Assert.Equal(2, section.Count);
        Assert.Equal("http://127.0.0.1:7000", section["server.url"]);
        Assert.Equal("3", section["retries"]);
        Assert.Equal(section, config.GetPluginSettings("acme-tools"));
        Assert.Empty(config.GetSection("plugins.settings.missing"));
    }

    [Fact]
    public void Providers_ReadsTypedSettings_WithTypeDefaultHeadersAndModels()
    {
        using var project = new ConfigProject();
        project.TrustRepo(); // a project's provider settings and feeds apply once it is trusted
        var file = project.WriteProject(
            "providers:\n" +
            "  openai:\n" +
            "    base_url: https://api.openai.com/v1\n" +
            "    api_key_env: OPENAI_API_KEY\n" +
            "    models: [gpt-4o, gpt-4o-mini]\n" +
            "  work:\n" +
            "    type: anthropic\n" +
            "    api_key: sk-test-secret\n" +
            "    api_key_file: keys/work.txt\n" +
            "    headers:\n" +
            "      X-Team: core\n" +
            "    models:\n" +
            "      claude-x:\n" +
            "        context_window: 200000\n");

        var providers = project.Resolve().Providers;

        var openai = providers["openai"];
        Assert.Equal("openai", openai.Type);
        Assert.Equal("OPENAI_API_KEY", openai.ApiKeyEnv);
        Assert.Null(openai.ApiKey);
        Assert.Equal(["gpt-4o", "gpt-4o-mini"], openai.Models);
        var work = providers["work"];
        Assert.Equal("anthropic", work.Type);
        Assert.Equal("sk-test-secret", work.ApiKey);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(file)!, "keys", "work.txt"), work.ApiKeyFile);
        Assert.Equal("core", work.Headers["X-Team"]);
        Assert.Equal(["claude-x"], work.Models);
        Assert.DoesNotContain("sk-test-secret", work.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_FlagWithSecret_RedactsTheFlagTextInItsSource()
    {
        using var project = new ConfigProject();

        var entry = project.Resolve(null, null, "providers.openai.api_key=sk-live-123").Explain("providers.openai.api_key")!;

        Assert.Equal("sk-live-123", entry.Value);
        Assert.Equal("***", entry.DisplayValue);
        Assert.Equal("flag -c providers.openai.api_key=***", entry.Source);
        Assert.DoesNotContain("sk-live-123", entry.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_Entries_AreSortedWithListIndicesInNumericOrder()
    {
        using var project = new ConfigProject();
        project.TrustRepo(); // a project's provider settings and feeds apply once it is trusted
        var items = string.Concat(Enumerable.Range(0, 12).Select(i => $"    - url: https://f{i}.example\n"));
        project.WriteProject("plugins:\n  feeds:\n" + items);

        var config = project.Resolve();

        var urls = config.Entries.Where(e => e.Key.StartsWith("plugins.feeds.", StringComparison.Ordinal)).Select(e => e.Key).ToList();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"plugins.feeds.{i}.url"), urls);
        Assert.Equal("https://f11.example", config.PluginFeeds[11].Url);
    }

    [Theory]
    [InlineData("api_key", true)]
    [InlineData("auth_token", true)]
    [InlineData("client_secret", true)]
    [InlineData("Password", true)]
    [InlineData("Authorization", true)]
    [InlineData("api_key_env", false)]
    [InlineData("api_key_file", false)]
    [InlineData("api_key_command", false)]
    [InlineData("base_url", false)]
    public void IsSecret_MatchesSecretWordsInTheLastSegment_ButNotReferences(string lastSegment, bool secret)
    {
        Assert.Equal(secret, SecretRedaction.IsSecret("providers.openai." + lastSegment));
        Assert.Equal(secret, SecretRedaction.IsSecret(lastSegment));
    }
}
