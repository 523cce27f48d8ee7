using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AgentHost.Hosting.Security;
using AgentHost.Sessions;
using AgentHost.Sessions.Journal;
using AgentHost.Sessions.Sql;
using AgentHost.Sessions.Store;
using AgentHost.Sessions.Transfer;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace AgentHost.Benchmarks;

/// <summary>
/// <see cref="ConversationLog.GetHistoryAsync"/>: one 100-message page of a 100,000-message session, the first page and
/// a page in the middle (its cursor taken from the page before it), against a raw Microsoft.Data.Sqlite keyset query
/// of the same 100 rows on the same database (one open connection, a prepared command, columns read as stored).
/// </summary>
/// <remarks>
/// The ratio is the cost of the store's per-call work: a pooled connection and its pragmas, a read transaction, the
/// session existence check, the keyset query and decoding every row's parts into Microsoft.Extensions.AI contents. A
/// second reference, the raw query plus decoding the same 100 rows into <see cref="ChatMessage"/>s, separates the
/// decoding (unavoidable) from the rest.
/// GlobalSetup fills the database through the public API with the fewest round trips it allows: a seed session of
/// four typical messages (prompt, assistant text + tool call, tool result, answer) is written with
/// <see cref="ConversationLog.AppendMessageAsync"/>, exported as JSON Lines, repeated to 100,000 messages and imported
/// with <see cref="SessionTransfer.ImportJsonlAsync"/>, which writes them in one transaction.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
public class SessionHistoryBenchmarks
{
    public const int SessionMessages = 100_000;
    public const int PageSize = 100;
    private const long MiddleAfter = SessionMessages / 2;

    private string _folder = string.Empty;
    private SessionStore _store = null!;
    private string _sessionId = string.Empty;
    private string? _middleCursor;
    private SqliteConnection _raw = null!;
    private SqliteCommand _rawCommand = null!;

    [GlobalSetup]
    public void Setup()
    {
        var clock = Stopwatch.StartNew();
        _folder = Path.Combine(Path.GetTempPath(), "agent-bench-history-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        Directory.CreateDirectory(_folder);
        var database = Path.Combine(_folder, "sessions.db");
        _store = SessionStore.OpenAsync(database, SecretScrubber.PatternsOnly).GetAwaiter().GetResult();
        _sessionId = Populate().GetAwaiter().GetResult();

        // The middle page's cursor comes from the page before it, as a client paging through would get it.
        var before = _store.Conversation.GetHistoryAsync(_sessionId, HistoryKind.Messages, PageSize, Cursor(MiddleAfter - PageSize)).GetAwaiter().GetResult();
        _middleCursor = before.NextCursor;

        _raw = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        _raw.Open();
        _rawCommand = _raw.CreateCommand();
        _rawCommand.CommandText = StorePageSql();
        _rawCommand.Parameters.AddWithValue("$id", _sessionId);
        _rawCommand.Parameters.AddWithValue("$after", MiddleAfter);
        _rawCommand.Parameters.AddWithValue("$limit", PageSize);
        _rawCommand.Prepare();

        // Fail fast unless every variant reads the same 100 rows.
        var first = GetFirstPage().GetAwaiter().GetResult();
        var middle = GetMiddlePage().GetAwaiter().GetResult();
        var rawSequences = RawSequences();
        if (first.Messages.Count != PageSize || first.Messages[0].Sequence != 1 || first.NextCursor != Cursor(PageSize)
            || middle.Messages.Count != PageSize || middle.Messages[0].Sequence != MiddleAfter + 1 || RawPage() != PageSize
            || !middle.Messages.Select(m => m.Sequence).SequenceEqual(rawSequences)
            || middle.Messages.SelectMany(m => m.Message.Contents).OfType<FunctionCallContent>().Count() != PageSize / 4
            || RawPageDecoded().SelectMany(m => m.Contents).OfType<FunctionCallContent>().Count() != PageSize / 4)
        {
            throw new InvalidOperationException("the history pages are not the expected 100 messages");
        }

        Console.WriteLine($"// SessionHistoryBenchmarks setup: {SessionMessages:N0} messages in {clock.Elapsed.TotalSeconds:F1} s, database {new FileInfo(database).Length / (1024.0 * 1024.0):F1} MiB");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rawCommand.Dispose();
        _raw.Dispose();
        _store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw SQLite keyset query, 100 rows (middle)")]
    public int RawPage()
    {
        var rows = 0;
        using var reader = _rawCommand.ExecuteReader();
        while (reader.Read())
        {
            // Every column read as stored (the store decodes parts and properties as well).
            _ = reader.GetString(0);
            _ = reader.GetString(1);
            _ = reader.GetInt64(2);
            _ = reader.GetString(3);
            _ = reader.IsDBNull(4) ? null : reader.GetString(4);
            _ = reader.GetString(5);
            _ = reader.IsDBNull(6) ? null : reader.GetString(6);
            _ = reader.GetInt64(7);
            _ = reader.GetInt64(8);
            rows++;
        }

        return rows;
    }

    [Benchmark(Description = "raw SQLite keyset query + decoding the 100 messages")]
    public List<ChatMessage> RawPageDecoded()
    {
        // What the store must do at least: the same query, each row's parts and properties decoded into a ChatMessage.
        var messages = new List<ChatMessage>(PageSize);
        using var reader = _rawCommand.ExecuteReader();
        while (reader.Read())
        {
            messages.Add(new ChatMessage(new ChatRole(reader.GetString(3)), ContentCodec.DecodeContents(reader.GetString(5)))
            {
                AuthorName = reader.IsDBNull(4) ? null : reader.GetString(4),
                AdditionalProperties = ContentCodec.DecodeProperties(reader.IsDBNull(6) ? null : reader.GetString(6)),
                MessageId = reader.GetString(0),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
            });
        }

        return messages;
    }

    [Benchmark(Description = "GetHistoryAsync, 100 messages, middle page (cursor)")]
    public Task<HistoryPage> GetMiddlePage() => _store.Conversation.GetHistoryAsync(_sessionId, HistoryKind.Messages, PageSize, _middleCursor);

    [Benchmark(Description = "GetHistoryAsync, 100 messages, first page")]
    public Task<HistoryPage> GetFirstPage() => _store.Conversation.GetHistoryAsync(_sessionId, HistoryKind.Messages, PageSize);

    private static string Cursor(long sequence) => sequence.ToString(CultureInfo.InvariantCulture);

    private List<long> RawSequences()
    {
        var sequences = new List<long>(PageSize);
        using var reader = _rawCommand.ExecuteReader();
        while (reader.Read())
        {
            sequences.Add(reader.GetInt64(2));
        }

        return sequences;
    }

    /// <summary>Writes a seed session through the API, exports it and imports it repeated to <see cref="SessionMessages"/> messages.</summary>
    private async Task<string> Populate()
    {
        var seed = await _store.CreateSessionAsync(new NewSession(_folder, "scripted", "scripted/bench.yaml"));
        var call = new FunctionCallContent("call_1", "view", new Dictionary<string, object?> { ["path"] = "src/greet.py", ["offset"] = 1 });
        ChatMessage[] messages =
        [
            new(ChatRole.User, "Explain what src/greet.py does and whether it has tests."),
            new(ChatRole.Assistant, [new TextContent("Let me read the file first."), call]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "1\tdef greet(name: str) -> str:\n2\t    return f\"Hello, {name}!\"\n3\t\n4\t\n5\tif __name__ == \"__main__\":\n6\t    print(greet(\"AgentHost\"))")]),
            new(ChatRole.Assistant, "greet(name) returns a greeting; running the file prints it for AgentHost. There are no tests in the project."),
        ];
        foreach (var message in messages)
        {
            await _store.Conversation.AppendMessageAsync(seed.Id, message);
        }

        using var export = new StringWriter(CultureInfo.InvariantCulture);
        await _store.Transfer.ExportJsonlAsync(seed.Id, export);
        var lines = export.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var messageLines = lines.Where(l => JsonNode.Parse(l)?["type"]?.GetValue<string>() == "message").ToArray();
        if (messageLines.Length != messages.Length)
        {
            throw new InvalidOperationException($"the seed export has {messageLines.Length} message lines, expected {messages.Length}");
        }

        // The header's id is taken (by the seed), so the import gets a new session id and new message ids.
        var jsonl = new StringBuilder(lines[0].Length + (SessionMessages / messageLines.Length * messageLines.Sum(l => l.Length + 1)));
        jsonl.Append(lines[0]).Append('\n');
        for (var i = 0; i < SessionMessages; i++)
        {
            jsonl.Append(messageLines[i % messageLines.Length]).Append('\n');
        }

        var imported = await _store.Transfer.ImportJsonlAsync(new StringReader(jsonl.ToString()), "bench.jsonl");
        await _store.DeleteSessionAsync(seed.Id);
        if (imported.MessageCount != SessionMessages)
        {
            throw new InvalidOperationException($"the imported session has {imported.MessageCount} messages, expected {SessionMessages}");
        }

        return imported.Id;
    }

    /// <summary>
    /// The page query the store itself runs (<c>ConversationLog.MessagePageSql</c>), so the raw reference measures exactly
    /// the store's SQL. Sessions shows its internals only to its own tests (#45), so the benchmark reads the constant by
    /// reflection, and fails at setup if it is gone, rather than keeping a copy that could drift from the store's.
    /// </summary>
    private static string StorePageSql() =>
        typeof(ConversationLog).GetField("MessagePageSql", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)?.GetRawConstantValue() as string
        ?? throw new InvalidOperationException("ConversationLog.MessagePageSql is gone; point the raw reference at the store's page query again");
}
