using System.IO.Compression;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Installation;

/// <summary>Plugins may not contain symbolic links: a folder or package holding one is refused and nothing is installed.</summary>
public sealed class InstallLinkTests
{
    [Theory]
    [InlineData("secret.txt", "file outside")]
    [InlineData("skills/demo/notes.md", "file outside")]
    [InlineData("lib", "folder outside")]
    [InlineData("skills/dangling", "missing")]
    [InlineData("skills/demo/SKILL-copy.md", "file inside")]
    public async Task InstallFolder_WithASymbolicLink_IsRefused_AndNothingIsInstalled(string link, string pointsAt)
    {
        using var box = new InstallSandbox();
        var folder = box.Folder("link-tools", "1.0.0");
        var outside = Path.Combine(box.Root, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "id_rsa"), "secret");
        var target = pointsAt switch
        {
            "file outside" => Path.Combine(outside, "id_rsa"),
            "folder outside" => outside,
            "missing" => Path.Combine(outside, "nothing-here"),
            _ => Path.Combine(folder, "skills", "demo", "SKILL.md"),
        };
        var linkPath = Path.Combine(folder, link.Replace('/', Path.DirectorySeparatorChar));
        if (pointsAt == "folder outside")
        {
            Directory.CreateSymbolicLink(linkPath, target);
        }
        else
        {
            File.CreateSymbolicLink(linkPath, target);
        }

        var result = await box.RunAsync("plugin", "install", folder, "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Contains($"package {folder} contains a symbolic link {link} → {target}; plugins may not contain links", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.Null(box.LockFile().Find("link-tools"));
        Assert.False(Directory.Exists(box.InstallDirectory("link-tools", "1.0.0")));
    }

    [Theory]
    [InlineData("secret", "/home/user/.ssh/id_rsa")]
    [InlineData("skills/demo/escape", "../../../../../etc/passwd")]
    public async Task InstallPackage_WithASymbolicLinkEntry_IsRefused_AndNothingIsInstalled(string entry, string target)
    {
        using var box = new InstallSandbox();
        var package = box.Package("zip-link-tools", "1.0.0");
        using (var zip = ZipFile.Open(package, ZipArchiveMode.Update))
        {
            var link = zip.CreateEntry(entry);
            link.ExternalAttributes = unchecked((int)(0xA1FFu << 16)); // S_IFLNK | 0777, as zip -y writes a link.
            using var stream = link.Open();
            stream.Write(System.Text.Encoding.UTF8.GetBytes(target));
        }

        var result = await box.RunAsync("plugin", "install", package, "--yes");

        Assert.Equal(ExitCodes.Plugin, result.ExitCode);
        Assert.Contains($"package {package} contains a symbolic link {entry} → {target}; plugins may not contain links", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.Null(box.LockFile().Find("zip-link-tools"));
        Assert.False(Directory.Exists(box.InstallDirectory("zip-link-tools", "1.0.0")));
    }
}
