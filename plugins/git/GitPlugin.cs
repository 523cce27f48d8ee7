using System.ComponentModel;
using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Git;

/// <summary>
/// Registers the git tools. Each call runs the <c>git</c> CLI in the project root against the repository that holds it;
/// nothing ever pushes or uses the network, and the repository's hooks run as they would for the user.
/// </summary>
public sealed class GitPlugin : AgentPlugin
{
    /// <summary>Added to the git time limit, so the host's own limit never cuts the tool's first.</summary>
    private static readonly TimeSpan HostLimitMargin = TimeSpan.FromSeconds(30);

    protected override void RegisterCore(IPluginBuilder builder)
    {
        var settings = GitSettings.Parse(builder.Context.Settings);
        var describe = new CallDescriptions(settings);
        var tools = new Registrar(builder, settings);
        Task<GitRepository> Open(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
            GitRepository.OpenAsync(arguments.GetWorkspacePaths(), settings, cancellationToken);

        tools.Add(
            "git_status",
            "Shows the repository's state: branch, upstream with ahead/behind counts, and the changed files grouped into conflicts, staged, unstaged and untracked. Paths are relative to the project root.",
            ToolEffect.Read,
            async (AIFunctionArguments arguments, CancellationToken cancellationToken) =>
                await StatusAndDiffTools.StatusAsync(await Open(arguments, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false),
            CallDescriptions.Read);
        tools.Add(
            "git_diff",
            "Shows changes as a --stat summary and a unified patch (cut at the output limit; narrow with path). By default the unstaged changes " +
            "(working tree vs staging area); staged=true for what will be committed; range for commits ('main..feature', 'HEAD~3', 'a...b').",
            ToolEffect.Read,
            async ([Description("Only changes at this file or folder, relative to the project root.")] string? path = null,
                   [Description("Show staged changes (staging area vs HEAD) instead of unstaged ones.")] bool staged = false,
                   [Description("Compare commits: 'a..b', 'a...b', or one commit to compare with the working tree.")] string? range = null,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await StatusAndDiffTools.DiffAsync(await Open(arguments, cancellationToken).ConfigureAwait(false), staged, path, range, file => arguments.CheckRead(file), cancellationToken).ConfigureAwait(false),
            CallDescriptions.Read);
        tools.Add(
            "git_log",
            "Lists commits, newest first: short hash, date, author and subject. Page with limit and offset; filter by path.",
            ToolEffect.Read,
            async ([Description("How many commits (1-200, default 20).")] int? limit = null,
                   [Description("How many newer commits to skip (default 0); the result says the offset of the next page.")] int? offset = null,
                   [Description("Only commits that touch this file or folder, relative to the project root.")] string? path = null,
                   [Description("Branch, tag, commit or range to list (default: the current branch), e.g. 'main..feature'.")] string? rev = null,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await HistoryTools.LogAsync(await Open(arguments, cancellationToken).ConfigureAwait(false), limit, offset, path, rev, cancellationToken).ConfigureAwait(false),
            CallDescriptions.Read);
        tools.Add(
            "git_show",
            "Shows a commit (message, --stat and patch, cut at the output limit) or a file as it was in a commit ('rev:path', or rev plus path).",
            ToolEffect.Read,
            async ([Description("Commit, branch or tag (default HEAD); or 'rev:path' for a file at that commit, e.g. 'HEAD~1:src/app.cs'.")] string? rev = null,
                   [Description("Show this file (relative to the project root) as it was at rev, instead of the commit.")] string? path = null,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await HistoryTools.ShowAsync(await Open(arguments, cancellationToken).ConfigureAwait(false), rev, path, file => arguments.CheckRead(file), cancellationToken).ConfigureAwait(false),
            CallDescriptions.Show);
        tools.Add(
            "git_branch_list",
            "Lists branches, most recent first, marking the current one, with each tip, upstream and ahead/behind.",
            ToolEffect.Read,
            async ([Description("Also list remote-tracking branches.")] bool all = false,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await BranchTools.ListAsync(await Open(arguments, cancellationToken).ConfigureAwait(false), all, cancellationToken).ConfigureAwait(false),
            CallDescriptions.Read);
        tools.Add(
            "git_add",
            "Stages files or folders (new, changed or deleted) for the next commit. Paths are taken literally (no globs); '.' stages everything. Ignored files are not staged.",
            ToolEffect.Write,
            async ([Description("Files or folders relative to the project root.")] string[] paths,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await ChangeTools.AddAsync(await Open(arguments, cancellationToken).ConfigureAwait(false), paths, cancellationToken).ConfigureAwait(false),
            CallDescriptions.Add);
        tools.Add(
            "git_restore",
            "Restores named files: by default discards their unstaged working-tree changes (cannot be undone); staged=true unstages them " +
            "(keeping the working tree unless worktree=true); source restores them from a commit.",
            ToolEffect.Write,
            async ([Description("Files or folders relative to the project root (required).")] string[] paths,
                   [Description("Unstage: restore the staging area from HEAD (or source).")] bool staged = false,
                   [Description("Restore the working tree (default: true unless staged is true).")] bool? worktree = null,
                   [Description("Commit to restore from (default: the staging area, or HEAD with staged).")] string? source = null,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await ChangeTools.RestoreAsync(await Open(arguments, cancellationToken).ConfigureAwait(false), paths, staged, worktree, source, cancellationToken).ConfigureAwait(false),
            describe.Restore,
            describe.RestoreAsync);
        tools.Add(
            "git_commit",
            "Commits the staged changes with the message (summary line, blank line, details). An attribution trailer is added as the user configured. " +
            "The repository's hooks run; if one rejects the commit, its output is returned and nothing is committed. Never pushes.",
            ToolEffect.Write | ToolEffect.Execute,
            async ([Description("The commit message.")] string message,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await CommitTool.CommitAsync(await Open(arguments, cancellationToken).ConfigureAwait(false), message, CallDescriptions.Model(arguments), cancellationToken).ConfigureAwait(false),
            describe.Commit,
            describe.CommitAsync);
        tools.Add(
            "git_branch_create",
            "Creates a branch at HEAD or start_point without switching to it (git_switch does that). Never overwrites an existing branch.",
            ToolEffect.Write,
            async ([Description("The new branch name, e.g. 'fix/parser'.")] string name,
                   [Description("Commit, branch or tag to start from (default HEAD).")] string? start_point = null,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await BranchTools.CreateAsync(await Open(arguments, cancellationToken).ConfigureAwait(false), name, start_point, cancellationToken).ConfigureAwait(false),
            CallDescriptions.BranchCreate);
        tools.Add(
            "git_switch",
            "Switches the working tree to a branch (create=true makes it first). Uncommitted changes that do not conflict are carried over; " +
            "if they would be lost git refuses and nothing changes.",
            ToolEffect.Write,
            async ([Description("The branch to switch to.")] string branch,
                   [Description("Create the branch first (at start_point or HEAD).")] bool create = false,
                   [Description("With create: commit, branch or tag the new branch starts at (default HEAD).")] string? start_point = null,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await BranchTools.SwitchAsync(await Open(arguments, cancellationToken).ConfigureAwait(false), branch, create, start_point, cancellationToken).ConfigureAwait(false),
            CallDescriptions.Switch);
    }

    /// <summary>Adds tools with a host time limit above git's own.</summary>
    private sealed class Registrar(IPluginBuilder builder, GitSettings settings)
    {
        public void Add(
            string name, string description, ToolEffect effect, Delegate method, Func<AIFunctionArguments, ToolCallDescription> describe,
            Func<AIFunctionArguments, CancellationToken, ValueTask<ToolCallDescription>>? describeAsync = null)
        {
            builder.AddTool(
                name, description, new ToolMetadata(effect) { DescribeCall = describe, DescribeCallAsync = describeAsync, Timeout = settings.Timeout + HostLimitMargin }, method);
        }
    }
}
