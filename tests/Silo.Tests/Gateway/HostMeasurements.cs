using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansTenancy.Grains.Telemetry;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>
/// Records the LLM measurements of one silo host only: instruments are matched by the host's meter factory (the meter's
/// scope), so hosts of other tests running in the same process do not leak in.
/// </summary>
public sealed class HostMeasurements : IDisposable
{
    private readonly MeterListener _listener;
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly Func<Measurement, bool>? _awaited;
    private readonly TaskCompletionSource<Measurement> _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HostMeasurements(IMeterFactory hostMeters, Func<Measurement, bool>? awaited = null)
    {
        _awaited = awaited;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == LlmMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, hostMeters))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<Measurement> All => [.. _measurements];

    /// <summary>Completes with the first measurement matching the predicate given at construction.</summary>
    public Task<Measurement> Seen => _seen.Task;

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var measurement = new Measurement(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString(), StringComparer.Ordinal));
        _measurements.Enqueue(measurement);
        if (_awaited?.Invoke(measurement) == true)
        {
            _seen.TrySetResult(measurement);
        }
    }

    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags)
    {
        public string? Tag(string key) => Tags.GetValueOrDefault(key);
    }
}
