using AgentHost.Permissions;
using AgentHost.Permissions.Paths;

namespace AgentHost.Permissions.Tests;

/// <summary>
/// The safety floor's credential-store check skips its patterns for ASCII paths outside the home folder (a search asks
/// it for every file, issue #25): its answer must stay the patterns' own answer for every path, case tricks included —
/// the patterns compare without case, and .NET's case-insensitive regex also equates the Kelvin sign with <c>k</c>.
/// </summary>
public sealed class FloorCredentialPrefilterTests
{
    public static TheoryData<string, string, bool> Cases => new()
    {
        // home, path, below the floor
        { "/home/kim", "/home/kim/.ssh/id_rsa", true },
        { "/home/kim", "/HOME/KIM/.SSH/ID_RSA", true },
        { "/home/kim", "/home/kim/.aws/credentials", true },
        { "/home/kim", "/home/kim/.config/gcloud/creds.json", true },
        { "/home/kim", "/home/kim/.netrc", true },
        { "/home/kim", "/home/kim/.docker/config.json", true },
        { "/home/kim", "\\home\\kim\\.ssh\\id_ed25519", true },
        { "/home/kim", "/home/\u212Aim/.ssh/id_rsa", true }, // Kelvin sign for k: not ASCII, so the patterns decide
        { "/home/kim", "/home/kim/.\u017Fsh/id_rsa", false }, // the long s is not s to the patterns; not ASCII, so they decide
        { "/home/\u017Fam", "/home/sam/.ssh/id_rsa", false }, // a home that is not ASCII: the patterns decide
        { "/home/\u017Fam", "/home/\u017Fam/.ssh/id_rsa", true },
        { "/home/sam", "/home/\u017Fam/.ssh/id_rsa", false },
        { "/home/kim", "/home/kim/project/src/app.cs", false },
        { "/home/kim", "/home/kimberly/.ssh/id_rsa", false },
        { "/home/kim", "/tmp/ws/.ssh/id_rsa", false },
        { "/home/kim", "/tmp/ws/home/kim/.ssh/id_rsa", false },
        { "/home/kim", "/home/ki", false },
        { "/", "/tmp/.ssh/id_rsa", false },
        { "C:\\Users\\Kim", "C:/users/kim/.ssh/id_rsa", true },
        { "C:\\Users\\Kim", "D:/users/kim/.ssh/id_rsa", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CheckPath_AnswersAsTheCredentialPatterns(string home, string path, bool below)
    {
        var floor = new SafetyFloor(home);
        var patterns = SafetyFloor.CredentialStorePatterns.Select(p => PathPattern.Compile(p, "/", home.TrimEnd('/', '\\'), ignoreCase: true));
        var oracle = patterns.Any(p => p.IsMatch(path, onTimeout: true));

        var answer = floor.CheckPath(path, path, write: false);

        Assert.Equal(below, oracle);
        Assert.Equal(oracle, answer is not null);
    }

    [Fact]
    public void CheckPath_ChecksTheLexicalPathToo_WhenItDiffers()
    {
        var floor = new SafetyFloor("/home/kim");

        Assert.NotNull(floor.CheckPath("/tmp/ws/link", "/home/kim/.ssh/id_rsa", write: false));
        Assert.NotNull(floor.CheckPath("/home/kim/.ssh/id_rsa", "/tmp/ws/link", write: false));
        Assert.Null(floor.CheckPath("/tmp/ws/a", "/tmp/ws/a", write: false));
    }

    [Fact]
    public void TheSharedFloorOfAHome_ProtectsThatHomesStores_WhicheverHomeWasAskedForBefore()
    {
        // SafetyFloor.For keeps the floor of the last home asked for (one per process in practice); asking for
        // another home in between must never hand out a floor that protects the wrong home.
        var home = Path.Combine(Path.GetTempPath(), "floor-home-" + Guid.NewGuid().ToString("N"));
        var other = home + "-other";

        foreach (var (asked, protectedHome, unprotectedHome) in new[] { (home, home, other), (other, other, home), (home, home, other), (home, home, other) })
        {
            var floor = SafetyFloor.For(asked);
            var key = Path.Combine(protectedHome, ".ssh", "id_rsa");
            var elsewhere = Path.Combine(unprotectedHome, ".ssh", "id_rsa");
            Assert.Equal(asked, floor.RealHome);
            Assert.NotNull(floor.CheckPath(key, key, write: false));
            Assert.Null(floor.CheckPath(elsewhere, elsewhere, write: false));
        }
    }
}
