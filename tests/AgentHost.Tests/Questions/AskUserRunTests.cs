using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Questions;

/// <summary>The <c>ask_user</c> tool in real headless <c>agent run</c> processes driven by the scripted provider.</summary>
public sealed class AskUserRunTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    [Fact]
    public async Task Answer_ReachesTheModel_InOrder_ThenNobodyIsPresent()
    {
        var script = _ws.WriteScript("""
            turns:
              - expect: { tools_include: [ask_user] }
                tool_calls: [{ name: ask_user, arguments: { question: "Which database?" } }]
              - expect: { tool_results_contain: ["PostgreSQL"] }
                tool_calls: [{ name: ask_user, arguments: { question: "Which port?", options: ["5432", "6543"] } }]
              - expect: { tool_results_contain: ["6543"] }
                tool_calls: [{ name: ask_user, arguments: { question: "Anything else?" } }]
              - expect: { tool_results_contain: ["No answer: nobody is present to answer", "Proceed on your own judgement"] }
                text: Set up PostgreSQL on 6543.
            """);

        var result = await _ws.RunAsync("run", "set up the database", "-p", "scripted", "-m", "scripted/" + script, "--answer", "PostgreSQL", "--answer", "6543");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("Set up PostgreSQL on 6543.", result.Output, StringComparison.Ordinal);
        Assert.Contains("answer (--answer): PostgreSQL", result.Error, StringComparison.Ordinal);
        Assert.Contains("no answer (nobody)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headless_WithoutAnswer_TheModelIsToldNobodyIsPresent_AndTheRunSucceeds()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: ask_user, arguments: { question: "Delete the old tables?", options: [yes, no] } }]
              - expect: { tool_results_contain: ["No answer: nobody is present to answer"] }
                text: I left the old tables alone.
            """);

        var result = await _ws.RunAsync("run", "clean up", "-p", "scripted", "-m", "scripted/" + script, "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        var events = RunWorkspace.Events(result.Output);
        var asked = Assert.Single(events, e => e.GetProperty("type").GetString() == "question.asked");
        Assert.Equal("Delete the old tables?", asked.GetProperty("text").GetString());
        Assert.Equal(["yes", "no"], asked.GetProperty("options").EnumerateArray().Select(o => o.GetString()!).ToArray());
        var answered = Assert.Single(events, e => e.GetProperty("type").GetString() == "question.answered");
        Assert.Equal(asked.GetProperty("questionId").GetString(), answered.GetProperty("questionId").GetString());
        Assert.Equal(asked.GetProperty("sessionId").GetString(), answered.GetProperty("sessionId").GetString());
        Assert.False(answered.TryGetProperty("answer", out _));
        Assert.Equal("nobody", answered.GetProperty("answeredBy").GetString());
        var completed = Assert.Single(events, e => e.GetProperty("type").GetString() == "tool.completed");
        Assert.Equal("succeeded", completed.GetProperty("status").GetString());
        Assert.Equal("kernel", Assert.Single(events, e => e.GetProperty("type").GetString() == "tool.started").GetProperty("plugin").GetString());
    }

    [Fact]
    public async Task PreparedAnswer_NotAmongTheOptions_IsRefused_AndTheModelIsToldWhy()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: ask_user, arguments: { question: "Deploy now?", options: [yes, no] } }]
              - expect: { tool_results_contain: ["'maybe' is not one of the options: 'yes', 'no'", "Nobody else is present"] }
                tool_calls: [{ name: ask_user, arguments: { question: "Deploy tomorrow?", options: [Yes, No] } }]
              - expect: { tool_results_contain: ["No"] }
                text: Not deploying.
            """);

        var result = await _ws.RunAsync("run", "deploy", "-p", "scripted", "-m", "scripted/" + script, "--answer", "maybe", "--answer", "no", "-o", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        var answers = RunWorkspace.Events(result.Output).Where(e => e.GetProperty("type").GetString() == "question.answered").ToList();
        Assert.Equal(2, answers.Count);
        Assert.False(answers[0].TryGetProperty("answer", out _));
        Assert.Equal("No", answers[1].GetProperty("answer").GetString()); // matched ignoring case, given as the option is spelt
        Assert.Equal("--answer", answers[1].GetProperty("answeredBy").GetString());
    }

    [Fact]
    public async Task AnswerWithServer_IsAUsageError_ThatSaysHowToAnswerRemotely()
    {
        var result = await _ws.RunAsync("run", "hello", "--server", "http://127.0.0.1:9", "--answer", "yes");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--answer cannot be used with --server", result.Error, StringComparison.Ordinal);
        Assert.Contains("/questions/", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _ws.Dispose();
}
