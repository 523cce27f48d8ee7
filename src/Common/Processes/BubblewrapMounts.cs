using AgentHost.Sdk.Tools;

namespace AgentHost.Common.Processes;

/// <summary>
/// The mounts bubblewrap makes over the read-only root for one <see cref="ProcessSandbox"/>: writable folders
/// (<c>--bind</c>), read-only places (<c>--ro-bind</c> over themselves) and hidden places (an empty read-only
/// <c>tmpfs</c> for a folder, <c>/dev/null</c> for anything else), in order of depth, shallowest first, so that the
/// deepest place decides: the session's root is writable inside a hidden folder of roots (bwrap makes the folders
/// leading to it in the empty <c>tmpfs</c>), a plugin folder is readable inside the hidden data folder, a <c>.env</c> file
/// is hidden inside the writable root. At one path the kinds keep the order writable, read-only, hidden. A hidden
/// folder's <c>tmpfs</c> is made read-only last, once the mounts inside it exist. Paths that do not exist are left
/// alone, and so is a hidden place inside a hidden folder with nothing mounted between them. The folders between a
/// writable folder and a kept place inside it (<c>.git</c>, the folder of a <c>.env</c>) are bound over themselves, so
/// that they cannot be moved aside.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class BubblewrapMounts
{
    private enum Kind
    {
        Writable,
        ReadOnly,
        Hidden,
    }

    private sealed record Mount(string Path, Kind Kind, bool IsFolder);

    /// <summary>Adds the mounts of <paramref name="sandbox"/> (and the host's sockets to hide, and the proxy socket to keep) to <paramref name="args"/>.</summary>
    /// <param name="args">bwrap's arguments so far.</param>
    /// <param name="sandbox">The sandbox.</param>
    /// <param name="hostSockets">The host's sockets to hide besides <see cref="ProcessSandbox.HiddenPaths"/>.</param>
    /// <param name="proxySocket">The network proxy's socket (real path), bound read-only over itself, or <see langword="null"/>.</param>
    public static void Add(List<string> args, ProcessSandbox sandbox, IReadOnlyList<string> hostSockets, string? proxySocket)
    {
        List<Mount> mounts = [];
        foreach (var path in sandbox.WritablePaths.Append(sandbox.TempDirectory).OfType<string>().Where(Directory.Exists).Select(Bubblewrap.Real))
        {
            mounts.Add(new Mount(path, Kind.Writable, IsFolder: true));
        }

        // Absent folders and git files were made by the launcher (AbsentPlaces.MakePlaces): kept read-only like the others.
        var readOnly = sandbox.ReadOnlyPaths.Concat(sandbox.AbsentPaths.Select(AbsentPlaces.Trim)).Where(Path.Exists).Select(Bubblewrap.Real);
        foreach (var path in proxySocket is null ? readOnly : readOnly.Append(proxySocket))
        {
            // Bound over itself: the command can write the session's temporary folder, not remove or replace the socket.
            mounts.Add(new Mount(path, Kind.ReadOnly, Directory.Exists(path)));
        }

        foreach (var path in sandbox.HiddenPaths.Concat(hostSockets).Where(Path.Exists).Select(Bubblewrap.Real))
        {
            mounts.Add(new Mount(path, Kind.Hidden, Directory.Exists(path)));
        }

        // The folders holding a kept or hidden place inside a writable folder are bound over themselves (writable, as
        // they were): a mount point cannot be renamed or removed, so `mv .git .git-x` cannot take the read-only config
        // and hooks away and leave a new .git of the command's making in their place. Not inside a hidden folder: a bind
        // there would show what the empty folder hides.
        var writableFolders = mounts.Where(mount => mount.Kind == Kind.Writable).Select(mount => mount.Path).ToList();
        var hiddenPlaces = mounts.Where(mount => mount.Kind == Kind.Hidden).Select(mount => mount.Path).ToList();
        var holders = mounts.Where(mount => mount.Kind != Kind.Writable)
            .SelectMany(mount => writableFolders.Where(folder => SandboxPathOrder.IsStrictlyInside(mount.Path, folder))
                .SelectMany(folder => SandboxPathOrder.AncestorsUpTo(mount.Path, folder).Where(holder => holder != folder)))
            .Where(holder => !hiddenPlaces.Any(hidden => SandboxPathOrder.IsInside(holder, hidden)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        mounts.AddRange(holders.Select(holder => new Mount(holder, Kind.Writable, IsFolder: true)));

        var unique = mounts.DistinctBy(mount => (mount.Path, mount.Kind)).ToList();
        List<string> remount = [];
        foreach (var mount in unique.OrderBy(mount => Depth(mount.Path)).Where(mount => mount.Kind != Kind.Hidden || !Covered(mount, unique)))
        {
            switch (mount.Kind)
            {
                case Kind.Writable:
                    args.AddRange(["--bind", mount.Path, mount.Path]);
                    break;
                case Kind.ReadOnly:
                    args.AddRange(["--ro-bind", mount.Path, mount.Path]);
                    break;
                case Kind.Hidden when mount.IsFolder:
                    args.AddRange(["--tmpfs", mount.Path]);
                    remount.Add(mount.Path);
                    break;
                default:
                    args.AddRange(["--ro-bind", "/dev/null", mount.Path]);
                    break;
            }
        }

        // Deepest first: a tmpfs is read-only only after every mount inside it was made.
        foreach (var path in Enumerable.Reverse(remount))
        {
            args.AddRange(["--remount-ro", path]);
        }
    }

    /// <summary>Whether a hidden place is inside a hidden folder with nothing else mounted between them (it is unseen already).</summary>
    private static bool Covered(Mount hidden, List<Mount> mounts)
    {
        var nearest = mounts
            .Where(other => !ReferenceEquals(other, hidden) && other.Path != hidden.Path && IsInside(hidden.Path, other.Path))
            .MaxBy(other => Depth(other.Path));
        return nearest is { Kind: Kind.Hidden, IsFolder: true };
    }

    private static bool IsInside(string path, string folder) => SandboxPathOrder.IsStrictlyInside(path, folder);

    private static int Depth(string path) => SandboxPathOrder.Depth(path);
}
