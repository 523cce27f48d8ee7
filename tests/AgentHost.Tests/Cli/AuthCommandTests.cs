using System.Text.Json;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Cli;

/// <summary><c>agent auth login/logout/status</c> through the real CLI, and a run that uses the stored key (#19 item 12).</summary>
public sealed class AuthCommandTests
{
    private const string Key = "sk-stored-4b9e1f7a2c";

    [Fact]
    public async Task LoginFromStdin_ThenARunUsesTheStoredKey_StatusNeverPrintsIt_AndLogoutRemovesIt()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
            """);
        server.ReplySse(Chunks.Answer("Hello from the stored key."));
        var environment = ws.Environment;
        environment["AGENT_KEY_STORE"] = "file";
        var credentials = Path.Combine(environment["AGENT_HOME"], "credentials.json");

        var login = await AgentProcess.RunWithInputAsync(ws.Root, environment, Key + "\n", "auth", "login", "local");
        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "Say hello", "--model", "local/test-model", "-o", "final");
        var status = await AgentProcess.RunAsync(ws.Root, environment, "auth", "status");
        var statusJson = await AgentProcess.RunAsync(ws.Root, environment, "auth", "status", "--json");
        var logout = await AgentProcess.RunAsync(ws.Root, environment, "auth", "logout", "local");
        var after = await AgentProcess.RunAsync(ws.Root, environment, "auth", "status", "--json");

        Assert.True(login.ExitCode == 0, login.Error);
        Assert.Contains($"Stored the API key for local in {credentials}.", login.Output, StringComparison.Ordinal);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal("Hello from the stored key.", run.Output.Trim());
        Assert.Equal("Bearer " + Key, server.Requests.Single(r => r.Path == "/v1/chat/completions").Header("Authorization"));
        Assert.Matches($@"(?m)^local\s+yes\s+stored in {System.Text.RegularExpressions.Regex.Escape(credentials)}$", status.Output);
        Assert.Matches(@"(?m)^openai\s+none\s+-$", status.Output);
        using (var json = JsonDocument.Parse(statusJson.Output))
        {
            var local = json.RootElement.EnumerateArray().Single(p => p.GetProperty("provider").GetString() == "local");
            Assert.True(local.GetProperty("hasKey").GetBoolean());
        }

        foreach (var output in new[] { login, run, status, statusJson, logout, after })
        {
            Assert.DoesNotContain(Key, output.Output + output.Error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Key, File.ReadAllText(Path.Combine(environment["AGENT_HOME"], "config.yaml")), StringComparison.Ordinal);
        Assert.Contains($"Deleted the stored API key for local from {credentials}.", logout.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, File.ReadAllText(credentials), StringComparison.Ordinal);
        using var afterJson = JsonDocument.Parse(after.Output);
        Assert.False(afterJson.RootElement.EnumerateArray().Single(p => p.GetProperty("provider").GetString() == "local").GetProperty("hasKey").GetBoolean());
    }

    [Fact]
    public async Task ZeroConfig_AStoredKey_MakesTheServiceUsable_WithNoConfigFileAndNoVariable()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        server.ReplySse(Chunks.Answer("Hello, from a key in the store."));
        var environment = ws.Environment;
        environment["AGENT_KEY_STORE"] = "file";
        environment["OPENAI_BASE_URL"] = server.BaseUrl.ToString();

        var before = await AgentProcess.RunAsync(ws.Root, environment, "models");
        var login = await AgentProcess.RunWithInputAsync(ws.Root, environment, Key + "\n", "auth", "login", "openai");
        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "say hello", "-o", "final");

        Assert.Contains("no key: export OPENAI_API_KEY=<your key>, or store one with 'agent auth login openai'", before.Output + before.Error, StringComparison.Ordinal);
        Assert.True(login.ExitCode == 0, login.Error);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal("Hello, from a key in the store.", run.Output.Trim());
        Assert.Equal("Bearer " + Key, server.LastChat.Header("Authorization"));
        Assert.False(File.Exists(Path.Combine(environment["AGENT_HOME"], "config.yaml")));
    }

    [Fact]
    public async Task Login_Headless_WithoutInput_NeverPrompts_AndStoresNothing()
    {
        using var temp = new TempDirectory();
        var env = TestEnvironment.Create(temp.Path, temp.Path, new Dictionary<string, string> { ["AGENT_KEY_STORE"] = "file" });

        var login = await CliRunner.RunAsync(env, "auth", "login", "openai");
        var badName = await CliRunner.RunAsync(env, "auth", "login", "Open AI");

        Assert.Equal(ExitCodes.Usage, login.ExitCode);
        Assert.Contains("no key on standard input, and no terminal to ask at. Pipe it in: 'agent auth login openai < key.txt'", login.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, badName.ExitCode);
        Assert.Contains("'Open AI' is not a provider name", badName.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "agent-home", "credentials.json")));
    }

    [Fact]
    public async Task Status_PrefersTheEnvironmentVariable_OverTheStoredKey()
    {
        using var ws = new RunWorkspace();
        var environment = ws.Environment;
        environment["AGENT_KEY_STORE"] = "file";
        Assert.Equal(0, (await AgentProcess.RunWithInputAsync(ws.Root, environment, Key, "auth", "login", "openai")).ExitCode);
        environment["OPENAI_API_KEY"] = "sk-from-env-0000";

        var status = await AgentProcess.RunAsync(ws.Root, environment, "auth", "status");
        var login = await AgentProcess.RunWithInputAsync(ws.Root, environment, Key, "auth", "login", "openai");

        Assert.Matches(@"(?m)^openai\s+yes\s+env \$OPENAI_API_KEY$", status.Output);
        Assert.Contains("note: the environment variable OPENAI_API_KEY takes precedence over the stored key, so the stored key is not used while it is set.", login.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-from-env-0000", status.Output + status.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api_key_env: LOCAL_KEY", "providers.local.api_key_env ($LOCAL_KEY)")]
    [InlineData("api_key_env: UNSET_KEY", "providers.local.api_key_env ($UNSET_KEY, not set: the provider fails until it is)")]
    [InlineData("api_key_file: /run/secrets/local-key", "providers.local.api_key_file (/run/secrets/local-key)")]
    [InlineData("api_key_command: pass show local", "providers.local.api_key_command")]
    [InlineData("api_key: sk-in-the-file", "providers.local.api_key")]
    public async Task Login_SaysWhichConfiguredSource_TakesPrecedence_WithItsFileAndLine(string source, string named)
    {
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"providers:\n  local:\n    type: openai\n    base_url: http://127.0.0.1:9/v1\n    {source}\n");
        var environment = ws.Environment;
        environment["AGENT_KEY_STORE"] = "file";
        environment["LOCAL_KEY"] = "sk-from-env-1111";

        var login = await AgentProcess.RunWithInputAsync(ws.Root, environment, Key, "auth", "login", "local");

        Assert.True(login.ExitCode == 0, login.Error);
        Assert.Contains($"note: {named} in {Path.Combine(environment["AGENT_HOME"], "config.yaml")}:5 takes precedence over the stored key", login.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-from-env-1111", login.Output + login.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-in-the-file", login.Output + login.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_WithNoSourceAhead_AddsNoNote()
    {
        using var ws = new RunWorkspace();
        ws.WriteUserConfig("providers:\n  local:\n    type: openai\n    base_url: http://127.0.0.1:9/v1\n");
        var environment = ws.Environment;
        environment["AGENT_KEY_STORE"] = "file";

        var login = await AgentProcess.RunWithInputAsync(ws.Root, environment, Key, "auth", "login", "local");

        Assert.True(login.ExitCode == 0, login.Error);
        Assert.DoesNotContain("takes precedence", login.Error, StringComparison.Ordinal);
    }

    [UnixFact("file modes")]
    public async Task FileFallback_IsReadableByTheUserOnly()
    {
        using var ws = new RunWorkspace();
        var environment = ws.Environment;
        environment["AGENT_KEY_STORE"] = "file";

        var login = await AgentProcess.RunWithInputAsync(ws.Root, environment, Key, "auth", "login", "groq");

        Assert.True(login.ExitCode == 0, login.Error);
        var file = Path.Combine(environment["AGENT_HOME"], "credentials.json");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [SecretToolFact]
    public async Task Login_StoresTheKeyInTheKeychain_WhereSecretToolWorks()
    {
        using var ws = new RunWorkspace();
        var environment = ws.Environment;
        var provider = "agenthost-test-" + Guid.NewGuid().ToString("N")[..8];

        var login = await AgentProcess.RunWithInputAsync(ws.Root, environment, Key, "auth", "login", provider);
        var status = await AgentProcess.RunAsync(ws.Root, environment, "auth", "status");
        var logout = await AgentProcess.RunAsync(ws.Root, environment, "auth", "logout", provider);

        Assert.True(login.ExitCode == 0, login.Error);
        Assert.Contains($"Stored the API key for {provider} in the keychain (secret-tool).", login.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, File.ReadAllText(Path.Combine(environment["AGENT_HOME"], "credentials.json")), StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{provider}\s+yes\s+stored in the keychain \(secret-tool\)$", status.Output);
        Assert.Contains("from the keychain (secret-tool)", logout.Output, StringComparison.Ordinal);
    }

    /// <summary>Runs only where Linux's secret-tool is installed and a session bus (for the Secret Service) is there.</summary>
    private sealed class SecretToolFactAttribute : FactAttribute
    {
        public SecretToolFactAttribute()
        {
            var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Where(Path.IsPathFullyQualified).Select(d => Path.Combine(d, "secret-tool")).FirstOrDefault(File.Exists);
            Skip = !OperatingSystem.IsLinux() ? "the keychain test uses Linux's secret-tool"
                : path is null ? "secret-tool (libsecret) is not installed here; the file fallback is tested instead"
                : Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS") is not { Length: > 0 } ? "no session bus (DBUS_SESSION_BUS_ADDRESS) for the Secret Service here"
                : null;
        }
    }
}
