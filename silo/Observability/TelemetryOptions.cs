using OpenTelemetry.Exporter;

namespace OrleansTenancy.Silo.Observability;

/// <summary>Metrics and trace export settings, bound from the <c>Telemetry</c> configuration section.</summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Telemetry";

    /// <summary>The meter name prefix of the product's own meters (LLM calls, storage).</summary>
    public const string DefaultMeterPrefix = "OrleansTenancy";

    /// <summary>The name of Orleans' meter and the prefix of its activity sources (activations, messaging, storage, gateway).</summary>
    public const string OrleansMeterPrefix = "Microsoft.Orleans";

    /// <summary>
    /// Meters (and activity sources) whose names start with one of these are exported. Defaults to empty,
    /// which means <see cref="DefaultMeterPrefix"/> and <see cref="OrleansMeterPrefix"/>: the LLM and storage meters
    /// and Orleans' own (<c>orleans_*</c> series).
    /// </summary>
    public IList<string> MeterPrefixes { get; set; } = [];

    /// <summary>The prefixes in force: <see cref="MeterPrefixes"/>, or the two defaults when none are set.</summary>
    public IReadOnlyList<string> EffectiveMeterPrefixes => MeterPrefixes.Count > 0 ? [.. MeterPrefixes] : [DefaultMeterPrefix, OrleansMeterPrefix];

    /// <summary>
    /// Base address of an OTLP collector (e.g. <c>http://otel-collector:4318</c>); OTLP export is on only
    /// when this or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable is set. Like that variable it is
    /// a base: with <see cref="OtlpExportProtocol.HttpProtobuf"/> the signal paths <c>/v1/metrics</c> and
    /// <c>/v1/traces</c> are appended. Defaults to none.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// The OTLP transport. Defaults to the <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> variable
    /// (<c>grpc</c> or <c>http/protobuf</c>) when set, otherwise gRPC.
    /// </summary>
    public OtlpExportProtocol? OtlpProtocol { get; set; }

    /// <summary>How often metrics are pushed over OTLP. Defaults to 15 seconds; must be positive.</summary>
    public TimeSpan OtlpExportInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The <c>service.name</c> resource attribute of exported telemetry. Defaults to <c>orleans-tenancy-silo</c>.</summary>
    public string ServiceName { get; set; } = "orleans-tenancy-silo";

    /// <summary>Also export traces from activity sources matching <see cref="EffectiveMeterPrefixes"/> over OTLP. Defaults to <see langword="true"/>.</summary>
    public bool ExportTraces { get; set; } = true;
}
