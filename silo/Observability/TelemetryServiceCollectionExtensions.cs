using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OrleansTenancy.Grains.Telemetry;

namespace OrleansTenancy.Silo.Observability;

/// <summary>Host wiring for metrics: the LLM instruments, OpenTelemetry's Prometheus scrape endpoint and OTLP export.</summary>
public static class TelemetryServiceCollectionExtensions
{
    private const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string OtlpProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>
    /// Registers <see cref="LlmMetrics"/> and OpenTelemetry's metrics pipeline over our meters and Orleans'
    /// <c>Microsoft.Orleans</c> meter (<see cref="TelemetryOptions.EffectiveMeterPrefixes"/>): OpenTelemetry's Prometheus
    /// exporter behind <see cref="MapPrometheusMetrics"/>, and, when an OTLP endpoint is configured
    /// (<c>Telemetry:OtlpEndpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), OTLP export of the same meters and activity
    /// sources. OpenTelemetry's hosted service starts the pipeline as the host starts, so measurements made by services
    /// that start later are not missed; call this before registering other hosted services.
    /// </summary>
    /// <remarks>
    /// The exposed names are the instruments' own: ours are named in Prometheus form already (a counter ends in
    /// <c>_total</c>, a unit is spelt in the name), so the exporter adds no suffix of its own, no <c>otel_scope_*</c>
    /// labels and no <c>target_info</c> series. Orleans' instruments are exposed under their names with <c>_total</c>
    /// on counters (<see cref="OrleansInstrument"/>), so every series keeps the name Prometheus' rules expect.
    /// </remarks>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">Configuration holding the <c>Telemetry</c> section (<see cref="TelemetryOptions"/>).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The configured OTLP endpoint, protocol or interval is invalid.</exception>
    public static IServiceCollection AddTenancyMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var options = new TelemetryOptions();
        configuration.GetSection(TelemetryOptions.SectionName).Bind(options);
        var otlpTarget = ResolveOtlpTarget(options, configuration);

        services.AddMetrics();
        services.TryAddSingleton(options);
        services.TryAddSingleton(sp => new LlmMetrics(sp.GetService<IMeterFactory>()));
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter([.. options.EffectiveMeterPrefixes.Select(p => p + "*")])
            .AddThisHostsView()
            .AddPrometheusExporter(exporter =>
            {
                // Names as the instruments spell them: ours carry their unit and _total already, and a unit suffix on
                // Orleans' millisecond histograms would read "_milliseconds", which Prometheus' linter refuses.
                exporter.TranslationStrategy = PrometheusAspNetCoreTranslationStrategy.UnderscoreEscapingWithoutSuffixes;
                // The series carry exactly the labels their measurements were tagged with.
                exporter.ScopeInfoEnabled = false;
                exporter.TargetInfoEnabled = false;
                // Every scrape reads the instruments afresh: a value recorded just before a scrape is in it.
                exporter.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
        services.AddSingleton<PrometheusEndpointMarker>();
        if (otlpTarget is not null)
            services.AddOtlpExport(options, otlpTarget);
        return services;
    }

    /// <summary>
    /// Histogram bounds, in milliseconds, for Orleans' latency and duration histograms (from half a millisecond to the
    /// 30-second default response timeout).
    /// </summary>
    public static IReadOnlyList<double> OrleansMillisecondBuckets { get; } = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000];

    /// <summary>Maps <c>GET <paramref name="pattern"/></c> to OpenTelemetry's Prometheus exposition of <see cref="AddTenancyMetrics"/>'s meters.</summary>
    /// <param name="endpoints">The application's route builder.</param>
    /// <param name="pattern">The route, conventionally <c>/metrics</c>.</param>
    /// <returns>The endpoint's convention builder (e.g. to require authorization or a host).</returns>
    /// <exception cref="InvalidOperationException"><see cref="AddTenancyMetrics"/> was not called on the host's services.</exception>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<PrometheusEndpointMarker>() is null)
        {
            throw new InvalidOperationException(
                $"MapPrometheusMetrics(\"{pattern}\") needs the metrics pipeline: call services.AddTenancyMetrics(configuration) when building the host.");
        }

        // GET and HEAD only: routing answers other methods with 405.
        return endpoints.MapPrometheusScrapingEndpoint(pattern, meterProvider: null, configureBranchedPipeline: ServeTextFormat, optionsName: null)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .ExcludeFromDescription();
    }

    /// <summary>
    /// Answers every scrape in the Prometheus text format (0.0.4), the one <c>promtool check metrics</c> verifies: asked
    /// for OpenMetrics (Prometheus asks for it first), the exporter would name counter families without the
    /// <c>_total</c> our instruments carry, which OpenMetrics reads as a different family.
    /// </summary>
    private static void ServeTextFormat(IApplicationBuilder pipeline) => pipeline.Use(static (context, next) =>
    {
        context.Request.Headers.Accept = "text/plain; version=0.0.4";
        return next(context);
    });

    // Orleans tags its message-size histograms with "ConnectionDirection" and "MessageDirection", label names that
    // Prometheus' linter refuses (camelCase); a view can keep or drop a tag but not rename it, so these keep the remote
    // silo alone and sum over directions.
    private static readonly Dictionary<string, string[]> LintSafeOrleansTags = new(StringComparer.Ordinal)
    {
        ["orleans-messaging-sent-messages-size"] = ["silo"],
        ["orleans-messaging-received-messages-size"] = ["silo"],
    };

    /// <summary>
    /// The one view of the host's meter provider. A meter that a host's <see cref="IMeterFactory"/> made belongs to that
    /// host: the provider selects meters by name, so without this a second host in the same process (test hosts,
    /// in-process silos) would have its counters added to this host's and its gauges overwrite this host's series.
    /// Meters made without a factory are the process's and stay in.
    /// </summary>
    private static MeterProviderBuilder AddThisHostsView(this MeterProviderBuilder metrics)
    {
        // The host's meter factory exists once its service provider does: the view is added when the provider is built.
        var deferred = metrics as IDeferredMeterProviderBuilder
            ?? throw new InvalidOperationException("The meter provider builder of AddOpenTelemetry().WithMetrics is expected to be deferred.");
        deferred.Configure((services, builder) =>
        {
            var own = services.GetRequiredService<IMeterFactory>();
            builder.AddView(instrument => instrument.Meter.Scope is IMeterFactory maker && !ReferenceEquals(maker, own)
                ? MetricStreamConfiguration.Drop
                : OrleansInstrument(instrument));
        });
        return metrics;
    }

    /// <summary>
    /// How an instrument of Orleans' meter is exposed: a counter named with <c>_total</c>, a description when it has
    /// none (Prometheus wants help text), and millisecond buckets for its histograms, which measure milliseconds unless
    /// their unit says otherwise. Other meters' instruments keep the defaults.
    /// </summary>
    private static MetricStreamConfiguration? OrleansInstrument(Instrument instrument)
    {
        if (!instrument.Meter.Name.StartsWith(TelemetryOptions.OrleansMeterPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var kind = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : null;
        var milliseconds = string.IsNullOrEmpty(instrument.Unit) || instrument.Unit is "ms" or "milliseconds";
        var configuration = kind == typeof(Histogram<>) && milliseconds
            ? new ExplicitBucketHistogramConfiguration { Boundaries = [.. OrleansMillisecondBuckets] }
            : new MetricStreamConfiguration();
        if (LintSafeOrleansTags.TryGetValue(instrument.Name, out var keptTags))
        {
            configuration.TagKeys = keptTags;
        }

        var monotonic = kind == typeof(Counter<>) || kind == typeof(ObservableCounter<>);
        configuration.Name = monotonic && !instrument.Name.EndsWith("total", StringComparison.Ordinal) ? instrument.Name + "_total" : instrument.Name;
        configuration.Description = string.IsNullOrWhiteSpace(instrument.Description)
            ? $"{instrument.Name}{(string.IsNullOrEmpty(instrument.Unit) ? "" : $" ({instrument.Unit})")} from meter {instrument.Meter.Name}."
            : instrument.Description;
        return configuration;
    }

    private static OtlpTarget? ResolveOtlpTarget(TelemetryOptions options, IConfiguration configuration)
    {
        var (endpointSource, endpointText) = !string.IsNullOrWhiteSpace(options.OtlpEndpoint)
            ? ($"{TelemetryOptions.SectionName}:{nameof(TelemetryOptions.OtlpEndpoint)}", options.OtlpEndpoint)
            : (OtlpEndpointVariable, configuration[OtlpEndpointVariable] ?? Environment.GetEnvironmentVariable(OtlpEndpointVariable));
        if (string.IsNullOrWhiteSpace(endpointText))
            return null;

        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException(
                $"{endpointSource} is '{endpointText}', which is not an absolute http or https address. Set it to the collector's base address, e.g. 'http://otel-collector:4318'.");
        }

        if (options.OtlpExportInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"{TelemetryOptions.SectionName}:{nameof(TelemetryOptions.OtlpExportInterval)} is {options.OtlpExportInterval}; it must be positive, e.g. '00:00:15'.");
        }

        var protocol = options.OtlpProtocol ?? ParseProtocol(configuration[OtlpProtocolVariable] ?? Environment.GetEnvironmentVariable(OtlpProtocolVariable));
        return new OtlpTarget(endpoint, protocol);
    }

    private static OtlpExportProtocol ParseProtocol(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => throw new InvalidOperationException(
            $"{OtlpProtocolVariable} is '{value}'; supported values are 'grpc' and 'http/protobuf'. Or set {TelemetryOptions.SectionName}:{nameof(TelemetryOptions.OtlpProtocol)} to Grpc or HttpProtobuf."),
    };

    /// <summary>Says that <see cref="AddTenancyMetrics"/> set up the pipeline the scrape endpoint reads.</summary>
    private sealed class PrometheusEndpointMarker;
}
