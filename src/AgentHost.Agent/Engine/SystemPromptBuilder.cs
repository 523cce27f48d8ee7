using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace AgentHost.Agent.Engine;

/// <summary>What goes into a system prompt besides the base instructions.</summary>
/// <param name="WorkingDirectory">The current directory.</param>
public sealed record SystemPromptInput(string WorkingDirectory)
{
    /// <summary>The project root, when known (else the working directory is shown alone).</summary>
    public string? WorkspaceRoot { get; init; }

    /// <summary>
    /// The deferred tools (listed by name and summary, sorted by name): the model loads them with <c>tool_search</c>.
    /// The other tools are not listed: their definitions are in every request.
    /// </summary>
    public IReadOnlyList<DeferredTool> DeferredTools { get; init; } = [];

    /// <summary>Project memory (AGENTS.md and friends), when any.</summary>
    public string? ProjectMemory { get; init; }

    /// <summary>The skills catalog, when any.</summary>
    public string? SkillsCatalog { get; init; }

    /// <summary>Replaces <see cref="SystemPromptBuilder.BaseInstructions"/> when set.</summary>
    public string? Instructions { get; init; }

    /// <summary>The operating system description; the running one when <see langword="null"/>.</summary>
    public string? OperatingSystem { get; init; }
}

/// <summary>
/// Builds the system prompt: base instructions, an environment block (directories, OS, date, git branch and short
/// status), the deferred tools, project memory and the skills catalog. The same inputs give the same text, so provider
/// prompt caches keep working.
/// </summary>
/// <remarks>Thread-safe.</remarks>
/// <param name="timeProvider">Supplies the date.</param>
/// <param name="git">Reads the git state; <see langword="null"/> leaves it out.</param>
public sealed class SystemPromptBuilder(TimeProvider timeProvider, GitStatusReader? git = null)
{
    /// <summary>The default instructions.</summary>
    public const string BaseInstructions =
        """
        You are an AI agent working in the user's project through tools. Complete the user's task, then stop.

        - Read the relevant files and search the code before changing anything; do not guess paths, APIs or behaviour.
        - Make the smallest change that fully solves the task, in the project's style; leave unrelated code alone.
        - After a change, run the build or tests when you can and fix what you broke.
        - Call independent read-only tools together in one step: they run in parallel.
        - A tool error is information: correct the call. Never repeat a call that failed or gave the same result.
        - After a permission denial, take another route or say what you need; do not retry the same action.
        - Ask the user only when the task is ambiguous or the decision is theirs.
        - Never expose secrets (keys, tokens, passwords). Run nothing destructive or irreversible unless asked.

        When done, answer briefly: what you did, what you found, what is left. No preamble.
        """;

    /// <summary>What the model is told about the skills catalog.</summary>
    public const string SkillsPreface =
        "Skills are instructions for specific tasks. When a task matches a skill's description, activate it once with the " +
        "`skill` tool before you start, then follow it.";

    /// <summary>Builds the prompt.</summary>
    /// <param name="input">The inputs.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The system prompt.</returns>
    public async Task<string> BuildAsync(SystemPromptInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrWhiteSpace(input.WorkingDirectory);
        var status = git is null ? null : await git.ReadAsync(input.WorkspaceRoot ?? input.WorkingDirectory, cancellationToken).ConfigureAwait(false);

        var prompt = new StringBuilder();
        prompt.Append((input.Instructions ?? BaseInstructions).TrimEnd()).Append("\n\n");
        AppendEnvironment(prompt, input, status);
        AppendDeferredTools(prompt, input.DeferredTools);
        AppendSection(prompt, "project_memory", "Instructions and notes the project keeps for agents. Follow them unless the user says otherwise.", input.ProjectMemory);
        AppendSection(prompt, "skills", SkillsPreface, input.SkillsCatalog);
        return prompt.ToString().TrimEnd() + "\n";
    }

    private void AppendEnvironment(StringBuilder prompt, SystemPromptInput input, GitStatus? status)
    {
        prompt.Append("<environment>\n");
        prompt.Append("Working directory: ").Append(input.WorkingDirectory).Append('\n');
        if (input.WorkspaceRoot is { } root && root != input.WorkingDirectory)
        {
            prompt.Append("Workspace root: ").Append(root).Append('\n');
        }

        prompt.Append("Platform: ").Append(input.OperatingSystem ?? RuntimeInformation.OSDescription).Append('\n');
        prompt.Append("Date: ").Append(timeProvider.GetLocalNow().ToString("yyyy-MM-dd (dddd)", CultureInfo.InvariantCulture)).Append('\n');
        if (status is not null)
        {
            prompt.Append("Git branch: ").Append(status.Branch);
            if (status.Upstream is { } upstream)
            {
                prompt.Append(CultureInfo.InvariantCulture, $" (tracking {upstream}; ahead {status.Ahead}, behind {status.Behind})");
            }

            prompt.Append('\n');
            if (status.TotalChanges == 0)
            {
                prompt.Append("Git status: clean\n");
            }
            else
            {
                prompt.Append(CultureInfo.InvariantCulture, $"Git status: {status.TotalChanges} changed or untracked path(s)");
                prompt.Append(status.Changes.Count < status.TotalChanges ? $", first {status.Changes.Count}:\n" : ":\n");
                foreach (var change in status.Changes)
                {
                    prompt.Append(change).Append('\n');
                }
            }
        }

        prompt.Append("</environment>\n\n");
    }

    /// <summary>What the model is told about deferred tools.</summary>
    public const string DeferredToolsPreface = "Load these with tool_search (names or words) before calling them:";

    private static void AppendDeferredTools(StringBuilder prompt, IReadOnlyList<DeferredTool> tools)
    {
        if (tools.Count == 0)
        {
            return;
        }

        prompt.Append("<deferred_tools>\n").Append(DeferredToolsPreface).Append('\n');
        foreach (var tool in tools.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            prompt.Append("- ").Append(tool.Name);
            if (tool.Summary.Length > 0)
            {
                prompt.Append(": ").Append(tool.Summary);
            }

            prompt.Append('\n');
        }

        prompt.Append("</deferred_tools>\n\n");
    }

    private static void AppendSection(StringBuilder prompt, string tag, string preface, string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return;
        }

        prompt.Append('<').Append(tag).Append(">\n").Append(preface).Append("\n\n").Append(content.Trim()).Append("\n</").Append(tag).Append(">\n\n");
    }
}
