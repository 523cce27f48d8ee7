using System.Diagnostics;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Memory;
using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Security;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.AI;

namespace AgentHost.Cli.Compare;

/// <summary>How one model of a compare ended.</summary>
internal enum CompareOutcome
{
    /// <summary>The model answered.</summary>
    Completed,

    /// <summary>The request failed: unreachable provider, refused key, provider error, no client.</summary>
    Failed,

    /// <summary>Cancelled (Ctrl+C) before it answered.</summary>
    Cancelled,
}

/// <summary>One model's answer in a compare, with its usage, cost and wall time.</summary>
/// <param name="Model">The model, <c>provider/model</c>.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Answer">Its answer (empty when it failed), secrets scrubbed.</param>
/// <param name="Error">Why it failed, secrets scrubbed; <see langword="null"/> when it answered.</param>
/// <param name="InputTokens">Input tokens the provider reported, when it did.</param>
/// <param name="OutputTokens">Output tokens the provider reported, when it did.</param>
/// <param name="Cost">US dollars from the catalog's prices; <see langword="null"/> when the model has none (unpriced).</param>
/// <param name="Elapsed">Wall time from sending the request to the last byte of the answer.</param>
internal sealed record CompareResult(
    string Model, CompareOutcome Outcome, string Answer, string? Error, long? InputTokens, long? OutputTokens, decimal? Cost, TimeSpan Elapsed);

/// <summary>
/// Sends one prompt to several models at once (<c>agent run --compare</c>, the chat's <c>/compare</c>) with the system
/// prompt and project memory a run of this workspace would have, and no tools; collects each answer with its tokens,
/// cost and wall time. A model that fails does not stop the others. Nothing is stored: a compare is a side question.
/// </summary>
/// <param name="configuration">The effective configuration (providers, prices).</param>
/// <param name="runtime">The plugin runtime (the providers' plugins).</param>
/// <param name="environment">The environment (keys, working directory).</param>
/// <param name="scrubber">Scrubs secrets from answers and errors.</param>
/// <param name="time">Measures the wall time.</param>
internal sealed class ModelComparison(ConfigurationSnapshot configuration, PluginRuntime runtime, HostEnvironment environment, SecretScrubber scrubber, TimeProvider time)
{
    /// <summary>The fewest and most models a compare takes.</summary>
    public const int MinModels = 2;

    /// <inheritdoc cref="MinModels"/>
    public const int MaxModels = 6;

    /// <summary>
    /// Parses <c>m1,m2,…</c> and checks each model before anything is sent: 2 to 6 of them, no duplicate, each written
    /// <c>provider/model</c> (or an id the catalog knows) of a provider a plugin here provides (loading a bundled one).
    /// </summary>
    /// <param name="list">The comma-separated list.</param>
    /// <param name="flag">How the user wrote it, for the messages (<c>--compare</c>, <c>/compare</c>).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The models, <c>provider/model</c>, in the order given.</returns>
    /// <exception cref="AgentHostException">A usage error naming the model and the fix.</exception>
    public async Task<IReadOnlyList<string>> ResolveAsync(string list, string flag, CancellationToken cancellationToken)
    {
        var models = Split(list, flag);
        var qualified = new List<string>(models.Count);
        foreach (var model in models)
        {
            string text;
            try
            {
                text = ModelLookup.Qualify(model, configuration, runtime.Registry, environment);
            }
            catch (AgentHostException ex) when (ex.Kind == ErrorKind.Usage)
            {
                throw new AgentHostException(ErrorKind.Usage, $"{flag}: {ex.Message}", ex);
            }

            var type = ModelSelection.ProviderTypeOf(text, configuration) ?? text[..text.IndexOf('/', StringComparison.Ordinal)];
            if (!await runtime.EnsureChatProviderAsync(type, cancellationToken).ConfigureAwait(false))
            {
                throw new AgentHostException(
                    ErrorKind.Usage,
                    $"{flag}: unknown model '{model}': no configured provider or loaded plugin is called '{type}'. Write provider/model as --model takes it ('agent models' lists the usable ones), or add the provider's plugin with --plugin.");
            }

            if (qualified.Contains(text, StringComparer.Ordinal))
            {
                throw new AgentHostException(ErrorKind.Usage, $"{flag}: '{model}' is {text}, which is already in the list; name each model once.");
            }

            qualified.Add(text);
        }

        return qualified;
    }

    /// <summary>The system prompt a run of <paramref name="workspaceRoot"/> would send (base instructions, environment, project memory).</summary>
    /// <param name="workspaceRoot">The project root.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The system prompt.</returns>
    public Task<string> SystemPromptAsync(string workspaceRoot, CancellationToken cancellationToken)
    {
        var memory = ProjectMemoryRun.Load(configuration, environment, workspaceRoot);
        return new SystemPromptBuilder(time).BuildAsync(
            new SystemPromptInput(environment.CurrentDirectory) { WorkspaceRoot = workspaceRoot, ProjectMemory = memory?.Memory.ToPromptText() },
            cancellationToken);
    }

    /// <summary>Asks every model at once; each result is reported to <paramref name="done"/> as it ends, and all are returned in the order of <paramref name="models"/>.</summary>
    /// <param name="models">The models (<see cref="ResolveAsync"/>).</param>
    /// <param name="systemPrompt">The system prompt.</param>
    /// <param name="prompt">The user's prompt.</param>
    /// <param name="done">Called (from any thread, one call at a time) when a model ends; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels every request; the models then end as cancelled.</param>
    /// <returns>The results.</returns>
    public async Task<IReadOnlyList<CompareResult>> RunAsync(
        IReadOnlyList<string> models, string systemPrompt, string prompt, Action<int, CompareResult>? done, CancellationToken cancellationToken)
    {
        var gate = new Lock();
        var tasks = models.Select(async (model, index) =>
        {
            var result = await AskAsync(model, systemPrompt, prompt, cancellationToken).ConfigureAwait(false);
            lock (gate)
            {
                done?.Invoke(index, result);
            }

            return result;
        }).ToList();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task<CompareResult> AskAsync(string model, string systemPrompt, string prompt, CancellationToken cancellationToken)
    {
        await Task.Yield(); // every model's request leaves at once, not one after the other's setup
        var started = time.GetTimestamp();
        SelectedModel? selected = null;
        try
        {
            selected = ModelSelection.Select(model, configuration, runtime, environment);
            List<ChatMessage> messages = [new(ChatRole.System, systemPrompt), new(ChatRole.User, prompt)];
            var options = new ChatOptions { ModelId = selected.ModelId };
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in selected.Client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                updates.Add(update);
            }

            var response = updates.ToChatResponse();
            var usage = response.Usage;
            return new CompareResult(
                model,
                CompareOutcome.Completed,
                scrubber.Scrub(response.Text),
                null,
                usage?.InputTokenCount,
                usage?.OutputTokenCount,
                CostOf(selected.Descriptor, usage),
                time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new CompareResult(model, CompareOutcome.Cancelled, string.Empty, "cancelled", null, null, null, time.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A provider's failure is this model's result, never the others' end.
            var why = ex is AgentHostException ? ex.Message : ProviderErrorHints.Describe(ex, attempts: 1);
            return new CompareResult(model, CompareOutcome.Failed, string.Empty, scrubber.Scrub(why), null, null, null, time.GetElapsedTime(started));
        }
        finally
        {
            selected?.Client.Dispose();
        }
    }

    /// <summary>Splits <c>m1,m2,…</c>, checking the count.</summary>
    internal static IReadOnlyList<string> Split(string list, string flag)
    {
        var models = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return models.Length is < MinModels or > MaxModels
            ? throw new AgentHostException(
                ErrorKind.Usage,
                $"{flag} takes {MinModels} to {MaxModels} models, comma-separated (e.g. {flag} openai/gpt-4.1,anthropic/claude-sonnet-4-5); got {models.Length}.")
            : models;
    }

    /// <summary>What <paramref name="usage"/> cost at the model's catalog prices (cached input at its own price); <see langword="null"/> without prices.</summary>
    internal static decimal? CostOf(ModelDescriptor? model, UsageDetails? usage)
    {
        if (model is null || (model.InputPricePerMillion is null && model.OutputPricePerMillion is null))
        {
            return null;
        }

        var input = usage?.InputTokenCount ?? 0;
        var cached = Math.Min(usage?.CachedInputTokenCount ?? 0, input);
        var inputPrice = model.InputPricePerMillion ?? 0m;
        var total = ((input - cached) * inputPrice)
            + (cached * (model.CachedInputPricePerMillion ?? inputPrice))
            + ((usage?.OutputTokenCount ?? 0) * (model.OutputPricePerMillion ?? 0m));
        return total / 1_000_000m;
    }
}
