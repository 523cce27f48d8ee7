using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using AgentHost.Tests.Support.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace AgentHost.Tests.Support;

/// <summary>
/// An OTLP collector for tests on 127.0.0.1 (Kestrel): OTLP/HTTP with protobuf bodies at <c>/v1/traces</c> and
/// <c>/v1/metrics</c> on <see cref="HttpEndpoint"/>, and OTLP/gRPC (HTTP/2 without TLS) on <see cref="GrpcEndpoint"/>.
/// It keeps every body it got (raw, for "this text is nowhere" checks) and decodes spans and metric points.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private const string GrpcTraces = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private const string GrpcMetrics = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Signal, string Transport, byte[] Body)> _bodies = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private OtlpReceiver(WebApplication app, Uri http, Uri grpc)
    {
        _app = app;
        HttpEndpoint = http;
        GrpcEndpoint = grpc;
    }

    /// <summary>The OTLP/HTTP base URL (the exporter appends <c>/v1/traces</c>).</summary>
    public Uri HttpEndpoint { get; }

    /// <summary>The OTLP/gRPC endpoint.</summary>
    public Uri GrpcEndpoint { get; }

    /// <summary>Every body received: signal (<c>traces</c>, <c>metrics</c>), transport (<c>http</c>, <c>grpc</c>) and the protobuf bytes.</summary>
    public IReadOnlyList<(string Signal, string Transport, byte[] Body)> Bodies => [.. _bodies];

    public IReadOnlyList<OtlpSpan> Spans => [.. Bodies.Where(b => b.Signal == "traces").SelectMany(b => OtlpDecoder.Traces(b.Body).Spans)];

    public IReadOnlyList<OtlpPoint> Points => [.. Bodies.Where(b => b.Signal == "metrics").SelectMany(b => OtlpDecoder.Metrics(b.Body).Points)];

    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Resources =>
        [.. Bodies.Select(b => b.Signal == "traces" ? OtlpDecoder.Traces(b.Body).Resource : OtlpDecoder.Metrics(b.Body).Resource)];

    public static async Task<OtlpReceiver> StartAsync()
    {
        var (httpPort, grpcPort) = (Ports.Free(), Ports.Free());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, httpPort, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app, new Uri($"http://127.0.0.1:{httpPort}"), new Uri($"http://127.0.0.1:{grpcPort}"));
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits until <paramref name="done"/> holds for what arrived (re-checked at every arrival), for up to a minute.</summary>
    public async Task WaitForAsync(Func<OtlpReceiver, bool> done, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!done(this))
        {
            try
            {
                await _arrived.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the OTLP receiver did not get {what}; it got {_bodies.Count} bodies: spans [{string.Join(", ", Spans.Select(s => s.Name))}], metrics [{string.Join(", ", Points.Select(p => p.Metric).Distinct())}]");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var path = context.Request.Path.Value;
        if (context.Request.Protocol == "HTTP/2" && path is GrpcTraces or GrpcMetrics)
        {
            // gRPC: a 5-byte prefix (compressed flag, big-endian length) before the message; answered with an empty
            // message and grpc-status 0 in the trailers.
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(1, 4));
            Record(path == GrpcTraces ? "traces" : "metrics", "grpc", body.AsSpan(5, length).ToArray());
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[5]);
            context.Response.AppendTrailer("grpc-status", "0");
            return;
        }

        if (context.Request.Method == "POST" && path is "/v1/traces" or "/v1/metrics" && context.Request.ContentType == "application/x-protobuf")
        {
            Record(path[4..], "http", body);
            context.Response.ContentType = "application/x-protobuf";
            return;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    private void Record(string signal, string transport, byte[] body)
    {
        _bodies.Enqueue((signal, transport, body));
        _arrived.Release();
    }
}
