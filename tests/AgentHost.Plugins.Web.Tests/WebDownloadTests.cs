using System.Security.Cryptography;
using System.Text;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Web.Tests;

/// <summary>The <c>download</c> tool: files saved inside the project root only, atomically, within the size cap.</summary>
public sealed class WebDownloadTests : IAsyncLifetime
{
    private WebPluginFixture _web = null!;

    public async Task InitializeAsync() => _web = await WebPluginFixture.LoadAsync([.. WebPluginFixture.AllowLoopbackServer, ("max_download_bytes", "100000")]);

    public async Task DisposeAsync() => await _web.DisposeAsync();

    [Fact]
    public async Task Image_IsSavedByteForByte_CreatingFolders()
    {
        _web.Server.Bytes("logo.png", WebImage.Png, "image/png");

        var result = await _web.DownloadAsync(_web.Url("logo.png"), "assets/img/logo.png");

        var saved = Path.Combine(_web.Root, "assets", "img", "logo.png");
        Assert.Equal(WebImage.Png, await File.ReadAllBytesAsync(saved));
        Assert.Equal(
            $"Saved 'assets/img/logo.png': {WebImage.Png.Length} bytes, image/png, SHA-256 {Convert.ToHexStringLower(SHA256.HashData(WebImage.Png))}, from {_web.Url("logo.png")}.",
            result);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(saved)!, "*.download"));
    }

    [Fact]
    public async Task ExistingFile_IsKept_UnlessOverwriteIsTrue()
    {
        _web.Server.Bytes("data.csv", Encoding.UTF8.GetBytes("a,b\n1,2\n"), "text/csv");
        var target = Path.Combine(_web.Root, "data.csv");
        await File.WriteAllTextAsync(target, "mine");

        var refused = await _web.FailureAsync("download", ("url", _web.Url("data.csv")), ("path", "data.csv"));
        var kept = await File.ReadAllTextAsync(target);
        var replaced = await _web.DownloadAsync(_web.Url("data.csv"), "data.csv", ("overwrite", true));

        Assert.Equal("path: 'data.csv' already exists; pass overwrite: true to replace it, or choose another path.", refused);
        Assert.Equal("mine", kept);
        Assert.Equal(1, _web.Server.Hits("data.csv")); // only the overwriting call downloaded
        Assert.StartsWith("Replaced 'data.csv': 8 bytes, text/csv", replaced, StringComparison.Ordinal);
        Assert.Equal("a,b\n1,2\n", await File.ReadAllTextAsync(target));
    }

    [Theory]
    [InlineData("../outside.bin", "is outside the project root")]
    [InlineData("sub/../../outside.bin", "is outside the project root")]
    [InlineData(".git/hooks/pre-commit", "is inside a .git folder, which tools never write")]
    [InlineData("", "path is empty")]
    public async Task PathsOutsideTheRoot_AreRefused_BeforeDownloading(string path, string reason)
    {
        _web.Server.Bytes("payload", Encoding.UTF8.GetBytes("payload"), "application/octet-stream");

        var message = await _web.FailureAsync("download", ("url", _web.Url("payload")), ("path", path));

        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Empty(_web.Server.Requests);
        Assert.False(File.Exists(_web.Temp.Combine("outside.bin")));
    }

    [Fact]
    public async Task AbsolutePathOutsideTheRoot_IsRefused()
    {
        var outside = _web.Temp.Combine("absolute.bin");

        var message = await _web.FailureAsync("download", ("url", _web.Url("payload")), ("path", outside));

        Assert.Contains("is outside the project root", message, StringComparison.Ordinal);
        Assert.False(File.Exists(outside));
    }

    [SymlinkFact]
    public async Task SymbolicLinkLeavingTheRoot_IsRefused()
    {
        var elsewhere = _web.Temp.Combine("elsewhere");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateSymbolicLink(Path.Combine(_web.Root, "link"), elsewhere);

        var message = await _web.FailureAsync("download", ("url", _web.Url("payload")), ("path", "link/escaped.bin"));

        Assert.Contains("'link/escaped.bin' is outside the project root", message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
    }

    [Fact]
    public async Task Directory_IsRefused_WithAHint()
    {
        Directory.CreateDirectory(Path.Combine(_web.Root, "downloads"));

        var message = await _web.FailureAsync("download", ("url", _web.Url("payload")), ("path", "downloads"));

        Assert.Equal("path: 'downloads' is a directory; give a file name inside it, such as downloads/file.ext.", message);
    }

    [Fact]
    public async Task OversizeDownload_LeavesNoFileBehind()
    {
        _web.Server.Chunked("big.bin", 1_000_000);
        _web.Server.DeclaredLength("declared.bin", 10_000_000);

        var streamed = await _web.FailureAsync("download", ("url", _web.Url("big.bin")), ("path", "big.bin"));
        var declared = await _web.FailureAsync("download", ("url", _web.Url("declared.bin")), ("path", "declared.bin"));

        Assert.Contains("larger than 97.7 KiB (max_download_bytes; more than that arrived)", streamed, StringComparison.Ordinal);
        Assert.Contains("larger than 97.7 KiB (max_download_bytes; it declares 9.5 MiB)", declared, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_web.Root));
    }

    [Fact]
    public async Task FailedRequest_LeavesNoFile()
    {
        var message = await _web.FailureAsync("download", ("url", _web.Url("missing.zip")), ("path", "missing.zip"));

        Assert.Contains("answered HTTP 404 Not Found", message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_web.Root));
    }

    [Fact]
    public async Task DryRun_ChecksButNeitherConnectsNorWrites()
    {
        var result = await _web.DownloadAsync(_web.Url("logo.png"), "logo.png", ("dry_run", true));

        Assert.Equal($"Dry run: would download {_web.Url("logo.png")} to 'logo.png'. Nothing was downloaded or written.", result);
        Assert.Empty(_web.Server.Requests);
        Assert.Empty(Directory.GetFileSystemEntries(_web.Root));
    }

    [Fact]
    public async Task PrivateAddress_IsRefusedForDownloadsToo()
    {
        await using var strict = await WebPluginFixture.LoadAsync();
        strict.Server.Bytes("logo.png", WebImage.Png, "image/png");

        var message = await strict.FailureAsync("download", ("url", strict.Url("logo.png")), ("path", "logo.png"));

        Assert.Contains("127.0.0.1 is a loopback address (127.0.0.0/8)", message, StringComparison.Ordinal);
        Assert.Empty(strict.Server.Requests);
        Assert.Empty(Directory.GetFileSystemEntries(strict.Root));
    }
}
