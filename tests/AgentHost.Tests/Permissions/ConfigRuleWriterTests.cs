using System.Text;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Tests.Configuration;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Permissions;

public sealed class ConfigRuleWriterTests : IDisposable
{
    private const string Rule = "shell(npm run test*)";
    private const string NewBlock = "permissions:\n  allow:\n    - \"shell(npm run test*)\"\n";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void MissingFileAndDirectory_AreCreated_WithTheRuleQuoted()
    {
        var path = _temp.Combine("repo", ".agent", "config.yaml");

        var result = ConfigRuleWriter.AddRule(path, RuleList.Allow, Rule);

        Assert.Equal(new AddRuleResult(true, path, 3), result);
        Assert.Equal(NewBlock, File.ReadAllText(path));
    }

    [Theory]
    [InlineData("", NewBlock)]
    [InlineData("  \n\n", "  \n\n" + NewBlock)]
    [InlineData("# my settings\n\n# more later", "# my settings\n\n# more later\n" + NewBlock)]
    public void EmptyOrCommentsOnlyFile_GetsTheBlockAppended(string content, string expected)
    {
        Assert.Equal(expected, Add(content, Rule).Text);
    }

    [Fact]
    public void FileWithOtherKeysAndComments_KeepsEveryByte_AndUsesItsIndentation()
    {
        const string Content = "# Project config\nmodel: gpt-x   # default\nproviders:\n    openai:\n        api_key: ${OPENAI_KEY}\n\nlog_level: debug";

        var (text, result) = Add(Content, "write(src/**)");

        Assert.Equal(Content + "\npermissions:\n    allow:\n      - \"write(src/**)\"\n", text);
        Assert.Equal(10, result.Line);
    }

    [Fact]
    public void PermissionsWithOnlyADenyList_GetsAnAllowKeyAfterItsLastLine()
    {
        const string Content = "permissions:\n  deny:\n    - shell(rm -rf *)   # never\n  # end of permissions\nlog_level: info\n";

        var (text, result) = Add(Content, "fetch(domain:example.com)");

        Assert.Equal("permissions:\n  deny:\n    - shell(rm -rf *)   # never\n  allow:\n    - \"fetch(domain:example.com)\"\n  # end of permissions\nlog_level: info\n", text);
        Assert.Equal(5, result.Line);
    }

    [Fact]
    public void BlockSequence_WithCommentsBetweenItemsAndATrailingComment_GetsTheItemAfterTheLastOne()
    {
        const string Content = "permissions:\n  allow:\n    # reading is fine\n    - read(src/**)\n    # tests\n    - \"shell(npm test)\"  # by hand\n  deny: []\n";

        var (text, result) = Add(Content, Rule);

        Assert.Equal(Content.Replace("# by hand\n", "# by hand\n    - \"shell(npm run test*)\"\n", StringComparison.Ordinal), text);
        Assert.Equal(7, result.Line);
    }

    [Fact]
    public void BlockSequence_WithAnItemSpanningLines_GetsTheItemAfterTheWholeItem()
    {
        const string Content = "permissions:\n  allow:\n    - shell(make\n      build)\nlog_level: info\n";

        Assert.Equal("permissions:\n  allow:\n    - shell(make\n      build)\n    - \"shell(npm run test*)\"\nlog_level: info\n", Add(Content, Rule).Text);
    }

    [Fact]
    public void ZeroIndentSequences_KeepTheirStyle()
    {
        Assert.Equal("permissions:\n  allow:\n  - read(a)\n  - \"shell(npm run test*)\"\nz: 1\n", Add("permissions:\n  allow:\n  - read(a)\nz: 1\n", Rule).Text);
        Assert.Equal("permissions:\n  deny:\n  - read(a)\n  allow:\n  - \"shell(npm run test*)\"\n", Add("permissions:\n  deny:\n  - read(a)\n", Rule).Text);
    }

    [Theory]
    [InlineData("permissions:\n  allow: [read(src/**), \"shell(ls)\"]  # c\n", "permissions:\n  allow: [read(src/**), \"shell(ls)\", \"shell(npm run test*)\"]  # c\n")]
    [InlineData("permissions:\n  allow: [\n    read(a),\n    read(b)\n  ]\nx: 1\n", "permissions:\n  allow: [\n    read(a),\n    read(b), \"shell(npm run test*)\"\n  ]\nx: 1\n")]
    [InlineData("permissions:\n  allow: []\n", "permissions:\n  allow: [\"shell(npm run test*)\"]\n")]
    [InlineData("permissions: \n  allow: [ ]", "permissions: \n  allow: [ \"shell(npm run test*)\"]")]
    public void FlowSequences_GetTheItemBeforeTheClosingBracket(string content, string expected)
    {
        Assert.Equal(expected, Add(content, Rule).Text);
    }

    [Theory]
    [InlineData("permissions:\n  allow:\n  ask: []\n", "permissions:\n  allow:\n    - \"shell(npm run test*)\"\n  ask: []\n")]
    [InlineData("permissions:\n  allow: ~\n", "permissions:\n  allow:\n    - \"shell(npm run test*)\"\n")]
    [InlineData("permissions:\n  allow: null  # none yet\nx: 1", "permissions:\n  allow:  # none yet\n    - \"shell(npm run test*)\"\nx: 1")]
    [InlineData("permissions:\nx: 1\n", "permissions:\n  allow:\n    - \"shell(npm run test*)\"\nx: 1\n")]
    [InlineData("permissions: ~ # later\n", "permissions: # later\n  allow:\n    - \"shell(npm run test*)\"\n")]
    public void NullValues_BecomeBlockSequences(string content, string expected)
    {
        Assert.Equal(expected, Add(content, Rule).Text);
    }

    [Fact]
    public void OtherLists_AndKeysInAnyCase_AreSupported()
    {
        var path = _temp.WriteFile("c.yaml", "Permissions:\n  Deny:\n    - read(a)\n");

        ConfigRuleWriter.AddRule(path, RuleList.Deny, "read(b)");
        ConfigRuleWriter.AddRule(path, RuleList.Ask, "shell(git push*)");

        Assert.Equal("Permissions:\n  Deny:\n    - read(a)\n    - \"read(b)\"\n  ask:\n    - \"shell(git push*)\"\n", File.ReadAllText(path));
    }

    [Fact]
    public void RuleAlreadyInTheList_LeavesTheFileUntouched()
    {
        var path = _temp.WriteFile("c.yaml", "permissions:\n  allow:\n    - read(a)\n    - shell(npm run test*)\n");
        var bytes = File.ReadAllBytes(path);
        var written = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, written);

        var result = ConfigRuleWriter.AddRule(path, RuleList.Allow, Rule);

        Assert.Equal(new AddRuleResult(false, path, 4), result);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public void CrlfLineEndings_AndABom_ArePreserved()
    {
        var path = _temp.Combine("c.yaml");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("# c\r\npermissions:\r\n  allow:\r\n    - read(a)\r\n")]);

        ConfigRuleWriter.AddRule(path, RuleList.Allow, Rule);
        ConfigRuleWriter.AddRule(path, RuleList.Deny, "read(b)");

        byte[] expected = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("# c\r\npermissions:\r\n  allow:\r\n    - read(a)\r\n    - \"shell(npm run test*)\"\r\n  deny:\r\n    - \"read(b)\"\r\n")];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [UnixFact("symbolic links and Unix file modes")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the analyzer's view of the [UnixFact] skip
    public void SymlinkedConfig_StaysALink_AndTheTargetKeepsItsUnixPermissions()
    {
        var target = _temp.WriteFile(Path.Combine("dotfiles", "config.yaml"), "api_key: secret\n");
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var link = _temp.Combine("config.yaml");
        File.CreateSymbolicLink(link, target);

        var result = ConfigRuleWriter.AddRule(link, RuleList.Allow, Rule);

        Assert.Equal(link, result.Path);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal("api_key: secret\n" + NewBlock, File.ReadAllText(target));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target));
        Assert.Single(Directory.GetFiles(_temp.Combine("dotfiles")));
    }

    [Fact]
    public void RuleWithQuotesBackslashesAndDollars_LoadsBackExactly_ThroughTheConfiguration()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("permissions:\n  deny:\n    - shell(rm *)\n");
        project.WriteProject("# project\nlog_level: info\n");
        const string Rule = "shell(echo \"a\\b\" $HOME*)";

        var result = ConfigRuleWriter.AddRule(project.ProjectFile, RuleList.Allow, Rule);

        Assert.Contains("    - \"shell(echo \\\"a\\\\b\\\" $$HOME*)\"\n", File.ReadAllText(project.ProjectFile), StringComparison.Ordinal);
        var policy = PermissionPolicy.FromConfiguration(project.Resolve(), project.TrustRepo());
        Assert.Empty(policy.Problems);
        var added = Assert.Single(policy.Rules, r => r.List == RuleList.Allow);
        Assert.Equal(Rule, added.Text);
        Assert.Equal($"{project.ProjectFile}:{result.Line}", added.Location);
        Assert.Equal(5, result.Line);
    }

    [Theory]
    [InlineData("permissions: {allow: [read(a)]}\n", "flow mapping")]
    [InlineData("- read(a)\n- read(b)\n", "not a block mapping")]
    [InlineData("{permissions: {}}\n", "not a block mapping")]
    [InlineData("permissions:\n  allow: read(a)\n", "is not a list")]
    [InlineData("permissions:\n  allow: [read(a)\n", "not valid YAML")]
    [InlineData("a: 1\n---\nb: 2\n", "several YAML documents")]
    [InlineData("permissions:\n  allow: &rules [read(a)]\nsame: *rules\n", "would not read back")]
    [InlineData("a: 1\n...\n", "would not read back")]
    public void FilesThatCannotBeEditedSafely_FailWithTheFix_AndStayUnchanged(string content, string reason)
    {
        var path = _temp.WriteFile("config.yaml", content);

        var error = Assert.Throws<AgentHostException>(() => ConfigRuleWriter.AddRule(path, RuleList.Allow, Rule));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains($"Add \"shell(npm run test*)\" to permissions.allow in {path} by hand", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void InvalidRule_IsRejected_BeforeTheFileIsTouched()
    {
        var path = _temp.Combine("config.yaml");

        Assert.Throws<ArgumentException>(() => ConfigRuleWriter.AddRule(path, RuleList.Allow, "shell(git push"));
        Assert.False(File.Exists(path));
    }

    private (string Text, AddRuleResult Result) Add(string content, string rule)
    {
        var path = _temp.WriteFile("config.yaml", content);
        var result = ConfigRuleWriter.AddRule(path, RuleList.Allow, rule);
        Assert.True(result.Added);
        Assert.Single(Directory.GetFiles(_temp.Path));
        return (File.ReadAllText(path), result);
    }
}
