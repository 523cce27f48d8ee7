using System.Text.Json.Nodes;

namespace AgentHost.Acp.Tests;

/// <summary>Assertions on a scenario's steps.</summary>
public static class AcpAssert
{
    /// <summary>The step was answered with JSON-RPC error <paramref name="code"/> whose message contains <paramref name="fragment"/>.</summary>
    public static void Error(JsonObject step, int code, string fragment)
    {
        ArgumentNullException.ThrowIfNull(step);
        var error = step["error"] ?? throw new Xunit.Sdk.XunitException($"expected error {code} ({fragment}), got {step.ToJsonString()}");
        Assert.True((int?)error["code"] == code, $"expected code {code}, got {error.ToJsonString()}");
        Assert.Contains(fragment, (string?)error["message"], StringComparison.Ordinal);
    }
}
