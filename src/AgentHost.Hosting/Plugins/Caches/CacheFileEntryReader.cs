using System.Text;
using System.Text.Json;

namespace AgentHost.Hosting.Plugins.Caches;

/// <content>The streaming reader of <see cref="ReadEntries"/>.</content>
internal static partial class CacheFile
{
    /// <summary>
    /// Reads <c>{"version": N, "SECTION": {"key": value, …}}</c> (other top-level properties skipped) from a stream
    /// through a buffer that grows only when one entry does not fit in it.
    /// </summary>
    private sealed class EntryReader(Stream stream, string section)
    {
        private const int FirstBufferSize = 16 * 1024;
        private readonly byte[] _sectionName = Encoding.UTF8.GetBytes(section);
        private readonly List<KeyValuePair<string, JsonElement>> _entries = [];
        private byte[] _buffer = new byte[FirstBufferSize];
        private int _start;
        private int _end;
        private bool _final;
        private JsonReaderState _state;
        private Place _place = Place.BeforeRoot;
        private string? _pendingKey;
        private int? _version;
        private bool _sawSection;

        private enum Place
        {
            BeforeRoot,
            InRoot,
            AtVersion,
            AtOther,
            AtSection,
            InSection,
            AtEntry,
            Done,
        }

        public List<KeyValuePair<string, JsonElement>> Read(int version)
        {
            while (_place != Place.Done)
            {
                Fill();
                var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
                var progressed = Step(ref reader);
                _start += (int)reader.BytesConsumed;
                _state = reader.CurrentState;
                if (!progressed && _place != Place.Done)
                {
                    if (_final)
                    {
                        throw new JsonException("the cache file ends inside its JSON");
                    }

                    Grow();
                }
            }

            return _version == version && _sawSection ? _entries : throw new InvalidDataException($"not a version {version} cache file with '{section}'");
        }

        /// <summary>Reads every token the buffer holds whole; whether it read any.</summary>
        private bool Step(ref Utf8JsonReader reader)
        {
            var progressed = false;
            while (_place != Place.Done)
            {
                if (_place is Place.AtEntry or Place.AtOther)
                {
                    // A value read whole or not at all: an entry, or a top-level property this reader does not know.
                    if (_place == Place.AtEntry)
                    {
                        if (!JsonElement.TryParseValue(ref reader, out var value))
                        {
                            return progressed;
                        }

                        _entries.Add(new(_pendingKey!, value.Value));
                        _place = Place.InSection;
                    }
                    else
                    {
                        // On a copy: a value that is not all in the buffer is read again, whole, after the refill.
                        var probe = reader;
                        if (!probe.Read() || !probe.TrySkip())
                        {
                            return progressed;
                        }

                        reader = probe;
                        _place = Place.InRoot;
                    }

                    progressed = true;
                    continue;
                }

                if (!reader.Read())
                {
                    return progressed;
                }

                progressed = true;
                _place = Next(ref reader);
            }

            return true;
        }

        private Place Next(ref Utf8JsonReader reader) => (_place, reader.TokenType) switch
        {
            (Place.BeforeRoot, JsonTokenType.StartObject) => Place.InRoot,
            (Place.InRoot, JsonTokenType.PropertyName) when reader.ValueTextEquals("version") => Place.AtVersion,
            (Place.InRoot, JsonTokenType.PropertyName) when reader.ValueTextEquals(_sectionName) => Place.AtSection,
            (Place.InRoot, JsonTokenType.PropertyName) => Place.AtOther,
            (Place.InRoot, JsonTokenType.EndObject) => Place.Done,
            (Place.AtVersion, _) => Version(ref reader),
            (Place.AtSection, JsonTokenType.StartObject) => Section(),
            (Place.InSection, JsonTokenType.PropertyName) => Entry(ref reader),
            (Place.InSection, JsonTokenType.EndObject) => Place.InRoot,
            _ => throw new InvalidDataException($"not a cache file with '{section}' ({reader.TokenType} where it was not expected)"),
        };

        private Place Version(ref Utf8JsonReader reader)
        {
            _version = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number) ? number : null;
            return Place.InRoot;
        }

        private Place Section()
        {
            _sawSection = true;
            return Place.InSection;
        }

        private Place Entry(ref Utf8JsonReader reader)
        {
            _pendingKey = reader.GetString();
            return Place.AtEntry;
        }

        /// <summary>Moves what is left to the front and reads more after it.</summary>
        private void Fill()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            while (!_final && _end < _buffer.Length)
            {
                var read = stream.Read(_buffer, _end, _buffer.Length - _end);
                if (read == 0)
                {
                    _final = true;
                }

                _end += read;
            }
        }

        /// <summary>One entry (or token) larger than the buffer: twice the room.</summary>
        private void Grow()
        {
            if (_start == 0 && _end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }
    }
}
