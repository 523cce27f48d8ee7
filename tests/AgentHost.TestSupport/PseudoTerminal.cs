namespace AgentHost.Tests.Support;

/// <summary>Whether a pseudo-terminal can be made here: Linux with util-linux <c>script</c> (package bsdutils).</summary>
public static class PseudoTerminal
{
    public static bool IsAvailable => OperatingSystem.IsLinux() && File.Exists("/usr/bin/script");
}
