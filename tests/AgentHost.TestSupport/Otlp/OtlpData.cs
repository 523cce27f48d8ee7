namespace AgentHost.Tests.Support.Otlp;

/// <summary>A span of an OTLP trace export: what tests assert on.</summary>
public sealed record OtlpSpan(string Scope, string Name, string TraceId, string SpanId, string ParentSpanId, int Kind, IReadOnlyDictionary<string, object?> Attributes, int StatusCode)
{
    public object? this[string attribute] => Attributes.GetValueOrDefault(attribute);

    /// <summary>The span's links: the trace and span id of each span it links to.</summary>
    public IReadOnlyList<(string TraceId, string SpanId)> Links { get; init; } = [];
}

/// <summary>One data point of an OTLP metric export (a sum or gauge value, or a histogram's count and sum).</summary>
public sealed record OtlpPoint(string Metric, string Unit, IReadOnlyDictionary<string, object?> Attributes, double Value, ulong Count);

/// <summary>
/// Decodes OTLP export requests (opentelemetry-proto, collector trace/metrics v1) from their protobuf bytes: resource
/// attributes, spans with their attributes, and metric data points. Field numbers follow the published OTLP protocol.
/// </summary>
public static class OtlpDecoder
{
    /// <summary>ExportTraceServiceRequest: resource_spans = 1; ResourceSpans: resource = 1, scope_spans = 2; ScopeSpans: scope = 1, spans = 2.</summary>
    public static (IReadOnlyDictionary<string, object?> Resource, IReadOnlyList<OtlpSpan> Spans) Traces(ReadOnlyMemory<byte> body)
    {
        var resource = new Dictionary<string, object?>();
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in ProtobufFields.Read(body).Where(f => f.Number == 1))
        {
            foreach (var field in resourceSpans.Message)
            {
                if (field.Number == 1)
                {
                    Attributes(field.Message, 1, resource);
                }
                else if (field.Number == 2)
                {
                    var scope = ScopeName(field.Message);
                    spans.AddRange(field.Message.Where(f => f.Number == 2).Select(s => Span(scope, s.Message)));
                }
            }
        }

        return (resource, spans);
    }

    /// <summary>
    /// ExportMetricsServiceRequest: resource_metrics = 1; ResourceMetrics: resource = 1, scope_metrics = 2; ScopeMetrics:
    /// metrics = 2; Metric: name = 1, unit = 3, gauge = 5, sum = 7, histogram = 9 (each: data_points = 1).
    /// </summary>
    public static (IReadOnlyDictionary<string, object?> Resource, IReadOnlyList<OtlpPoint> Points) Metrics(ReadOnlyMemory<byte> body)
    {
        var resource = new Dictionary<string, object?>();
        var points = new List<OtlpPoint>();
        foreach (var resourceMetrics in ProtobufFields.Read(body).Where(f => f.Number == 1))
        {
            foreach (var field in resourceMetrics.Message)
            {
                if (field.Number == 1)
                {
                    Attributes(field.Message, 1, resource);
                }
                else if (field.Number == 2)
                {
                    foreach (var metric in field.Message.Where(f => f.Number == 2).Select(f => f.Message))
                    {
                        var name = metric.FirstOrDefault(f => f.Number == 1)?.Text ?? string.Empty;
                        var unit = metric.FirstOrDefault(f => f.Number == 3)?.Text ?? string.Empty;
                        foreach (var data in metric.Where(f => f.Number is 5 or 7 or 9))
                        {
                            foreach (var point in data.Message.Where(f => f.Number == 1).Select(f => f.Message))
                            {
                                points.Add(data.Number == 9 ? HistogramPoint(name, unit, point) : NumberPoint(name, unit, point));
                            }
                        }
                    }
                }
            }
        }

        return (resource, points);
    }

    /// <summary>Span: trace_id = 1, span_id = 2, parent_span_id = 4, name = 5, kind = 6, attributes = 9, links = 13 (trace_id = 1, span_id = 2), status = 15 (code = 3).</summary>
    private static OtlpSpan Span(string scope, IReadOnlyList<ProtobufField> span)
    {
        var attributes = new Dictionary<string, object?>();
        Attributes(span, 9, attributes);
        var status = span.FirstOrDefault(f => f.Number == 15)?.Message.FirstOrDefault(f => f.Number == 3)?.Scalar ?? 0;
        return new OtlpSpan(
            scope,
            span.FirstOrDefault(f => f.Number == 5)?.Text ?? string.Empty,
            Hex(span, 1),
            Hex(span, 2),
            Hex(span, 4),
            (int)(span.FirstOrDefault(f => f.Number == 6)?.Scalar ?? 0),
            attributes,
            (int)status)
        {
            Links = [.. span.Where(f => f.Number == 13).Select(link => (Hex(link.Message, 1), Hex(link.Message, 2)))],
        };
    }

    /// <summary>NumberDataPoint: attributes = 7, as_double = 4, as_int = 6.</summary>
    private static OtlpPoint NumberPoint(string name, string unit, IReadOnlyList<ProtobufField> point)
    {
        var attributes = new Dictionary<string, object?>();
        Attributes(point, 7, attributes);
        var value = point.FirstOrDefault(f => f.Number == 4) is { } d ? d.AsDouble
            : point.FirstOrDefault(f => f.Number == 6) is { } i ? (long)i.Scalar
            : 0;
        return new OtlpPoint(name, unit, attributes, value, 1);
    }

    /// <summary>HistogramDataPoint: attributes = 9, count = 4, sum = 5.</summary>
    private static OtlpPoint HistogramPoint(string name, string unit, IReadOnlyList<ProtobufField> point)
    {
        var attributes = new Dictionary<string, object?>();
        Attributes(point, 9, attributes);
        return new OtlpPoint(name, unit, attributes, point.FirstOrDefault(f => f.Number == 5)?.AsDouble ?? 0, point.FirstOrDefault(f => f.Number == 4)?.Scalar ?? 0);
    }

    /// <summary>InstrumentationScope: name = 1.</summary>
    private static string ScopeName(IReadOnlyList<ProtobufField> scopeSpans) =>
        scopeSpans.FirstOrDefault(f => f.Number == 1)?.Message.FirstOrDefault(f => f.Number == 1)?.Text ?? string.Empty;

    /// <summary>KeyValue: key = 1, value = 2 (AnyValue).</summary>
    private static void Attributes(IReadOnlyList<ProtobufField> message, int field, Dictionary<string, object?> into)
    {
        foreach (var keyValue in message.Where(f => f.Number == field).Select(f => f.Message))
        {
            var key = keyValue.FirstOrDefault(f => f.Number == 1)?.Text ?? string.Empty;
            into[key] = keyValue.FirstOrDefault(f => f.Number == 2) is { } value ? Value(value.Message) : null;
        }
    }

    /// <summary>AnyValue: string = 1, bool = 2, int = 3, double = 4, array = 5 (values = 1), kvlist = 6, bytes = 7.</summary>
    private static object? Value(IReadOnlyList<ProtobufField> any)
    {
        var field = any.Count > 0 ? any[0] : null;
        return field?.Number switch
        {
            1 => field.Text,
            2 => field.Scalar != 0,
            3 => (long)field.Scalar,
            4 => field.AsDouble,
            5 => field.Message.Where(f => f.Number == 1).Select(f => Value(f.Message)).ToArray(),
            7 => field.Bytes.ToArray(),
            _ => null,
        };
    }

    private static string Hex(IReadOnlyList<ProtobufField> span, int number) =>
        span.FirstOrDefault(f => f.Number == number) is { } field ? Convert.ToHexStringLower(field.Bytes.Span) : string.Empty;
}
