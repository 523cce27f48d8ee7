using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AgentHost.Tests.Providers.Anthropic;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Anthropic.Tests;

/// <summary>
/// End to end: `agent run` as a process with <c>platform: bedrock</c> / <c>platform: vertex</c> and a controlled
/// environment — SigV4 with credentials from the AWS SDK's chain, and the messages when region or credentials are missing.
/// The AWS and Google lookups are kept on this machine: no config or credentials files, no instance metadata service
/// (AWS's is off, Google's is moved to a closed port on 127.0.0.1).
/// </summary>
[Trait("Speed", "Slow")]
public sealed partial class PlatformRunTests : IDisposable
{
    private const string AccessKey = "AKIDEXAMPLE0TEST0KEY";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY-do-not-leak";
    private const string SessionToken = "FwoGZXIvYXdzEXAMPLE-session-token-do-not-leak";

    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task AgentRun_OnBedrock_SignsWithTheAwsChainsCredentials_CallsATool_AndNeverShowsTheSecret()
    {
        await using var server = new FakeBedrockServer();
        WriteConfig(server.BaseUrl, "platform: bedrock, aws_region: us-west-2");
        server.EnqueueStream(
        [
            Sse.MessageStart(id: "msg_1", input: 900),
            .. Sse.Text(0, "Let me look around."),
            .. Sse.ToolUse(1, "toolu_bdrk_e2e", "ls", "{\"path\": \".\",", " \"depth\": 1}"),
            Sse.MessageDelta("tool_use", 20),
            Sse.MessageStop(),
        ]);
        server.EnqueueStream(Sse.TextAnswer("The workspace holds a README ", "and a src folder."));
        var environment = Isolated(new()
        {
            ["AWS_ACCESS_KEY_ID"] = AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
            ["AWS_SESSION_TOKEN"] = SessionToken,
        });

        var run = await AgentProcess.RunAsync(_ws.Root, environment, "run", "What is in this project?", "--plugin", "anthropic", "--plugin", "files", "--model", "aws/us.anthropic.claude-sonnet-4-5-20250929-v1:0");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("The workspace holds a README and a src folder.", run.Output, StringComparison.Ordinal);
        var invocations = server.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal(2, invocations.Count);
        Assert.All(invocations, request =>
        {
            Assert.Equal("/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream", request.Path);
            var authorization = SigV4().Match(request.Header("Authorization") ?? string.Empty);
            Assert.True(authorization.Success, request.Header("Authorization"));
            Assert.Equal(AccessKey, authorization.Groups["key"].Value);
            Assert.Equal(request.Header("x-amz-date")![..8], authorization.Groups["date"].Value);
            var signed = authorization.Groups["headers"].Value.Split(';');
            Assert.Subset(signed.ToHashSet(), new HashSet<string> { "host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token" });
            Assert.Equal(SessionToken, request.Header("x-amz-security-token"));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.Body))), request.Header("x-amz-content-sha256"));
            Assert.Equal("bedrock-2023-05-31", request.Node["anthropic_version"]!.GetValue<string>());
        });
        var toolResult = invocations[1].Node["messages"]!.AsArray()[^1]!["content"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "tool_result")!;
        Assert.Equal("toolu_bdrk_e2e", toolResult["tool_use_id"]!.GetValue<string>());
        Assert.DoesNotContain(SecretKey, run.Output + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(SessionToken, run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentRun_OnBedrock_WithoutAwsCredentials_StopsWithTheWaysToGiveThem()
    {
        await using var server = new FakeBedrockServer();
        WriteConfig(server.BaseUrl, "platform: bedrock, aws_region: us-west-2");

        var run = await AgentProcess.RunAsync(_ws.Root, Isolated([]), "run", "hi", "--plugin", "anthropic", "--model", "aws/anthropic.claude-haiku-4-5-20251001-v1:0");

        Assert.NotEqual(ExitCodes.Success, run.ExitCode);
        Assert.Contains("no AWS credentials were found. Amazon Bedrock needs AWS credentials: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", run.Error, StringComparison.Ordinal);
        Assert.Contains("providers.aws.settings.aws_profile", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task AgentRun_OnBedrock_WithoutARegion_StopsNamingTheSettingAndTheVariable()
    {
        await using var server = new FakeBedrockServer();
        WriteConfig(server.BaseUrl, "platform: bedrock");

        var run = await AgentProcess.RunAsync(_ws.Root, Isolated(new() { ["AWS_ACCESS_KEY_ID"] = AccessKey, ["AWS_SECRET_ACCESS_KEY"] = SecretKey }), "run", "hi", "--plugin", "anthropic", "--model", "aws/anthropic.claude-haiku-4-5-20251001-v1:0");

        Assert.NotEqual(ExitCodes.Success, run.ExitCode);
        Assert.Contains("providers.aws.settings.aws_region: no AWS region for Amazon Bedrock. Set aws_region (e.g. us-east-1)", run.Error, StringComparison.Ordinal);
        Assert.Contains("export AWS_REGION", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task AgentRun_OnVertex_WithoutGoogleCredentials_StopsWithTheWaysToSignIn()
    {
        await using var server = new FakeVertexServer();
        WriteConfig(server.BaseUrl, "platform: vertex, vertex_project_id: my-project-123, vertex_region: us-east5");

        var run = await AgentProcess.RunAsync(_ws.Root, Isolated([]), "run", "hi", "--plugin", "anthropic", "--model", "aws/claude-haiku-4-5@20251001");

        Assert.NotEqual(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Vertex AI needs Google credentials: run 'gcloud auth application-default login'", run.Error, StringComparison.Ordinal);
        Assert.Contains("api_key_command: gcloud auth print-access-token", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "POST");
    }

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[A-Z0-9]+)/(?<date>\d{8})/us-west-2/bedrock/aws4_request, SignedHeaders=(?<headers>[a-z0-9;-]+), Signature=[0-9a-f]{64}$")]
    private static partial Regex SigV4();

    private void WriteConfig(string baseUrl, string settings) => _ws.WriteUserConfig($$"""
        providers:
          aws:
            type: anthropic
            base_url: {{baseUrl}}
            settings: { {{settings}} }
        """);

    /// <summary>The workspace's environment with every AWS and Google credential source emptied or kept on this machine.</summary>
    private Dictionary<string, string> Isolated(Dictionary<string, string> variables)
    {
        var missing = Path.Combine(_ws.Root, "no-such-dir", "file");
        var environment = new Dictionary<string, string>(_ws.Environment)
        {
            ["AWS_ACCESS_KEY_ID"] = string.Empty,
            ["AWS_SECRET_ACCESS_KEY"] = string.Empty,
            ["AWS_SESSION_TOKEN"] = string.Empty,
            ["AWS_BEARER_TOKEN_BEDROCK"] = string.Empty,
            ["AWS_PROFILE"] = string.Empty,
            ["AWS_REGION"] = string.Empty,
            ["AWS_DEFAULT_REGION"] = string.Empty,
            ["AWS_CONFIG_FILE"] = missing,
            ["AWS_SHARED_CREDENTIALS_FILE"] = missing,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = string.Empty,
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = string.Empty,
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = string.Empty,
            ["GOOGLE_APPLICATION_CREDENTIALS"] = string.Empty,
            ["CLOUDSDK_CONFIG"] = Path.Combine(_ws.Root, "no-such-dir"),
            ["GCE_METADATA_HOST"] = "127.0.0.1:9",
            ["VERTEX_ACCESS_TOKEN"] = string.Empty,
            ["ANTHROPIC_VERTEX_PROJECT_ID"] = string.Empty,
            ["CLOUD_ML_REGION"] = string.Empty,
        };
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return environment;
    }
}
