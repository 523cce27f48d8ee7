using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Tests.Support;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Tests.Configuration;

/// <summary>
/// <c>agent config schema</c> (#49): the JSON Schema of config.yaml generated from the validator's key table and the
/// plugins' declared settings, published as docs/config.schema.json and referenced by <c>agent init</c>.
/// </summary>
public sealed class ConfigSchemaCommandTests
{
    private static readonly string RepositoryRoot = FindRepositoryRoot();

    [Fact]
    public async Task ThePublishedSchema_IsWhatTheCommandGenerates()
    {
        using var project = new ConfigProject();

        var result = await project.RunAsync("config", "schema");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        var published = File.ReadAllText(Path.Combine(RepositoryRoot, "docs", "config.schema.json")).ReplaceLineEndings("\n");
        Assert.True(
            published == result.Output.ReplaceLineEndings("\n"),
            "docs/config.schema.json is not what 'agent config schema' generates: a key or a bundled plugin's setting changed. "
            + "Regenerate it with an empty AGENT_HOME: AGENT_HOME=$(mktemp -d) dotnet src/AgentHost.Cli/bin/Debug/net10.0/agent.dll config schema > docs/config.schema.json");
    }

    [Theory]
    [InlineData("model: openai/gpt-4o\nsmall_model: openai/gpt-4o-mini\nlog_level: debug\nproviders:\n  openai:\n    api_key_env: OPENAI_API_KEY\n    models: [gpt-4o, gpt-4o-mini]\n  local:\n    type: openai\n    base_url: http://127.0.0.1:8080/v1\n    models:\n      - { id: qwen, context_window: 32768, input_price: 0 }\npermissions:\n  mode: ask\n  allow: [read, \"shell(git status)\"]\nsandbox:\n  mode: required\n  network_domains: [github.com]\nsession:\n  retention_days: 30\n  max_steps: 20\nserver:\n  port: 4141\n  permission_timeout: 300\nplugins:\n  defaults: [files, git]\n  settings:\n    git:\n      attribution: none\n      timeout_ms: 5000\n    web:\n      allowed_domains: [example.com]\n    acme.jira-tools:\n      url: https://jira.example.com\n")]
    [InlineData("")]
    public async Task ARealValidConfig_PassesTheSchema(string yaml)
    {
        var schema = await SchemaAsync();

        var result = Evaluate(schema, yaml);

        Assert.True(result.IsValid, Errors(result));
    }

    [Theory]
    [InlineData("log_levle: debug\n")]
    [InlineData("log_level: loud\n")]
    [InlineData("session:\n  retention_days: 0\n")]
    [InlineData("sandbox:\n  mode: sometimes\n")]
    [InlineData("plugins:\n  defaults: files\n")]
    [InlineData("plugins:\n  settings:\n    git:\n      generated_by: true\n")]
    [InlineData("plugins:\n  settings:\n    git:\n      timeout_ms: 10\n")]
    [InlineData("plugins:\n  feeds:\n    - name: no-url\n")]
    public async Task WhatTheValidatorRefuses_TheSchemaRefusesToo(string yaml)
    {
        using var project = new ConfigProject();
        project.WriteGlobal(yaml);
        var schema = await SchemaAsync();

        var validate = await project.RunAsync("config", "validate");
        var result = Evaluate(schema, yaml);

        Assert.Equal(ExitCodes.Configuration, validate.ExitCode);
        Assert.False(result.IsValid, yaml);
    }

    [Fact]
    public async Task Init_AndWrite_PointTheConfigFileAtTheSchema_AndConfigSetKeepsThatLine()
    {
        using var project = new ConfigProject();
        Directory.CreateDirectory(project.Repo);
        File.WriteAllText(Path.Combine(project.Repo, "README.md"), "# demo\n");
        var inRepo = project.Environment(currentDirectory: project.Repo);

        var init = await CliRunner.RunAsync(inRepo, "init");
        var set = await CliRunner.RunAsync(inRepo, "config", "set", "--project", "memory.enabled", "false");
        project.WriteGlobal("log_level: debug\n");
        var write = await project.RunAsync("config", "schema", "--write");

        Assert.True(init.ExitCode == ExitCodes.Success, init.Error);
        Assert.True(set.ExitCode == ExitCodes.Success, set.Error);
        Assert.True(write.ExitCode == ExitCodes.Success, write.Error);
        var projectConfig = File.ReadAllText(project.ProjectFile);
        Assert.StartsWith("# yaml-language-server: $schema=config.schema.json\n", projectConfig, StringComparison.Ordinal);
        Assert.Contains("enabled: false", projectConfig, StringComparison.Ordinal);
        Assert.False(File.Exists(project.ProjectFile + ".bak")); // the schema line is not a comment the edit drops
        Assert.True(JsonNode.Parse(File.ReadAllText(Path.Combine(project.Repo, ".agent", "config.schema.json"))) is JsonObject);
        Assert.Equal("# yaml-language-server: $schema=config.schema.json\nlog_level: debug\n", File.ReadAllText(project.GlobalFile));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(project.GlobalFile)!, "config.schema.json")));
        var validate = await CliRunner.RunAsync(inRepo, "config", "validate");
        Assert.True(validate.ExitCode == ExitCodes.Success, validate.Error);
    }

    private static async Task<JsonSchema> SchemaAsync()
    {
        using var project = new ConfigProject();
        var result = await project.RunAsync("config", "schema");
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        return JsonSchema.FromText(result.Output);
    }

    private static EvaluationResults Evaluate(JsonSchema schema, string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var json = stream.Documents.Count == 0 ? new JsonObject() : ToJson(stream.Documents[0].RootNode);
        using var document = JsonDocument.Parse(json!.ToJsonString());
        return schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    /// <summary>YAML as a YAML 1.2 core-schema reader sees it: plain scalars that read as numbers or booleans are those.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(pair => KeyValuePair.Create(((YamlScalarNode)pair.Key).Value!, ToJson(pair.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: var text } when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) => whole,
        YamlScalarNode { Style: ScalarStyle.Plain, Value: var text } when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => number,
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } flag => flag.Value == "true",
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };

    private static string Errors(EvaluationResults result) =>
        string.Join("\n", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Host.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Host.sln not found above " + AppContext.BaseDirectory);
    }
}
