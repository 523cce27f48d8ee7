using AgentHost.Agent.Engine;
using AgentHost.Agent.Skills;
using AgentHost.Hosting;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Service;

/// <content>What the next turn puts in the model's window (<c>/context</c>), the system prompt, and the session's skills.</content>
public sealed partial class AgentSession
{
    /// <summary>
    /// What the next turn sends, part by part, with the agent loop's token estimate: the system prompt (instructions,
    /// environment and the deferred tools' list; project memory; the skills index), the tool schemas (the tools offered
    /// with every request and the deferred tools loaded so far) and the stored conversation.
    /// </summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The parts, or <see langword="null"/> before the session's first turn in this process (the model and the prompt are chosen then).</returns>
    public async Task<ContextWindowReport?> GetContextAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        if (RunContext is not { } context)
        {
            return null;
        }

        var options = new AgentLoopOptions();
        var perToken = options.CharactersPerToken;
        var input = SystemPromptInputOf(context);
        var prompt = await BuildSystemPromptAsync(context, cancellationToken).ConfigureAwait(false);
        var memory = input.ProjectMemory?.Length ?? 0;
        var skills = input.SkillsCatalog?.Length ?? 0;
        var toolSet = context.Pipeline.GetToolSet();
        var offeredTools = ToolPipeline.Offered(toolSet, context.Pipeline.GetLoadedTools());
        var schemaCharacters = offeredTools.Sum(t => (long)t.Name.Length + t.Description.Length + t.JsonSchema.GetRawText().Length);
        var history = await SessionRunContextBuilder.LoadHistoryAsync(_parts.Store, context.SessionId, cancellationToken).ConfigureAwait(false);
        var messages = history.Where(m => m.Role != ChatRole.System).ToList();
        var offered = context.Skills?.Active.Snapshot.Available.Count(s => s.IsModelInvocable) ?? 0;
        var model = context.Model;
        return new ContextWindowReport(
            $"{model.ProviderName}/{model.ModelId}",
            model.Descriptor is { ContextWindow: > 0 } descriptor ? descriptor.ContextWindow : options.DefaultContextWindow,
            model.Descriptor is { ContextWindow: > 0 },
            [
                new ContextWindowPart($"system prompt: instructions, environment, deferred tools ({toolSet.Deferred.Count})", (prompt.Length - memory - skills) / perToken),
                new ContextWindowPart("project memory (AGENTS.md and the other memory files)", memory / perToken),
                new ContextWindowPart($"skills index ({offered} skill{(offered == 1 ? string.Empty : "s")})", skills / perToken),
                new ContextWindowPart($"tool schemas ({offeredTools.Count} tool{(offeredTools.Count == 1 ? string.Empty : "s")})", schemaCharacters / perToken),
                new ContextWindowPart($"conversation ({messages.Count} message{(messages.Count == 1 ? string.Empty : "s")}{(history.Any(IsSummary) ? ", from the last summary on" : string.Empty)})", messages.Sum(Conversation.CharactersOf) / perToken),
            ],
            perToken);

        static bool IsSummary(ChatMessage message) =>
            message.AdditionalProperties?.TryGetValue(Sessions.IConversationRecorder.SummaryMarker, out var marker) == true && marker is true;
    }

    /// <summary>The skills the session can use (the catalog over every skill folder), or <see langword="null"/> when skills are turned off.</summary>
    /// <returns>The catalog's current snapshot, and the names of the skills active in this session.</returns>
    public async Task<(SkillSnapshot Catalog, IReadOnlyList<string> Active)?> GetSkillsAsync()
    {
        ThrowIfClosed();
        var skills = RunContext?.Skills ?? await _opening.SkillsAsync().ConfigureAwait(false);
        return skills is null ? null : (skills.Active.Catalog.Current, [.. skills.Active.Active.Select(s => s.Name)]);
    }

    /// <summary>The system prompt of the next turn: the one <see cref="SystemPromptBuilder"/> input every turn and report uses.</summary>
    private async Task<string> BuildSystemPromptAsync(SessionRunContext context, CancellationToken cancellationToken)
    {
        var prompt = await new SystemPromptBuilder(_parts.Time).BuildAsync(SystemPromptInputOf(context), cancellationToken).ConfigureAwait(false);
        return SessionShape.AppendSystemPrompt(Options, context.Settings, _parts.Configuration) is { } appended ? prompt + "\n\n" + appended : prompt;
    }

    private SystemPromptInput SystemPromptInputOf(SessionRunContext context)
    {
        // Each input is a phase of the startup trace (turn.prompt.*).
        IReadOnlyList<DeferredTool> deferred;
        using (StartupActivities.Start("turn.prompt.tools"))
        {
            deferred = context.Pipeline.GetToolSet().Deferred;
        }

        string? skills;
        using (StartupActivities.Start("turn.prompt.skills"))
        {
            skills = context.Skills?.PromptCatalog;
        }

        return new(_parts.Environment.CurrentDirectory)
        {
            WorkspaceRoot = Options.WorkspaceRoot,
            DeferredTools = deferred,
            ProjectMemory = context.Memory.PromptText,
            SkillsCatalog = skills,
            Instructions = SessionShape.SystemPrompt(Options, context.Settings, _parts.Configuration),
        };
    }
}

/// <summary>What the next turn of a session puts in the model's window (<see cref="AgentSession.GetContextAsync"/>).</summary>
/// <param name="Model">The model, <c>provider/model</c>.</param>
/// <param name="ContextWindow">The model's window in tokens (the loop's default when the catalog does not know it).</param>
/// <param name="WindowKnown">Whether the model catalog knows the window.</param>
/// <param name="Parts">The parts, in the order they are sent.</param>
/// <param name="CharactersPerToken">The estimate's ratio: the agent loop counts this many characters a token until the provider reports usage.</param>
public sealed record ContextWindowReport(string Model, long ContextWindow, bool WindowKnown, IReadOnlyList<ContextWindowPart> Parts, int CharactersPerToken)
{
    /// <summary>The estimated tokens of all parts.</summary>
    public long TotalTokens => Parts.Sum(p => p.Tokens);
}

/// <summary>One part of the window.</summary>
/// <param name="Name">What it is.</param>
/// <param name="Tokens">Its estimated tokens.</param>
public sealed record ContextWindowPart(string Name, long Tokens);
