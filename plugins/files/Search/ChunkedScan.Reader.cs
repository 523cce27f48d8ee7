using Microsoft.Win32.SafeHandles;

namespace AgentHost.Plugins.Files.Search;

/// <content>How grep's first pass reads a file.</content>
internal static partial class ChunkedScan
{
    /// <summary>Reads a file from the start: <see cref="NativeFile"/> on Linux, .NET's API elsewhere.</summary>
    private sealed class Reader : IDisposable
    {
        private readonly string _path;
        private readonly int _fd = -1;
        private readonly bool _ownsFd;
        private readonly SafeFileHandle? _handle;

        public Reader(string path)
        {
            _path = path;
            if (NativeFile.IsSupported)
            {
                _fd = NativeFile.OpenForReading(path);
                _ownsFd = true;
            }
            else
            {
                _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
        }

        /// <summary>Reads through a descriptor the caller opened (and closes).</summary>
        public Reader(string path, int fd)
        {
            _path = path;
            _fd = fd;
        }

        /// <summary>Reads at <paramref name="offset"/>, which is where the previous read ended.</summary>
        public int Read(Span<byte> target, long offset) =>
            _handle is null ? NativeFile.ReadSome(_fd, target, offset, _path) : RandomAccess.Read(_handle, target, offset);

        public void Dispose()
        {
            if (_handle is not null)
            {
                _handle.Dispose();
            }
            else if (_ownsFd && _fd >= 0)
            {
                NativeFile.CloseFile(_fd);
            }
        }
    }
}
