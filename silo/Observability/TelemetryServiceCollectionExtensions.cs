using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OrleansTenancy.Grains.Telemetry;

namespace OrleansTenancy.Silo.Observability;

/// <summary>Host wiring for metrics: the LLM instruments, the Prometheus scrape endpoint and OTLP export.</summary>
public static class TelemetryServiceCollectionExtensions
{
    private const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string OtlpProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>
    /// Registers <see cref="LlmMetrics"/>, the <see cref="PrometheusMetricsCollector"/> (our meters and Orleans'
    /// <c>Microsoft.Orleans</c> meter by default) and, when an OTLP endpoint is configured
    /// (<c>Telemetry:OtlpEndpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), OpenTelemetry's OTLP export of the same
    /// meters and activity sources. Hosted services create them as the host starts, so measurements made by services
    /// that start later are not missed; call this before registering other hosted services.
    /// </summary>
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
        services.TryAddSingleton(sp => new PrometheusMetricsCollector(
            options.EffectiveMeterPrefixes, sp.GetService<ILogger<PrometheusMetricsCollector>>()));
        services.AddHostedService<TelemetryStartup>();
        if (otlpTarget is not null)
            services.AddOtlpExport(options, otlpTarget);
        return services;
    }

    /// <summary>Maps <c>GET <paramref name="pattern"/></c> to the Prometheus text exposition of <see cref="PrometheusMetricsCollector"/>.</summary>
    /// <param name="endpoints">The application's route builder.</param>
    /// <param name="pattern">The route, conventionally <c>/metrics</c>.</param>
    /// <returns>The endpoint's convention builder (e.g. to require authorization or a host).</returns>
    /// <exception cref="InvalidOperationException"><see cref="AddTenancyMetrics"/> was not called on the host's services.</exception>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<PrometheusMetricsCollector>() is null)
        {
            throw new InvalidOperationException(
                $"MapPrometheusMetrics(\"{pattern}\") needs the metrics collector: call services.AddTenancyMetrics(configuration) when building the host.");
        }

        return endpoints.MapGet(pattern, static (HttpContext context) =>
        {
            var collector = context.RequestServices.GetRequiredService<PrometheusMetricsCollector>();
            var text = collector.Scrape();
            context.Response.ContentType = PrometheusMetricsCollector.ContentType;
            context.Response.Headers.CacheControl = "no-store";
            return context.Response.WriteAsync(text, context.RequestAborted);
        }).ExcludeFromDescription();
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

    /// <summary>Creates the collector when the host starts; the container disposes it at shutdown.</summary>
    private sealed class TelemetryStartup(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            services.GetRequiredService<PrometheusMetricsCollector>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
