using System.Diagnostics.Metrics;

namespace OrleansTenancy.Benchmarks.Reservations;

/// <summary>
/// Counts grain state writes and their total time from Orleans' <c>orleans-storage-write-latency</c> histogram
/// (milliseconds), so a phase can report how many callers each write carried (group commit) and what a write cost.
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
            if (instrument.Meter.Name == "Microsoft.Orleans" && instrument.Name == "orleans-storage-write-latency")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, milliseconds, _, _) =>
        {
            lock (_gate)
            {
                _writes++;
                _seconds += milliseconds / 1000;
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
