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
        var tools = new Registrar(builder, settings);
        // git gets the environment the host built for the call (on a server the session's, never the server's own).
        var pluginEnvironment = builder.Context.ProcessEnvironment;
        var describe = new CallDescriptions(settings, pluginEnvironment);
        Task<GitRepository> Open(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
            GitRepository.OpenAsync(arguments.GetWorkspacePaths(), settings, arguments.GetProcessEnvironment() ?? pluginEnvironment, cancellationToken);

        tools.Add(
            "git_status",
            "Shows the branch, its upstream with ahead/behind counts, and the changed files: conflicts, staged, unstaged, untracked.",
            ToolEffect.Read,
            async (AIFunctionArguments arguments, CancellationToken cancellationToken) =>
                await StatusAndDiffTools.StatusAsync(await Open(arguments, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false),
            CallDescriptions.Read);
        tools.Add(
            "git_diff",
            "Shows changes as a --stat summary and a patch: by default the unstaged ones; staged=true what will be committed; range between commits.",
            ToolEffect.Read,
            async ([Description("Only this file or folder.")] string? path = null,
                   [Description("Staged changes instead.")] bool staged = false,
                   [Description("'a..b', 'a...b', or one commit to compare with the working tree.")] string? range = null,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await StatusAndDiffTools.DiffAsync(await Open(arguments, cancellationToken).ConfigureAwait(false), staged, path, range, file => arguments.CheckRead(file), cancellationToken).ConfigureAwait(false),
            CallDescriptions.Read);
        tools.Add(
            "git_log",
            "Lists commits, newest first: hash, date, author, subject. Paged.",
            ToolEffect.Read,
            async ([Description("Page size (1-200, default 20).")] int? limit = null,
                   [Description("Commits to skip.")] int? offset = null,
                   [Description("Only commits touching this file or folder.")] string? path = null,
                   [Description("Branch, commit or range (default: current).")] string? rev = null,
                   AIFunctionArguments arguments = null!,
                   CancellationToken cancellationToken = default) =>
                await HistoryTools.LogAsync(await Open(arguments, cancellationToken).ConfigureAwait(false), limit, offset, path, rev, cancellationToken).ConfigureAwait(false),
            CallDescriptions.Read);
        tools.Add(
            "git_show",
            "Shows a commit (message, --stat, patch) or a file as it was in a commit.",
            ToolEffect.Read,
            async ([Description("Commit, branch or tag (default HEAD), or 'rev:path'.")] string? rev = null,
                   [Description("A file to show as it was at rev.")] string? path = null,
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
            CallDescriptions.Read,
            deferred: true);
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
            describe: null,
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
            describe: null,
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
            string name, string description, ToolEffect effect, Delegate method, Func<AIFunctionArguments, ToolCallDescription>? describe,
            Func<AIFunctionArguments, CancellationToken, ValueTask<ToolCallDescription>>? describeAsync = null, bool? deferred = null)
        {
            // The reading tools are offered with every request (but the branch list); the changing ones are loaded on demand (tool_search).
            builder.AddTool(
                name,
                description,
                new ToolMetadata(effect)
                {
                    DescribeCall = describe, DescribeCallAsync = describeAsync, Timeout = settings.Timeout + HostLimitMargin, Deferred = deferred ?? effect != ToolEffect.Read,
                },
                method);
        }
    }
}
