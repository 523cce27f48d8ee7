using AgentHost.Common.Processes;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// The macOS sandbox's generated Seatbelt profile (docs/sandbox.md): its text is checked on every operating system;
/// <see cref="SandboxExec_ContainsAProcess_OnMacOS"/> runs the real <c>/usr/bin/sandbox-exec</c> and is skipped elsewhere.
/// </summary>
public sealed class SandboxExecProfileTests
{
    private static readonly Dictionary<string, string?> NoSocket = new() { ["SSH_AUTH_SOCK"] = null };

    [Fact]
    public void Profile_DeniesWritesOutsideTheWritableFolders_ReadOnlyPlaces_HiddenPaths_AndTheNetwork()
    {
        using var temp = new TempDirectory();
        var sandbox = Sandbox(temp, allowNetwork: false);

        var (profile, parameters) = SandboxExec.Profile(sandbox, NoSocket);

        var lines = profile.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ["(version 1)", "(allow default)", "(deny file-write*)",
             "(allow file-write* (subpath \"/dev/null\") (subpath \"/dev/zero\") (subpath \"/dev/tty\") (subpath \"/dev/dtracehelper\") (subpath \"/dev/fd\"))"],
            lines.Take(4));
        Assert.Equal("(deny network*)", lines[^1]);
        var values = parameters.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(Real(temp.Combine("ws")), values["W0"]);
        Assert.Equal(Real(temp.Combine("ws", ".git", "hooks")), values["R0"]);
        Assert.Contains(Real(temp.Combine("tmp")), values.Values);
        Assert.Contains(Real(temp.Combine("home", ".ssh")), values.Values);
        var rules = new SeatbeltRules(profile, parameters);
        Assert.True(rules.CanWrite(Real(temp.Combine("ws", "a.txt"))));
        Assert.True(rules.CanWrite(Real(temp.Combine("tmp", "a.txt"))));
        Assert.True(rules.CanWrite("/dev/null"));
        Assert.False(rules.CanWrite(Real(temp.Combine("outside.txt"))));
        Assert.False(rules.CanWrite(Real(temp.Combine("ws", ".git", "hooks", "pre-commit"))));
        Assert.True(rules.CanRead(Real(temp.Combine("ws", ".git", "hooks", "pre-commit.sample"))));
        Assert.False(rules.CanRead(Real(temp.Combine("home", ".ssh", "id_rsa"))));
        Assert.True(rules.CanRead(Real(temp.Combine("home", "notes.txt"))));
        Assert.False(rules.HasNetwork);
    }

    [Fact]
    public void Profile_KeepsTheNetwork_WhenAllowed_AndNeverSplicesAPathIntoItsText()
    {
        using var temp = new TempDirectory();
        var odd = temp.Combine("ws \")(allow file-write* (subpath \"/\"))");
        var sandbox = Sandbox(temp, allowNetwork: true, workspace: odd);

        var (profile, parameters) = SandboxExec.Profile(sandbox, NoSocket);
        var args = SandboxExec.Arguments(sandbox, "/bin/sh", ["-c", "echo hi"], NoSocket);

        Assert.DoesNotContain("network", profile, StringComparison.Ordinal);
        Assert.DoesNotContain("(subpath \"/\")", profile, StringComparison.Ordinal);
        Assert.Contains(parameters, p => p.Value == Real(odd));
        Assert.Equal(["-p", profile], args.Take(2));
        Assert.Contains(args, arg => arg.StartsWith('W') && arg.EndsWith("=" + Real(odd), StringComparison.Ordinal));
        Assert.Equal(["/bin/sh", "-c", "echo hi"], args.TakeLast(3));
    }

    [Fact]
    public void Profile_HidesTheAgentSocket_NamedByTheEnvironment()
    {
        using var temp = new TempDirectory();
        var socket = temp.Combine("agent.sock");

        var (_, parameters) = SandboxExec.Profile(Sandbox(temp, allowNetwork: true), new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = socket });

        Assert.Contains(parameters, p => p.Key.StartsWith('H') && p.Value == Real(socket));
    }

    [MacFact]
    public async Task SandboxExec_ContainsAProcess_OnMacOS()
    {
        using var temp = new TempDirectory();
        var probed = await SandboxProbe.ProbeAsync(null, []);
        Assert.True(probed.IsAvailable, probed.UnavailableReason);
        var sandbox = Sandbox(temp, allowNetwork: false, program: probed.ProgramPath);
        File.WriteAllText(temp.Combine("home", ".ssh", "id_rsa"), "FAKE-KEY\n");
        var script = $"echo in > '{temp.Combine("ws", "in.txt")}'; echo out > '{temp.Combine("outside.txt")}'; echo hook > '{temp.Combine("ws", ".git", "hooks", "pre-commit")}'; cat '{temp.Combine("home", ".ssh", "id_rsa")}'; echo \"sandbox=$AGENTHOST_SANDBOX\"";

        var result = await ProcessLauncher.RunAsync(new ProcessSpec("/bin/sh", ["-c", script]) { Sandbox = sandbox }, TimeSpan.FromSeconds(30));

        Assert.True(File.Exists(temp.Combine("ws", "in.txt")), result.Error);
        Assert.False(File.Exists(temp.Combine("outside.txt")), "a write outside the workspace ran");
        Assert.False(File.Exists(temp.Combine("ws", ".git", "hooks", "pre-commit")), "a git hook was written");
        Assert.DoesNotContain("FAKE-KEY", result.Output, StringComparison.Ordinal);
        Assert.Contains("sandbox=sandbox-exec", result.Output, StringComparison.Ordinal);
    }

    private static ProcessSandbox Sandbox(TempDirectory temp, bool allowNetwork, string? workspace = null, string? program = null)
    {
        var ws = workspace ?? temp.Combine("ws");
        Directory.CreateDirectory(Path.Combine(ws, ".git", "hooks"));
        Directory.CreateDirectory(temp.Combine("tmp"));
        Directory.CreateDirectory(temp.Combine("home", ".ssh"));
        return new ProcessSandbox
        {
            Backend = SandboxExec.Name,
            ProgramPath = program ?? SandboxExec.DefaultProgram,
            WritablePaths = [ws],
            ReadOnlyPaths = [Path.Combine(ws, ".git", "hooks")],
            HiddenPaths = [temp.Combine("home", ".ssh")],
            TempDirectory = temp.Combine("tmp"),
            AllowNetwork = allowNetwork,
        };
    }

    private static string Real(string path) => WorkspacePaths.RealPath(Path.GetFullPath(path));
}
