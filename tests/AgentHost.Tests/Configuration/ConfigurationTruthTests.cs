using System.Net;
using System.Net.Sockets;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Configuration;

/// <summary>
/// Configuration that tells the truth (#78 §2): <c>agent config validate</c> and <c>agent doctor</c> run one check and
/// report the same problems (file, line, fix); a <c>$(…)</c> in a key is refused, never sent; <c>agent config init</c>
/// writes a commented template. Through the CLI, as its commands run.
/// </summary>
public sealed class ConfigurationTruthTests
{
    /// <summary>A provider endpoint nothing listens on: doctor's probe fails at once, and nothing leaves 127.0.0.1.</summary>
    private static readonly string DeadUrl = $"http://127.0.0.1:{Ports.Free()}/v1";

    public static TheoryData<string, int, string, string> BadConfigurations => new()
    {
        // A plugin's setting that keeps the plugin from loading.
        { "plugins:\n  settings:\n    git:\n      timeout_ms: 10\n", 4, "plugins.settings.git.timeout_ms", "'10' is not a whole number from 1000 to 3600000" },

        // Unknown fields inside a provider's model entries, in the list form and the map form.
        { $"providers:\n  local:\n    type: openai\n    base_url: {DeadUrl}\n    models:\n      - {{ id: qwen, contxt_window: 8192 }}\n", 6, "providers.local.models.0.contxt_window", "unknown key. Did you mean 'providers.local.models.0.context_window'?" },
        { $"providers:\n  local:\n    type: openai\n    base_url: {DeadUrl}\n    models:\n      qwen:\n        context_window: 8192\n        input_prise: 0.5\n", 8, "providers.local.models.qwen.input_prise", "unknown key. Did you mean 'providers.local.models.qwen.input_price'?" },
        { $"providers:\n  local:\n    type: openai\n    base_url: {DeadUrl}\n    models:\n      - id: qwen\n        tier: fastest\n", 7, "providers.local.models.0.tier", "'fastest' is not allowed. Use one of: fast, balanced, best" },

        // Invalid permission modes.
        { "permissions:\n  mode: sometimes\n", 2, "permissions.mode", "'sometimes' is not allowed. Use one of: ask, accept-edits, plan, yolo, dont-ask" },
        { "session:\n  permission_mode: yes-please\n", 2, "session.permission_mode", "'yes-please' is not allowed. Use one of: ask, accept-edits, plan, yolo, dont-ask" },

        // Two key sources on one provider: the one that would be ignored is named, with the one that wins.
        { $"providers:\n  local:\n    type: openai\n    base_url: {DeadUrl}\n    api_key_env: LOCAL_KEY\n    api_key_file: /run/secrets/local\n", 6, "providers.local.api_key_file", "provider 'local' already takes its key from api_key_env (" },
        { $"providers:\n  local:\n    type: openai\n    base_url: {DeadUrl}\n    api_key_command: pass show local\n    api_key: sk-local\n", 5, "providers.local.api_key_command", "provider 'local' already takes its key from api_key (" },

        // A command substitution in a key.
        { $"providers:\n  local:\n    type: openai\n    base_url: {DeadUrl}\n    api_key: $(pass show local)\n", 5, "providers.local.api_key", "'$(…)' is not run here: the text would be sent as the api key itself. Write the command as api_key_command instead, e.g. 'api_key_command: pass show local'" },
    };

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public async Task ValidateAndDoctor_ReportTheSameProblem_WithFileLineAndFix(string yaml, int line, string key, string fix)
    {
        using var project = new ConfigProject();
        var file = project.WriteGlobal(yaml);
        var expected = $"{file}:{line}: key '{key}': {fix}";

        var validate = await project.RunAsync("config", "validate");
        var doctor = await project.RunAsync(new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? string.Empty }, "doctor");

        Assert.True(validate.ExitCode == ExitCodes.Configuration, validate.Output + validate.Error);
        Assert.Contains("error: " + expected, validate.Error, StringComparison.Ordinal);
        Assert.True(doctor.ExitCode == ExitCodes.Failure, doctor.Output + doctor.Error);
        Assert.Contains("FAIL configuration: " + expected, doctor.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateFile_ReportsTheSameProblems_AsTheLayers()
    {
        using var project = new ConfigProject();
        var file = project.WriteGlobal($"providers:\n  local:\n    type: openai\n    base_url: {DeadUrl}\n    api_key_env: LOCAL_KEY\n    api_key_file: key.txt\n    models:\n      - {{ id: qwen, contxt_window: 8192 }}\npermissions:\n  mode: sometimes\n");

        var result = await project.RunAsync("config", "validate", "--file", file);

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains($"{file}:6: key 'providers.local.api_key_file': provider 'local' already takes its key from api_key_env ({file}:5)", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{file}:8: key 'providers.local.models.0.contxt_window': unknown key.", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{file}:10: key 'permissions.mode': 'sometimes' is not allowed.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeySourcesInDifferentLayers_AreAWarning_NamingTheOneUsed()
    {
        using var project = new ConfigProject();
        project.TrustRepo();
        var global = project.WriteGlobal($"providers:\n  local:\n    type: openai\n    base_url: {DeadUrl}\n    api_key_command: pass show local\n");
        var local = project.WriteProject("providers:\n  local:\n    api_key_env: LOCAL_KEY\n");

        var result = await project.RunAsync("config", "validate");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains($"warning: {global}:5: key 'providers.local.api_key_command': provider 'local' takes its key from api_key_env ({local}:3), set in another layer, so this source is ignored", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryDocumentedSpelling_OfModesAndModelEntries_IsValid()
    {
        using var project = new ConfigProject();
        project.WriteGlobal($"""
            permissions:
              mode: acceptEdits
            session:
              permission_mode: dont_ask
            providers:
              local:
                type: openai
                base_url: {DeadUrl}
                api_key_env: LOCAL_KEY
                models:
                  - plain-id
                  - {"{"} id: qwen, name: Qwen, context_window: 32768, max_output_tokens: 4096, input_price: 0.5, output_price: 1.5, cached_input_price: 0.1, tier: cheap, features: [tools, thinking] {"}"}
              mapped:
                type: openai
                base_url: {DeadUrl}
                models:
                  llama:
                    context_window: 8192
                  phi:
            """);

        var result = await project.RunAsync("config", "validate");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
    }

    [Fact]
    public async Task ARun_WithACommandSubstitutionInTheKey_StopsBeforeAnyRequest()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            using var ws = new RunWorkspace();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            ws.WriteUserConfig($"providers:\n  local:\n    type: openai\n    base_url: http://127.0.0.1:{port}/v1\n    api_key: \"$(printf sk-from-a-command)\"\n");

            var result = await ws.RunAsync("run", "hello", "-m", "local/m1");

            Assert.Equal(ExitCodes.Configuration, result.ExitCode);
            Assert.Contains("key 'providers.local.api_key': '$(…)' is not run here", result.Error, StringComparison.Ordinal);
            Assert.Contains("'api_key_command: printf sk-from-a-command'", result.Error, StringComparison.Ordinal);
            Assert.False(listener.Pending(), "the provider was contacted with the literal '$(…)' key");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Theory]
    [InlineData("$(pass show openai)")]
    [InlineData("`pass show openai`")]
    public void ResolvingAKey_WithACommandSubstitution_IsRefused_NeverReturned(string value)
    {
        using var temp = new TempDirectory();
        var settings = new ProviderSettings("local", "openai", "http://127.0.0.1:9/v1", value, null, null, null, new Dictionary<string, string>(), []);

        var error = Assert.Throws<AgentHostException>(() => ProviderKeys.Resolve("local", "openai", settings, TestEnvironment.Create(temp.Path, temp.Path)));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.Contains("provider 'local': api_key holds a shell command substitution", error.Message, StringComparison.Ordinal);
        Assert.Contains("Set api_key_command to the command instead", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pass show", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigInit_WritesACommentedTemplate_ThatValidates_AndRefusesToOverwrite()
    {
        using var project = new ConfigProject();

        var first = await project.RunAsync("config", "init");
        var written = File.ReadAllText(project.GlobalFile);
        var validate = await project.RunAsync("config", "validate");
        File.WriteAllText(project.GlobalFile, "model: mine/kept\n");
        var again = await project.RunAsync("config", "init");
        var kept = File.ReadAllText(project.GlobalFile);
        var forced = await project.RunAsync("config", "init", "--force");

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.StartsWith(ConfigJsonSchema.Modeline + "\n", written, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(project.GlobalFile)!, ConfigJsonSchema.FileName)));
        Assert.True(validate.ExitCode == ExitCodes.Success, validate.Error);
        Assert.Equal(ExitCodes.Usage, again.ExitCode);
        Assert.Contains($"{project.GlobalFile} already exists; nothing was written.", again.Error, StringComparison.Ordinal);
        Assert.Contains("--force", again.Error, StringComparison.Ordinal);
        Assert.Equal("model: mine/kept\n", kept);
        Assert.Equal(ExitCodes.Success, forced.ExitCode);
        Assert.Equal(written, File.ReadAllText(project.GlobalFile));
        Assert.False(Directory.Exists(Path.Combine(project.Repo, ".agent")), "config init wrote into the project");
    }

    [Fact]
    public async Task ConfigInit_TemplatesExamples_AreValidOnceUncommented()
    {
        using var project = new ConfigProject();
        Assert.Equal(ExitCodes.Success, (await project.RunAsync("config", "init")).ExitCode);
        var uncommented = File.ReadAllLines(project.GlobalFile)
            .Where(line => !line.StartsWith("##", StringComparison.Ordinal) && !line.StartsWith(ConfigJsonSchema.Modeline, StringComparison.Ordinal))
            .Select(line => line.StartsWith("# ", StringComparison.Ordinal) ? line[2..] : line);
        File.WriteAllLines(project.GlobalFile, uncommented);

        var result = await project.RunAsync("config", "validate", "--file", project.GlobalFile);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + File.ReadAllText(project.GlobalFile));
        Assert.Contains("api_key_command: pass show anthropic", File.ReadAllText(project.GlobalFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCommand_WritesAConfigFile_OnAFirstStart()
    {
        using var project = new ConfigProject();

        var result = await project.RunAsync("config", "show");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.False(File.Exists(project.GlobalFile), "a first start wrote the user's config.yaml");
        Assert.False(File.Exists(project.ProjectFile), "a first start wrote the project's config.yaml");
    }
}
