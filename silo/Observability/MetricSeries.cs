namespace OrleansTenancy.Silo.Observability;

/// <summary>
/// The aggregated state of one label set of one metric family. Every update is a single interlocked
/// operation (or a compare-and-swap loop for doubles), so recording threads never block each other.
/// </summary>
internal sealed class MetricSeries
{
    // Integral and floating sums are kept apart so that integer counters stay exact however many
    // threads add to them; the rendered value is their total.
    private long _integralSum;
    private double _floatingSum;
    private double _lastValue;
    private long _generation;
    private readonly long[]? _bucketCounts;

    public MetricSeries(string labels, int bucketCount)
    {
        Labels = labels;
        _bucketCounts = bucketCount > 0 ? new long[bucketCount] : null;
    }

    /// <summary>The rendered, sorted label pairs (<c>a="x",b="y"</c>), empty when the series has no labels.</summary>
    public string Labels { get; }

    /// <summary>The scrape generation in which an observable instrument last reported this series.</summary>
    public long Generation => Volatile.Read(ref _generation);

    public double Sum => Volatile.Read(ref _integralSum) + Volatile.Read(ref _floatingSum);

    public bool SumIsIntegral => Volatile.Read(ref _floatingSum) == 0;

    public long IntegralSum => Volatile.Read(ref _integralSum);

    public double LastValue => Volatile.Read(ref _lastValue);

    public void Add(long value) => Interlocked.Add(ref _integralSum, value);

    public void Add(double value) => AddDouble(ref _floatingSum, value);

    public void Set(double value, long generation)
    {
        Volatile.Write(ref _lastValue, value);
        Volatile.Write(ref _generation, generation);
    }

    /// <summary>Counts <paramref name="value"/> in the bucket at <paramref name="bucketIndex"/> (the last index is +Inf).</summary>
    public void Observe(int bucketIndex, double value)
    {
        Interlocked.Increment(ref _bucketCounts![bucketIndex]);
        AddDouble(ref _floatingSum, value);
    }

    /// <summary>Copies the per-bucket (not cumulative) counts.</summary>
    public long[] SnapshotBuckets()
    {
        var counts = new long[_bucketCounts!.Length];
        for (var i = 0; i < counts.Length; i++)
            counts[i] = Volatile.Read(ref _bucketCounts[i]);
        return counts;
    }

    private static void AddDouble(ref double location, double value)
    {
        var current = Volatile.Read(ref location);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref location, current + value, current);
            // Compare bits, not values: a NaN total never equals itself and would spin forever.
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
                return;
            current = seen;
        }
    }
}
