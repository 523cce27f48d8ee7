using AgentHost.Agent.Memory;

namespace AgentHost.Agent.Tests.Memory;

public sealed class LearnedSectionTests
{
    private static LearnedNote Note(string text, string? category = null) =>
        LearnedNote.TryCreate(text, category, out var note, out var problem) ? note! : throw new InvalidOperationException(problem);

    [Fact]
    public void Apply_AppendsTheSection_KeepingTheUserTextAsAnExactPrefix()
    {
        const string User = "# Project\n\nRun make before committing.";

        var edit = LearnedSection.Apply(User, [Note("dotnet test needs Docker", "pitfall")]);

        Assert.True(edit.Changes);
        Assert.StartsWith(User, edit.After, StringComparison.Ordinal);
        Assert.Equal(
            User + "\n\n" + LearnedSection.StartMarker + "\n" + LearnedSection.Heading + "\n\n" + LearnedSection.Intro + "\n\n- pitfall: dotnet test needs Docker\n" + LearnedSection.EndMarker + "\n",
            edit.After);
        Assert.Equal(["pitfall: dotnet test needs Docker"], edit.Added);
    }

    [Theory]
    [InlineData("mine   ")]
    [InlineData("mine\n\n\n")]
    [InlineData("mine\t\n  \n")]
    [InlineData("")]
    public void Apply_NeverTrimsTheUsersText_BeforeTheAppendedSection(string user)
    {
        var edit = LearnedSection.Apply(user, [Note("a note")]);

        Assert.StartsWith(user, edit.After, StringComparison.Ordinal);
        Assert.Contains(user.Length == 0 ? LearnedSection.StartMarker : "\n" + LearnedSection.StartMarker, edit.After, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_ChangesOnlyTheInsideOfAnExistingSection_ByteForByteOutside()
    {
        const string Before = "# Rules\r\n\r\nUse tabs.  \r\n";
        const string After = "\r\n## My own notes\r\nkeep this\t\r\n";
        var existing = Before + LearnedSection.StartMarker + "\r\n## Learned by the agent\r\n\r\n- build: make all\r\nmy comment inside\r\n" + LearnedSection.EndMarker + After;

        var edit = LearnedSection.Apply(existing, [Note("run make check before pushing", "convention")]);

        Assert.StartsWith(Before + LearnedSection.StartMarker + "\r\n", edit.After, StringComparison.Ordinal);
        Assert.EndsWith(LearnedSection.EndMarker + After, edit.After, StringComparison.Ordinal);
        Assert.Contains("- build: make all\r\n- convention: run make check before pushing\r\nmy comment inside\r\n", edit.After, StringComparison.Ordinal);
        Assert.Equal("+1 -0", edit.DiffSummary);
    }

    [Fact]
    public void Apply_DoesNotAddANoteTwice_IgnoringCaseSpacingAndCategory()
    {
        var first = LearnedSection.Apply("x\n", [Note("Tests need  Docker", "pitfall")]);

        var second = LearnedSection.Apply(first.After, [Note("tests need docker"), Note("tests need docker", "build")]);

        Assert.False(second.Changes);
        Assert.Equal(first.After, second.After);
        Assert.Equal(2, second.Duplicates.Count);
    }

    [Fact]
    public void Apply_DropsTheOldestNotes_PastTheCap()
    {
        var text = LearnedSection.Apply("x\n", [Note("one"), Note("two"), Note("three")], maxNotes: 3).After;

        var edit = LearnedSection.Apply(text, [Note("four"), Note("five")], maxNotes: 3);

        Assert.Equal(["one", "two"], edit.Dropped);
        Assert.Equal("+2 -2", edit.DiffSummary);
        Assert.DoesNotContain("- one\n", edit.After, StringComparison.Ordinal);
        Assert.Contains("- three\n- four\n- five\n" + LearnedSection.EndMarker, edit.After, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_WithoutAFile_StartsFromTheTemplate()
    {
        var edit = LearnedSection.Apply(null, [Note("npm ci first", "build")]);

        Assert.StartsWith(LearnedSection.Template + "\n" + LearnedSection.StartMarker, edit.After, StringComparison.Ordinal);
        Assert.Contains("- build: npm ci first\n", edit.After, StringComparison.Ordinal);
        Assert.Null(edit.Before);
    }

    [Theory]
    [InlineData(LearnedSection.StartMarker + "\nno end\n")]
    [InlineData(LearnedSection.EndMarker + "\n" + LearnedSection.StartMarker + "\n")]
    [InlineData(LearnedSection.StartMarker + "\n" + LearnedSection.EndMarker + "\n" + LearnedSection.StartMarker + "\n" + LearnedSection.EndMarker + "\n")]
    public void Apply_RefusesABrokenSection_RatherThanGuess(string existing)
    {
        var edit = LearnedSection.Apply(existing, [Note("anything")]);

        Assert.False(edit.Changes);
        Assert.Null(edit.After);
        Assert.Contains("mend or remove the markers by hand", edit.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Neutralise_MakesOneLine_WithoutControlFormatOrCommentCharacters()
    {
        var text = LearnedNote.Neutralise("a\nb\r\n\tc\u001b[31m\u202Ed\u200Be<!<!---->f " + LearnedSection.EndMarker + " g");

        Assert.Equal("a b c [31mde<!f agent:learned:end g", text);
    }

    [Fact]
    public void Neutralise_CutsALongNote()
    {
        var text = LearnedNote.Neutralise(new string('x', 1000));

        Assert.Equal(LearnedNote.MaxCharacters, text.Length);
        Assert.EndsWith("…", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_ANoteCarryingTheMarkers_CannotCloseTheSection()
    {
        var note = Note("x " + LearnedSection.EndMarker + "\n# Injected\n" + LearnedSection.StartMarker);

        var edit = LearnedSection.Apply("# Mine\n", [note]);

        Assert.Single(edit.After!.Split('\n'), l => l == LearnedSection.EndMarker);
        Assert.Single(edit.After!.Split('\n'), l => l == LearnedSection.StartMarker);
        Assert.DoesNotContain("\n# Injected", edit.After, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", null, "'note' is empty")]
    [InlineData("\u0007\n ", null, "'note' is empty")]
    [InlineData("fine", "wisdom", "'category' must be one of build, convention, pitfall")]
    public void TryCreate_RefusesWhatIsNotANote(string text, string? category, string expected)
    {
        Assert.False(LearnedNote.TryCreate(text, category, out _, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
