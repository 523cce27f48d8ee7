using AgentHost.Agent.Context;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Sessions;
using AgentHost.Tests.Support;
using AgentHost.Tests.Vision;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests.Vision;

/// <summary>The context reference expander turns image files into image parts: by their bytes, within a cap, inside the project root.</summary>
public sealed class ImageReferenceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public ImageReferenceTests() => Directory.CreateDirectory(Root);

    private string Root => _temp.Combine("ws");

    public void Dispose() => _temp.Dispose();

    private ContextReferenceExpander Expander(ContextLimits? limits = null) => new(Root, new CapabilityRegistry(), limits);

    private void Write(string relative, byte[] bytes)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    public static TheoryData<string, string> Formats => new()
    {
        { "png", "image/png" },
        { "jpeg", "image/jpeg" },
        { "gif", "image/gif" },
        { "webp", "image/webp" },
    };

    private static byte[] Of(string format, int length) => format switch
    {
        "png" => Images.Png(length),
        "jpeg" => Images.Jpeg(length),
        "gif" => Images.Gif(length),
        _ => Images.Webp(length),
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task AtReference_ToAnImage_BecomesAnImagePart_ByItsBytes_NotItsName(string format, string mediaType)
    {
        var bytes = Of(format, 2_000);
        Write("shots/capture.bin", bytes);

        var expanded = await Expander().ExpandAsync("what is wrong in @shots/capture.bin?", []);

        var reference = Assert.Single(expanded.References);
        Assert.Equal(ContextReferenceKind.Image, reference.Kind);
        var image = Assert.Single(expanded.Images);
        Assert.Equal(mediaType, image.MediaType);
        Assert.Equal("capture.bin", image.Name);
        Assert.Equal(bytes, image.Data.ToArray());
        Assert.Contains($"[image: capture.bin, {mediaType}, 2 KB]", expanded.ToModelText(), StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(bytes)[..40], expanded.ToModelText(), StringComparison.Ordinal);
        var contents = expanded.ToModelContents();
        Assert.Equal(2, contents.Count);
        Assert.StartsWith("what is wrong in @shots/capture.bin?", Assert.IsType<TextContent>(contents[0]).Text, StringComparison.Ordinal);
        Assert.Same(image, contents[1]);
        Assert.Empty(expanded.Warnings);
    }

    [Fact]
    public async Task AnImageExtension_WithOtherContent_StaysTextOrABinaryNote_AsBefore()
    {
        File.WriteAllText(Path.Combine(Root, "notes.png"), "not really an image");
        Write("blob.webp", [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C]);

        var expanded = await Expander().ExpandAsync("see @notes.png and @blob.webp", []);

        Assert.Equal([ContextReferenceKind.File, ContextReferenceKind.File], expanded.References.Select(r => r.Kind));
        Assert.Equal("not really an image", expanded.References[0].Content);
        Assert.Contains("binary file, 13 bytes, not inlined", expanded.References[1].Content, StringComparison.Ordinal);
        Assert.Empty(expanded.Images);
        Assert.Single(expanded.ToModelContents());
    }

    [Fact]
    public async Task AnImageOverTheCap_FailsBeforeAnyRequest_NamingTheFileAndTheCap()
    {
        Write("huge.png", Images.Png(3 * 1024));
        var expander = Expander(new ContextLimits { MaxImageBytes = 2 * 1024 });

        var inline = await Assert.ThrowsAsync<AgentHostException>(() => expander.ExpandAsync("look at @huge.png", []));
        var flag = await Assert.ThrowsAsync<AgentHostException>(() => expander.ExpandAsync("look", [], ["huge.png"]));

        Assert.Equal(ErrorKind.Usage, inline.Kind);
        Assert.Contains("huge.png is 3 KB, over the 2 KB limit per image", inline.Message, StringComparison.Ordinal);
        Assert.Contains("smaller image", inline.Message, StringComparison.Ordinal);
        Assert.Contains("huge.png is 3 KB, over the 2 KB limit per image", flag.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultCap_Is5MiB()
    {
        Assert.Equal(5 * 1024 * 1024, new ContextLimits().MaxImageBytes);
    }

    [Fact]
    public async Task ImageFlag_AttachesImagesInOrder_AndTheyMustBeImagesInsideTheRoot()
    {
        Write("a.png", Images.Png(100));
        Write("b.jpg", Images.Jpeg(100));
        File.WriteAllText(Path.Combine(Root, "readme.txt"), "text");
        Directory.CreateDirectory(Path.Combine(Root, "dir"));
        File.WriteAllBytes(_temp.Combine("outside.png"), Images.Png(100));
        var expander = Expander();

        var expanded = await expander.ExpandAsync("compare", [], ["a.png", "@b.jpg"]);
        var text = await Assert.ThrowsAsync<AgentHostException>(() => expander.ExpandAsync("x", [], ["readme.txt"]));
        var missing = await Assert.ThrowsAsync<AgentHostException>(() => expander.ExpandAsync("x", [], ["nope.png"]));
        var directory = await Assert.ThrowsAsync<AgentHostException>(() => expander.ExpandAsync("x", [], ["dir"]));
        var outside = await Assert.ThrowsAsync<AgentHostException>(() => expander.ExpandAsync("x", [], ["../outside.png"]));

        Assert.Equal(["image/png", "image/jpeg"], expanded.Images.Select(i => i.MediaType));
        Assert.Equal(["a.png", "b.jpg"], expanded.Images.Select(i => i.Name));
        Assert.Contains("--image readme.txt: not a PNG, JPEG, GIF or WebP image", text.Message, StringComparison.Ordinal);
        Assert.Contains("@readme.txt or --context readme.txt", text.Message, StringComparison.Ordinal);
        Assert.Contains("--image nope.png: no file 'nope.png'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("--image dir: 'dir' is a directory", directory.Message, StringComparison.Ordinal);
        Assert.Contains("--image ../outside.png: '../outside.png' is outside the project root", outside.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInlineImageOutsideTheRoot_IsLeftAsText_WithAWarning_LikeOtherReferences()
    {
        File.WriteAllBytes(_temp.Combine("outside.png"), Images.Png(100));

        var expanded = await Expander().ExpandAsync("what about @../outside.png", []);

        Assert.Empty(expanded.References);
        Assert.Contains("outside the project root", Assert.Single(expanded.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSameImage_ByFlagAndInline_IsAttachedOnce()
    {
        Write("shot.png", Images.Png(100));

        var expanded = await Expander().ExpandAsync("why is @shot.png red", [], ["shot.png"]);

        Assert.Single(expanded.Images);
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "image/png")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF }, "image/jpeg")]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x37, 0x61 }, "image/gif")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 0, 0, 0, 0x57, 0x45, 0x42, 0x50 }, "image/webp")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 0, 0, 0, 0x57, 0x41, 0x56, 0x45 }, null)] // RIFF WAVE audio
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, null)] // a truncated PNG signature
    [InlineData(new byte[] { 0x25, 0x50, 0x44, 0x46 }, null)] // %PDF
    public void Detect_UsesTheSignatures(byte[] header, string? expected)
    {
        Assert.Equal(expected, ImageFormats.Detect(header));
    }
}
