using System.Text.Json;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Providers;

/// <summary>
/// Model parameters through a real <c>agent run</c> process and the openai plugin against a local server: configuration
/// &lt; session setting &lt; run flag, the one validator on the CLI, and the warning when a model cannot take one.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ModelParameterRunTests : IAsyncDisposable
{
    private readonly FakeOpenAIServer _server = new();
    private readonly RunWorkspace _ws = new();

    public ModelParameterRunTests() => _ws.WriteUserConfig($"""
        providers:
          local:
            type: openai
            base_url: {_server.BaseUrl}
        session:
          temperature: 0.1
          top_p: 0.5
          seed: 7
          stop: [END, "###"]
        """);

    public async ValueTask DisposeAsync()
    {
        _ws.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Parameters_Layer_ConfigUnderSessionUnderTheRunsFlags_OnTheWire()
    {
        _server.ReplySse(Chunks.Answer("one"));
        _server.ReplySse(Chunks.Answer("two"));

        var first = await Run("first", "--max-output-tokens", "100");
        Assert.True(first.ExitCode == 0, first.Error);
        var id = await SessionId();
        var set = await _ws.RunAsync("session", "settings", "set", id, "temperature", "0.7");
        Assert.True(set.ExitCode == 0, set.Error);
        var second = await Run("second", "--session", id, "--seed", "9", "--reasoning-effort", "high");
        Assert.True(second.ExitCode == 0, second.Error);

        var requests = _server.Requests.Where(r => r.Path == "/v1/chat/completions").Select(r => r.Json).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(0.1, requests[0].GetProperty("temperature").GetDouble(), 3); // configuration
        Assert.Equal(0.5, requests[0].GetProperty("top_p").GetDouble(), 3);
        Assert.Equal(7, requests[0].GetProperty("seed").GetInt64());
        Assert.Equal(["END", "###"], requests[0].GetProperty("stop").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(100, requests[0].GetProperty("max_tokens").GetInt32()); // the run's flag
        Assert.False(requests[0].TryGetProperty("reasoning_effort", out _));
        Assert.Equal(0.7, requests[1].GetProperty("temperature").GetDouble(), 3); // the session's setting over the configuration
        Assert.Equal(9, requests[1].GetProperty("seed").GetInt64()); // the run's flag over the configuration
        Assert.Equal(0.5, requests[1].GetProperty("top_p").GetDouble(), 3);
        Assert.Equal("high", requests[1].GetProperty("reasoning_effort").GetString());
        Assert.False(requests[1].TryGetProperty("max_tokens", out _)); // a flag holds for its own run only
    }

    [Fact]
    public async Task AModelThatCannotTakeAParameter_IsNamedOnStderr_NeverSilentlyDropped()
    {
        _server.ReplySse(Chunks.Answer("ok"));

        var run = await Run("hi", "--model", "local/o3-mini", "--temperature", "0.3");

        Assert.True(run.ExitCode == 0, run.Error);
        var sent = _server.LastChat.Json;
        Assert.False(sent.TryGetProperty("temperature", out _));
        Assert.False(sent.TryGetProperty("top_p", out _));
        Assert.Contains("temperature is not sent to local/o3-mini: OpenAI reasoning models (o3-mini) take no temperature", run.Error, StringComparison.Ordinal);
        Assert.Contains("top_p is not sent to local/o3-mini", run.Error, StringComparison.Ordinal);
        Assert.Contains("stop is not sent to local/o3-mini", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Split('\n'), line => line.Contains("temperature is not sent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AModelThatCannotTakeAParameter_IsAWarningEvent_InJsonOutput()
    {
        _server.ReplySse(Chunks.Answer("ok"));

        var run = await Run("hi", "--model", "local/o3-mini", "-o", "json");

        Assert.True(run.ExitCode == 0, run.Error);
        var warnings = RunWorkspace.Events(run.Output).Where(e => e.GetProperty("type").GetString() == "warning").Select(e => e.GetRawText()).ToList();
        Assert.Contains(warnings, w => w.Contains("temperature is not sent to local/o3-mini", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--temperature", "5", "--temperature: '5' is not valid; give a number from 0 to 2")]
    [InlineData("--top-p", "1.5", "--top-p: '1.5' is not valid; give a number from 0 to 1")]
    [InlineData("--max-output-tokens", "-1", "--max-output-tokens: '-1' is not valid; give a whole number from 1 to 1000000")]
    [InlineData("--reasoning-effort", "extreme", "--reasoning-effort: 'extreme' is not valid; give one of none, low, medium, high, xhigh")]
    [InlineData("--seed", "abc", "--seed: 'abc' is not valid; give a whole number")]
    public async Task ABadFlag_IsRefused_NamingTheFlagAndTheFix_BeforeAnyRequest(string flag, string value, string message)
    {
        var run = await Run("hi", flag, value);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Requests, r => r.Path == "/v1/chat/completions");
    }

    [Fact]
    public async Task SettingsSet_RefusesABadModelParameter_AndABadConfigValueNamesItsFile()
    {
        _server.ReplySse(Chunks.Answer("ok"));
        Assert.Equal(0, (await Run("hi")).ExitCode);
        var id = await SessionId();

        var badEffort = await _ws.RunAsync("session", "settings", "set", id, "reasoning_effort", "extreme");
        var badStop = await _ws.RunAsync("session", "settings", "set", id, "stop", "[\"a\",\"b\",\"c\",\"d\",\"e\"]");
        _ws.WriteProjectConfig("session:\n  temperature: hot\n");
        var badConfig = await Run("again", "--session", id);

        Assert.Equal(ExitCodes.Usage, badEffort.ExitCode);
        Assert.Contains("reasoning_effort: 'extreme' is not valid; give one of none, low, medium, high, xhigh", badEffort.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, badStop.ExitCode);
        Assert.Contains("stop: '[\"a\",\"b\",\"c\",\"d\",\"e\"]' is not valid; give one stop sequence, or a JSON array of 1 to 4", badStop.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Configuration, badConfig.ExitCode);
        Assert.Contains("temperature (", badConfig.Error, StringComparison.Ordinal);
        Assert.Contains("config.yaml", badConfig.Error, StringComparison.Ordinal);
        Assert.Contains("'hot' is not valid; give a number from 0 to 2", badConfig.Error, StringComparison.Ordinal);
        Assert.Single(_server.Requests, r => r.Path == "/v1/chat/completions");
    }

    private Task<CliResult> Run(string prompt, params string[] args) =>
        _ws.RunAsync(["run", prompt, "--plugin", "openai", "--no-default-plugins", .. args.Contains("--model") ? args : ["--model", "local/test-model", .. args]]);

    private async Task<string> SessionId()
    {
        var list = await _ws.RunAsync("session", "list", "--json");
        return JsonDocument.Parse(list.Output).RootElement.EnumerateArray().First().GetProperty("id").GetString()!;
    }
}
