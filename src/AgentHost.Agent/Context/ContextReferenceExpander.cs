using System.Text.RegularExpressions;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Text;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Sessions;

namespace AgentHost.Agent.Context;

/// <summary>
/// Resolves <c>@path</c> (an image file becomes an image part), <c>@dir/</c>, <c>@https://…</c>, MCP resource
/// (<c>@SERVER:URI</c>) and plugin (<c>@prefix:value</c>) references in a prompt or given with <c>--context</c>. Files
/// are inlined with caps, directories listed respecting .gitignore, URLs fetched with caps, MCP resources read from
/// the session's server. Paths must stay inside the workspace root (symlinks resolved), and what the project's agent
/// ignore files exclude (<see cref="AgentIgnoreFiles"/>: <c>.agentignore</c>, <c>.crushignore</c>) is not expanded
/// and is left out of directory listings.
/// </summary>
/// <remarks>
/// A reference is tried as, in this order: an <c>http(s)://</c> URL; <c>SERVER:URI</c> when SERVER is one of the
/// session's MCP servers (configured, whether or not it started: one that failed says why); <c>prefix:value</c> when a
/// plugin resolves that prefix; a path.
/// </remarks>
/// <param name="workspaceRoot">The project root.</param>
/// <param name="registry">Where plugin context resolvers are found.</param>
/// <param name="limits">Size limits.</param>
internal sealed partial class ContextReferenceExpander(string workspaceRoot, CapabilityRegistry registry, ContextLimits? limits = null)
{
    private readonly ContextLimits _limits = limits ?? new ContextLimits();
    private readonly WorkspacePaths _paths = new(workspaceRoot);

    /// <summary>
    /// The read decision for <c>@file</c>, <c>@dir/</c> and images (the permission rules, floor and sandbox, as for a
    /// tool's read); when <see langword="null"/> every file inside the root may be read. A refused file is not
    /// expanded: the prompt carries the reason instead.
    /// </summary>
    public Func<string, ReadAccess>? ReadCheck { get; init; }

    /// <summary>
    /// Fetches a URL reference through the registered <c>fetch</c> tool (the permission gate, domain rules, address
    /// guard and readability extraction of that tool): returns the page text, or throws
    /// <see cref="AgentHostException"/> saying why not. When <see langword="null"/>, URL references are not expanded.
    /// </summary>
    public Func<string, CancellationToken, Task<string>>? FetchUrl { get; init; }

    /// <summary>The session's MCP servers, for <c>@SERVER:URI</c>; when <see langword="null"/>, no reference is taken for a server's resource.</summary>
    internal IServerResources? McpResources { get; init; }

    /// <summary>Expands the references in <paramref name="prompt"/> plus the explicit ones.</summary>
    /// <param name="prompt">The prompt text.</param>
    /// <param name="explicitReferences">References from <c>--context</c> (with or without the leading <c>@</c>); these must resolve.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The expanded prompt.</returns>
    /// <exception cref="AgentHostException">An explicit reference could not be resolved (the message says why).</exception>
    public Task<ExpandedPrompt> ExpandAsync(string prompt, IReadOnlyList<string> explicitReferences, CancellationToken cancellationToken = default) =>
        ExpandAsync(prompt, explicitReferences, [], cancellationToken);

    /// <summary>Expands the references in <paramref name="prompt"/>, the explicit ones and the explicit images.</summary>
    /// <param name="prompt">The prompt text.</param>
    /// <param name="explicitReferences">References from <c>--context</c> (with or without the leading <c>@</c>); these must resolve.</param>
    /// <param name="images">Image files from <c>--image</c> (paths inside the project root, like <c>@file</c>); each must be an image within the size cap.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The expanded prompt; images are references of kind <see cref="ContextReferenceKind.Image"/>.</returns>
    /// <exception cref="AgentHostException">An explicit reference or image could not be resolved, or an image is too large (the message says why).</exception>
    public Task<ExpandedPrompt> ExpandAsync(string prompt, IReadOnlyList<string> explicitReferences, IReadOnlyList<string> images, CancellationToken cancellationToken = default) =>
        ExpandAsync(prompt, explicitReferences, images, [], cancellationToken);

    /// <summary>Expands the references in <paramref name="prompt"/>, the explicit ones, the explicit images and a client's attachments.</summary>
    /// <param name="prompt">The prompt text.</param>
    /// <param name="explicitReferences">References from <c>--context</c> (with or without the leading <c>@</c>); these must resolve.</param>
    /// <param name="images">Image files from <c>--image</c> (paths inside the project root, like <c>@file</c>); each must be an image within the size cap.</param>
    /// <param name="attachments">What a client attached beside the text (<see cref="PromptAttachment"/>); each must resolve.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The expanded prompt; images are references of kind <see cref="ContextReferenceKind.Image"/>.</returns>
    /// <exception cref="AgentHostException">An explicit reference, image or attachment could not be resolved, or an image is too large (the message says why).</exception>
    public async Task<ExpandedPrompt> ExpandAsync(string prompt, IReadOnlyList<string> explicitReferences, IReadOnlyList<string> images, IReadOnlyList<PromptAttachment> attachments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(explicitReferences);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(attachments);
        var references = new List<ContextReference>();
        var warnings = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in images.Select(i => i.TrimStart('@')))
        {
            if (seen.Add(image))
            {
                references.Add(await ResolveImageAsync(image, cancellationToken).ConfigureAwait(false));
            }
        }

        foreach (var reference in explicitReferences.Select(r => r.TrimStart('@')))
        {
            if (seen.Add(reference))
            {
                var resolved = await ResolveAsync(reference, cancellationToken).ConfigureAwait(false)
                    ?? throw new AgentHostException(ErrorKind.Usage, $"--context @{reference}: {await ExplainAsync(reference).ConfigureAwait(false)}");
                references.Add(resolved.Denied is { } denied ? throw new AgentHostException(ErrorKind.Usage, $"--context @{reference}: {denied}") : resolved);
            }
        }

        for (var i = 0; i < attachments.Count; i++)
        {
            var attached = await ResolveAttachmentAsync(attachments[i], i, cancellationToken).ConfigureAwait(false);
            if (seen.Add(attached.Reference) || attached.Kind == ContextReferenceKind.Image)
            {
                references.Add(attached);
            }
        }

        foreach (Match match in InlineReference().Matches(prompt))
        {
            var reference = match.Groups["ref"].Value.TrimEnd('.', ',', ';', ':', ')', '!', '?');
            if (reference.Length == 0 || !seen.Add(reference))
            {
                continue;
            }

            if (await ResolveAsync(reference, cancellationToken).ConfigureAwait(false) is { } resolved)
            {
                references.Add(resolved);
                if (resolved.Denied is { } denied)
                {
                    warnings.Add($"@{reference} was not included: {denied}");
                }
            }
            else
            {
                warnings.Add($"@{reference} was left as text: {await ExplainAsync(reference).ConfigureAwait(false)}");
            }
        }

        return new ExpandedPrompt(prompt, references, warnings);
    }

    private async Task<ContextReference?> ResolveAsync(string reference, CancellationToken cancellationToken)
    {
        if (reference.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || reference.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return await UrlContext.FetchAsync(FetchUrl, reference, _limits, cancellationToken).ConfigureAwait(false);
        }

        if (McpResources is { } mcp && await mcp.ResolveAsync(reference, _limits, cancellationToken).ConfigureAwait(false) is { } resource)
        {
            return resource;
        }

        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && registry.Find(CapabilityKind.ContextResolver, reference[..colon]) is { Capability: ContextResolverCapability plugin })
        {
            var resolved = await plugin.Resolver.ResolveAsync(reference[(colon + 1)..], _paths.Root, cancellationToken).ConfigureAwait(false);
            return resolved is null ? null : new ContextReference(reference, ContextReferenceKind.Plugin, resolved.Title, Cap(resolved.Content, out var cut)) { Truncated = cut };
        }

        if (_paths.Resolve(reference) is not { } full)
        {
            return null;
        }

        var kind = Directory.Exists(full) ? ContextReferenceKind.Directory : ContextReferenceKind.File;
        if (ExcludedBy(reference, full) is { } ignoreFile)
        {
            return Excluded(reference, kind, ignoreFile);
        }

        if (ReadCheck?.Invoke(full) is { Allowed: false } refused)
        {
            return Refused(reference, kind, refused);
        }

        if (Directory.Exists(full))
        {
            return await DirectoryContext.ListAsync(_paths, reference, full, _limits, cancellationToken).ConfigureAwait(false);
        }

        return File.Exists(full) ? await FileContext.ReadAsync(_paths, reference, full, _limits, cancellationToken).ConfigureAwait(false) : null;
    }

    private async Task<ContextReference> ResolveImageAsync(string path, CancellationToken cancellationToken)
    {
        if (_paths.Resolve(path) is not { } full || !File.Exists(full))
        {
            var given = Path.GetFullPath(path, _paths.Root);
            throw new AgentHostException(ErrorKind.Usage, $"--image {path}: " + (
                Directory.Exists(given) ? $"'{path}' is a directory, not an image file"
                : File.Exists(given) ? await ExplainAsync(path).ConfigureAwait(false)
                : $"no file '{path}' in {_paths.Root} (paths are relative to the project root)"));
        }

        if (ExcludedBy(path, full) is { } ignoreFile)
        {
            throw new AgentHostException(ErrorKind.Usage, $"--image {path}: {ExcludedReason(path, ignoreFile)}");
        }

        if (ReadCheck?.Invoke(full) is { Allowed: false } refused)
        {
            throw new AgentHostException(ErrorKind.Usage, $"--image {path}: reading it is not allowed: {refused.Reason}");
        }

        var resolved = await FileContext.ReadAsync(_paths, path, full, _limits, cancellationToken).ConfigureAwait(false);
        return resolved.Kind == ContextReferenceKind.Image
            ? resolved
            : throw new AgentHostException(ErrorKind.Usage, $"--image {path}: not a {ImageFormats.Names} image (judged by its first bytes, not its name). Attach other files with @{path} or --context {path}.");
    }

    /// <summary>A reference the read rules refuse: not expanded; the model is told why (and so is the user, by a warning).</summary>
    private static ContextReference Refused(string reference, ContextReferenceKind kind, ReadAccess refused) =>
        new(reference, kind, reference, $"(not included: reading {reference} is not allowed: {refused.Reason})") { Denied = refused.Reason };

    /// <summary>
    /// A reference the project's agent ignore files exclude (<see cref="AgentIgnoreFiles"/>, as the files plugin's tools
    /// refuse it): not expanded; the model and the user are told which ignore file keeps it out.
    /// </summary>
    private static ContextReference Excluded(string reference, ContextReferenceKind kind, string ignoreFile)
    {
        var reason = ExcludedReason(reference, ignoreFile);
        return new(reference, kind, reference, $"(not included: {reason})") { Denied = reason };
    }

    private static string ExcludedReason(string reference, string ignoreFile) =>
        $"'{reference}' is excluded by the project's {ignoreFile}, which keeps it out of the agent's reach; to include it, take its pattern out of that file";

    /// <summary>
    /// The agent ignore file that excludes the reference, judged by the path as written and by where it leads (a link
    /// into an excluded folder is excluded too); <see langword="null"/> when neither is excluded.
    /// </summary>
    private string? ExcludedBy(string reference, string full)
    {
        var ignore = new AgentIgnoreFiles(_paths.Root);
        var isDirectory = Directory.Exists(full);
        var written = Path.GetRelativePath(_paths.Root, Path.GetFullPath(reference, _paths.Root));
        var writtenInside = written != ".." && !written.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.IsPathRooted(written);
        return (writtenInside ? ignore.ExcludedBy(written, isDirectory) : null) ?? ignore.ExcludedBy(_paths.Relative(full), isDirectory);
    }

    private async Task<string> ExplainAsync(string reference)
    {
        if (reference.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || reference.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return "the URL could not be fetched";
        }

        if (reference.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 && reference.Contains("://", StringComparison.Ordinal))
        {
            var servers = McpResources is { } resources ? await resources.ServerNamesAsync().ConfigureAwait(false) : [];
            return $"no MCP server '{reference[..colon]}' in this session ({(servers.Count > 0 ? "its servers: " + string.Join(", ", servers) : "it has none; 'agent mcp list' shows what is configured")}), and no context resolver for it";
        }

        var full = Path.GetFullPath(reference, _paths.Root);
        return _paths.Resolve(reference) is null && (File.Exists(full) || Directory.Exists(full))
            ? $"'{reference}' is outside the project root {_paths.Root}"
            : $"no file or directory '{reference}' in {_paths.Root}, and no context resolver for it";
    }

    private string Cap(string text, out bool truncated) => TextCaps.HeadAndTail(text, _limits.MaxCharacters, out truncated);

    [GeneratedRegex(@"(?<=^|\s)@(?<ref>[^\s@]+)")]
    private static partial Regex InlineReference();
}

/// <summary>Size limits for context references.</summary>
internal sealed record ContextLimits
{
    /// <summary>Maximum characters per reference (head and tail kept).</summary>
    public int MaxCharacters { get; init; } = 100_000;

    /// <summary>Maximum entries in a directory listing.</summary>
    public int MaxEntries { get; init; } = 500;

    /// <summary>Maximum bytes downloaded for a URL.</summary>
    public int MaxDownloadBytes { get; init; } = 2_000_000;

    /// <summary>Maximum bytes of one attached image (<c>@shot.png</c>, <c>--image</c>): 5 MiB.</summary>
    public int MaxImageBytes { get; init; } = ImageFormats.DefaultMaxImageBytes;
}
