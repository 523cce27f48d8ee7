using AgentHost.Cli.Compare;
using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Cli.Chat;

/// <content>
/// <c>/compare</c>: the prompt (or the conversation's last one) to several models at once, without tools, with the
/// editor live meanwhile (Ctrl+C cancels); the answers are shown side by side in the scrollback. A side question: the
/// session's history and model do not change.
/// </content>
internal sealed partial class ChatHost
{
    private async Task<int?> CompareAsync(ChatState state, ChatEditor editor, ChatCompare request, CancellationToken cancellationToken)
    {
        var prompt = request.Prompt ?? await LastPromptAsync(state, cancellationToken).ConfigureAwait(false);
        if (prompt is null)
        {
            Console.WriteError("/compare: no prompt to compare yet; give one after the models: /compare M1,M2 why is the build slow?");
            return null;
        }

        var comparison = new ModelComparison(state.Configuration, state.Runtime, context.Environment, context.Services.GetRequiredService<SecretScrubber>(), TimeProvider.System);
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var busy = new BusyWork(
            "compare",
            running.Cancel,
            _ => Console.WriteInfo("  (a compare is running: type your prompt again when it ends, or Ctrl+C to cancel it)"),
            CycleMode: false);
        return await WhileBusyAsync(state, editor, busy, async () =>
        {
            try
            {
                var models = await comparison.ResolveAsync(request.Models, "/compare", running.Token).ConfigureAwait(false);
                var systemPrompt = await comparison.SystemPromptAsync(state.Options.WorkspaceRoot, running.Token).ConfigureAwait(false);
                Console.WriteInfo($"comparing {string.Join(", ", models)} (no tools; not added to this conversation) …");
                var results = await comparison.RunAsync(models, systemPrompt, prompt, null, running.Token).ConfigureAwait(false);
                var scrollback = Console; // the chat's console: drawn above the live editor
                foreach (var line in CompareView.Lines(results, scrollback.TerminalWidth, columns: true))
                {
                    scrollback.WriteLine(line);
                }
            }
            catch (AgentHostException ex)
            {
                Console.WriteError(ex.Message);
            }
            catch (OperationCanceledException) when (running.IsCancellationRequested)
            {
                Console.WriteInfo("compare cancelled.");
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The text of the conversation's last user message, or <see langword="null"/> before the first.</summary>
    private static async Task<string?> LastPromptAsync(ChatState state, CancellationToken cancellationToken)
    {
        var history = await state.Session.LoadHistoryAsync(cancellationToken).ConfigureAwait(false);
        return history.LastOrDefault(m => m.Role == ChatRole.User && m.Text.Trim().Length > 0)?.Text;
    }
}
