using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Telemetry;
using AgentHost.Tests.Support;

namespace AgentHost.Hosting.Tests.Telemetry;

/// <summary>Telemetry is off by default; the standard OTEL_* variables or the telemetry.* keys turn and set it; keys win; bad values are clear errors.</summary>
public sealed class TelemetrySettingsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Off_ByDefault()
    {
        Assert.False(Read().Enabled);
    }

    [Fact]
    public void AnOtlpEndpointVariable_TurnsItOn_WithTheSdksDefaultsAndTheServiceNameVariable()
    {
        var settings = Read(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318", ["OTEL_SERVICE_NAME"] = "ci-agent" });

        Assert.True(settings.Enabled);
        Assert.Null(settings.Endpoint); // the SDK reads the variable itself
        Assert.Null(settings.Protocol);
        Assert.Equal("ci-agent", settings.ServiceName);
        Assert.True(settings.Traces && settings.Metrics && settings.Prometheus);
    }

    [Fact]
    public void SdkDisabled_OrEnabledFalse_TurnItOff_AndNoneTurnsASignalOff()
    {
        var endpoint = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318" };

        Assert.False(Read(new(endpoint) { ["OTEL_SDK_DISABLED"] = "true" }).Enabled);
        Assert.False(Read(endpoint, "telemetry.enabled=false").Enabled);
        var noTraces = Read(new(endpoint) { ["OTEL_TRACES_EXPORTER"] = "none" });
        Assert.True(noTraces.Enabled);
        Assert.False(noTraces.Traces);
        Assert.True(noTraces.Metrics);
    }

    [Fact]
    public void Keys_WinOverTheVariables()
    {
        var settings = Read(
            new() { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc", ["OTEL_SERVICE_NAME"] = "from-env", ["OTEL_METRICS_EXPORTER"] = "none" },
            "telemetry.enabled=true", "telemetry.otlp.endpoint=http://collector:4318", "telemetry.otlp.protocol=http/protobuf",
            "telemetry.service_name=from-key", "telemetry.metrics=true", "telemetry.prometheus=false");

        Assert.True(settings.Enabled);
        Assert.Equal(new Uri("http://collector:4318"), settings.Endpoint);
        Assert.Equal(OtlpProtocol.HttpProtobuf, settings.Protocol);
        Assert.Equal("from-key", settings.ServiceName);
        Assert.True(settings.Metrics);
        Assert.False(settings.Prometheus);
    }

    [Theory]
    [InlineData("OTEL_TRACES_EXPORTER", "zipkin", "OTEL_TRACES_EXPORTER=zipkin")]
    [InlineData("OTEL_METRICS_EXPORTER", "otlp,prometheus", "'prometheus' is not supported")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", "does not send OTLP/JSON")]
    [InlineData("OTEL_SDK_DISABLED", "maybe", "expected true or false")]
    public void AnUnsupportedVariable_IsAConfigurationErrorNamingIt(string variable, string value, string message)
    {
        var error = Assert.Throws<AgentHostException>(() => Read(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318", [variable] = value }));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("telemetry.enabled=yes", "telemetry.enabled")]
    [InlineData("telemetry.otlp.protocol=http/json", "telemetry.otlp.protocol")]
    [InlineData("telemetry.otlp.endpoint=collector:4317", "telemetry.otlp.endpoint")]
    [InlineData("telemetry.exporter=zipkin", "telemetry.exporter")]
    public void AnInvalidKey_IsAConfigurationErrorNamingIt(string flag, string key)
    {
        var configuration = Resolve(null, flag);

        Assert.Contains(configuration.Problems, p => p.IsError && p.ToString().Contains(key, StringComparison.Ordinal));
    }

    private TelemetrySettings Read(Dictionary<string, string>? variables = null, params string[] flags)
    {
        var configuration = Resolve(variables, flags);
        Assert.False(configuration.HasErrors, string.Join('\n', configuration.Problems));
        return TelemetrySettings.From(configuration, Environment(variables));
    }

    private ConfigurationSnapshot Resolve(Dictionary<string, string>? variables, params string[] flags)
    {
        var environment = Environment(variables);
        return ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), flags);
    }

    private HostEnvironment Environment(Dictionary<string, string>? variables)
    {
        Directory.CreateDirectory(_temp.Combine("work"));
        return TestEnvironment.Create(_temp.Path, _temp.Combine("work"), variables);
    }
}
