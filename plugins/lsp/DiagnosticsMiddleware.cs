using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using AgentHost.Plugins.Lsp.Tools;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Lsp;

/// <summary>
/// After <c>write</c>, <c>edit</c> and <c>multi_edit</c> change a file a language server handles, syncs it, waits
/// (bounded) for fresh diagnostics and appends a compact summary to the tool's result. The file tools know nothing
/// of this. A server that cannot start adds its message once, then stays quiet; the edit itself is never affected
/// (a failed edit gets no diagnostics; a <see cref="ToolResult"/> keeps its structured value and summary).
/// </summary>
internal sealed class DiagnosticsMiddleware(LspService lsp) : ToolMiddleware
{
    private static readonly HashSet<string> EditTools = new(StringComparer.Ordinal) { "write", "edit", "multi_edit" };
    private static readonly HashSet<string> RemovingTools = new(StringComparer.Ordinal) { "delete", "move" };
    private readonly ConcurrentDictionary<string, bool> _reported = new(StringComparer.Ordinal);

    protected override async ValueTask<object?> InvokeCoreAsync(ToolInvocationContext context, ToolInvocationHandler nextHandler, CancellationToken cancellationToken)
    {
        var result = await nextHandler(context, cancellationToken).ConfigureAwait(false);
        if (RemovingTools.Contains(context.Tool.Name))
        {
            await CloseRemovedAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        if (!EditTools.Contains(context.Tool.Name) || result is ToolResult { IsError: true } || context.WorkspaceRoot is not { } root
            || LspTools.Arg(context.Arguments, "path") is not { } path
            || context.Arguments.IsDryRun(DryRunArgument(context)))
        {
            return result;
        }

        var paths = new WorkspacePaths(root);
        if (paths.Resolve(path) is not { } full || !lsp.Manager.Serves(full) || !File.Exists(full))
        {
            return result;
        }

        var summary = new StringBuilder();
        try
        {
            var (results, problems) = await lsp.FreshDiagnosticsAsync(full, paths.Root, cancellationToken).ConfigureAwait(false);
            foreach (var (server, items, waited) in results.OrderBy(r => r.Server.Definition.Name, StringComparer.Ordinal))
            {
                if (items is null)
                {
                    summary.Append("LSP (").Append(server.Definition.Name).Append("): no diagnostics within ")
                        .Append(waited.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture))
                        .Append(" s; run lsp_diagnostics later to check.\n");
                }
                else
                {
                    DiagnosticsFormat.AppendFile(summary, paths.Relative(full), server.Definition.Name, items, lsp.Settings.MaxDiagnostics);
                }
            }

            foreach (var problem in problems.Where(p => _reported.TryAdd(p, true)))
            {
                summary.Append("LSP: ").Append(problem).Append('\n');
            }
        }
        catch (Exception ex) when (ex is IOException or AgentHost.Common.JsonRpc.JsonRpcConnectionClosedException or AgentHost.Common.JsonRpc.JsonRpcException or ToolException)
        {
            summary.Append("LSP: diagnostics unavailable (").Append(ex.Message).Append(").\n");
        }

        return summary.Length == 0 ? result : ToolResult.AppendText(result, "\n\n" + summary.ToString().TrimEnd());
    }

    /// <summary>After a delete or move, closes the documents whose files are gone (servers then drop their diagnostics).</summary>
    private async Task CloseRemovedAsync(CancellationToken cancellationToken)
    {
        foreach (var server in lsp.Manager.Running)
        {
            foreach (var path in server.OpenDocuments.Where(p => !File.Exists(p)))
            {
                try
                {
                    await server.CloseAsync(path, cancellationToken).ConfigureAwait(false);
                }
                catch (AgentHost.Common.JsonRpc.JsonRpcConnectionClosedException)
                {
                    // The server is gone; nothing to close.
                }
            }
        }
    }

    private static bool? DryRunArgument(ToolInvocationContext context) =>
        context.Arguments.TryGetValue("dry_run", out var value) ? value switch
        {
            bool b => b,
            JsonElement { ValueKind: JsonValueKind.True } => true,
            JsonElement { ValueKind: JsonValueKind.False } => false,
            _ => null,
        } : null;

}
