using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
namespace AgentHost.Tests.Configuration;

public sealed class ConfigurationValidationTests
{
    [Fact]
    public void Resolve_MalformedProjectYaml_ReportsFileLineAndColumn_AndKeepsOtherLayers()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("model: global-model\n");
        var file = project.WriteProject("log_level: debug\nproviders:\n  openai:\n    base_url: [https://x\n");

        var config = project.Resolve();

        var problem = Assert.Single(config.Problems);
        Assert.True(problem.IsError);
        Assert.Equal(file, problem.File);
        Assert.Equal(4, problem.Line);
        Assert.NotNull(problem.Column);
        Assert.StartsWith($"{file}:4:", problem.ToString(), StringComparison.Ordinal);
        Assert.Contains(" — ", problem.Message, StringComparison.Ordinal);
        Assert.Equal("global-model", config.Get("model"));
    }

    [Fact]
    public void Resolve_LanguageIdsKeyedByDottedExtensions_AreValid_AndReadWithoutTheDot()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("lsp:\n  servers:\n    pyright:\n      command: pyright-langserver\n      extensions: [.py, .pyi]\n      language_ids: { .py: python, pyi: python }\n");

        var config = project.Resolve();

        Assert.Empty(config.Problems);
        Assert.Equal("python", config.Get("lsp.servers.pyright.language_ids.py"));
        Assert.Equal("python", config.Get("lsp.servers.pyright.language_ids.pyi"));
    }

    [Fact]
    public void Resolve_BadIndentation_NamesTheLineOfTheMistake()
    {
        using var project = new ConfigProject();
        var file = project.WriteProject("model: a\nlog_level: debug\n  extra: 1\n");

        var problem = Assert.Single(project.Resolve().Problems);

        Assert.Equal(file, problem.File);
        Assert.Equal(3, problem.Line);
        Assert.Contains("indent", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_TabIndentation_PointsAtTheTab()
    {
        using var project = new ConfigProject();
        var file = project.WriteProject("model: a\nproviders:\n\topenai: {}\n");

        var problem = Assert.Single(project.Resolve().Problems);

        Assert.Equal($"{file}:3:1", problem.Location);
        Assert.EndsWith("— indent with spaces, not tabs", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_DuplicateKey_IsAnErrorOnTheSecondLine()
    {
        using var project = new ConfigProject();
        var file = project.WriteProject("model: a\nmodel: b\n");

        var problem = Assert.Single(project.Resolve().Problems);

        Assert.Equal($"{file}:2:1", problem.Location);
        Assert.Contains("duplicate key model", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_UnknownTopLevelKey_SuggestsTheCloseMatch()
    {
        using var project = new ConfigProject();
        var file = project.WriteProject("model: a\nprovider:\n  openai:\n    base_url: https://api.openai.com/v1\n");

        var problem = Assert.Single(project.Resolve().Problems);

        Assert.True(problem.IsError);
        Assert.Equal("provider", problem.Key);
        Assert.Equal($"{file}:4: key 'provider': unknown key. Did you mean 'providers'?", problem.ToString());
    }

    [Fact]
    public void Resolve_UnknownKeyWithoutCloseMatch_ListsTheKnownKeys()
    {
        using var project = new ConfigProject();
        project.WriteProject("colour_scheme: dark\n");

        var problem = Assert.Single(project.Resolve().Problems);

        Assert.Contains("key 'colour_scheme': unknown key. Known keys: log_level, model, small_model, large_model, multi_model, providers, plugins", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_UnknownNestedKey_SuggestsTheSiblingKey()
    {
        using var project = new ConfigProject();
        project.TrustRepo(); // a project's provider settings and feeds apply once it is trusted
        project.WriteProject("providers:\n  openai:\n    base_ulr: https://api.openai.com/v1\n");

        var problem = Assert.Single(project.Resolve().Problems);

        Assert.Equal("key 'providers.openai.base_ulr': unknown key. Did you mean 'providers.openai.base_url'?", problem.Message);
    }

    [Fact]
    public void Resolve_WrongEnumValue_NamesTheAllowedValues()
    {
        using var project = new ConfigProject();
        var file = project.WriteProject("log_level: loud\n");

        var config = project.Resolve();

        var problem = Assert.Single(config.Problems);
        Assert.Equal($"{file}:1: key 'log_level': 'loud' is not allowed. Use one of: trace, debug, information, warning, error, none", problem.ToString());
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, config.LogLevel);
    }

    [Fact]
    public void Resolve_WrongEnumValueFromEnvironment_IsLocatedAtTheVariable()
    {
        using var project = new ConfigProject();

        var problem = Assert.Single(project.Resolve(new Dictionary<string, string> { ["AGENT_LOG_LEVEL"] = "verbose" }).Problems);

        Assert.StartsWith("env AGENT_LOG_LEVEL: key 'log_level': 'verbose' is not allowed.", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ScalarWhereListExpected_SaysItMustBeAList()
    {
        using var project = new ConfigProject();
        project.TrustRepo(); // a project's provider settings and feeds apply once it is trusted
        var file = project.WriteProject("plugins:\n  feeds: https://a.example/feed\n");

        var problem = Assert.Single(project.Resolve().Problems);

        Assert.Equal(file, problem.File);
        Assert.Equal(2, problem.Line);
        Assert.Equal("plugins.feeds", problem.Key);
        Assert.Contains("expected a list", problem.Message, StringComparison.Ordinal);
        Assert.Contains("'- '", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_SectionWhereValueExpected_IsAnError()
    {
        using var project = new ConfigProject();
        project.WriteProject("log_level:\n  console: debug\n");

        var problem = Assert.Single(project.Resolve().Problems);

        Assert.Equal("log_level", problem.Key);
        Assert.Contains("one of: trace, debug", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_NonHttpBaseUrl_IsAnError()
    {
        using var project = new ConfigProject();
        project.TrustRepo(); // a project's provider settings and feeds apply once it is trusted
        project.WriteProject("providers:\n  ollama:\n    base_url: localhost:11434\n");

        var problem = Assert.Single(project.Resolve().Problems);

        Assert.Contains("is not an http(s) URL", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_FeedWithoutUrl_IsAnError()
    {
        using var project = new ConfigProject();
        project.TrustRepo(); // a project's provider settings and feeds apply once it is trusted
        var file = project.WriteProject("plugins:\n  feeds:\n    - name: nowhere\n");

        var config = project.Resolve();

        var problem = Assert.Single(config.Problems);
        Assert.Equal($"{file}:3: key 'plugins.feeds.0': 'url' is missing. Add 'url:' (An http(s) URL or a local folder.)", problem.ToString());
        Assert.Empty(config.PluginFeeds);
    }

    [Fact]
    public void Resolve_FreeFormSections_AcceptAnything()
    {
        using var project = new ConfigProject();
        project.WriteProject("permissions:\n  allow: [read]\nlsp:\n  servers:\n    csharp: {command: csharp-ls}\nmcp: {}\nskills:\n  paths: [a]\nsession:\n  max_steps: 7\n  stop: [END]\n");

        Assert.Empty(project.Resolve().Problems);
    }

    [Fact]
    public void Resolve_AnUnknownSessionKey_IsAnErrorNamingTheKnownOnes()
    {
        // #49: session.* was free-form, so a key no code reads was accepted and ignored.
        using var project = new ConfigProject();
        project.WriteProject("session:\n  colour: blue\n");

        var problem = Assert.Single(project.Resolve().Problems);

        Assert.Contains("key 'session.colour': unknown key. Known keys of 'session': max_steps, dry_run, permission_mode", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("retention_days: 30", null)]
    [InlineData("max_sessions: 200", null)]
    [InlineData("retention_days: 0", "key 'session.retention_days': '0' is not a whole number of 1 or more")]
    [InlineData("max_sessions: -2", "key 'session.max_sessions': '-2' is not a whole number of 1 or more")]
    [InlineData("max_sessions: lots", "key 'session.max_sessions': 'lots' is not a whole number of 1 or more")]
    public void Resolve_TheRetentionKeys_AreKnown_AndMustBePositiveWholeNumbers(string line, string? expected)
    {
        using var project = new ConfigProject();
        project.WriteGlobal($"session:\n  {line}\n");

        var problems = project.Resolve().Problems;

        if (expected is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains(expected, Assert.Single(problems).ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Resolve_MalformedFlag_IsAnErrorNamingTheFormat()
    {
        using var project = new ConfigProject();

        var problem = Assert.Single(project.Resolve(null, null, "log_level").Problems);

        Assert.Equal("flag -c: 'log_level' is not KEY=VALUE. Write a dotted key, '=' and the value, e.g. -c log_level=debug", problem.ToString());
    }

    [Fact]
    public void Resolve_UnknownEnvironmentSection_IsIgnored_WithAWarningWhenItLooksLikeATypo()
    {
        using var project = new ConfigProject();

        var config = project.Resolve(new Dictionary<string, string> { ["AGENT_MODLE"] = "x", ["AGENT_OS"] = "Linux" });

        var problem = Assert.Single(config.Problems);
        Assert.Equal(ConfigSeverity.Warning, problem.Severity);
        Assert.Contains("Did you mean AGENT_MODEL?", problem.Message, StringComparison.Ordinal);
        Assert.Null(config.Get("modle"));
        Assert.Null(config.Get("os"));
    }

    [Fact]
    public void ValidateFile_ChecksOnlyThatFile()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("log_level: loud\n");
        var other = project.Temp.WriteFile("other.yaml", "modle: x\n");

        var problems = ConfigurationResolver.ValidateFile(other, project.Environment());

        var problem = Assert.Single(problems);
        Assert.Equal(other, problem.File);
        Assert.Contains("Did you mean 'model'?", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateFile_MissingFile_ThrowsNotFound()
    {
        using var project = new ConfigProject();

        var error = Assert.Throws<AgentHostException>(() => ConfigurationResolver.ValidateFile("nope.yaml", project.Environment()));

        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Contains(Path.Combine(project.Repo, "nope.yaml"), error.Message, StringComparison.Ordinal);
    }
}
