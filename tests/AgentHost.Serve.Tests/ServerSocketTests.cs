using AgentHost.Tests.Server;
using AgentHost.Tests.Support;
using AgentHost.Tests.Runs;

namespace AgentHost.Serve.Tests;

/// <summary>agent serve on a Unix domain socket: the same API, only the owner may connect, the token is still required.</summary>
[Trait("Speed", "Slow")]
public sealed class ServerSocketTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [UnixFact("the socket's Unix file mode; Windows serves named pipes (--pipe)")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the analyzer's view of the [UnixFact] skip
    public async Task UnixSocket_ServesTheApi_ToItsOwnerOnly()
    {
        // Socket paths are short (about 100 bytes); the temp workspace's may be longer.
        var socket = Path.Combine(Path.GetTempPath(), $"agent-{Guid.NewGuid():N}"[..14] + ".sock");
        await using var server = await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--socket", socket, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: Over the socket.\n"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
        var id = (await server.CreateSessionAsync()).GetProperty("id").GetString()!;
        Assert.Equal("Over the socket.", (await server.SendAndWaitAsync(id, new { prompt = "hi" })).GetProperty("finalText").GetString());
        using var noToken = server.Client(null);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await noToken.GetAsync("v1/health")).StatusCode);
    }
}
