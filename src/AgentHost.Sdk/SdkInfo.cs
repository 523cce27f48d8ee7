namespace AgentHost.Sdk;

/// <summary>Version information of the plugin contract.</summary>
/// <remarks>
/// The SDK follows semantic versioning: a plugin built against SDK <c>1.x</c> loads in any host whose SDK is
/// <c>1.y</c> with <c>y ≥ x</c>. A plugin compiled against a newer SDK than the host's is refused.
/// </remarks>
public static class SdkInfo
{
    /// <summary>The SDK version as text, for example <c>1.0.0</c>.</summary>
    public const string VersionText = "1.0.0";

    /// <summary>The SDK version.</summary>
    public static Version Version { get; } = new(VersionText);
}
