using AgentHost.Sessions;
using AgentHost.Sessions.Sql;

namespace AgentHost.Sessions.Tests;

/// <summary>The <c>sessions</c> row's stored spellings (<see cref="SessionRows"/>), shared by the store, transfer and stats.</summary>
public sealed class SessionRowsTests
{
    [Theory]
    [InlineData(SessionStatus.Active, "active")]
    [InlineData(SessionStatus.Completed, "completed")]
    [InlineData(SessionStatus.Interrupted, "interrupted")]
    public void Status_IsStoredLowerCase_AndReadBackIgnoringCase(SessionStatus status, string text)
    {
        Assert.Equal(text, SessionRows.StatusText(status));
        Assert.Equal(status, SessionRows.ParseStatus(text.ToUpperInvariant()));
    }

    [Fact]
    public void Status_Unknown_IsReadAsInterrupted()
    {
        Assert.Equal(SessionStatus.Interrupted, SessionRows.ParseStatus("from-a-newer-agent"));
    }

    [Fact]
    public void Workspace_IsFullWithoutATrailingSeparator_ButARootStaysARoot()
    {
        var root = Path.GetPathRoot(Path.GetTempPath())!;
        var folder = Path.Combine(Path.GetTempPath(), "project");

        Assert.Equal(folder, SessionRows.NormalizeWorkspace(folder + Path.DirectorySeparatorChar));
        Assert.Equal(folder, SessionRows.NormalizeWorkspace(Path.Combine(folder, "src", "..")));
        Assert.Equal(root, SessionRows.NormalizeWorkspace(root));
    }
}
