using System.Text;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;
using AgentHost.Tests.Vision;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests.Vision;

/// <summary>Images are stored with the session (base64, up to their own cap), so resuming, exporting and importing keep them.</summary>
public sealed class ImageSessionTests
{
    [Fact]
    public async Task AnImageLargerThanTheTextCap_IsStored_AndComesBackByteForByte()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();
        var bytes = Images.Png(600 * 1024); // over the 256 KiB cap of a stored text part
        Assert.True(bytes.Length > SessionStoreOptions.DefaultMaxPartBytes);

        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, [new TextContent("what is wrong here?"), new DataContent(bytes, "image/png") { Name = "shot.png" }]));
        var messages = await harness.Store.Conversation.LoadConversationAsync(session.Id);

        var image = Assert.IsType<DataContent>(Assert.Single(messages).Contents[1]);
        Assert.Equal(("image/png", "shot.png"), (image.MediaType, image.Name));
        Assert.Equal(bytes, image.Data.ToArray());
        Assert.Equal("what is wrong here?", messages[0].Text);
    }

    [Fact]
    public async Task ExportThenImport_KeepsTheImageBytes()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();
        var bytes = Images.Jpeg(300 * 1024);
        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, [new TextContent("see"), new DataContent(bytes, "image/jpeg") { Name = "photo.jpg" }]));
        var export = new StringWriter();
        await harness.Store.Transfer.ExportJsonlAsync(session.Id, export);

        var imported = await harness.Store.Transfer.ImportJsonlAsync(new StringReader(export.ToString()));
        var messages = await harness.Store.Conversation.LoadConversationAsync(imported.Id);

        Assert.Contains(Convert.ToBase64String(bytes), export.ToString(), StringComparison.Ordinal);
        var image = Assert.IsType<DataContent>(Assert.Single(messages).Contents[1]);
        Assert.Equal(bytes, image.Data.ToArray());
    }

    [Fact]
    public async Task AnImageOverTheStoredImageCap_IsReplacedByAReadableNote()
    {
        using var harness = await SessionTestStore.OpenAsync();
        var session = await harness.CreateAsync();
        var bytes = Images.Png(ImageFormats.DefaultMaxImageBytes + 1);

        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, [new TextContent("see"), new DataContent(bytes, "image/png") { Name = "giant.png" }]));
        var messages = await harness.Store.Conversation.LoadConversationAsync(session.Id);

        var note = Assert.IsType<TextContent>(Assert.Single(messages).Contents[1]).Text;
        Assert.Equal("[image: giant.png, image/png, 5 MB] not stored: larger than the 5 MB cap per stored image", note);
    }

    [Fact]
    public async Task TheImageBytes_AreNotFedToTheSecretScrubber()
    {
        var bytes = Images.Png(64 * 1024);
        var base64 = Convert.ToBase64String(bytes);
        var lookalike = base64.Substring(1000, 24); // a "secret" the scrubber would mask wherever it saw it
        using var temp = new TempDirectory();
        var environment = TestEnvironment.Create(temp.Path, temp.Path, new Dictionary<string, string> { ["DEPLOY_TOKEN"] = lookalike });
        using var harness = await SessionTestStore.OpenAsync(new SecretScrubber(environment));
        var session = await harness.CreateAsync();

        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, [new TextContent("token " + lookalike), new DataContent(bytes, "image/png") { Name = "shot.png" }]));
        var message = Assert.Single(await harness.Store.Conversation.LoadConversationAsync(session.Id));

        Assert.Equal("token " + SecretScrubber.Mask, message.Text);
        Assert.Equal(bytes, Assert.IsType<DataContent>(message.Contents[1]).Data.ToArray());
    }

    [Fact]
    public async Task AttachmentsThatAreNotImages_KeepTheTextCap()
    {
        using var harness = await SessionTestStore.OpenAsync(options: new SessionStoreOptions { MaxPartBytes = 4096 });
        var session = await harness.CreateAsync();
        var labelledOnly = Encoding.UTF8.GetBytes(new string('x', 10_000)); // says image/png, is not one

        await harness.Store.Conversation.AppendMessageAsync(session.Id, new ChatMessage(ChatRole.User, [new DataContent(labelledOnly, "image/png") { Name = "fake.png" }, new DataContent(Images.Gif(10_000), "image/gif") { Name = "real.gif" }]));
        var contents = Assert.Single(await harness.Store.Conversation.LoadConversationAsync(session.Id)).Contents;

        Assert.Contains("not stored", Assert.IsType<TextContent>(contents[0]).Text, StringComparison.Ordinal);
        Assert.Equal(10_000, Assert.IsType<DataContent>(contents[1]).Data.Length);
    }
}
