using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Compare;

/// <summary>
/// <c>agent run --compare</c> as a real process with the openai plugin against a local server that answers per model:
/// both answers with their figures, no tools, the same system prompt (with project memory), a failing model beside a
/// working one, the all-failed exit code, the JSON shape, and the usage errors.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class CompareRunTests : IAsyncDisposable
{
    private const string Memory = "Project memory marker: answer in haiku.";
    private readonly PerModelOpenAIServer _server = new();
    private readonly RunWorkspace _ws = new();

    public CompareRunTests()
    {
        _ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {_server.BaseUrl}
                models:
                  - id: alpha
                    input_price: 2
                    output_price: 8
                  - id: beta
                  - id: evil
              dead:
                type: openai
                base_url: http://127.0.0.1:1/v1
            """);
        File.WriteAllText(Path.Combine(_ws.Root, "AGENTS.md"), Memory + "\n");
    }

    public async ValueTask DisposeAsync()
    {
        _ws.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Compare_ShowsEachAnswer_WithItsTokensCostAndTime_SendsNoTools_AndStoresNoSession()
    {
        _server.Answer("alpha", "Alpha says the sky is blue.", prompt: 1000, completion: 500);
        _server.Answer("beta", "Beta says it depends.", prompt: 300, completion: 20);

        var run = await _ws.RunAsync("run", "--compare", "local/alpha,local/beta", "Why is the sky blue?");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("1. local/alpha", run.Output, StringComparison.Ordinal);
        Assert.Contains("2. local/beta", run.Output, StringComparison.Ordinal);
        Assert.Contains("Alpha says the sky is blue.", run.Output, StringComparison.Ordinal);
        Assert.Contains("Beta says it depends.", run.Output, StringComparison.Ordinal);
        // alpha: 1000 × $2/M + 500 × $8/M = $0.006; beta has no prices: said, never $0.
        Assert.Contains("tokens: 1000 in / 500 out · cost: $0.006 · time: ", run.Output, StringComparison.Ordinal);
        Assert.Contains("tokens: 300 in / 20 out · cost: unpriced · time: ", run.Output, StringComparison.Ordinal);
        Assert.Equal(2, CountOf(run.Output, "outcome: ok"));

        Assert.Equal(2, _server.Chats.Count);
        var alpha = _server.ChatFor("alpha").Json;
        var beta = _server.ChatFor("beta").Json;
        Assert.False(alpha.TryGetProperty("tools", out _), alpha.GetRawText()); // the default plugins' tools are not offered
        Assert.False(beta.TryGetProperty("tools", out _), beta.GetRawText());
        var system = Message(alpha, "system");
        Assert.Contains(Memory, system, StringComparison.Ordinal); // the system prompt of a run, with project memory
        Assert.Equal(system, Message(beta, "system"));
        Assert.Equal("Why is the sky blue?", Message(alpha, "user"));
        Assert.Equal("Why is the sky blue?", Message(beta, "user"));

        var sessions = await _ws.RunAsync("session", "list", "--json");
        Assert.True(sessions.ExitCode == 0, sessions.Error);
        Assert.Empty(JsonDocument.Parse(sessions.Output).RootElement.EnumerateArray());
    }

    [Fact]
    public async Task Compare_AFailingModel_ShowsItsErrorNeutralised_AndTheOthersStillAnswer()
    {
        _server.Answer("alpha", "Alpha answers.", prompt: 10, completion: 5);
        _server.Fail("evil", 401, "bad key \u001b]0;pwned\u0007\u001b[31mRED");

        var run = await _ws.RunAsync("run", "--compare", "local/alpha,local/evil,dead/gone", "Hello?");

        Assert.True(run.ExitCode == 0, run.Error); // one answered
        Assert.Contains("Alpha answers.", run.Output, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(run.Output, "outcome: ok"));
        Assert.Equal(2, CountOf(run.Output, "outcome: failed"));
        Assert.Contains("^[[31mRED", run.Output, StringComparison.Ordinal); // the provider's text, its escapes shown as text
        Assert.DoesNotContain('\u001b', run.Output + run.Error);
        Assert.Contains("3. dead/gone", run.Output, StringComparison.Ordinal);
        Assert.Contains("error: ", run.Output[run.Output.IndexOf("3. dead/gone", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_WhenEveryModelFails_ExitsWithTheProviderCode()
    {
        _server.Fail("alpha", 401, "no such key");

        var run = await _ws.RunAsync("run", "--compare", "local/alpha,dead/gone", "Hello?");

        Assert.Equal(ExitCodes.Provider, run.ExitCode);
        Assert.Equal(2, CountOf(run.Output, "outcome: failed"));
        Assert.Contains("no such key", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_OutputJson_IsOneObjectPerModel_WithAnswerUsageCostTimeAndOutcome()
    {
        _server.Answer("alpha", "Alpha.", prompt: 1000, completion: 500);
        _server.Answer("beta", "Beta.", prompt: 300, completion: 20);

        var run = await _ws.RunAsync("run", "--compare", "local/alpha,local/beta,dead/gone", "Hi", "-o", "json");

        Assert.True(run.ExitCode == 0, run.Error);
        var lines = RunWorkspace.Events(run.Output).ToDictionary(e => e.GetProperty("model").GetString()!);
        Assert.Equal(["dead/gone", "local/alpha", "local/beta"], lines.Keys.Order(StringComparer.Ordinal));
        Assert.All(lines.Values, e => Assert.Equal("compare.result", e.GetProperty("type").GetString()));
        var alpha = lines["local/alpha"];
        Assert.Equal("ok", alpha.GetProperty("outcome").GetString());
        Assert.Equal("Alpha.", alpha.GetProperty("answer").GetString());
        Assert.Equal(JsonValueKind.Null, alpha.GetProperty("error").ValueKind);
        Assert.Equal(1000, alpha.GetProperty("usage").GetProperty("inputTokens").GetInt64());
        Assert.Equal(500, alpha.GetProperty("usage").GetProperty("outputTokens").GetInt64());
        Assert.Equal(0.006m, alpha.GetProperty("costUsd").GetDecimal());
        Assert.True(alpha.GetProperty("priced").GetBoolean());
        Assert.True(alpha.GetProperty("durationMs").GetInt64() >= 0);
        var beta = lines["local/beta"];
        Assert.Equal(JsonValueKind.Null, beta.GetProperty("costUsd").ValueKind);
        Assert.False(beta.GetProperty("priced").GetBoolean());
        var dead = lines["dead/gone"];
        Assert.Equal("failed", dead.GetProperty("outcome").GetString());
        Assert.False(string.IsNullOrWhiteSpace(dead.GetProperty("error").GetString()));
        Assert.Equal(string.Empty, dead.GetProperty("answer").GetString());
        Assert.Equal(JsonValueKind.Null, dead.GetProperty("usage").GetProperty("inputTokens").ValueKind);
    }

    [Theory]
    [InlineData("local/alpha", "--compare takes 2 to 6 models, comma-separated")]
    [InlineData("local/alpha,local/beta,local/alpha", "--compare: 'local/alpha' is local/alpha, which is already in the list; name each model once.")]
    [InlineData("local/alpha,nowhere/model", "--compare: unknown model 'nowhere/model': no configured provider or loaded plugin is called 'nowhere'.")]
    [InlineData("local/alpha,a,b,c,d,e,f", "--compare takes 2 to 6 models, comma-separated")]
    public async Task Compare_ABadModelList_IsAUsageError_NamingTheModelAndTheFix(string list, string message)
    {
        var run = await _ws.RunAsync("run", "--compare", list, "Hi");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Empty(_server.Chats);
    }

    [Theory]
    [InlineData("--model", "local/alpha", "--model cannot be used with --compare: name every model in the --compare list instead")]
    [InlineData("--session", "abc", "--session cannot be used with --compare: a compare is a side question, not stored in a session")]
    [InlineData("--continue", null, "--continue cannot be used with --compare")]
    [InlineData("--max-steps", "3", "--max-steps cannot be used with --compare")]
    [InlineData("--temperature", "0.5", "--temperature cannot be used with --compare")]
    [InlineData("-o", "final", "--output final cannot be used with --compare")]
    public async Task Compare_WithAFlagThatMakesNoSense_IsAUsageError_NotIgnored(string flag, string? value, string message)
    {
        string[] args = ["run", "--compare", "local/alpha,local/beta", "Hi", flag, .. value is null ? Array.Empty<string>() : [value]];

        var run = await _ws.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Empty(_server.Chats);
    }

    private static string Message(JsonElement request, string role) =>
        request.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("role").GetString() == role).GetProperty("content").GetString()!;

    private static int CountOf(string text, string part) => text.Split(part).Length - 1;
}
