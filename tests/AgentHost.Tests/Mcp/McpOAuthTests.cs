using System.Text;
using System.Text.Json.Nodes;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// MCP servers that require OAuth, end to end: a real <c>agent mcp login</c> against a server the test starts
/// (<see cref="OAuthProtectedMcpServer"/>: discovery, dynamic client registration, PKCE, refresh), the test playing the
/// browser; then real <c>agent run</c>s with the scripted model calling the protected server's tool.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class McpOAuthTests : IAsyncLifetime
{
    private readonly RunWorkspace _ws = new();
    private OAuthProtectedMcpServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await OAuthProtectedMcpServer.StartAsync();
        _ws.WriteUserConfig($"mcp:\n  servers:\n    secure: {{ url: \"{_server.Url}\" }}\nplugins:\n  deferred_tools:\n    mcp: none\npermissions:\n  allow: [mcp__secure__vault]\n");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _ws.Dispose();
    }

    /// <summary>The key store is the file (no keychain), so the test can check its mode; a desktop's keychain is the same code path.</summary>
    private Dictionary<string, string> Environment => new(_ws.Environment) { ["AGENT_KEY_STORE"] = "file" };

    private string CredentialsFile => _ws.Combine("home", "credentials.json");

    [Fact]
    public async Task Login_RegistersWithPkce_StoresTheTokensForTheUserOnly_AndARunCallsTheProtectedServersTool()
    {
        var login = await LoginAsync();

        Assert.True(login.ExitCode == ExitCodes.Success, login.Error);
        Assert.Contains("Logged in to secure: 1 tools", login.Output, StringComparison.Ordinal);
        Assert.Contains("mcp-oauth.secure", login.Output, StringComparison.Ordinal);
        Assert.Equal((1, 1), (_server.Registrations, _server.Authorizations));
        var stored = Stored();
        Assert.Equal(_server.Url.ToString(), stored["url"]!.GetValue<string>());
        Assert.StartsWith("access-", stored["access_token"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("refresh-", stored["refresh_token"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("client-", stored["client_id"]!.GetValue<string>(), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CredentialsFile));
        }

        var run = await RunCallingTheVaultAsync();

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("the vault answered", run.Output, StringComparison.Ordinal);
        Assert.Equal((1, 1, 0), (_server.Registrations, _server.Authorizations, _server.Refreshes));
        NoTokenOutsideTheCredentialsFile(login, run);
    }

    [Fact]
    public async Task AnExpiredToken_IsRefreshedByTheSession_AndTheNewOneIsStored()
    {
        Assert.Equal(ExitCodes.Success, (await LoginAsync()).ExitCode);
        var before = Stored()["access_token"]!.GetValue<string>();
        _server.ExpireAccessTokens();

        var run = await RunCallingTheVaultAsync();

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("the vault answered", run.Output, StringComparison.Ordinal);
        Assert.Equal((1, 1, 1), (_server.Registrations, _server.Authorizations, _server.Refreshes));
        var after = Stored()["access_token"]!.GetValue<string>();
        Assert.NotEqual(before, after);
        Assert.Contains(after, _server.IssuedTokens);
        NoTokenOutsideTheCredentialsFile(run);
    }

    [Fact]
    public async Task ATokenPastItsExpiryTime_IsRefreshedBeforeUse_AndTheNewOneIsStored()
    {
        Assert.Equal(ExitCodes.Success, (await LoginAsync()).ExitCode);
        // As after an hour: the stored token's lifetime is over by the clock (the server would still take it).
        var stored = Stored();
        var before = stored["access_token"]!.GetValue<string>();
        stored["obtained_at"] = DateTimeOffset.UtcNow.AddHours(-2).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var file = JsonNode.Parse(File.ReadAllText(CredentialsFile))!;
        file["providers"]!["mcp-oauth.secure"]!["key"] = stored.ToJsonString();
        File.WriteAllText(CredentialsFile, file.ToJsonString());

        var run = await RunCallingTheVaultAsync();

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal((1, 1), (_server.Authorizations, _server.Refreshes));
        Assert.NotEqual(before, Stored()["access_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task ALoginTheServerNoLongerAccepts_LeavesTheServerOut_AskingToLogInAgain()
    {
        Assert.Equal(ExitCodes.Success, (await LoginAsync()).ExitCode);
        _server.RevokeAll();

        var run = await RunThatGoesOnWithoutTheServerAsync();

        Assert.Contains("its stored login is no longer accepted", run.Error, StringComparison.Ordinal);
        Assert.Contains("agent mcp login secure", run.Error, StringComparison.Ordinal);
        Assert.Equal((1, 1), (_server.Registrations, _server.Authorizations));
    }

    [Fact]
    public async Task AHeadlessRunWithoutALogin_LeavesTheServerOut_NamingTheLoginCommand_AndGoesOn()
    {
        var run = await RunThatGoesOnWithoutTheServerAsync();

        Assert.Contains("MCP server 'secure'", run.Error, StringComparison.Ordinal);
        Assert.Contains("agent mcp login secure", run.Error, StringComparison.Ordinal);
        Assert.Equal((0, 0), (_server.Registrations, _server.Authorizations));
        Assert.True(_server.Rejected > 0);
        Assert.False(File.Exists(CredentialsFile));
    }

    [Fact]
    public async Task ALoginTheAuthorizationServerRefuses_FailsWithItsReason_AndStoresNothing()
    {
        _server.DenyAuthorization = true;

        var login = await LoginAsync();

        Assert.NotEqual(ExitCodes.Success, login.ExitCode);
        Assert.Contains("MCP server 'secure': the authorization server refused the login: access_denied (the user said no). Nothing was stored.", login.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(CredentialsFile));
    }

    [Fact]
    public async Task ALoginNobodyCompletes_EndsAfterItsTimeout_SayingSo_AndStoresNothing()
    {
        var login = await LoginAsync(playTheBrowser: false, seconds: "2");

        Assert.NotEqual(ExitCodes.Success, login.ExitCode);
        Assert.Contains("the browser did not come back with a login within 2 s; nothing was stored", login.Error, StringComparison.Ordinal);
        Assert.Contains("--timeout", login.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(CredentialsFile));
    }

    [Fact]
    public async Task LoginToAProjectsServer_IsRefused_SayingWhereALoginIsKept()
    {
        _ws.WriteUserConfig(string.Empty);
        File.WriteAllText(Path.Combine(_ws.Root, ".mcp.json"), $$"""{ "mcpServers": { "theirs": { "type": "http", "url": "{{_server.Url}}" } } }""");
        Assert.Equal(0, (await AgentProcess.RunAsync(_ws.Root, Environment, "trust", _ws.Root)).ExitCode);

        var login = await AgentProcess.RunAsync(_ws.Root, Environment, "mcp", "login", "theirs");

        Assert.NotEqual(ExitCodes.Success, login.ExitCode);
        Assert.Contains("MCP server 'theirs'", login.Error, StringComparison.Ordinal);
        Assert.Contains("a login is kept only for a server of your own configuration", login.Error, StringComparison.Ordinal);
        Assert.Equal(0, _server.Registrations);
    }

    /// <summary>
    /// Runs <c>agent mcp login secure</c> and plays the browser: GETs the printed authorization URL (the server approves
    /// at once) and follows its redirect to the login's listener on 127.0.0.1.
    /// </summary>
    private async Task<CliResult> LoginAsync(bool playTheBrowser = true, string seconds = "60")
    {
        using var process = AgentProcess.Start(_ws.Root, Environment, "mcp", "login", "secure", "--timeout", seconds);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = new StringBuilder();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            string? line;
            while ((line = await process.StandardError.ReadLineAsync(timeout.Token)) is not null)
            {
                stderr.AppendLine(line);
                if (playTheBrowser && line.StartsWith(_server.Issuer + "/authorize?", StringComparison.Ordinal))
                {
                    await PlayTheBrowserAsync(new Uri(line.Trim()), _server.DenyAuthorization ? "The login did not succeed" : "Logged in to the MCP server 'secure'");
                    break;
                }
            }

            stderr.Append(await process.StandardError.ReadToEndAsync(timeout.Token));
            await process.WaitForExitAsync(timeout.Token);
            return new CliResult(process.ExitCode, await stdout, stderr.ToString());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task PlayTheBrowserAsync(Uri authorize, string page)
    {
        using var browser = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
        using var approved = await browser.GetAsync(authorize);
        Assert.True(approved.StatusCode == System.Net.HttpStatusCode.Redirect, await approved.Content.ReadAsStringAsync());
        var back = approved.Headers.Location!;
        Assert.True(back.IsLoopback && back.AbsolutePath == "/callback", back.ToString());
        using var landed = await browser.GetAsync(back);
        Assert.Contains(page, await landed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<CliResult> RunCallingTheVaultAsync()
    {
        var script = _ws.WriteScript($$"""
            turns:
              - expect: { tools_include: [mcp__secure__vault] }
                tool_calls: [{ name: mcp__secure__vault, arguments: {} }]
              - expect: { tool_results_contain: ["{{OAuthProtectedMcpServer.Secret}}"] }
                text: the vault answered
            """);
        return await AgentProcess.RunAsync(_ws.Root, Environment, "run", "open the vault", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script, "-c", "log_level=trace");
    }

    /// <summary>A headless run whose model needs no tool: it must end, and answer, without the server.</summary>
    private async Task<CliResult> RunThatGoesOnWithoutTheServerAsync()
    {
        var script = _ws.WriteScript("turns:\n  - text: went on without it\n");
        var run = await AgentProcess.RunAsync(_ws.Root, Environment, "run", "hello", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);
        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("went on without it", run.Output, StringComparison.Ordinal);
        return run;
    }

    private JsonObject Stored()
    {
        var file = JsonNode.Parse(File.ReadAllText(CredentialsFile))!;
        return (JsonObject)JsonNode.Parse(file["providers"]!["mcp-oauth.secure"]!["key"]!.GetValue<string>())!;
    }

    /// <summary>No token or client secret the server issued is in the commands' output or any file of the agent's home but the credentials file (logs, session store, caches).</summary>
    private void NoTokenOutsideTheCredentialsFile(params CliResult[] results)
    {
        var tokens = _server.IssuedTokens;
        Assert.NotEmpty(tokens);
        foreach (var result in results)
        {
            Assert.DoesNotContain(tokens, t => result.Output.Contains(t, StringComparison.Ordinal) || result.Error.Contains(t, StringComparison.Ordinal));
        }

        var files = Directory.EnumerateFiles(_ws.Combine("home"), "*", SearchOption.AllDirectories).Where(f => f != CredentialsFile).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var token in tokens)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(token)) < 0, $"{file} holds an issued token or secret");
            }
        }
    }
}
