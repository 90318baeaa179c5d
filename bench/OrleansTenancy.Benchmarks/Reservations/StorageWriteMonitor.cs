using System.Diagnostics.Metrics;

namespace OrleansTenancy.Benchmarks.Reservations;

/// <summary>
/// Counts grain state writes and their total time from the storage providers' <c>grain_storage_write_seconds</c>
/// histogram, so a phase can report how many callers each write carried (group commit) and what a write cost.
/// </summary>
public sealed class StorageWriteMonitor : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _writes;
    private double _seconds;
    private readonly Lock _gate = new();

    public StorageWriteMonitor()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "grain_storage_write_seconds")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) =>
        {
            lock (_gate)
            {
                _writes++;
                _seconds += seconds;
            }
        });
        _listener.Start();
    }

    public (long Writes, double Seconds) Read()
    {
        lock (_gate)
        {
            return (_writes, _seconds);
        }
    }

    public void Dispose() => _listener.Dispose();
}
