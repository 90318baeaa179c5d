using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OrleansTenancy.Silo.Observability;

/// <summary>
/// The OpenTelemetry providers that push metrics (and traces) to an OTLP collector. Owned by the service
/// container: disposing it flushes what is pending and stops the export loop.
/// </summary>
internal sealed class OtlpTelemetryExport : IDisposable
{
    private readonly MeterProvider _meterProvider;
    private readonly TracerProvider? _tracerProvider;

    public OtlpTelemetryExport(TelemetryOptions options, OtlpTarget target)
    {
        var resource = ResourceBuilder.CreateDefault().AddService(options.ServiceName);
        var sourcePatterns = options.EffectiveMeterPrefixes.Select(p => p + "*").ToArray();

        _meterProvider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(sourcePatterns)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = target.SignalEndpoint("v1/metrics");
                exporter.Protocol = target.Protocol;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds =
                    (int)Math.Max(1, options.OtlpExportInterval.TotalMilliseconds);
            })
            .Build();

        if (options.ExportTraces)
        {
            _tracerProvider = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource(sourcePatterns)
                .AddOtlpExporter(exporter =>
                {
                    exporter.Endpoint = target.SignalEndpoint("v1/traces");
                    exporter.Protocol = target.Protocol;
                })
                .Build();
        }
    }

    public void Dispose()
    {
        _tracerProvider?.Dispose();
        _meterProvider.Dispose();
    }
}

/// <summary>Where OTLP data goes: a base endpoint and the transport.</summary>
internal sealed record OtlpTarget(Uri BaseEndpoint, OtlpExportProtocol Protocol)
{
    /// <summary>
    /// The endpoint for one signal. gRPC takes the base as is; OTLP/HTTP needs the signal path, which the
    /// exporter does not add to an endpoint set in code.
    /// </summary>
    public Uri SignalEndpoint(string signalPath)
    {
        if (Protocol != OtlpExportProtocol.HttpProtobuf)
            return BaseEndpoint;
        var text = BaseEndpoint.AbsoluteUri;
        return new Uri(text.EndsWith('/') ? text + signalPath : text + "/" + signalPath);
    }
}
