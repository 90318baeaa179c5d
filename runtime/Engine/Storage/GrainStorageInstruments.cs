using System.Diagnostics.Metrics;

namespace OrleansTenancy.Runtime.Storage;

/// <summary>
/// The storage meters: read/write/clear latency histograms and conflict/error counters, tagged with the
/// provider name and the grain type so a hot or contended grain type is visible.
/// </summary>
public sealed class GrainStorageInstruments
{
    /// <summary>The name of the meter every storage provider reports to.</summary>
    public const string MeterName = "OrleansTenancy.Runtime.Storage";

    private readonly Histogram<double> _readSeconds;
    private readonly Histogram<double> _writeSeconds;
    private readonly Histogram<double> _clearSeconds;
    private readonly Counter<long> _conflicts;
    private readonly Counter<long> _errors;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a process-wide meter when none is given.</summary>
    public GrainStorageInstruments(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(MeterName) ?? SharedMeter.Value;
        _readSeconds = meter.CreateHistogram<double>("grain_storage_read_seconds", "s", "Latency of grain state reads.");
        _writeSeconds = meter.CreateHistogram<double>("grain_storage_write_seconds", "s", "Latency of grain state writes (including failed compare-and-swap).");
        _clearSeconds = meter.CreateHistogram<double>("grain_storage_clear_seconds", "s", "Latency of grain state clears.");
        _conflicts = meter.CreateCounter<long>("grain_storage_conflicts_total", description: "Writes or clears rejected because the stored ETag differed from the expected one.");
        _errors = meter.CreateCounter<long>("grain_storage_errors_total", description: "Storage operations that failed for a reason other than an ETag conflict.");
    }

    private static readonly Lazy<Meter> SharedMeter = new(() => new Meter(MeterName));

    internal void RecordRead(string provider, string grainType, TimeSpan elapsed) =>
        _readSeconds.Record(elapsed.TotalSeconds, Tags(provider, grainType));

    internal void RecordWrite(string provider, string grainType, TimeSpan elapsed) =>
        _writeSeconds.Record(elapsed.TotalSeconds, Tags(provider, grainType));

    internal void RecordClear(string provider, string grainType, TimeSpan elapsed) =>
        _clearSeconds.Record(elapsed.TotalSeconds, Tags(provider, grainType));

    internal void RecordConflict(string provider, string grainType, string operation) =>
        _conflicts.Add(1, [new("provider", provider), new("grain_type", grainType), new("operation", operation)]);

    internal void RecordError(string provider, string grainType, string operation) =>
        _errors.Add(1, [new("provider", provider), new("grain_type", grainType), new("operation", operation)]);

    private static KeyValuePair<string, object?>[] Tags(string provider, string grainType) =>
        [new("provider", provider), new("grain_type", grainType)];
}
