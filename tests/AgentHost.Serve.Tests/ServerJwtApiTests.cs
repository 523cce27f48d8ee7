using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AgentHost.Serve.Tests;

/// <summary>
/// agent serve with JWT bearer tokens of an identity provider over real HTTP (docs/server.md "JWT"): a local RSA key
/// stands for the provider; its public key is the server's <c>server.jwt.signing_keys</c>.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerJwtApiTests : IDisposable
{
    private const string Issuer = "https://idp.example.test/";
    private const string Audience = "agent-api";

    private readonly RunWorkspace _ws = new();
    private readonly RSA _provider = RSA.Create(2048);

    public void Dispose()
    {
        _provider.Dispose();
        _ws.Dispose();
    }

    [Fact]
    public async Task JwtUsers_GetTheRoleTheirClaimsMap_AndOwnTheSessionsTheyCreate()
    {
        WriteJwtConfig("    role_claim: groups\n    name_claim: email\n    roles:\n      admin: [agent-admins]\n      member: [engineers]\n      viewer: [auditors]\n");
        await using var server = await StartAsync();
        using var alice = server.Client(Token(("email", "alice@example.com"), ("groups", "engineers")));
        using var bob = server.Client(Token(("email", "bob@example.com"), ("groups", "engineers")));
        using var vera = server.Client(Token(("email", "vera@example.com"), ("groups", "auditors")));
        using var ada = server.Client(Token(("email", "ada@example.com"), ("groups", "engineers"), ("groups", "agent-admins")));

        var a = await CreateAsync(alice);
        var b = await CreateAsync(bob);

        Assert.Equal("alice@example.com", (await GetAsync(alice, $"v1/sessions/{a}", HttpStatusCode.OK)).GetProperty("owner").GetString());
        Assert.Equal([a], await ListAsync(alice));
        await GetAsync(bob, $"v1/sessions/{a}", HttpStatusCode.NotFound);
        Assert.Equal([a, b], (await ListAsync(vera)).Order());
        using (var refused = await vera.PostAsJsonAsync("v1/sessions", new { }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // The highest role among the claim's values counts: engineers + agent-admins is an admin.
        Assert.Equal([a, b], (await ListAsync(ada)).Order());
        using var deleted = await ada.DeleteAsync($"v1/sessions/{b}");
        Assert.True(deleted.IsSuccessStatusCode, $"an admin's delete: {(int)deleted.StatusCode}");
    }

    [Fact]
    public async Task TokensThatDoNotValidate_Are401_AndStoreTokensAndTheServerTokenStillWork()
    {
        WriteJwtConfig(string.Empty);
        var storeToken = await AgentServer.AddUserAsync(_ws, "carol", "member");
        await using var server = await StartAsync();
        using var other = RSA.Create(2048);
        var now = DateTime.UtcNow;

        var refused = new Dictionary<string, string>
        {
            ["another key"] = Token(other, Issuer, Audience, now.AddMinutes(10), ("sub", "mallory"), ("role", "admin")),
            ["another issuer"] = Token(_provider, "https://evil.example.test/", Audience, now.AddMinutes(10), ("sub", "mallory"), ("role", "admin")),
            ["another audience"] = Token(_provider, Issuer, "other-api", now.AddMinutes(10), ("sub", "mallory"), ("role", "admin")),
            ["expired"] = Token(_provider, Issuer, Audience, now.AddMinutes(-5), ("sub", "mallory"), ("role", "admin")),
            ["no role"] = Token(("sub", "mallory")),
            ["a role it does not know"] = Token(("sub", "mallory"), ("role", "superuser")),
            ["no name"] = Token(("role", "admin")),
            ["unsigned"] = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor { Issuer = Issuer, Audience = Audience, Expires = now.AddMinutes(10), Claims = new Dictionary<string, object> { ["sub"] = "mallory", ["role"] = "admin" } }),
        };
        foreach (var (why, token) in refused)
        {
            using var client = server.Client(token);
            using var response = await client.GetAsync("v1/sessions");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {(int)response.StatusCode}");
        }

        using var good = server.Client(Token(("sub", "dave"), ("role", "member")));
        using var carol = server.Client(storeToken);
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("v1/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await carol.GetAsync("v1/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("v1/sessions")).StatusCode);
    }

    [Fact]
    public async Task RevokingAJwtUser_EndsTheirTokensAndStreamsIssuedBefore_ATokenIssuedAfterWorks_OthersAreUntouched()
    {
        WriteJwtConfig(string.Empty);
        await using var server = await StartAsync();
        var now = DateTime.UtcNow;
        using var dave = server.Client(Token(("sub", "dave"), ("role", "member")));
        using var erin = server.Client(Token(("sub", "erin"), ("role", "member")));
        var his = await CreateAsync(dave);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var events = await SseReader.OpenAsync(dave, $"v1/sessions/{his}/events", null, timeout.Token);
        var first = (await server.SendAndWaitAsync(his, new { prompt = "one" })).GetProperty("id").GetString()!;
        Assert.Contains(await AgentServer.UntilAsync(events, "run.ended"), e => e.Data.Contains(first, StringComparison.Ordinal));

        var revoke = await _ws.RunAsync("server", "user", "revoke", "dave");
        var second = (await server.SendAndWaitAsync(his, new { prompt = "two" })).GetProperty("id").GetString()!;

        Assert.Equal(0, revoke.ExitCode);
        Assert.Contains("Revoked the tokens issued to 'dave'", revoke.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await dave.GetAsync("v1/sessions")).StatusCode);
        var after = new List<string>();
        while (await events.NextAsync() is { } item)
        {
            after.Add(item.Data);
        }

        Assert.DoesNotContain(after, data => data.Contains(second, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await erin.GetAsync("v1/sessions")).StatusCode);

        // Issued after the revocation (beyond the clocks' minute of disagreement): the provider vouches for dave again.
        // A token with no issue time cannot show that it came after, so it is refused while a revocation stands.
        using var later = server.Client(Token(_provider, Issuer, Audience, now.AddMinutes(30), issuedAt: now.AddMinutes(2), ("sub", "dave"), ("role", "member")));
        using var undated = server.Client(Token(_provider, Issuer, Audience, now.AddMinutes(30), issuedAt: null, ("sub", "dave"), ("role", "member")));
        Assert.Equal([his], await ListAsync(later));
        Assert.Equal(HttpStatusCode.Unauthorized, (await undated.GetAsync("v1/sessions")).StatusCode);
    }

    [Fact]
    public async Task WithoutJwtSettings_AValidJwtIs401()
    {
        await using var server = await StartAsync();
        using var client = server.Client(Token(("sub", "dave"), ("role", "admin")));

        using var response = await client.GetAsync("v1/sessions");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("    issuer: https://idp.example.test/\n    signing_keys: [idp.pem]\n", "server.jwt.audience is not set")]
    [InlineData("    issuer: https://idp.example.test/\n    audience: agent-api\n", "server.jwt: no signing keys; set server.jwt.signing_keys")]
    [InlineData("    issuer: https://idp.example.test/\n    audience: agent-api\n    signing_keys: [missing.pem]\n", "server.jwt.signing_keys.0: cannot read")]
    [InlineData("    issuer: https://idp.example.test/\n    audience: agent-api\n    authority: http://idp.example.test/\n", "server.jwt.authority: 'http://idp.example.test/' is not an https:// address")]
    [InlineData("    issuer: https://idp.example.test/\n    audience: agent-api\n    signing_keys: [idp.pem]\n    roles:\n      owner: [x]\n", "'owner' is not a role")]
    [InlineData("    issuer: https://idp.example.test/\n    audience: agent-api\n    signing_keys: [private.pem]\n", "holds a private key; give only the public key")]
    public async Task BadJwtSettings_StopServe_NamingTheSettingAndTheFix(string settings, string expected)
    {
        File.WriteAllText(Path.Combine(_ws.Root, "idp.pem"), _provider.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(Path.Combine(_ws.Root, "private.pem"), _provider.ExportPkcs8PrivateKeyPem());
        _ws.WriteUserConfig("server:\n  jwt:\n" + settings);

        var result = await _ws.RunAsync("serve", "--port", "0");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    private void WriteJwtConfig(string extra)
    {
        var key = Path.Combine(_ws.Root, "idp.pem");
        File.WriteAllText(key, _provider.ExportSubjectPublicKeyInfoPem());
        _ws.WriteUserConfig($"server:\n  jwt:\n    issuer: {Issuer}\n    audience: {Audience}\n    signing_keys: [{key}]\n{extra}");
    }

    private string Token(params (string Type, string Value)[] claims) => Token(_provider, Issuer, Audience, DateTime.UtcNow.AddMinutes(10), claims);

    private static string Token(RSA key, string issuer, string audience, DateTime expires, params (string Type, string Value)[] claims) =>
        Token(key, issuer, audience, expires, expires.AddMinutes(-30), claims);

    /// <summary>A token valid from 30 minutes before it expires, issued at <paramref name="issuedAt"/> (no <c>iat</c> when <see langword="null"/>).</summary>
    private static string Token(RSA key, string issuer, string audience, DateTime expires, DateTime? issuedAt, params (string Type, string Value)[] claims) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            NotBefore = expires.AddMinutes(-30),
            IssuedAt = issuedAt,
            Expires = expires,
            Subject = new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value))),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key), SecurityAlgorithms.RsaSha256),
        });

    private async Task<AgentServer> StartAsync() =>
        await AgentServer.StartAsync(_ws.Root, _ws.Environment, ["--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: Hi.\n  - text: Again.\n")]);

    private static async Task<string> CreateAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("v1/sessions", new { });
        return (await AgentServer.ReadAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    private static async Task<List<string>> ListAsync(HttpClient client) =>
        [.. (await GetAsync(client, "v1/sessions", HttpStatusCode.OK)).GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];

    private static async Task<JsonElement> GetAsync(HttpClient client, string path, HttpStatusCode expected)
    {
        using var response = await client.GetAsync(path);
        return await AgentServer.ReadAsync(response, expected);
    }
}
