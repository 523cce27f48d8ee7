using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// <c>agent mcp serve --http</c> as a real process on 127.0.0.1, driven by the official C# SDK's client over
/// streamable HTTP and by the official inspector CLI: the bearer token (401 without it or with a wrong one), tools
/// through the pipeline, and asks put to the client through elicitation when it declares the capability.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class McpServeHttpTests : IDisposable
{
    private const string Secret = "s3cret-token-for-the-test";

    private readonly RunWorkspace _ws = new();

    public McpServeHttpTests() => File.WriteAllText(Path.Combine(_ws.Root, "notes.txt"), "hello from the project\n");

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task TheSdkClient_WithTheToken_ListsAndCallsThroughThePipeline_AndWithoutElicitationAWriteIsDeniedWithTheFix()
    {
        await using var server = await McpServeHttpServer.StartAsync(_ws.Root, _ws.Environment, Secret);
        await using var client = await server.ConnectAsync();

        var tools = await client.ListToolsAsync();
        var viewed = await client.CallToolAsync("view", new Dictionary<string, object?> { ["path"] = "notes.txt" });
        var written = await client.CallToolAsync("write", new Dictionary<string, object?> { ["path"] = "new.txt", ["content"] = "x" });

        Assert.Equal("127.0.0.1", server.Url.Host);
        Assert.Equal("/mcp", server.Url.AbsolutePath);
        Assert.DoesNotContain(Secret, server.Startup, StringComparison.Ordinal);
        Assert.Equal("agent", client.ServerInfo?.Name);
        Assert.Contains(tools, t => t.Name == "view");
        Assert.NotEqual(true, viewed.IsError);
        Assert.Contains("hello from the project", Text(viewed), StringComparison.Ordinal);
        Assert.True(written.IsError);
        Assert.Contains("permission denied", Text(written), StringComparison.Ordinal);
        Assert.Contains("--allow 'write(new.txt)'", Text(written), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "new.txt")));
    }

    [Fact]
    public async Task WithoutTheToken_OrWithAWrongOne_EveryRequestIs401()
    {
        await using var server = await McpServeHttpServer.StartAsync(_ws.Root, _ws.Environment, Secret);
        using var http = new HttpClient();

        using var none = await http.SendAsync(Initialize(server.Url, null));
        using var wrong = await http.SendAsync(Initialize(server.Url, "Bearer " + Secret + "x"));
        using var scheme = await http.SendAsync(Initialize(server.Url, "Basic " + Secret));
        using var right = await http.SendAsync(Initialize(server.Url, "Bearer " + Secret));
        var sdk = await Record.ExceptionAsync(async () => await (await server.ConnectAsync(token: "wrong")).DisposeAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, scheme.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.True(right.Headers.Contains("Mcp-Session-Id"));
        Assert.NotNull(sdk);
    }

    [Fact]
    public async Task ARequestForAnotherHostOrOrigin_Is403_EvenWithTheToken()
    {
        // DNS rebinding: a page whose name now resolves to 127.0.0.1 sends its own Host and Origin.
        await using var server = await McpServeHttpServer.StartAsync(_ws.Root, _ws.Environment, Secret);
        using var http = new HttpClient();
        using var foreignHost = Initialize(server.Url, "Bearer " + Secret);
        foreignHost.Headers.Host = "evil.example.com";
        using var foreignOrigin = Initialize(server.Url, "Bearer " + Secret);
        foreignOrigin.Headers.Add("Origin", "http://evil.example.com");
        using var localOrigin = Initialize(server.Url, "Bearer " + Secret);
        localOrigin.Headers.Add("Origin", "http://localhost:3000");

        using var host = await http.SendAsync(foreignHost);
        using var origin = await http.SendAsync(foreignOrigin);
        using var local = await http.SendAsync(localOrigin);

        Assert.Equal(HttpStatusCode.Forbidden, host.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, origin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
    }

    [Fact]
    public async Task TheTokenVariable_ComesFromConfig_WhenNoOptionNamesIt()
    {
        _ws.WriteUserConfig("mcp:\n  serve:\n    token_env: MY_MCP_TOKEN\n");
        var environment = _ws.Environment;
        environment["MY_MCP_TOKEN"] = "from-the-config-variable";
        await using var server = await McpServeHttpServer.StartAsync(_ws.Root, environment, token: "from-the-config-variable");
        using var http = new HttpClient();

        using var right = await http.SendAsync(Initialize(server.Url, "Bearer from-the-config-variable"));

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.DoesNotContain("token:", server.Startup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingTokenVariable_IsAUsageError()
    {
        var result = await _ws.RunAsync("mcp", "serve", "--http", "0", "--plugin", "files", "--no-default-plugins", "--token-env", "NO_SUCH_TOKEN_VARIABLE");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("NO_SUCH_TOKEN_VARIABLE is not set", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHostThatIsNotAnAddress_OrAPortOutOfRange_IsAUsageError()
    {
        var host = await _ws.RunAsync("mcp", "serve", "--http", "0", "--host", "not-an-address", "--plugin", "files", "--no-default-plugins");
        var port = await _ws.RunAsync("mcp", "serve", "--http", "70000", "--plugin", "files", "--no-default-plugins");

        Assert.True(host.ExitCode == ExitCodes.Usage, host.Error);
        Assert.Contains("--host not-an-address: not an IP address", host.Error, StringComparison.Ordinal);
        Assert.True(port.ExitCode == ExitCodes.Usage, port.Error);
        Assert.Contains("--http 70000: not a port", port.Error, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task TheInspectorCli_OverHttp_WithTheGeneratedToken_ListsAndCallsTools()
    {
        await using var server = await McpServeHttpServer.StartAsync(_ws.Root, _ws.Environment, token: null);

        using var list = JsonDocument.Parse(await InspectAsync(server, 0, "--method", "tools/list"));
        using var view = JsonDocument.Parse(await InspectAsync(server, 0, "--method", "tools/call", "--tool-name", "view", "--tool-arg", "path=notes.txt"));

        Assert.Matches("^[0-9a-f]{64}$", server.Token);
        var tools = list.RootElement.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Contains("view", tools);
        Assert.Contains("write", tools);
        Assert.False(view.RootElement.GetProperty("isError").GetBoolean());
        Assert.Contains("hello from the project", view.RootElement.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientWithElicitation_IsAsked_AndAllowOnceRunsTheWrite_ThenAsksAgain()
    {
        var questions = new List<ElicitRequestParams>();
        await using var server = await McpServeHttpServer.StartAsync(_ws.Root, _ws.Environment, Secret);
        await using var client = await server.ConnectAsync(Answering(questions, "allow_once"));

        var first = await client.CallToolAsync("write", new Dictionary<string, object?> { ["path"] = "new.txt", ["content"] = "approved\n" });
        var second = await client.CallToolAsync("write", new Dictionary<string, object?> { ["path"] = "new.txt", ["content"] = "again\n" });

        Assert.NotEqual(true, first.IsError);
        Assert.NotEqual(true, second.IsError);
        Assert.Equal("again\n", File.ReadAllText(Path.Combine(_ws.Root, "new.txt")));
        Assert.Equal(2, questions.Count);
        Assert.Contains("'write'", questions[0].Message, StringComparison.Ordinal);
        Assert.Contains("new.txt", questions[0].Message, StringComparison.Ordinal);
        var choice = Assert.IsType<ElicitRequestParams.TitledSingleSelectEnumSchema>(questions[0].RequestedSchema!.Properties["decision"]);
        Assert.Equal(["Allow once", "Allow for this server session", "Deny"], choice.OneOf.Select(o => o.Title));
    }

    [Fact]
    public async Task AllowForThisServerSession_CoversTheSameCallLater_WithoutAskingAgain()
    {
        var questions = new List<ElicitRequestParams>();
        await using var server = await McpServeHttpServer.StartAsync(_ws.Root, _ws.Environment, Secret);
        await using var client = await server.ConnectAsync(Answering(questions, "allow_session"));

        var first = await client.CallToolAsync("write", new Dictionary<string, object?> { ["path"] = "new.txt", ["content"] = "one\n" });
        var second = await client.CallToolAsync("write", new Dictionary<string, object?> { ["path"] = "new.txt", ["content"] = "two\n" });
        var other = await client.CallToolAsync("write", new Dictionary<string, object?> { ["path"] = "other.txt", ["content"] = "three\n" });

        Assert.NotEqual(true, first.IsError);
        Assert.NotEqual(true, second.IsError);
        Assert.NotEqual(true, other.IsError);
        Assert.Equal("two\n", File.ReadAllText(Path.Combine(_ws.Root, "new.txt")));
        Assert.True(questions.Count == 2, string.Join("\n", questions.Select(q => q.Message)) + "\n" + Text(first) + "\n" + Text(second));
        Assert.Contains("other.txt", questions[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientThatDeclines_GetsADenialWithTheReason()
    {
        var questions = new List<ElicitRequestParams>();
        await using var server = await McpServeHttpServer.StartAsync(_ws.Root, _ws.Environment, Secret);
        await using var client = await server.ConnectAsync(Answering(questions, null));
        var denied = await client.CallToolAsync("write", new Dictionary<string, object?> { ["path"] = "new.txt", ["content"] = "x" });

        await using var chooser = await server.ConnectAsync(Answering(questions, "deny"));
        var chosen = await chooser.CallToolAsync("write", new Dictionary<string, object?> { ["path"] = "new.txt", ["content"] = "x" });

        Assert.True(denied.IsError);
        Assert.Contains("denied by the MCP client's user (decline)", Text(denied), StringComparison.Ordinal);
        Assert.True(chosen.IsError);
        Assert.Contains("denied by the MCP client's user (deny)", Text(chosen), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "new.txt")));
        Assert.Equal(2, questions.Count);
    }

    [Fact]
    public async Task OverStdio_AClientWithElicitation_IsAskedToo()
    {
        var questions = new List<ElicitRequestParams>();
        await using var client = await McpClient.CreateAsync(
            new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "agent",
                Command = "dotnet",
                Arguments = [AgentProcess.AgentDll, "mcp", "serve", "--plugin", "files", "--no-default-plugins"],
                WorkingDirectory = _ws.Root,
                EnvironmentVariables = _ws.Environment.ToDictionary(p => p.Key, p => (string?)p.Value),
            }),
            Answering(questions, "allow_once"));

        var written = await client.CallToolAsync("write", new Dictionary<string, object?> { ["path"] = "new.txt", ["content"] = "over stdio\n" });

        Assert.NotEqual(true, written.IsError);
        Assert.Equal("over stdio\n", File.ReadAllText(Path.Combine(_ws.Root, "new.txt")));
        Assert.Single(questions);
    }

    [SigintFact]
    public async Task CtrlC_StopsTheServerGracefully()
    {
        var server = await McpServeHttpServer.StartAsync(_ws.Root, _ws.Environment, Secret);
        await using (server)
        {
            await using (var client = await server.ConnectAsync())
            {
                await client.ListToolsAsync();
            }

            var (exitCode, error) = await server.InterruptAsync();

            Assert.True(exitCode == ExitCodes.Success, error);
            Assert.Contains("agent mcp serve: stopping", error, StringComparison.Ordinal);
        }
    }

    private static McpClientOptions Answering(List<ElicitRequestParams> questions, string? decision) => new()
    {
        Handlers = new McpClientHandlers
        {
            ElicitationHandler = (request, _) =>
            {
                lock (questions)
                {
                    questions.Add(request!);
                }

                return ValueTask.FromResult(decision is null
                    ? new ElicitResult { Action = "decline" }
                    : new ElicitResult { Action = "accept", Content = new Dictionary<string, JsonElement> { ["decision"] = JsonSerializer.SerializeToElement(decision) } });
            },
        },
    };

    private static HttpRequestMessage Initialize(Uri url, string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(
                """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return request;
    }

    private static string Text(CallToolResult result) => ((TextContentBlock)result.Content[0]).Text;

    private async Task<string> InspectAsync(McpServeHttpServer server, int exitCode, params string[] method)
    {
        var start = new ProcessStartInfo(McpTestServers.Inspector) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _ws.Root };
        foreach (var arg in (string[])["--cli", server.Url.ToString(), "--transport", "http", "--header", "Authorization: Bearer " + server.Token, .. method])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in _ws.Environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(process.ExitCode == exitCode, $"inspector exited {process.ExitCode}: {await error}");
        return await output;
    }
}
