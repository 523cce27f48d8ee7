using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Template;

namespace AgentHost.Tests.Cli;

/// <summary>
/// The bundled plugins' ReadyToRun images hold the framework generic code over their own types
/// (docs/decisions/0001-release-build-readytorun-composite.md): the release publish gives their crossgen2 compiles cross-module code and a
/// profile (src/AgentHost.Cli/AgentHost.Cli.csproj, AgentPluginCrossgen2ExtraArgs; ReadyToRunProfile.targets,
/// AgentPluginReadyToRunProfile; plugins/Directory.Build.props). CI never publishes the release build, so these tests
/// run the target that computes the plugins' publishes, evaluate a plugin project as that publish does, and read the
/// profile file.
/// </summary>
public sealed class PluginReadyToRunTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ReleasePublish_GivesTheHotPathPluginsCrossModuleCode_AndThePluginProfile()
    {
        var root = RunWorkspace.RepositoryRoot();
        var plugins = await PluginPublishesAsync(root);

        var profile = Path.Combine(root, "src", "AgentHost.Cli", "Profile", "plugins.mibc");
        foreach (var folder in new[] { "files", "shell", "openai", "scripted" })
        {
            var (args, readyToRunProfile) = plugins[folder];
            Assert.Contains("--instruction-set:x86-64-v3", args);
            Assert.Contains("--opt-cross-module:System.Private.CoreLib", args);
            Assert.Contains("--non-local-generics-module:*", args);
            Assert.Contains("--method-layout:hotcold", args);
            Assert.Equal(profile, Path.GetFullPath(readyToRunProfile));
        }

        // The plugins the benchmarks do not exercise keep their images as before (cross-module code makes them larger).
        foreach (var folder in new[] { "git", "web", "anthropic" })
        {
            Assert.Equal(["--instruction-set:x86-64-v3"], plugins[folder].Args);
            Assert.Equal("none", plugins[folder].Profile);
        }
    }

    [Fact]
    public async Task WithoutTheProfileOrTheArguments_EveryPluginIsCompiledAsBefore()
    {
        var root = RunWorkspace.RepositoryRoot();
        var noProfile = await PluginPublishesAsync(root, "-p:AgentReadyToRunProfile=none");
        var noArgs = await PluginPublishesAsync(root, "-p:AgentPluginCrossgen2ExtraArgs=none");

        Assert.Equal("none", noProfile["files"].Profile);
        Assert.Contains("--non-local-generics-module:*", noProfile["files"].Args);
        Assert.All(noArgs.Values, p => Assert.Equal(["--instruction-set:x86-64-v3"], p.Args));
    }

    [Fact]
    public async Task ReleasePublish_GivesTheOpenAIBundlePartialImages_DrivenByThePluginProfile()
    {
        var root = RunWorkspace.RepositoryRoot();
        var plugins = await PluginPublishesAsync(root);

        // Only the methods plugins.mibc names are precompiled into the OpenAI SDK's images (docs/decisions/0001-release-build-readytorun-composite.md); the profile that drives them is the one the compile is handed.
        var (openai, openaiProfile) = plugins["openai"];
        Assert.Contains("--partial", openai);
        Assert.Contains("--non-local-generics-module:*", openai);
        Assert.Equal(Path.Combine(root, "src", "AgentHost.Cli", "Profile", "plugins.mibc"), Path.GetFullPath(openaiProfile));

        // The tools' plugins keep whole images: their tools take paths no profile run takes.
        foreach (var folder in new[] { "files", "shell", "scripted", "git", "web", "anthropic" })
        {
            Assert.DoesNotContain("--partial", plugins[folder].Args);
        }
    }

    [Fact]
    public async Task WithoutTheProfile_OrWithPartialImagesOff_NoPluginImageIsPartial()
    {
        var root = RunWorkspace.RepositoryRoot();

        // Partial mode precompiles only profiled methods: without the profile it would precompile nothing.
        var noProfile = await PluginPublishesAsync(root, "-p:AgentReadyToRunProfile=none");
        var off = await PluginPublishesAsync(root, "-p:AgentPluginPartialImages=false");
        var noArgs = await PluginPublishesAsync(root, "-p:AgentPluginCrossgen2ExtraArgs=none");

        foreach (var publishes in new[] { noProfile, off, noArgs })
        {
            Assert.All(publishes.Values, p => Assert.DoesNotContain("--partial", p.Args));
        }

        Assert.Contains("--non-local-generics-module:*", off["openai"].Args);
        Assert.EndsWith("plugins.mibc", off["openai"].Profile, StringComparison.Ordinal);
    }

    [Fact]
    public void PluginProfile_CoversTheChatCompletionsAndTheResponsesApiPaths()
    {
        // With partial images a path the profile lacks runs JIT-compiled: bench/pgo/regenerate.sh profiles both APIs
        // the openai plugin speaks (Chat Completions to compatible servers, Responses to OpenAI's reasoning models).
        var methods = MibcProfiles.ProfiledMethods("plugins.mibc");

        Assert.Contains(methods, m => m.StartsWith("AgentHost.Plugins.OpenAI.SseCompletionStream:", StringComparison.Ordinal));
        Assert.Contains(methods, m => m.StartsWith("AgentHost.Plugins.OpenAI.ResponsesStream:", StringComparison.Ordinal));
        Assert.Contains(methods, m => m.StartsWith("AgentHost.Plugins.OpenAI.ResponsesRequestMapper:", StringComparison.Ordinal));
        Assert.Contains(methods, m => m.StartsWith("OpenAI.Responses.", StringComparison.Ordinal));
        Assert.Contains(methods, m => m.StartsWith("OpenAI.Chat.", StringComparison.Ordinal));
        Assert.Contains(methods, m => m.StartsWith("System.ClientModel.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APluginsReadyToRunPublish_GivesCrossgen2TheProfileItIsHanded()
    {
        var root = RunWorkspace.RepositoryRoot();
        var profile = Path.Combine(root, "src", "AgentHost.Cli", "Profile", "plugins.mibc");
        var items = await EvaluateAsync(root, "plugins/files/AgentHost.Plugins.Files.csproj", "-p:RuntimeIdentifier=linux-x64", "-p:PublishReadyToRun=true",
            $"-p:AgentPluginReadyToRunProfile={profile}", "-getItem:PublishReadyToRunPgoFiles");
        var none = await EvaluateAsync(root, "plugins/files/AgentHost.Plugins.Files.csproj", "-p:RuntimeIdentifier=linux-x64", "-p:PublishReadyToRun=true",
            "-p:AgentPluginReadyToRunProfile=none", "-getItem:PublishReadyToRunPgoFiles");

        var files = items.GetProperty("Items").GetProperty("PublishReadyToRunPgoFiles").EnumerateArray().Select(i => i.GetProperty("FullPath").GetString()).ToList();
        Assert.Equal([profile], files);
        Assert.Empty(none.GetProperty("Items").GetProperty("PublishReadyToRunPgoFiles").EnumerateArray());
    }

    [Fact]
    public void PluginProfile_IsAZippedMibc_WithOneGroupPerPluginAssembly()
    {
        var methods = MibcProfiles.MethodNames("plugins.mibc");
        Assert.Contains("AssemblyDictionary", methods);
        // Census2Mibc --only: each group names the one assembly whose image holds its methods (crossgen2 reads a group
        // only when it compiles an assembly the group names), so no group names the framework or a host assembly.
        var groups = methods.Where(m => m.StartsWith("Assemblies_", StringComparison.Ordinal))
            .Select(m => m["Assemblies_".Length..m.LastIndexOf('_')]).ToList();
        Assert.All(groups, g => Assert.Equal(1, g.Count(c => c == ';')));
        Assert.Contains("AgentHost.Plugins.Files;", groups);
        Assert.Contains("OpenAI;", groups);
        Assert.Contains("System.ClientModel;", groups);
        Assert.DoesNotContain(groups, g => g.StartsWith("System.Private.CoreLib", StringComparison.Ordinal) || g.StartsWith("AgentHost.Hosting", StringComparison.Ordinal));
    }

    /// <summary>Runs the CLI's ComputeBundledPluginsReadyToRun (as a release publish does): each plugin folder's crossgen2 arguments and profile.</summary>
    private static async Task<Dictionary<string, (string[] Args, string Profile)>> PluginPublishesAsync(string root, params string[] extra)
    {
        var items = await EvaluateAsync(root, "src/AgentHost.Cli/AgentHost.Cli.csproj", ["-t:ComputeBundledPluginsReadyToRun", "-p:RuntimeIdentifier=linux-x64",
            "-p:PublishReadyToRun=true", "-p:PublishReadyToRunComposite=true", .. extra, "-getItem:_CodePluginProject"]);
        return items.GetProperty("Items").GetProperty("_CodePluginProject").EnumerateArray().ToDictionary(
            i => i.GetProperty("PluginDir").GetString()!.TrimEnd('/'),
            i => (i.GetProperty("Crossgen2Args").GetString()!.Split(';', StringSplitOptions.RemoveEmptyEntries), i.GetProperty("ReadyToRunProfile").GetString()!));
    }

    private static async Task<JsonElement> EvaluateAsync(string root, string project, params string[] args)
    {
        var (exitCode, output) = await DotnetProcess.RunAsync(root, new Dictionary<string, string>(), Timeout, ["msbuild", project, .. args]);
        Assert.True(exitCode == 0, output);
        // -getItem prints JSON (a single -getProperty would print the bare value).
        return JsonDocument.Parse(output[output.IndexOf('{')..]).RootElement.Clone();
    }
}
