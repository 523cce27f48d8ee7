using AgentHost.Cluster;
using AgentHost.Server;
using AgentHost.Server.Users;
using AgentHost.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace AgentHost.Cluster.Tests;

/// <summary>
/// The typed session calls between nodes (docs/cluster.md "How it works"): their arguments and answers are the server's
/// API records as JSON, and nothing else crosses that way; a caller's cancellation reaches the call on the session's node.
/// </summary>
public sealed class TypedCallsTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [Fact]
    public void ServersRecords_CrossAsJson_AndTypesOutsideTheServersNamespaceDoNot()
    {
        using var services = new ServiceCollection().AddSerializer(ClusterSerialization.Configure).BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var request = new CreateSessionRequest("/srv/ws", Settings: new Dictionary<string, string> { ["max_steps"] = "3" }, PermissionMode: "acceptEdits") { Name = "nightly" };
        var member = new ServerCaller("ann", ServerRole.Member);

        var requestBack = serializer.Deserialize<CreateSessionRequest>(serializer.SerializeToArray(request))!;
        var tokenBack = serializer.Deserialize<ServerCaller>(serializer.SerializeToArray(ServerCaller.ServerToken))!;
        var memberBack = serializer.Deserialize<ServerCaller>(serializer.SerializeToArray(member))!;

        Assert.Equal(("/srv/ws", "acceptEdits", "nightly", "3"), (requestBack.Root, requestBack.PermissionMode, requestBack.Name, requestBack.Settings!["max_steps"]));
        Assert.Equal((true, null), (tokenBack.IsServerToken, tokenBack.OwnerName));
        Assert.Equal(member, memberBack);
        Assert.Equal("ann", memberBack.OwnerName);
        // A kernel record and one of another assembly get no JSON codec: Orleans refuses to send them.
        Assert.False(serializer.CanSerialize<SessionInfo>());
        Assert.False(serializer.CanSerialize<Outside>());
        Assert.False(ClusterSerialization.IsServerType(typeof(SessionInfo)));
        Assert.True(ClusterSerialization.IsServerType(typeof(SessionView)));
    }

    [Fact]
    public async Task RoutedCall_CancelledByItsCaller_IsCancelledOnTheSessionsNode()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("ws");
        Directory.CreateDirectory(root);
        var probe = new CallProbe(nameof(ISessionGrain.CreateAsync));
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            ClusterNode.ConfigureSilo(silo, TimeSpan.FromMinutes(1), TestCluster.WorkflowCheck, [root]);
            silo.UseInMemoryReminderService();
            silo.AddIncomingGrainCallFilter(probe.InvokeAsync);
        });
        builder.ConfigureClient(client => client.Services.AddSerializer(ClusterSerialization.Configure));
        await using var orleans = builder.Build();
        await orleans.DeployAsync();
        var silo = orleans.Silos[0].ServiceProvider;
        // No server is attached to the node: the grain's call waits for it, until its caller gives up.
        var calls = new GrainSessionCalls(silo.GetRequiredService<IGrainFactory>(), silo.GetRequiredService<ClusterNodeServer>());
        using var cancel = new CancellationTokenSource();

        var call = calls.CreateAsync(ServerCaller.ServerToken, "cancelled-create", new CreateSessionRequest(root), null, cancel.Token);
        await probe.Entered.Task.WaitAsync(Generous);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        // The grain's own call ended by its token (without it, the call would wait on the node for good).
        Assert.IsAssignableFrom<OperationCanceledException>(await probe.Ended.Task.WaitAsync(Generous));
    }

    /// <summary>A record outside the server's namespace (and assembly).</summary>
    internal sealed record Outside(string Name);

    /// <summary>Sees one grain method's calls on the node that runs them: when one starts, and how it ended.</summary>
    private sealed class CallProbe(string method)
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<Exception?> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task InvokeAsync(IIncomingGrainCallContext context)
        {
            if (context.MethodName != method)
            {
                await context.Invoke();
                return;
            }

            Entered.TrySetResult();
            try
            {
                await context.Invoke();
                Ended.TrySetResult(null);
            }
            catch (Exception ex)
            {
                Ended.TrySetResult(ex);
                throw;
            }
        }
    }
}
