using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Search;
using AgentHost.Tests.Support;
using AgentHost.Tests.Processes;

namespace AgentHost.Tests.Reads;

/// <summary>
/// The read decision for files a search's walk listed (<see cref="ReadAccessCheck.CheckWalkedFile"/>,
/// <see cref="ToolContext.CheckWalkedFileRead(Microsoft.Extensions.AI.AIFunctionArguments, string)"/>, issue #25): it skips only the file's own link check, so it must decide
/// every regular file exactly as <see cref="ReadAccessCheck.Check"/> does (rules, the safety floor, the root, case),
/// decide a path through a linked folder on the folder's target, and grep must still never read through a link —
/// one in the tree, one swapped in for a file or a folder after the listing — nor open a pipe.
/// </summary>
public sealed class WalkedFileReadTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly PluginHarness _plugins = new();

    private string Root => _temp.Combine("ws");

    private string Home => _temp.Combine("home");

    private string Outside => _temp.Combine("outside");

    public async Task InitializeAsync()
    {
        foreach (var (path, text) in new[]
        {
            (".env", "SECRET-ENV\n"), (".ENV", "SECRET-ENV-UPPER\n"), (".Env.local", "SECRET-ENV-MIXED\n"),
            ("keys/server.pem", "SECRET-PEM\n"), ("Keys/Server.PEM", "SECRET-PEM-UPPER\n"), ("config/.env.local", "SECRET-CONFIG\n"),
            ("src/app.cs", "OPEN-SRC\n"), ("src/deep/a/b/c.txt", "OPEN-DEEP\n"), ("src/.hidden/x.txt", "OPEN-HIDDEN\n"),
        })
        {
            Write(Root, path, text);
        }

        Write(Home, ".ssh/id_rsa", "SECRET-SSH\n");
        Write(Home, ".aws/credentials", "SECRET-AWS\n");
        Write(Home, "notes/todo.txt", "OPEN-HOME\n");
        Write(Outside, "secret.txt", "SECRET-OUTSIDE\n");
        var result = await _plugins.LoadAsync(Catalog.PathOf("files"));
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
    }

    public async Task DisposeAsync()
    {
        await _plugins.DisposeAsync();
        _temp.Dispose();
    }

    public static TheoryData<string, PermissionMode> Policies => new()
    {
        { "none", PermissionMode.Ask },
        { "none", PermissionMode.Yolo },
        { "none", PermissionMode.DontAsk },
        { "no-floor", PermissionMode.Yolo },
        { "deny read(.env)", PermissionMode.Ask },
        { "deny read(**/*.pem)", PermissionMode.AcceptEdits },
        { "ask read(.env*)", PermissionMode.DontAsk },
        { "deny read(config/**)", PermissionMode.Yolo },
        { "ask read(**/*.pem)", PermissionMode.Ask },
        { "deny read(~/notes/**)", PermissionMode.Ask },
        { "deny read(~/.aws)", PermissionMode.Yolo },
        { "ask read(keys)", PermissionMode.Plan },
        { "deny read(.env); ask read(**/*.pem); allow read(src/**)", PermissionMode.DontAsk },
        { "allow read(**)", PermissionMode.DontAsk },
    };

    [Theory]
    [MemberData(nameof(Policies))]
    public void CheckWalkedFile_DecidesEveryRegularFile_AsCheckDoes(string policy, PermissionMode mode)
    {
        foreach (var root in new[] { Root, Home })
        {
            var decided = 0;
            foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                // A fresh check per side, so neither answers from the other's memory.
                var walked = Check(policy, mode, root).CheckWalkedFile(file);
                var general = Check(policy, mode, root).Check(file);

                Assert.True(walked.Allowed == general.Allowed && walked.Reason == general.Reason, $"{file}: walked {walked}, general {general}");
                decided++;
            }

            Assert.True(decided >= 3);
        }

        // The cases the check exists for are refused through the walked entry point too.
        var floor = Check(policy, mode, Home);
        Assert.Equal(policy != "no-floor", !floor.CheckWalkedFile(Path.Combine(Home, ".ssh", "id_rsa")).Allowed);
        Assert.Equal(policy != "no-floor", !floor.CheckWalkedFile(Path.Combine(Home, ".aws", "credentials")).Allowed);
        Assert.Equal(policy != "deny read(~/notes/**)", floor.CheckWalkedFile(Path.Combine(Home, "notes", "todo.txt")).Allowed);
        if (policy.StartsWith("deny read(.env)", StringComparison.Ordinal) || policy.StartsWith("ask read(.env*)", StringComparison.Ordinal))
        {
            Assert.False(Check(policy, mode, Root).CheckWalkedFile(Path.Combine(Root, ".env")).Allowed);
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void CheckAndCheckWalkedFile_DecideEveryRegularFile_AsTheGatesGeneralDecision(string policy, PermissionMode mode)
    {
        // Both entry points decide a plain file through the engine's path for a path known to be real (issue #25, sixth
        // pass); the reference is the gate's general decision, which resolves the path, mapped as a multi-file tool
        // must map it (an ask is left out: nobody can be asked per file).
        foreach (var root in new[] { Root, Home })
        {
            var gate = new RulePermissionGate(Policy(policy), mode, root, Home);
            foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                var decision = gate.Decide(new ToolPermissionRequest("s-1", "call-1", "read", string.Empty, ToolEffect.Read, new ToolCallDescription("read", file)) { WorkspaceRoot = root });
                var expected = decision.Verdict switch
                {
                    Verdict.Allow => ReadAccess.Allow,
                    Verdict.Ask => ReadAccess.Deny($"{decision.Reason}; reading it needs approval, which a tool returning several files cannot ask for"),
                    _ => ReadAccess.Deny(decision.Reason),
                };

                foreach (var actual in new[] { Check(policy, mode, root).CheckWalkedFile(file), Check(policy, mode, root).Check(file) })
                {
                    Assert.True(actual.Allowed == expected.Allowed && actual.Reason == expected.Reason, $"{file}: {actual}, the gate {expected}");
                }
            }
        }
    }

    [SymlinkFact]
    public void CheckWalkedFile_ThroughALinkedFolder_OrDotDot_IsDecidedOnTheTarget()
    {
        Directory.CreateSymbolicLink(Path.Combine(Root, "linked-out"), Outside);
        Directory.CreateSymbolicLink(Path.Combine(Root, "linked-in"), Path.Combine(Root, "src"));
        var check = Check("none", PermissionMode.Ask, Root); // outside the root a read asks, which a search cannot

        foreach (var path in new[]
        {
            Path.Combine(Root, "linked-out", "secret.txt"),
            Root + "/src/../../outside/secret.txt",
            Path.Combine(Outside, "secret.txt"),
        })
        {
            var walked = check.CheckWalkedFile(path);
            Assert.False(walked.Allowed, path);
            Assert.Equal(check.Check(path).Reason, walked.Reason);
        }

        Assert.True(check.CheckWalkedFile(Path.Combine(Root, "linked-in", "app.cs")).Allowed);
    }

    [SymlinkFact]
    public void CheckWalkedFile_TrustsTheListing_ForTheFileItself_WhichIsWhyGrepOpensWithNoFollow()
    {
        // The contract: the file's own link check is the caller's (its listing said "regular file", its open refuses
        // a link). A link handed in anyway is decided as its own path; Check resolves it and refuses the target.
        var link = Path.Combine(Root, "src", "to-outside.txt");
        File.CreateSymbolicLink(link, Path.Combine(Outside, "secret.txt"));
        var check = Check("none", PermissionMode.Ask, Root);

        Assert.False(check.Check(link).Allowed);
        Assert.True(check.CheckWalkedFile(link).Allowed);

        // Not remembered: a later Check of the same path is not answered from the walked decision.
        Assert.False(check.Check(link).Allowed);
    }

    [SymlinkFact]
    public void CheckWalkedFile_WithReadRules_DecidesThePathAsListed_WithoutResolvingTheFile()
    {
        // With a read rule configured the walked check asks the engine's decision for a path known to be real
        // (issue #25, sixth pass): the file's own path is not resolved again, so a link handed in anyway is decided on
        // its own name (before, the engine resolved it and refused the target). grep's open refuses such a link.
        var link = Path.Combine(Root, "src", "plain.txt");
        File.CreateSymbolicLink(link, Path.Combine(Root, "keys", "server.pem"));
        var check = Check("deny read(**/*.pem)", PermissionMode.Yolo, Root);

        Assert.False(check.Check(link).Allowed);
        Assert.True(check.CheckWalkedFile(link).Allowed);
        Assert.False(check.CheckWalkedFile(Path.Combine(Root, "keys", "server.pem")).Allowed);
        Assert.False(check.CheckWalkedFile(Path.Combine(Root, "Keys", "Server.PEM")).Allowed);
        Assert.False(check.Check(link).Allowed); // not remembered
    }

    [SymlinkFact]
    public void CheckWalkedFile_WithReadRules_ThroughALinkedFolder_IsDecidedOnTheTarget()
    {
        // The folder is still resolved: 'alias/app.cs' is 'src/app.cs', which the rule covers; '..' too.
        Directory.CreateSymbolicLink(Path.Combine(Root, "alias"), Path.Combine(Root, "src"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "config-link"), Path.Combine(Root, "config"));
        foreach (var (policy, path) in new[]
        {
            ("deny read(src/**)", Path.Combine(Root, "alias", "app.cs")),
            ("ask read(src/**)", Path.Combine(Root, "alias", "deep", "a", "b", "c.txt")),
            ("deny read(config/**)", Path.Combine(Root, "config-link", ".env.local")),
            ("deny read(src/**)", Root + "/keys/../src/app.cs"),
        })
        {
            var walked = Check(policy, PermissionMode.Yolo, Root).CheckWalkedFile(path);
            var general = Check(policy, PermissionMode.Yolo, Root).Check(path);
            Assert.False(walked.Allowed, $"{policy}: {path}");
            Assert.Equal(general.Reason, walked.Reason);
        }

        Assert.True(Check("deny read(src/**)", PermissionMode.Yolo, Root).CheckWalkedFile(Path.Combine(Root, "config-link", ".env.local")).Allowed);
    }

    [SymlinkFact]
    public async Task Grep_ThroughThePipeline_NeverReadsThroughLinksInTheTree()
    {
        File.CreateSymbolicLink(Path.Combine(Root, "src", "to-outside.txt"), Path.Combine(Outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "linked-out"), Outside);
        Directory.CreateSymbolicLink(Path.Combine(Root, "linked-in"), Path.Combine(Root, "src"));

        // Yolo: the decision would allow a read outside the root, so only the walk (links never followed) keeps it out.
        var output = await GrepAsync(PermissionPolicy.Empty, PermissionMode.Yolo, Root, "SECRET-OUTSIDE|OPEN-");

        Assert.DoesNotContain("SECRET-OUTSIDE", output, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(output, "OPEN-SRC"));
        Assert.Equal(1, Occurrences(output, "OPEN-DEEP"));
        Assert.DoesNotContain("linked-in", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deny read(.env)", "SECRET-ENV\n")]
    [InlineData("deny read(**/*.pem)", "SECRET-PEM\n")]
    [InlineData("deny read(config/**)", "SECRET-CONFIG")]
    public async Task Grep_ThroughThePipeline_LeavesOutDeniedFiles_AndKeepsCaseVariantsAsTheRulesSay(string policy, string secret)
    {
        var output = await GrepAsync(Policy(policy), PermissionMode.Yolo, Root, "SECRET-");
        var general = Check(policy, PermissionMode.Yolo, Root);

        Assert.DoesNotContain(secret, output + "\n", StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            // Every file is shown exactly when the general decision allows it (case variants included).
            var shown = output.Contains(Path.GetRelativePath(Root, file).Replace('\\', '/') + ":1:", StringComparison.Ordinal);
            var content = File.ReadAllText(file);
            if (content.StartsWith("SECRET-", StringComparison.Ordinal))
            {
                Assert.True(shown == general.Check(file).Allowed, $"{file}: shown {shown}, allowed {general.Check(file)}");
            }
        }
    }

    [SymlinkTheory]
    [InlineData(100)]
    [InlineData(400_000)]
    public async Task Grep_WithTheHostsWalkedCheck_AFileSwappedForALinkAfterTheListing_IsNotRead(int size)
    {
        await using var harness = await SearchHarness.CreateAsync();
        File.WriteAllText(Path.Combine(harness.Outside, "secret.txt"), "needle secret\n");
        var victim = harness.Write("src/plain.txt", "needle".PadRight(size, ' ') + "\n");
        var check = harness.YoloReadCheck(Home);
        var swapped = 0;

        // The host's walked check, asked after the listing and before the read: swap the file for a link there. In
        // yolo mode the decision allows a read outside the root, so only the open (O_NOFOLLOW) keeps it out.
        ReadAccess Walked(string path)
        {
            if (path.EndsWith("/src/plain.txt", StringComparison.Ordinal) && Interlocked.Exchange(ref swapped, 1) == 0)
            {
                File.Delete(victim);
                File.CreateSymbolicLink(victim, Path.Combine(harness.Outside, "secret.txt"));
            }

            return check.CheckWalkedFile(path);
        }

        var output = await harness.InvokeAsync("grep", check.Check, Walked, CancellationToken.None, ("pattern", "needle"), ("output", "count"));

        Assert.Equal(1, swapped);
        Assert.Empty(SearchHarness.Body(output));
        Assert.Contains("1 unreadable", SearchHarness.Note(output), StringComparison.Ordinal);
    }

    [SymlinkFact]
    public async Task Grep_AFolderSwappedForALinkAfterItsParentWasListed_IsNotEntered()
    {
        // One thread: the root is listed (its subfolders queued), then its files are searched, then the subfolders.
        await using var harness = await SearchHarness.CreateAsync(new Dictionary<string, string> { ["search_threads"] = "1" });
        Directory.CreateDirectory(Path.Combine(harness.Outside, "loot"));
        File.WriteAllText(Path.Combine(harness.Outside, "loot", "secret.txt"), "needle secret\n");
        harness.Write("a-first.txt", "needle one\n");
        harness.Write("sub/plain.txt", "needle two\n");
        var check = harness.YoloReadCheck(Home);
        var swapped = 0;

        ReadAccess Walked(string path)
        {
            if (path.EndsWith("/a-first.txt", StringComparison.Ordinal) && Interlocked.Exchange(ref swapped, 1) == 0)
            {
                Directory.Delete(Path.Combine(harness.Workspace, "sub"), recursive: true);
                Directory.CreateSymbolicLink(Path.Combine(harness.Workspace, "sub"), Path.Combine(harness.Outside, "loot"));
            }

            return check.CheckWalkedFile(path);
        }

        var output = await harness.InvokeAsync("grep", check.Check, Walked, CancellationToken.None, ("pattern", "needle"));

        Assert.Equal(1, swapped);
        Assert.DoesNotContain("secret", output, StringComparison.Ordinal);
        Assert.Contains("a-first.txt:1:needle one", output, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            // The native listing opens a subfolder refusing a link in its place: counted unreadable, not followed.
            Assert.Contains("1 unreadable", SearchHarness.Note(output), StringComparison.Ordinal);
        }
    }

    [LinuxFact]
    public async Task Grep_AFolderSwappedForALinkWhileItsFilesAreSearched_IsNotReadThrough()
    {
        // The first file of sub/ is decided (its folder found plain), then sub/ is swapped for a link to a folder
        // outside holding files of the same names: the next file must still come from the folder that was listed.
        await using var harness = await SearchHarness.CreateAsync(new Dictionary<string, string> { ["search_threads"] = "1" });
        var check = harness.YoloReadCheck(Home);
        var swap = harness.SwapAfterItsFirstFile(check, "sub", ["one.txt", "two.txt", "three.txt"]);

        // Counts (pass 1): the outside files hold two matching lines each, the listed ones one.
        var output = await harness.InvokeAsync("grep", check.Check, swap.Walked, CancellationToken.None, ("pattern", "needle"), ("output", "count"));

        // Opened by name in the listed folder (openat, Linux): all three read from it.
        Assert.Equal(1, swap.Swaps);
        Assert.Equal(["sub/one.txt:1", "sub/three.txt:1", "sub/two.txt:1"], SearchHarness.Body(output));
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void CheckWalkedTreeFile_DecidesEveryFileBelowAPlainStart_AsCheckDoes(string policy, PermissionMode mode)
    {
        // The walk-from-a-start check skips the folders' link checks below the start, so it must decide every file
        // below a plain start exactly as the general check does (rules, the safety floor, the root, case).
        foreach (var (root, start) in new[]
        {
            (Root, Root), (Root, Root + "/"), (Root, Path.Combine(Root, "src")), (Root, Path.Combine(Root, "Keys")),
            (Home, Home), (Home, Path.Combine(Home, ".ssh")),
        })
        {
            var decided = 0;
            foreach (var file in Directory.EnumerateFiles(start, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                var tree = Check(policy, mode, root).CheckWalkedTreeFile(file, start);
                var general = Check(policy, mode, root).Check(file);

                Assert.True(tree.Allowed == general.Allowed && tree.Reason == general.Reason, $"{file} from {start}: tree {tree}, general {general}");
                decided++;
            }

            Assert.True(decided >= 1, start);
        }
    }

    [SymlinkFact]
    public void CheckWalkedTreeFile_FromALinkedStart_OrForAFileNotBelowItsStart_IsDecidedAsCheckWalkedFile()
    {
        Directory.CreateSymbolicLink(Path.Combine(Root, "linked-out"), Outside);
        Directory.CreateSymbolicLink(Path.Combine(Root, "linked-in"), Path.Combine(Root, "src"));
        var check = Check("deny read(**/*.pem)", PermissionMode.Ask, Root); // outside the root a read asks, which a search cannot

        foreach (var (path, start) in new[]
        {
            (Path.Combine(Root, "linked-out", "secret.txt"), Path.Combine(Root, "linked-out")), // a start that is a link out
            (Path.Combine(Outside, "secret.txt"), Outside), // a start outside the root
            (Path.Combine(Root, "keys", "server.pem"), Path.Combine(Root, "src")), // not below the start
            (Root + "/src/../keys/server.pem", Path.Combine(Root, "src")), // '..' out of the start
        })
        {
            var tree = check.CheckWalkedTreeFile(path, start);
            Assert.False(tree.Allowed, $"{path} from {start}");
            Assert.Equal(check.CheckWalkedFile(path).Reason, tree.Reason);
        }

        // A start that is a link inside the root is decided on its target, as before: src is readable.
        Assert.True(check.CheckWalkedTreeFile(Path.Combine(Root, "linked-in", "app.cs"), Path.Combine(Root, "linked-in")).Allowed);
    }

    [SymlinkFact]
    public void CheckWalkedTreeFile_TrustsTheWalk_ForTheFoldersBelowItsStart_WhichIsWhyGrepOpensThemByDescriptor()
    {
        // The contract: below the start, the folders' link checks are the walk's (each opened inside its parent,
        // refusing a link), so a path through a linked folder handed in anyway is decided as listed.
        Directory.CreateSymbolicLink(Path.Combine(Root, "src", "linked-out"), Outside);
        var path = Path.Combine(Root, "src", "linked-out", "secret.txt");
        var check = Check("none", PermissionMode.Ask, Root);

        Assert.False(check.Check(path).Allowed);
        Assert.False(check.CheckWalkedFile(path).Allowed); // its folder is resolved
        Assert.True(check.CheckWalkedTreeFile(path, Root).Allowed);
        Assert.False(check.Check(path).Allowed); // not remembered
    }

    [LinuxFact]
    public async Task Grep_WithTheHostsTreeCheck_AFolderSwappedForALinkAfterItWasOpened_IsNotReadThroughBelowIt()
    {
        // One thread: top/ is listed (its subfolder mid/ queued, holding top/ open), then top/'s file is decided, where
        // top/ is swapped for a link to a folder outside holding a mid/ of its own, then mid/ is opened: inside the top/
        // that was listed (by descriptor), never through the link, though the walk decides mid/'s files from the start
        // without asking the file system about any folder below it.
        await using var harness = await SearchHarness.CreateAsync(new Dictionary<string, string> { ["search_threads"] = "1" });
        var loot = Path.Combine(harness.Outside, "loot");
        Directory.CreateDirectory(Path.Combine(loot, "mid"));
        File.WriteAllText(Path.Combine(loot, "mid", "two.txt"), "needle secret\nneedle secret\n");
        harness.Write("top/a-first.txt", "needle one\n");
        harness.Write("top/mid/two.txt", "needle two\n");
        var check = harness.YoloReadCheck(Home);
        var swapped = 0;
        var decided = 0;

        ReadAccess Tree(string path, string start)
        {
            Interlocked.Increment(ref decided);
            if (path.EndsWith("/top/a-first.txt", StringComparison.Ordinal) && Interlocked.Exchange(ref swapped, 1) == 0)
            {
                harness.SwapFolderForLink("top", loot);
            }

            return check.CheckWalkedTreeFile(path, start);
        }

        // Counts (pass 1): the outside file holds two matching lines, the listed one one. Yolo: the decision allows a
        // read outside the root, so only the walk's opens keep it out.
        var output = await harness.InvokeAsync("grep", check.Check, check.CheckWalkedFile, Tree, CancellationToken.None, ("pattern", "needle"), ("output", "count"));

        Assert.Equal(1, swapped);
        Assert.Equal(2, decided); // both files were decided by the walk-from-a-start check
        Assert.Equal(["top/a-first.txt:1", "top/mid/two.txt:1"], SearchHarness.Body(output));
    }

    [LinuxFact]
    public async Task Grep_NeverOpensAPipe_InTheTree()
    {
        await using var harness = await SearchHarness.CreateAsync();
        harness.Write("src/app.txt", "needle\n");
        var fifo = ProcessWatch.MakeFifo(Path.Combine(harness.Workspace, "src", "pipe.txt"));

        // A writer's open of a FIFO returns only once a reader opened it: it tells whether grep ever did.
        var writerOpened = Task.Run(() =>
        {
            using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
        });

        var output = await harness.InvokeAsync("grep", ("pattern", "needle"), ("output", "files"));
        var openedByGrep = await Task.WhenAny(writerOpened, Task.Delay(300)) == writerOpened;

        if (!openedByGrep)
        {
            // Release the writer (our own reader) before asserting.
            using var reader = new FileStream(fifo, FileMode.Open, FileAccess.Read);
            await writerOpened.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.False(openedByGrep, "grep opened the FIFO");
        Assert.Equal(["src/app.txt"], SearchHarness.Body(output));
    }

    private ReadAccessCheck Check(string policy, PermissionMode mode, string root) =>
        ReadAccessCheck.Create(new RulePermissionGate(Policy(policy), mode, root, Home), "s-1", "call-1", root)!;

    private static PermissionPolicy Policy(string text) => text switch
    {
        "none" => PermissionPolicy.Empty,
        "no-floor" => new PermissionPolicy([], safetyFloor: false),
        _ when text.Contains(';', StringComparison.Ordinal) => new PermissionPolicy(text.Split("; ").SelectMany(part => Policy(part).Rules)),
        _ when text.StartsWith("deny ", StringComparison.Ordinal) => PermissionPolicy.FromText(deny: [text[5..]]),
        _ when text.StartsWith("ask ", StringComparison.Ordinal) => PermissionPolicy.FromText(ask: [text[4..]]),
        _ when text.StartsWith("allow ", StringComparison.Ordinal) => PermissionPolicy.FromText(allow: [text[6..]]),
        _ => throw new ArgumentException(text),
    };

    private async Task<string> GrepAsync(PermissionPolicy policy, PermissionMode mode, string root, string pattern)
    {
        var gate = new RulePermissionGate(policy, mode, root, Home);
        using var pipeline = new ToolPipeline(_plugins.Registry, _plugins.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);
        var arguments = System.Text.Json.JsonSerializer.Serialize(new { pattern, hidden = true, no_ignore = true, max_matches = 1000 });
        var outcome = await pipeline.InvokeAsync("grep", arguments, new ToolCallContext("s-1", "call-1") { WorkspaceRoot = root });
        Assert.True(outcome.Status == ToolCallStatus.Succeeded, outcome.Text);
        return outcome.Text;
    }

    private static int Occurrences(string text, string value) => (text.Length - text.Replace(value, string.Empty, StringComparison.Ordinal).Length) / value.Length;

    private static void Write(string root, string relative, string content)
    {
        var full = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }
}
