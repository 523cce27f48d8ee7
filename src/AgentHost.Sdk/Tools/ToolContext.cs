using Microsoft.Extensions.AI;

namespace AgentHost.Sdk.Tools;

/// <summary>What the host passes to every tool invocation through <see cref="AIFunctionArguments.Context"/>.</summary>
/// <remarks>
/// A tool created from a delegate receives these by declaring an <see cref="AIFunctionArguments"/> parameter (it is
/// not part of the JSON schema); <see cref="AIFunctionArguments.Services"/> is the plugin's own service provider.
/// </remarks>
public static class ToolContext
{
    /// <summary>The context key of the workspace root (the project root file tools are confined to).</summary>
    public const string WorkspaceRootKey = "agenthost.workspace_root";

    /// <summary>The context key of the session id.</summary>
    public const string SessionIdKey = "agenthost.session_id";

    /// <summary>
    /// The context key of the session's dry-run default (a <see cref="bool"/>): when <see langword="true"/>, mutating
    /// tools that support <c>dry_run</c> only report what they would change unless a call sets <c>dry_run: false</c>.
    /// </summary>
    public const string DryRunByDefaultKey = "agenthost.dry_run_default";

    /// <summary>The context key of the id of the model the run uses (a <see cref="string"/>), when known.</summary>
    public const string ModelIdKey = "agenthost.model";

    /// <summary>
    /// The context key of the call's progress sink (an <see cref="IProgress{T}"/> of <see cref="ToolProgress"/>), which
    /// the host fills for every call it runs. Use <see cref="ReportProgress"/> rather than reading it.
    /// </summary>
    public const string ProgressKey = "agenthost.progress";

    /// <summary>
    /// The context key of the call's read check (a <see cref="Func{T, TResult}"/> from an absolute path to
    /// <see cref="ReadAccess"/>), which the host fills for every call it runs. Use <see cref="CheckRead"/> rather than reading it.
    /// </summary>
    public const string ReadAccessKey = "agenthost.read_access";

    /// <summary>
    /// The context key of the call's read check for files the tool's own directory walk found (a
    /// <see cref="Func{T, TResult}"/> from an absolute path to <see cref="ReadAccess"/>), which the host fills for every
    /// call it runs. Use <see cref="CheckWalkedFileRead(AIFunctionArguments, string)"/> rather than reading it.
    /// </summary>
    public const string WalkedFileReadAccessKey = "agenthost.read_access.walked_file";

    /// <summary>
    /// The context key of the call's read check for files a walk reached by descriptor from its start folder (a
    /// <see cref="Func{T1, T2, TResult}"/> from a file's and the start folder's absolute paths to <see cref="ReadAccess"/>),
    /// which the host fills for every call it runs. Use <see cref="CheckWalkedFileRead(AIFunctionArguments, string, string)"/>
    /// rather than reading it.
    /// </summary>
    public const string WalkedTreeReadAccessKey = "agenthost.read_access.walked_tree";

    /// <summary>
    /// The context key of the call's process sandbox (a <see cref="ProcessSandbox"/>), which the host fills for calls of
    /// tools whose metadata says <see cref="ToolMetadata.Sandboxed"/> unless <c>sandbox.mode</c> is <c>off</c>. Use
    /// <see cref="GetProcessSandbox"/> rather than reading it.
    /// </summary>
    public const string SandboxKey = "agenthost.sandbox";

    /// <summary>
    /// The context key of the environment built for the processes this call starts (an
    /// <see cref="IReadOnlyDictionary{TKey, TValue}"/> of variable names to values), which the host fills for every call
    /// it runs. Use <see cref="GetProcessEnvironment"/> rather than reading it.
    /// </summary>
    public const string ProcessEnvironmentKey = "agenthost.process_environment";

    /// <summary>
    /// The context key of the session's editor files (an <see cref="IEditorFiles"/>), which the host fills for the calls
    /// of a session whose front end is an editor that serves them. Use <see cref="GetEditorFiles"/> rather than reading it.
    /// </summary>
    public const string EditorFilesKey = "agenthost.editor_files";

    /// <summary>
    /// Returns the editor's files when the session runs in an editor that serves them (its unsaved buffers are then
    /// what a file tool should read, and its writes should go there), or <see langword="null"/>: use the disk.
    /// </summary>
    /// <param name="arguments">The invocation's arguments.</param>
    /// <returns>The editor's files, or <see langword="null"/>.</returns>
    public static IEditorFiles? GetEditorFiles(this AIFunctionArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return arguments.Context?.TryGetValue(EditorFilesKey, out var value) == true ? value as IEditorFiles : null;
    }

    /// <summary>Returns the workspace root of this invocation.</summary>
    /// <param name="arguments">The invocation's arguments.</param>
    /// <returns>The absolute workspace root.</returns>
    /// <exception cref="InvalidOperationException">The host did not provide one (the tool ran outside the host's pipeline).</exception>
    public static string GetWorkspaceRoot(this AIFunctionArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return arguments.Context?.TryGetValue(WorkspaceRootKey, out var root) == true && root is string text && text.Length > 0
            ? text
            : throw new InvalidOperationException("No workspace root was provided; file tools must be invoked through the host's tool pipeline.");
    }

    /// <summary>Returns the session id of this invocation, or <see langword="null"/> outside a session (e.g. <c>agent tool run</c>).</summary>
    /// <param name="arguments">The invocation's arguments.</param>
    /// <returns>The session id, or <see langword="null"/>.</returns>
    public static string? GetSessionId(this AIFunctionArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return arguments.Context?.TryGetValue(SessionIdKey, out var id) == true && id is string text && text.Length > 0 ? text : null;
    }

    /// <summary>Returns the id of the model that asked for this call (e.g. for commit attribution), or <see langword="null"/>.</summary>
    /// <param name="arguments">The invocation's arguments.</param>
    /// <returns>The model id, or <see langword="null"/>.</returns>
    public static string? GetModelId(this AIFunctionArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return arguments.Context?.TryGetValue(ModelIdKey, out var model) == true && model is string text && text.Length > 0 ? text : null;
    }

    /// <summary>
    /// Resolves a mutating tool's <c>dry_run</c> argument: the call's own value when it gave one, else the session's
    /// default (<see cref="DryRunByDefaultKey"/>), else <see langword="false"/>.
    /// </summary>
    /// <param name="arguments">The invocation's arguments.</param>
    /// <param name="requested">The call's <c>dry_run</c> argument, or <see langword="null"/> when it was not given.</param>
    /// <returns>Whether to only report the change.</returns>
    public static bool IsDryRun(this AIFunctionArguments arguments, bool? requested)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return requested ?? (arguments.Context?.TryGetValue(DryRunByDefaultKey, out var value) == true && value is true);
    }

    /// <summary>
    /// Reports progress of this call, for example <c>arguments.ReportProgress("Fetched 3 of 10 pages", 0.3)</c>. The host
    /// publishes it as a <see cref="Events.ToolCallProgressEvent"/> (throttled: updates closer together than the host's
    /// interval are dropped, except the first and a final one with fraction 1); outside the host it does nothing.
    /// </summary>
    /// <remarks>Thread-safe; never throws for the host's sink, and costs little, so a loop may call it on every item.</remarks>
    /// <param name="arguments">The invocation's arguments.</param>
    /// <param name="message">What is happening (one line reads best).</param>
    /// <param name="fraction">How far along the call is, from 0 to 1, when known.</param>
    public static void ReportProgress(this AIFunctionArguments arguments, string message, double? fraction = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(message);
        if (arguments.Context?.TryGetValue(ProgressKey, out var sink) == true && sink is IProgress<ToolProgress> progress)
        {
            progress.Report(new ToolProgress(message, fraction));
        }
    }

    /// <summary>
    /// Returns this call's progress sink: the host's, or one that ignores every update outside the host. A tool method
    /// may instead declare an <see cref="IProgress{T}"/> of <see cref="ToolProgress"/> parameter, which receives the same
    /// sink and is not part of the JSON schema.
    /// </summary>
    /// <param name="arguments">The invocation's arguments.</param>
    /// <returns>The sink; valid for the duration of the call (later reports are ignored).</returns>
    public static IProgress<ToolProgress> GetProgress(this AIFunctionArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return arguments.Context?.TryGetValue(ProgressKey, out var sink) == true && sink is IProgress<ToolProgress> progress
            ? progress
            : NoProgress.Instance;
    }

    /// <summary>
    /// Decides whether this call may return the content of the file at <paramref name="path"/>: the same read decision
    /// the host makes for a single-path read (<c>deny: read(.env)</c>, ask rules, the safety floor, paths outside the
    /// sandbox), in the session's mode. A tool that returns the content of several files (search results, diffs) asks
    /// for each file and leaves out the ones not allowed — it cannot prompt per file, so a read that would ask is not
    /// allowed here — and says how many it left out, so the user can read them explicitly. Outside the host only
    /// paths inside the workspace root are allowed.
    /// </summary>
    /// <remarks>Thread-safe; cheap enough to call for every file of a search (the host caches per call).</remarks>
    /// <param name="arguments">The invocation's arguments.</param>
    /// <param name="path">The file: absolute, or relative to the workspace root. Symbolic links in it are resolved by the check.</param>
    /// <returns>The decision, with the reason when not allowed.</returns>
    public static ReadAccess CheckRead(this AIFunctionArguments arguments, string path)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(path);
        if (arguments.Context?.TryGetValue(ReadAccessKey, out var value) == true && value is Func<string, ReadAccess> check)
        {
            return check(path);
        }

        if (arguments.Context?.TryGetValue(WorkspaceRootKey, out var root) != true || root is not string { Length: > 0 } rootPath)
        {
            return ReadAccess.Deny("no workspace root was provided, so no file can be read");
        }

        var paths = new WorkspacePaths(rootPath);
        return paths.Resolve(path) is null
            ? ReadAccess.Deny($"'{path}' is outside the workspace root {paths.Root}")
            : ReadAccess.Allow;
    }

    /// <summary>
    /// <see cref="CheckRead"/> for a file the tool's own directory walk found: the same decision (<c>read(…)</c> deny
    /// and ask rules, the safety floor, the sandbox, the project root, the session's mode), except that the file itself
    /// is not asked whether it is a symbolic link, which saves one system call per file of a search. The folders on
    /// the way are still resolved (once per folder), so a link among them is decided on its target as before.
    /// </summary>
    /// <remarks>
    /// Only for a path built from a directory listing (the listed folder's path joined with an entry's name) whose
    /// entry type said "regular file", never for a path a model or a user gave, and only when the tool then opens the
    /// file refusing a symbolic link in its place (<c>O_NOFOLLOW</c>), so that a file swapped for a link after the
    /// listing is not read. Where the tool cannot open that way, use <see cref="CheckRead"/>. Without the host's check
    /// this is <see cref="CheckRead"/>. Thread-safe.
    /// </remarks>
    /// <param name="arguments">The invocation's arguments.</param>
    /// <param name="path">The file's absolute path, as the walk built it.</param>
    /// <returns>The decision, with the reason when not allowed.</returns>
    public static ReadAccess CheckWalkedFileRead(this AIFunctionArguments arguments, string path)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(path);
        return arguments.Context?.TryGetValue(WalkedFileReadAccessKey, out var value) == true && value is Func<string, ReadAccess> check
            ? check(path)
            : arguments.CheckRead(path);
    }

    /// <summary>
    /// <see cref="CheckWalkedFileRead(AIFunctionArguments, string)"/> for a file the walk reached from its start folder
    /// <paramref name="walkStart"/> by descriptor: the same decision (<c>read(…)</c> deny and ask rules, the safety
    /// floor, the sandbox, the project root, the session's mode), except that the folders between the start and the file
    /// are not asked whether they are symbolic links, which saves one system call per folder of a search. The start
    /// folder itself is resolved (once per call), and a file not below it is decided as the other overload decides it.
    /// </summary>
    /// <remarks>
    /// Only when the walk opened every folder below <paramref name="walkStart"/> inside its parent's open descriptor,
    /// one name at a time, refusing a symbolic link in its place (<c>openat</c> with <c>O_NOFOLLOW</c> and
    /// <c>O_DIRECTORY</c>), listed it from that descriptor, and opens the file inside its folder's descriptor refusing a
    /// link too: then nothing the walk reads can lie through a link, whatever is renamed or swapped while it runs. The
    /// path is the start joined with the names the walk listed. Where the walk cannot open that way, use the other
    /// overload. Without the host's check this is that overload. Thread-safe.
    /// </remarks>
    /// <param name="arguments">The invocation's arguments.</param>
    /// <param name="path">The file's absolute path, as the walk built it.</param>
    /// <param name="walkStart">The absolute path of the folder the walk started from (the one it opened by path).</param>
    /// <returns>The decision, with the reason when not allowed.</returns>
    public static ReadAccess CheckWalkedFileRead(this AIFunctionArguments arguments, string path, string walkStart)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(walkStart);
        return arguments.Context?.TryGetValue(WalkedTreeReadAccessKey, out var value) == true && value is Func<string, string, ReadAccess> check
            ? check(path, walkStart)
            : arguments.CheckWalkedFileRead(path);
    }

    /// <summary>
    /// Returns the sandbox the processes this call starts must run in, or <see langword="null"/> when the host wants
    /// none (<c>sandbox.mode: off</c>, or the tool ran outside the host). A sandbox whose backend cannot run here
    /// (<see cref="ProcessSandbox.IsAvailable"/>) says whether the process may run without it (<see cref="ProcessSandbox.Required"/>).
    /// </summary>
    /// <param name="arguments">The invocation's arguments.</param>
    /// <returns>The sandbox, or <see langword="null"/>.</returns>
    public static ProcessSandbox? GetProcessSandbox(this AIFunctionArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return arguments.Context?.TryGetValue(SandboxKey, out var value) == true ? value as ProcessSandbox : null;
    }

    /// <summary>
    /// Returns the complete environment the processes this call starts must get instead of the host's own, or
    /// <see langword="null"/> outside the host (then they inherit the host's). The host builds it so that its own secrets
    /// stay in its process: on a shared server an allow-list (<c>PATH</c>, <c>HOME</c>, the locale, <c>TERM</c>,
    /// <c>TMPDIR</c>, … and the names the admin lists in <c>server.session_env</c>); in the CLI the user's environment
    /// without the agent's settings (<c>AGENT_*</c>, its token variable) and secret-named variables (<c>*KEY*</c>,
    /// <c>*TOKEN*</c>, <c>*SECRET*</c>, <c>*PASSWORD*</c>) except those <c>shell.environment.include</c> names. A tool that
    /// starts processes for the model (a shell) gives it as the whole environment and adds only its own variables.
    /// </summary>
    /// <remarks>The dictionary is shared and read-only: copy it to change it. Thread-safe.</remarks>
    /// <param name="arguments">The invocation's arguments.</param>
    /// <returns>The environment, or <see langword="null"/>.</returns>
    public static IReadOnlyDictionary<string, string>? GetProcessEnvironment(this AIFunctionArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return arguments.Context?.TryGetValue(ProcessEnvironmentKey, out var value) == true ? value as IReadOnlyDictionary<string, string> : null;
    }

    /// <summary>Returns a <see cref="WorkspacePaths"/> for this invocation's workspace root.</summary>
    /// <param name="arguments">The invocation's arguments.</param>
    /// <returns>The path resolver.</returns>
    public static WorkspacePaths GetWorkspacePaths(this AIFunctionArguments arguments) => new(arguments.GetWorkspaceRoot());
}

/// <summary>Ignores progress: the sink of calls made outside the host.</summary>
internal sealed class NoProgress : IProgress<ToolProgress>
{
    public static readonly NoProgress Instance = new();

    public void Report(ToolProgress value)
    {
    }
}
