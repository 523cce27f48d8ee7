using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>What goes into a system prompt besides the base instructions.</summary>
/// <param name="WorkingDirectory">The current directory.</param>
public sealed record SystemPromptInput(string WorkingDirectory)
{
    /// <summary>The project root, when known (else the working directory is shown alone).</summary>
    public string? WorkspaceRoot { get; init; }

    /// <summary>The tools the model can call (listed sorted by name).</summary>
    public IReadOnlyList<AIFunctionDeclaration> Tools { get; init; } = [];

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
/// status), the tool list, project memory and the skills catalog. The same inputs give the same text, so provider
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
        You are an AI agent working in the user's project through tools. Complete the task the user gives you, then stop.

        How to work:
        - Understand before you change anything: read the relevant files and search the code instead of guessing paths, APIs or behaviour.
        - Make the smallest change that fully solves the task, in the project's existing style. Do not touch unrelated code.
        - Check your work: after a change, run the project's build or tests when you can, and fix what you broke.
        - Call independent read-only tools together in one step; they run in parallel.
        - A tool error is information: read it, correct the call and retry. Never repeat an identical call that already failed or returned the same result.
        - If a permission is denied, do not retry the same action; take another route or explain what you need.
        - Ask the user only when the task is genuinely ambiguous or a decision is theirs to make.
        - Never expose secrets (keys, tokens, passwords) in output or files. Do not run destructive or irreversible commands unless the user asked for them.

        When you finish, answer briefly: what you did, what you found, and anything left undone. No preamble, no filler.
        """;

    /// <summary>What the model is told about the skills catalog.</summary>
    public const string SkillsPreface =
        "Skills are instructions for specific tasks. When a task matches a skill's description, activate the skill with the " +
        "`skill` tool (its name as listed) before you start, then follow its instructions. Activate each skill once; read its " +
        "bundled files with the `skill` tool's `file` argument.";

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
        AppendTools(prompt, input.Tools);
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

    private static void AppendTools(StringBuilder prompt, IReadOnlyList<AIFunctionDeclaration> tools)
    {
        if (tools.Count == 0)
        {
            return;
        }

        prompt.Append("<tools>\n");
        foreach (var tool in tools.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            prompt.Append("- ").Append(tool.Name);
            var summary = FirstLine(tool.Description);
            if (summary.Length > 0)
            {
                prompt.Append(": ").Append(summary);
            }

            prompt.Append('\n');
        }

        prompt.Append("</tools>\n\n");
    }

    private static void AppendSection(StringBuilder prompt, string tag, string preface, string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return;
        }

        prompt.Append('<').Append(tag).Append(">\n").Append(preface).Append("\n\n").Append(content.Trim()).Append("\n</").Append(tag).Append(">\n\n");
    }

    private static string FirstLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var trimmed = text.Trim();
        var end = trimmed.IndexOfAny(['\r', '\n']);
        return end < 0 ? trimmed : trimmed[..end];
    }
}
