using System.Text.Json;
using AgentHost.Cli.Acp;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;

namespace AgentHost.Acp.Tests;

/// <summary>How a permission request becomes <c>session/request_permission</c> and the editor's answer the broker's.</summary>
public sealed class AcpPermissionMappingTests
{
    private static readonly PermissionRequestedEvent Request = new("s1", "r1", "call_1", "shell", "shell", "execute", "rm -rf build", "shell commands ask in ask mode")
    {
        SuggestedRules = ["shell(rm -rf build)"],
    };

    [Theory]
    [InlineData("""{"outcome":{"outcome":"selected","optionId":"allow_once"}}""", PermissionAnswerKind.AllowOnce, false)]
    [InlineData("""{"outcome":{"outcome":"selected","optionId":"allow_always"}}""", PermissionAnswerKind.AlwaysProject, false)]
    [InlineData("""{"outcome":{"outcome":"selected","optionId":"reject_once"}}""", PermissionAnswerKind.Deny, false)]
    [InlineData("""{"outcome":{"outcome":"selected","optionId":"reject_always"}}""", PermissionAnswerKind.Deny, true)]
    [InlineData("""{"outcome":{"outcome":"cancelled"}}""", PermissionAnswerKind.Deny, false)]
    public void AnswerOf_MapsEachOption(string response, PermissionAnswerKind kind, bool remember)
    {
        using var document = JsonDocument.Parse(response);
        var answer = AcpPermissions.AnswerOf(document.RootElement, out var rejectAlways);

        Assert.Equal((kind, "acp", remember), (answer.Kind, answer.AnsweredBy, rejectAlways));
    }

    [Theory]
    [InlineData("""{"outcome":{"outcome":"selected","optionId":"allow_forever"}}""", "'allow_forever'")]
    [InlineData("""{"outcome":"yes"}""", "\"outcome\":\"yes\"")]
    [InlineData("""null""", "null")]
    public void AnswerOf_DeniesWhatIsNotAnOfferedOption_SayingWhat(string response, string named)
    {
        using var document = JsonDocument.Parse(response);
        var answer = AcpPermissions.AnswerOf(document.RootElement, out _);

        Assert.Equal(PermissionAnswerKind.Deny, answer.Kind);
        Assert.Contains("not one of the offered options", answer.Reason, StringComparison.Ordinal);
        Assert.Contains(named, answer.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Params_WithoutASuggestedRule_OfferOnlyTheOnceOptions_AndFallBackToTheToolForTitleAndKind()
    {
        var parameters = AcpPermissions.Params("s1", Request with { SuggestedRules = [] }, toolCall: null);

        Assert.Equal(["allow_once", "reject_once"], parameters["options"]!.AsArray().Select(o => (string?)o!["kind"]));
        Assert.Equal(("call_1", "shell", "execute", "pending"), ((string?)parameters["toolCall"]!["toolCallId"], (string?)parameters["toolCall"]!["title"], (string?)parameters["toolCall"]!["kind"], (string?)parameters["toolCall"]!["status"]));
    }
}
