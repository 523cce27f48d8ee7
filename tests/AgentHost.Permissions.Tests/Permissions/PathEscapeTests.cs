using AgentHost.Permissions;
using AgentHost.Tests.Permissions;
using static AgentHost.Tests.Permissions.PermissionFixture;
using AgentHost.Permissions.Rules;
using AgentHost.Tests.Support;

namespace AgentHost.Permissions.Tests;

/// <summary>
/// Paths that try to leave the sandbox, decided by the real engine against a real directory tree: the project root
/// <c>repo</c> (with <c>src/a.cs</c> and <c>secrets/key.pem</c>), an extra directory <c>extra</c>, a folder
/// <c>outside</c>, and a home with <c>.ssh/id_rsa</c>. <c>{root}</c>, <c>{outside}</c>, <c>{extra}</c> and
/// <c>{temp}</c> in a case stand for those folders.
/// </summary>
public sealed class PathEscapeTests
{
    /// <summary>Where a path leads, as far as permissions go.</summary>
    public enum Leads
    {
        /// <summary>Inside the sandbox: writes allowed in accept-edits, reads allowed in every mode.</summary>
        Inside,

        /// <summary>Outside the sandbox: asks in ask and accept-edits, denied in dont-ask and plan.</summary>
        Outside,

        /// <summary>Denied in every mode, yolo included (safety floor, or a path no file can have).</summary>
        Denied,
    }

    public static TheoryData<string, Leads> Cases => new()
    {
        // '..' in every position.
        { "../x", Leads.Outside },
        { "a/../../x", Leads.Outside },
        { "./a/../../../etc/passwd", Leads.Outside },
        { "src/./../../x", Leads.Outside },
        { "src/../src/a.cs", Leads.Inside },

        // Absolute paths.
        { "/etc/passwd", Leads.Outside },
        { "{outside}/secret.txt", Leads.Outside },
        { "{root}/src/a.cs", Leads.Inside },
        { "{root}/src/../../outside/secret.txt", Leads.Outside },
        { "../repo2/x", Leads.Outside }, // shares the root's name as a prefix
        { "../extra2/x", Leads.Outside }, // shares the extra directory's name as a prefix

        // Case variants (Linux: SRC is another, missing folder; '..' after it still counts).
        { "SRC/../x", Leads.Inside },
        { "SRC/../../x", Leads.Outside },

        // Home.
        { "~/.ssh/id_rsa", Leads.Denied },
        { "~/.SSH/ID_RSA", Leads.Denied },
        { "~/notes.txt", Leads.Outside },
        { "~", Leads.Outside },
        { "~root/x", Leads.Outside },
        { "~+/x", Leads.Outside },
        { "$HOME/x", Leads.Outside },

        // Windows-style separators count as separators on every OS.
        { "..\\..\\x", Leads.Outside },
        { "src\\..\\..\\x", Leads.Outside },
        { "src\\a.cs", Leads.Inside },
        { "src/..\\../x", Leads.Outside },
        { "src\\..\\src/a.cs", Leads.Inside },
        { "{root}\\..\\x", Leads.Outside },
        { "~\\.ssh\\id_rsa", Leads.Denied },

        // Trailing dots and spaces (Windows drops them: '.. ' is '..').
        { "src/.. /../x", Leads.Outside },
        { "src/a.cs.", Leads.Inside },
        { "src/a.cs ", Leads.Inside },
        { "~/.ssh/id_rsa. ", Leads.Denied },

        // NUL bytes, very long paths, doubled slashes.
        { "src/a.cs\0/../../../x", Leads.Denied },
        { "src/" + string.Concat(Enumerable.Repeat("d/", 1500)) + "x", Leads.Inside },
        { string.Concat(Enumerable.Repeat("../", 400)) + "etc/passwd", Leads.Outside },
        { "src/" + string.Concat(Enumerable.Repeat("d/../", 1000)) + "a.cs", Leads.Inside },
        { "//etc//passwd", Leads.Outside },
        { "src//a.cs", Leads.Inside },
        { "{root}//src//a.cs", Leads.Inside },

        // Extra directories belong to the sandbox, what is beyond them does not.
        { "{extra}/e.txt", Leads.Inside },
        { "{extra}/../x", Leads.Outside },
        { "{extra}/../repo/src/a.cs", Leads.Inside },
        { "../extra/e.txt", Leads.Inside },
    };

    public static TheoryData<string, Leads> SymlinkCases => new()
    {
        { "src/out/x", Leads.Outside }, // a folder link inside -> outside, file under it
        { "src/out", Leads.Outside },
        { "src/outfile", Leads.Outside }, // a link to an outside file
        { "src/dangling", Leads.Outside }, // a dangling link pointing outside
        { "src/chain1/x", Leads.Outside }, // chain1 -> chain2 -> chain3 -> outside
        { "src/loop1/x", Leads.Outside }, // loop1 <-> loop2: unknown, never allowed
        { "src/self/self/self/a.cs", Leads.Inside }, // self -> .
        { "src/out/../x", Leads.Outside }, // the kernel follows the link before '..'
        { "src/up/outside/secret.txt", Leads.Outside }, // up -> ../..
        { "src/inner/x", Leads.Inside }, // inner -> src/deep
        { "src/toextra/e.txt", Leads.Inside }, // a link inside the root into an extra directory
        { "src/sshlink/id_rsa", Leads.Denied }, // the floor follows links
        { "src\\out\\x", Leads.Outside },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Path_IsDecidedByWhereItLeads(string path, Leads expected)
    {
        using var tree = new Tree(symlinks: false);

        tree.AssertLeads(tree.Expand(path), expected);
    }

    [UnixTheory("symbolic links, which need a privilege to create on Windows")]
    [MemberData(nameof(SymlinkCases))]
    public void SymlinkedPath_IsDecidedByWhereItReallyLeads(string path, Leads expected)
    {
        using var tree = new Tree(symlinks: true);

        tree.AssertLeads(tree.Expand(path), expected);
    }

    [UnixFact("symbolic links, which need a privilege to create on Windows")]
    public void SymlinkLoop_IsDecidedQuickly_AndNeverAllowed()
    {
        using var tree = new Tree(symlinks: true);
        var engine = tree.Engine(allow: ["write(src/**)", "read(src/**)"]);
        var started = DateTime.UtcNow;

        var decision = Write(engine, "src/loop1/a/b/c", PermissionMode.AcceptEdits);

        Assert.Equal(Verdict.Ask, decision.Verdict);
        Assert.True(decision.OutsideSandbox);
        Assert.Equal(Verdict.Deny, Read(engine, "src/loop2", PermissionMode.DontAsk).Verdict);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("secrets/key.pem")]
    [InlineData("Secrets/key.pem")]
    [InlineData("SECRETS/KEY.PEM")]
    [InlineData("secrets./key.pem")]
    [InlineData("secrets /key.pem")]
    [InlineData("src/../Secrets/key.pem")]
    [InlineData("secrets\\key.pem")]
    [InlineData("./secrets//key.pem")]
    [InlineData("{root}/SECRETS/key.pem")]
    public void DenyRule_IgnoresCase_AndSeparatorAndTrailingDotTricks(string path)
    {
        using var tree = new Tree(symlinks: false);
        var engine = tree.Engine(allow: ["read"], deny: ["read(secrets/**)"]);

        var decision = Read(engine, tree.Expand(path), PermissionMode.Yolo);

        Assert.True(decision.Verdict == Verdict.Deny, $"{path}: {decision.Verdict} ({decision.Reason})");
        Assert.Equal("read(secrets/**)", decision.MatchedRule?.Text);
    }

    [Fact]
    public void AllowRule_IsCaseSensitive_WhereTheFileSystemIs()
    {
        using var tree = new Tree(symlinks: false);
        var engine = tree.Engine(allow: ["write(src/**)"]);

        var upper = Write(engine, "SRC/a.cs");

        Assert.Equal(OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? Verdict.Allow : Verdict.Ask, upper.Verdict);
        Assert.Equal(Verdict.Allow, Write(engine, "src\\a.cs").Verdict);
        Assert.Equal(Verdict.Ask, Write(engine, "src\\..\\README.md").Verdict);
    }

    [UnixFact("symbolic links, which need a privilege to create on Windows")]
    public void AllowRule_MustMatchEveryPlaceThePathMayLead()
    {
        using var tree = new Tree(symlinks: true);
        var engine = tree.Engine(allow: ["write(src/**)"]);

        Assert.Equal(Verdict.Allow, Write(engine, "src/inner/x").Verdict);
        Assert.Equal(Verdict.Ask, Write(engine, "src/out/../a.cs").Verdict); // the kernel writes {temp}/a.cs
        Assert.Equal(Verdict.Ask, Write(engine, "src/toextra/e.txt").Verdict); // inside the sandbox, but not under src/
        Assert.Equal(Verdict.Ask, Shell(tree.Engine(allow: ["shell(echo *)"]), "echo x > src/out/../x", PermissionMode.AcceptEdits).Verdict);
    }

    /// <summary>The directory tree the cases run against.</summary>
    private sealed class Tree : IDisposable
    {
        private readonly PermissionFixture _fixture = new();

        public Tree(bool symlinks)
        {
            Create("repo/src/a.cs");
            Directory.CreateDirectory(Combine("repo", "src", "deep"));
            Create("repo/secrets/key.pem");
            Create("outside/secret.txt");
            Create("extra/e.txt");
            Create("home/.ssh/id_rsa");
            if (!symlinks)
            {
                return;
            }

            var src = Combine("repo", "src");
            File.CreateSymbolicLink(Path.Combine(src, "out"), Outside);
            File.CreateSymbolicLink(Path.Combine(src, "outfile"), Path.Combine(Outside, "secret.txt"));
            File.CreateSymbolicLink(Path.Combine(src, "dangling"), Path.Combine(Outside, "missing.txt"));
            File.CreateSymbolicLink(Path.Combine(src, "chain1"), "chain2");
            File.CreateSymbolicLink(Path.Combine(src, "chain2"), "chain3");
            File.CreateSymbolicLink(Path.Combine(src, "chain3"), Outside);
            File.CreateSymbolicLink(Path.Combine(src, "loop1"), "loop2");
            File.CreateSymbolicLink(Path.Combine(src, "loop2"), "loop1");
            File.CreateSymbolicLink(Path.Combine(src, "self"), ".");
            File.CreateSymbolicLink(Path.Combine(src, "up"), Path.Combine("..", ".."));
            File.CreateSymbolicLink(Path.Combine(src, "inner"), Path.Combine(src, "deep"));
            File.CreateSymbolicLink(Path.Combine(src, "toextra"), Extra);
            File.CreateSymbolicLink(Path.Combine(src, "sshlink"), Combine("home", ".ssh"));
        }

        private string Outside => Combine("outside");

        private string Extra => Combine("extra");

        public PermissionEngine Engine(string[]? allow = null, string[]? deny = null)
        {
            var policy = PermissionPolicy.FromText(allow, deny: deny);
            Assert.Empty(policy.Problems);
            return _fixture.Engine(policy, Extra);
        }

        public string Expand(string path) => path
            .Replace("{root}", _fixture.Root, StringComparison.Ordinal)
            .Replace("{outside}", Outside, StringComparison.Ordinal)
            .Replace("{extra}", Extra, StringComparison.Ordinal)
            .Replace("{temp}", _fixture.Temp.Path, StringComparison.Ordinal);

        /// <summary>Checks file tool writes and reads in each mode, and a shell redirection in accept-edits.</summary>
        public void AssertLeads(string path, Leads expected)
        {
            var engine = Engine(allow: ["shell(echo *)", "shell(cat *)"]);
            var label = path.Length > 80 ? path[..80] + "…" : path;
            void Expect(Verdict verdict, PermissionDecision decision, string what) =>
                Assert.True(verdict == decision.Verdict, $"{label} ({what}): expected {verdict}, got {decision.Verdict} ({decision.Reason})");

            switch (expected)
            {
                case Leads.Inside:
                    Expect(Verdict.Ask, Write(engine, path, PermissionMode.Ask), "write, ask");
                    Expect(Verdict.Allow, Write(engine, path, PermissionMode.AcceptEdits), "write, accept-edits");
                    Expect(Verdict.Deny, Write(engine, path, PermissionMode.DontAsk), "write, dont-ask");
                    Expect(Verdict.Allow, Read(engine, path, PermissionMode.DontAsk), "read, dont-ask");
                    Assert.False(Write(engine, path, PermissionMode.Ask).OutsideSandbox, label);
                    Expect(Verdict.Allow, Shell(engine, $"echo x > {Quote(path)}", PermissionMode.AcceptEdits), "redirection, accept-edits");
                    break;
                case Leads.Outside:
                    var write = Write(engine, path, PermissionMode.Ask);
                    Expect(Verdict.Ask, write, "write, ask");
                    Assert.True(write.OutsideSandbox, $"{label}: OutsideSandbox");
                    Assert.Equal(DecisionBasis.Sandbox, write.Basis);
                    Expect(Verdict.Ask, Write(engine, path, PermissionMode.AcceptEdits), "write, accept-edits");
                    Expect(Verdict.Deny, Write(engine, path, PermissionMode.DontAsk), "write, dont-ask");
                    Expect(Verdict.Deny, Write(engine, path, PermissionMode.Plan), "write, plan");
                    Expect(Verdict.Ask, Read(engine, path, PermissionMode.Ask), "read, ask");
                    Expect(Verdict.Deny, Read(engine, path, PermissionMode.DontAsk), "read, dont-ask");
                    Expect(Verdict.Allow, Write(engine, path, PermissionMode.Yolo), "write, yolo");
                    Expect(Verdict.Ask, Shell(engine, $"echo x > {Quote(path)}", PermissionMode.AcceptEdits), "redirection, accept-edits");
                    break;
                default:
                    foreach (var mode in new[] { PermissionMode.Yolo, PermissionMode.AcceptEdits, PermissionMode.Ask, PermissionMode.DontAsk })
                    {
                        Expect(Verdict.Deny, Read(engine, path, mode), $"read, {mode}");
                        Expect(Verdict.Deny, Write(engine, path, mode), $"write, {mode}");
                    }

                    if (!path.Contains('\\', StringComparison.Ordinal))
                    {
                        // Unquoted, the shell would read '~\.ssh' as '~.ssh'.
                        Assert.NotEqual(Verdict.Allow, Shell(engine, $"cat < {Quote(path)}", PermissionMode.Yolo).Verdict);
                    }

                    break;
            }
        }

        public void Dispose() => _fixture.Dispose();

        /// <summary>Single-quoted for the shell, except a leading <c>~</c> or <c>$HOME</c>, which the shell expands only unquoted.</summary>
        private static string Quote(string path) =>
            path.StartsWith('~') || path.StartsWith('$') || path.Contains('\'', StringComparison.Ordinal) ? path.Replace(" ", "\\ ", StringComparison.Ordinal) : $"'{path}'";

        private string Combine(params string[] parts) => _fixture.Temp.Combine(parts);

        private void Create(string relative) => _fixture.Temp.WriteFile(relative.Replace('/', Path.DirectorySeparatorChar), "x");
    }
}
