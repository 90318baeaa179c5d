using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansTenancy.Grains.Tests.Telemetry;

/// <summary>One measurement as a listener saw it: instrument name, value and tags sorted by key.</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyList<KeyValuePair<string, string?>> Tags)
{
    public string TagText => string.Join(",", Tags.Select(t => $"{t.Key}={t.Value}"));
}

/// <summary>Listens to exactly one meter instance, so tests running in parallel never see each other's data.</summary>
public sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();

    public MeasurementRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public IReadOnlyList<RecordedMeasurement> Measurements => [.. _measurements];

    public IReadOnlyList<RecordedMeasurement> Of(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument)];

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var sorted = tags.ToArray()
            .Select(t => new KeyValuePair<string, string?>(t.Key, t.Value?.ToString()))
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .ToList();
        _measurements.Enqueue(new RecordedMeasurement(instrument.Name, value, sorted));
    }
}
