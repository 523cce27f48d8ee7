using AgentHost.Agent.Skills;
using AgentHost.Tests.Skills;
namespace AgentHost.Agent.Tests.Skills;

/// <summary>Parsing and validating real-world-shaped SKILL.md files (the corpus next to this file).</summary>
public sealed class SkillParserTests
{
    [Fact]
    public void Baseline_LoadsEveryField_WithoutProblems()
    {
        var result = SkillParser.ParseFile(SkillFiles.CorpusFile("pdf"));

        Assert.Empty(result.Problems);
        var skill = result.Document!;
        Assert.Equal("pdf", skill.Name);
        Assert.StartsWith("Comprehensive PDF manipulation toolkit", skill.Description, StringComparison.Ordinal);
        Assert.Equal("Proprietary. LICENSE.txt has complete terms", skill.License);
        Assert.StartsWith("# PDF Processing Guide", skill.Body, StringComparison.Ordinal);
        Assert.Equal(7, skill.BodyLine);
        Assert.True(skill.UserInvocable);
        Assert.False(skill.DisableModelInvocation);
    }

    [Fact]
    public void BlockScalarDescription_Of1068Characters_LoadsWithAWarningOnItsLine()
    {
        var result = SkillParser.ParseFile(SkillFiles.CorpusFile("claude-api"));

        Assert.NotNull(result.Document);
        Assert.Equal(1068, result.Document.Description.Length);
        var warning = Assert.Single(result.Problems);
        Assert.False(warning.IsError);
        Assert.Equal(3, warning.Line);
        Assert.Contains("1068 characters", warning.Message, StringComparison.Ordinal);
        Assert.Contains("at most 1024", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("template", "template-skill", "template")]
    [InlineData("writing-rules", "writing-hookify-rules", "writing-rules")]
    public void NameFolderMismatch_LoadsUnderTheDeclaredName_WithAWarningNamingBoth(string folder, string declared, string directory)
    {
        var result = SkillParser.ParseFile(SkillFiles.CorpusFile(folder));

        Assert.Equal(declared, result.Document!.Name);
        var mismatch = Assert.Single(result.Problems, p => p.Message.Contains("does not match its folder", StringComparison.Ordinal));
        Assert.False(mismatch.IsError);
        Assert.Equal(2, mismatch.Line);
        Assert.Contains($"'{directory}'", mismatch.Message, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine(folder, "SKILL.md"), mismatch.File, StringComparison.Ordinal);
    }

    [Fact]
    public void DotPrefixedParentFolder_QuotedNameAndMetadata_Load()
    {
        var result = SkillParser.ParseFile(Path.Combine(SkillFiles.Corpus, ".curated", "gh-fix-ci", "SKILL.md"));

        Assert.Empty(result.Problems);
        Assert.Equal("gh-fix-ci", result.Document!.Name);
        Assert.Equal("Fix failing GitHub CI actions", result.Document.Metadata["short-description"]);
    }

    [Fact]
    public void NameWithSpacesAndCapitals_InAValidFolder_LoadsAsTheFolderName_WithWarnings()
    {
        var result = SkillParser.ParseFile(SkillFiles.CorpusFile("hook-development"));

        Assert.False(result.HasErrors);
        Assert.Equal("hook-development", result.Document!.Name);
        Assert.Contains(result.Problems, p => p.Line == 2 && p.Message.Contains("'Hook Development' is not a valid skill name (it contains spaces", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Line == 4 && p.Message.Contains("unknown field 'version'", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Message.Contains("the body is 702 lines", StringComparison.Ordinal));
    }

    [Fact]
    public void NameWithCapitals_InAnInvalidFolder_IsAnError_ThatSuggestsAName()
    {
        var result = SkillParser.ParseFile(SkillFiles.CorpusFile("Capitals Here"));

        Assert.Null(result.Document);
        var error = Assert.Single(result.Problems, p => p.IsError);
        Assert.Equal(2, error.Line);
        Assert.Contains("name: capitals-here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QuotedDescription_WithColonsAndDashes_Loads()
    {
        var result = SkillParser.ParseFile(SkillFiles.CorpusFile("brainstorming"));

        Assert.Empty(result.Problems);
        Assert.StartsWith("You MUST use this before any creative work - creating features", result.Document!.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void CompatibilityAndAllowedTools_AreRead_AsPermissionRules()
    {
        var result = SkillParser.ParseFile(SkillFiles.CorpusFile("bump-version"));

        Assert.Empty(result.Problems);
        Assert.Equal("Requires gh CLI with write access to the repository, and git.", result.Document!.Compatibility);
        Assert.Equal(["shell(git diff*)", "shell(git status*)", "view"], result.Document.AllowedTools);
    }

    [Fact]
    public void DisableModelInvocation_IsRead()
    {
        var result = SkillParser.ParseFile(SkillFiles.CorpusFile("agentic-workflow-designer"));

        Assert.Empty(result.Problems);
        Assert.True(result.Document!.DisableModelInvocation);
    }

    [Fact]
    public void UnquotedColonInDescription_IsReadLeniently_WithAWarningThatSaysToQuoteIt()
    {
        var result = SkillParser.ParseFile(SkillFiles.CorpusFile("use-when-colon"));

        Assert.Equal("Use when: the user asks for release notes or a changelog entry.", result.Document!.Description);
        var warning = Assert.Single(result.Problems);
        Assert.Equal(3, warning.Line);
        Assert.Contains("Quote it: description: \"…\"", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyBody_LoadsWithAWarning()
    {
        var result = SkillParser.ParseFile(SkillFiles.CorpusFile("empty-body"));

        Assert.Equal(string.Empty, result.Document!.Body);
        Assert.Contains("the body is empty", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-description", 2, "field 'description' is required")]
    [InlineData("no-frontmatter", 1, "must start with YAML frontmatter")]
    [InlineData("bad-yaml", 3, "the frontmatter is not valid YAML")]
    public void HardErrors_SkipTheSkill_AndNameFileAndLine(string folder, int line, string message)
    {
        var file = SkillFiles.CorpusFile(folder);

        var result = SkillParser.ParseFile(file);

        Assert.Null(result.Document);
        var error = Assert.Single(result.Problems, p => p.IsError);
        Assert.Equal(line, error.Line);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{file}:{line}: error: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ByteOrderMarkAndCrlf_ParseLikeThePlainFile()
    {
        var plain = File.ReadAllText(SkillFiles.CorpusFile("bump-version"));
        var crlf = "\uFEFF" + plain.Replace("\n", "\r\n", StringComparison.Ordinal);

        var expected = SkillParser.Parse(plain, "SKILL.md", "bump-version");
        var actual = SkillParser.Parse(crlf, "SKILL.md", "bump-version");

        Assert.Empty(actual.Problems);
        Assert.Equal(expected.Document!.Description, actual.Document!.Description);
        Assert.Equal(expected.Document.Body, actual.Document.Body);
        Assert.DoesNotContain('\r', actual.Document.Body);
        Assert.Equal(expected.Document.AllowedTools, actual.Document.AllowedTools);
    }

    [Fact]
    public void CrlfFileWithAnError_ReportsTheSameLine()
    {
        var text = "---\r\nname: x\r\nlicense: MIT\r\ndescription: [open\r\n---\r\nBody\r\n";

        var result = SkillParser.Parse(text, "SKILL.md", "x");

        Assert.Equal(4, Assert.Single(result.Problems).Line);
    }

    [Theory]
    [InlineData("pdf", true)]
    [InlineData("a-b-c9", true)]
    [InlineData("-pdf", false)]
    [InlineData("pdf-", false)]
    [InlineData("a--b", false)]
    [InlineData("PDF", false)]
    [InlineData("has space", false)]
    [InlineData("", false)]
    public void Names_FollowTheStandard(string name, bool valid) => Assert.Equal(valid, SkillParser.IsValidName(name));

    [Fact]
    public void NameOf65Characters_IsRejected() => Assert.False(SkillParser.IsValidName(new string('a', 65)));

    [Fact]
    public void AllowedTools_SplitOnSpacesOutsideParentheses_AndInvalidEntriesWarn()
    {
        var result = SkillParser.Parse("---\nname: x\ndescription: d\nallowed-tools: Bash(git diff:*) Read, shell(npm run *) fetch(nope)\n---\nBody\n", "SKILL.md", "x");

        Assert.Equal(["Bash(git diff:*)", "Read", "shell(npm run *)"], result.Document!.AllowedTools);
        var warning = Assert.Single(result.Problems);
        Assert.Equal(4, warning.Line);
        Assert.Contains("'fetch(nope)' is ignored", warning.Message, StringComparison.Ordinal);
    }
}
