using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrleansTenancy.Silo.Observability;

/// <summary>
/// Listens to every meter whose name starts with one of the configured prefixes, aggregates its
/// measurements in memory and renders them in the Prometheus text exposition format (version 0.0.4).
/// </summary>
/// <remarks>
/// <para>
/// Recording is lock-free: a measurement finds its series through a concurrent dictionary looked up by the
/// measurement's tag span (no allocation once a label set has been seen) and updates it with interlocked
/// operations. Only a scrape takes a lock, to serialize collection of observable instruments.
/// </para>
/// <para>
/// Counters and up-down counters sum deltas; gauges keep the last value; histograms count into
/// cumulative buckets whose bounds come from the instrument's advice or <see cref="DefaultBucketBounds"/>.
/// Observable instruments are read at scrape and a series they no longer report disappears.
/// Measurements recorded before the collector exists are not seen: create it when the host starts.
/// Meter-level and instrument-level tags are not turned into labels; only measurement tags are.
/// </para>
/// </remarks>
public sealed class PrometheusMetricsCollector : IDisposable
{
    /// <summary>The content type of the text exposition format this collector renders.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Bucket bounds in seconds for histograms whose instrument gives no advice (Prometheus' defaults).</summary>
    public static IReadOnlyList<double> DefaultBucketBounds { get; } = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly string[] _meterPrefixes;
    private readonly ILogger _logger;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly StrongBox<long> _scrapeGeneration = new(0);
    private readonly Lock _scrapeLock = new();

    /// <summary>Starts listening to meters whose names start with any of <paramref name="meterNamePrefixes"/> (ordinal).</summary>
    /// <param name="meterNamePrefixes">Meter name prefixes, e.g. <c>OrleansTenancy</c>.</param>
    /// <param name="logger">Receives a warning when two instruments collide on one metric name with different shapes.</param>
    /// <exception cref="ArgumentException">No prefix, or an empty prefix, is given.</exception>
    public PrometheusMetricsCollector(IEnumerable<string> meterNamePrefixes, ILogger<PrometheusMetricsCollector>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(meterNamePrefixes);
        _meterPrefixes = [.. meterNamePrefixes];
        if (_meterPrefixes.Length == 0 || Array.Exists(_meterPrefixes, string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException(
                $"Meter name prefixes must be non-empty strings; got [{string.Join(", ", _meterPrefixes.Select(p => $"'{p}'"))}]. " +
                "Set Telemetry:MeterPrefixes to names such as 'OrleansTenancy'.",
                nameof(meterNamePrefixes));
        }

        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _listener = new MeterListener { InstrumentPublished = OnInstrumentPublished };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((MetricFamily)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Collects observable instruments and renders every family, ordered by name.</summary>
    /// <returns>The exposition text; empty when nothing has been recorded.</returns>
    public string Scrape()
    {
        lock (_scrapeLock)
        {
            var generation = Interlocked.Increment(ref _scrapeGeneration.Value);
            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (AggregateException error)
            {
                // Every callback has run by now; one faulty callback must not blank the whole scrape.
                _logger.LogWarning(error, "An observable instrument's callback failed during a metrics scrape; its series are left out of this scrape.");
            }

            var families = _families.Values.ToList();
            families.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var output = new StringBuilder();
            foreach (var family in families)
            {
                var series = family.SnapshotSeries(generation);
                // A family without samples is left out: a lone HELP/TYPE pair says nothing.
                if (series.Count > 0)
                    PrometheusText.WriteFamily(output, family, series);
            }

            return output.ToString();
        }
    }

    /// <summary>Stops listening; rendered values stay available to <see cref="Scrape"/> but no longer change.</summary>
    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!Array.Exists(_meterPrefixes, p => instrument.Meter.Name.StartsWith(p, StringComparison.Ordinal)))
            return;
        if (!TryDescribe(instrument, out var type, out var aggregation, out var observable))
            return;

        var name = PrometheusText.MetricName(instrument.Name, type);
        var bounds = aggregation == Aggregation.Histogram ? BucketBounds(instrument) : [];
        var help = string.IsNullOrWhiteSpace(instrument.Description)
            ? $"{instrument.Name} from meter {instrument.Meter.Name}."
            : instrument.Description;
        var family = _families.GetOrAdd(name, static (key, state) =>
            new MetricFamily(key, state.help, state.type, state.aggregation, state.observable, state.bounds, state.generation),
            (help, type, aggregation, observable, bounds, generation: _scrapeGeneration));

        if (family.Type != type || family.Aggregation != aggregation || family.IsObservable != observable)
        {
            _logger.LogWarning(
                "Instrument {Instrument} of meter {Meter} renders as metric {Metric} ({Type}), which another instrument already exposes as {ExistingType}; it is not exported. Rename one of them.",
                instrument.Name, instrument.Meter.Name, name, type, family.Type);
            return;
        }

        listener.EnableMeasurementEvents(instrument, family);
    }

    private static bool TryDescribe(Instrument instrument, out PrometheusType type, out Aggregation aggregation, out bool observable)
    {
        var kind = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : null;
        observable = instrument.IsObservable;
        (type, aggregation) = kind switch
        {
            _ when kind == typeof(Counter<>) => (PrometheusType.Counter, Aggregation.Sum),
            _ when kind == typeof(UpDownCounter<>) => (PrometheusType.Gauge, Aggregation.Sum),
            _ when kind == typeof(Histogram<>) => (PrometheusType.Histogram, Aggregation.Histogram),
            _ when kind == typeof(Gauge<>) => (PrometheusType.Gauge, Aggregation.LastValue),
            // Observable counters report running totals, so the latest report is the value.
            _ when kind == typeof(ObservableCounter<>) => (PrometheusType.Counter, Aggregation.LastValue),
            _ when kind == typeof(ObservableUpDownCounter<>) => (PrometheusType.Gauge, Aggregation.LastValue),
            _ when kind == typeof(ObservableGauge<>) => (PrometheusType.Gauge, Aggregation.LastValue),
            _ => ((PrometheusType)(-1), (Aggregation)(-1)),
        };
        return (int)type >= 0;
    }

    private static double[] BucketBounds(Instrument instrument)
    {
        IEnumerable<double>? advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            _ => null,
        };
        var bounds = (advised ?? DefaultBucketBounds)
            .Where(double.IsFinite)
            .Distinct()
            .Order()
            .ToArray();
        return bounds.Length > 0 ? bounds : [.. DefaultBucketBounds];
    }
}
