using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace OrleansTenancy.Silo.Observability;

/// <summary>The Prometheus type a family is exposed as.</summary>
internal enum PrometheusType
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>How measurements of a family combine into a series value.</summary>
internal enum Aggregation
{
    /// <summary>Deltas are summed (counters, up-down counters).</summary>
    Sum,

    /// <summary>The latest measurement wins (gauges and every observable instrument, which report totals).</summary>
    LastValue,

    /// <summary>Measurements are counted in cumulative buckets.</summary>
    Histogram,
}

/// <summary>
/// One exposed metric: its name, help, type and series. Instruments that render to the same name with the
/// same shape (for instance one meter created by two containers) share a family, so their series add up.
/// </summary>
internal sealed class MetricFamily
{
    // Two indexes over the same series: by tags in recorded order (the allocation-free hot path) and by
    // sorted rendered labels (one series per Prometheus label set, whatever order callers used).
    private readonly ConcurrentDictionary<LabelKey, MetricSeries> _byTags = new(LabelKey.Comparer.Instance);
    private readonly ConcurrentDictionary<LabelKey, MetricSeries>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _byTagsSpan;
    private readonly ConcurrentDictionary<string, MetricSeries> _byLabels = new(StringComparer.Ordinal);
    private readonly StrongBox<long> _scrapeGeneration;

    public MetricFamily(string name, string help, PrometheusType type, Aggregation aggregation, bool observable, double[] bucketBounds, StrongBox<long> scrapeGeneration)
    {
        Name = name;
        Help = help;
        Type = type;
        Aggregation = aggregation;
        IsObservable = observable;
        BucketBounds = bucketBounds;
        _scrapeGeneration = scrapeGeneration;
        _byTagsSpan = _byTags.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    public string Name { get; }

    public string Help { get; }

    public PrometheusType Type { get; }

    public Aggregation Aggregation { get; }

    /// <summary>Observable instruments report only at scrape; a series they stop reporting is no longer exposed.</summary>
    public bool IsObservable { get; }

    /// <summary>Upper bounds of the finite histogram buckets, strictly increasing; empty for other types.</summary>
    public double[] BucketBounds { get; }

    public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (Aggregation == Aggregation.Sum)
            GetSeries(tags).Add(value);
        else
            Record((double)value, tags);
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = GetSeries(tags);
        switch (Aggregation)
        {
            case Aggregation.Sum:
                series.Add(value);
                break;
            case Aggregation.LastValue:
                series.Set(value, Volatile.Read(ref _scrapeGeneration.Value));
                break;
            default:
                series.Observe(BucketIndex(value), value);
                break;
        }
    }

    /// <summary>The series to expose now, ordered by their labels.</summary>
    public List<MetricSeries> SnapshotSeries(long currentGeneration)
    {
        var result = new List<MetricSeries>(_byLabels.Count);
        foreach (var series in _byLabels.Values)
        {
            if (!IsObservable || series.Generation == currentGeneration)
                result.Add(series);
        }

        result.Sort(static (a, b) => string.CompareOrdinal(a.Labels, b.Labels));
        return result;
    }

    private MetricSeries GetSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _byTagsSpan.TryGetValue(tags, out var series) ? series : AddSeries(tags);

    private MetricSeries AddSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = PrometheusText.RenderLabels(tags);
        var bucketCount = Aggregation == Aggregation.Histogram ? BucketBounds.Length + 1 : 0;
        var series = _byLabels.GetOrAdd(labels, static (key, count) => new MetricSeries(key, count), bucketCount);
        return _byTags.GetOrAdd(LabelKey.Create(tags), series);
    }

    private int BucketIndex(double value)
    {
        if (double.IsNaN(value))
            return BucketBounds.Length;
        // Prometheus buckets are "less than or equal": an exact match belongs to that bound's bucket.
        var index = Array.BinarySearch(BucketBounds, value);
        return index >= 0 ? index : ~index;
    }
}
