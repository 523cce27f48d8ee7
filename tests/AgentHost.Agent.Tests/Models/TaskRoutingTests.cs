using AgentHost.Agent.Models;
using AgentHost.Agent.Service;
using AgentHost.Permissions;
using AgentHost.Sdk.Events;
using AgentHost.Agent.Tests.Service;
using AgentHost.Tests.Service;

namespace AgentHost.Agent.Tests.Models;

/// <summary>Routing by task type (<c>multi_model.use_for</c>) through a real session service, SQLite store and configuration file.</summary>
public sealed class TaskRoutingTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private const string Routes = """
        multi_model:
          use_for:
            plan: fake/planner
            edit: fake/editor
            summarise: fake/summariser
            title: fake/titler
        small_model: fake/small
        """;

    [Fact]
    public async Task EachTurn_GoesToTheModelOfItsKind_AndAModeChangeReroutesTheNextTurn()
    {
        await using var fx = new ServiceFixture(Routes);
        fx.Model("titler").Reply("Routed work");
        var editor = fx.Model("editor").Reply("edited").Reply("edited again");
        var planner = fx.Model("planner").Reply("planned");
        var selected = new List<ModelSelectedEvent>();
        var two = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = fx.Events.Subscribe<ModelSelectedEvent>((e, _) =>
        {
            lock (selected)
            {
                selected.Add(e);
                if (selected.Count == 2)
                {
                    two.TrySetResult();
                }
            }

            return ValueTask.CompletedTask;
        });
        await using var session = await fx.Service.CreateAsync(new SessionOptions(fx.Root));

        var first = await session.SendAsync(new TurnRequest("change the file")).WaitAsync(Guard);
        await session.SetPermissionModeAsync(PermissionMode.Plan, "test");
        var second = await session.SendAsync(new TurnRequest("how would you do it?")).WaitAsync(Guard);
        await session.SetPermissionModeAsync(PermissionMode.AcceptEdits, "test");
        var third = await session.SendAsync(new TurnRequest("do it")).WaitAsync(Guard);

        Assert.Equal([("editor", "edited"), ("planner", "planned"), ("editor", "edited again")], new[] { first, second, third }.Select(t => (t.Model.ModelId, t.Result.FinalText)));
        Assert.Contains("how would you do it?", SessionServiceTests.Texts(planner.Requests.Single()));
        Assert.Equal(["change the file", "edited", "how would you do it?", "planned", "do it"], SessionServiceTests.Texts(editor.Requests[^1]));
        await two.Task.WaitAsync(Guard);
        lock (selected)
        {
            Assert.Equal(("editor", "multi_model.use_for.edit"), (selected[0].Model, selected[0].Reason));
            Assert.Equal(("planner", "multi_model.use_for.plan (this turn)"), (selected[1].Model, selected[1].Reason));
        }

        var stored = await fx.Store.GetSessionAsync(session.Id!);
        Assert.Equal("Routed work", stored!.Title); // the title rule goes before small_model
        Assert.Empty(fx.Model("small").Requests);
    }

    [Fact]
    public async Task ATurnAskedToSummarise_GoesToTheSummariseModel()
    {
        await using var fx = new ServiceFixture(Routes);
        fx.Model("titler").Reply("t");
        fx.Model("summariser").Reply("in short");
        await using var session = await fx.Service.CreateAsync(new SessionOptions(fx.Root) { Task = TaskKind.Summarise });

        var turn = await session.SendAsync(new TurnRequest("summarise the project")).WaitAsync(Guard);

        Assert.Equal(("summariser", "in short"), (turn.Model.ModelId, turn.Result.FinalText));
        Assert.Empty(fx.Model("editor").Requests);
    }

    [Fact]
    public async Task AModelNamedForTheSessionOrWithSlashModel_GoesBeforeTheRules()
    {
        await using var fx = new ServiceFixture(Routes);
        fx.Model("main").Reply("named").Reply("named in plan mode");
        fx.Model("titler").Reply("t");
        fx.Model("editor").Reply("routed");
        fx.Model("other").Reply("chosen with /model");
        await using var named = await fx.Service.CreateAsync(fx.Options("fake/main"));
        var first = await named.SendAsync(new TurnRequest("one")).WaitAsync(Guard);
        await named.SetPermissionModeAsync(PermissionMode.Plan, "test");
        var second = await named.SendAsync(new TurnRequest("two")).WaitAsync(Guard);

        await using var routed = await fx.Service.CreateAsync(new SessionOptions(fx.Root));
        var third = await routed.SendAsync(new TurnRequest("three")).WaitAsync(Guard);
        await routed.SetModelAsync("fake/other");
        var fourth = await routed.SendAsync(new TurnRequest("four")).WaitAsync(Guard);

        Assert.Equal(["main", "main", "editor", "other"], new[] { first, second, third, fourth }.Select(t => t.Model.ModelId));
        Assert.Empty(fx.Model("planner").Requests);
    }
}
