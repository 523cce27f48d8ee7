using System.Security.Cryptography;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Web;

/// <summary>
/// The <c>download</c> tool: saves a URL's body to a file inside the workspace root, streamed to a temporary file
/// beside the target and renamed into place only when complete and within the size cap.
/// </summary>
internal sealed class DownloadTool(HttpFetcher fetcher, WebSettings settings)
{
    public async Task<string> RunAsync(WorkspacePaths paths, string url, string path, bool overwrite, bool dryRun, CancellationToken cancellationToken)
    {
        var target = Target(paths, path, overwrite);
        var relative = paths.Relative(target);
        var uri = fetcher.Check(url);
        var replaces = File.Exists(target);
        if (dryRun)
        {
            return $"Dry run: would download {uri} to '{relative}'{(replaces ? ", replacing the existing file" : string.Empty)}. Nothing was downloaded or written.";
        }

        return await fetcher.GetAsync(uri, "*/*", settings.DownloadTimeout, (response, timer) => SaveAsync(paths, response, target, relative, overwrite, timer), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Resolves the target: inside the root (after <c>..</c> and links), not a folder, not in <c>.git</c>, and new unless overwriting.</summary>
    /// <exception cref="ToolException">The path is refused.</exception>
    public static string Target(WorkspacePaths paths, string? path, bool overwrite)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ToolException("path is empty; give a file path relative to the project root, such as downloads/report.pdf.");
        }

        var full = paths.Resolve(path)
            ?? throw new ToolException($"path: '{path}' is outside the project root; downloads are saved only inside {paths.Root}.");
        var relative = paths.Relative(full);
        if (Directory.Exists(full))
        {
            throw new ToolException($"path: '{path}' is a directory; give a file name inside it, such as {relative.TrimEnd('/')}/file.ext.");
        }

        if (relative.Split('/').Any(part => part.Equals(".git", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ToolException($"path: '{path}' is inside a .git folder, which tools never write (use git itself).");
        }

        if (File.Exists(full) && !overwrite)
        {
            throw new ToolException($"path: '{relative}' already exists; pass overwrite: true to replace it, or choose another path.");
        }

        return full;
    }

    private async Task<string> SaveAsync(WorkspacePaths paths, WebResponse response, string target, string relative, bool overwrite, StallTimer timer)
    {
        if (!response.Message.IsSuccessStatusCode)
        {
            throw HttpErrors.Status(response);
        }

        const string Hint = "Raise plugins.settings.web.max_download_bytes to allow larger files.";
        BodyReader.RefuseDeclaredSize(response, settings.MaxDownloadBytes, "max_download_bytes", Hint);
        var directory = Path.GetDirectoryName(target)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.download");
        var replaced = File.Exists(target);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size;
        var moved = false;
        try
        {
            FileStream file;
            try
            {
                // Folders created level by level and the temporary file's handle checked before a byte is written:
                // a folder swapped for a link cannot make the download land outside the workspace.
                file = paths.CreateNew(temp, 64 * 1024, useAsync: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ToolException($"could not create '{relative}': {ex.Message}");
            }

            await using (file.ConfigureAwait(false))
            {
                size = await BodyReader.CopyAsync(response, file, settings.MaxDownloadBytes, "max_download_bytes", Hint, timer, chunk => hash.AppendData(chunk.Span))
                    .ConfigureAwait(false);
                Write(relative, () => file.Flush(flushToDisk: true));
            }

            Write(relative, () =>
            {
                if (!overwrite && File.Exists(target))
                {
                    throw new ToolException($"path: '{relative}' was created by something else during the download; pass overwrite: true to replace it.");
                }

                paths.ReplaceWith(temp, target, overwrite);
            });
            moved = true;
        }
        finally
        {
            if (!moved)
            {
                TryDelete(temp);
            }
        }

        var type = response.Message.Content.Headers.ContentType?.MediaType ?? "no Content-Type";
        var from = response.Redirects.Count > 0 ? $" (redirected from {response.Redirects[0]})" : string.Empty;
        return $"{(replaced ? "Replaced" : "Saved")} '{relative}': {BodyReader.Size(size)}, {type}, SHA-256 {Convert.ToHexStringLower(hash.GetHashAndReset())}, from {response.Url}{from}.";
    }

    private static void Write(string relative, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"could not write '{relative}': {ex.Message}");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind as a hidden .download file; nothing else refers to it.
        }
    }
}
