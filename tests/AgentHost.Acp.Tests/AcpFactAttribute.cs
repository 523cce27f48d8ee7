using AgentHost.Tests.Support;

namespace AgentHost.Acp.Tests;

/// <summary>A test that drives <c>agent acp</c> with the official SDK: skipped, with the reason, without node or the npm install.</summary>
public sealed class AcpFactAttribute : FactAttribute
{
    public AcpFactAttribute() => Skip = AcpClient.MissingReason;
}
