using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OrleansTenancy.Silo.Observability;

/// <summary>
/// OTLP export of metrics (and traces) through OpenTelemetry's hosting: the providers start with the host and, when
/// the container is disposed, flush what is pending and stop.
/// </summary>
internal static class OtlpTelemetryExport
{
    /// <summary>The activity source of ASP.NET Core's request spans.</summary>
    public const string AspNetCoreActivitySource = "Microsoft.AspNetCore";

    /// <summary>Exports the meters and activity sources of <see cref="TelemetryOptions.EffectiveMeterPrefixes"/> to <paramref name="target"/>.</summary>
    public static void AddOtlpExport(this IServiceCollection services, TelemetryOptions options, OtlpTarget target)
    {
        var sourcePatterns = options.EffectiveMeterPrefixes.Select(p => p + "*").ToArray();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(sourcePatterns)
                .AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Endpoint = target.SignalEndpoint("v1/metrics");
                    exporter.Protocol = target.Protocol;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds =
                        (int)Math.Max(1, options.OtlpExportInterval.TotalMilliseconds);
                }));

        if (options.ExportTraces)
        {
            // ASP.NET Core's own source too: with it listened to, each request is a span, the parent of the grain
            // calls it makes. Without a listener ASP.NET Core makes no request activity at all (the shipped logging
            // leaves its hosting diagnostics off), and grain calls carry no trace context.
            telemetry.WithTracing(tracing => tracing
                .AddSource(sourcePatterns)
                .AddSource(AspNetCoreActivitySource)
                .AddOtlpExporter(exporter =>
                {
                    exporter.Endpoint = target.SignalEndpoint("v1/traces");
                    exporter.Protocol = target.Protocol;
                }));
        }
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
