using Microsoft.Extensions.Logging;

namespace OrleansTenancy.Runtime.Catalog;

/// <summary>
/// A grain timer. Each tick is queued to the activation as a work item, so it is a turn like any call:
/// on a non-reentrant grain it never overlaps a call unless the timer was created with <c>Interleave</c>.
/// The next tick is armed only after the previous one finished, so ticks never pile up.
/// </summary>
internal sealed class GrainTimer : IGrainTimer
{
    private readonly ActivationData _activation;
    private readonly Func<object?, CancellationToken, Task> _callback;
    private readonly object? _state;
    private readonly GrainTimerCreationOptions _options;
    private readonly CancellationTokenSource _disposal = new();
    private readonly ITimer _timer;
    private TimeSpan _period;
    private volatile bool _disposed;

    public GrainTimer(ActivationData activation, Func<object?, CancellationToken, Task> callback, object? state, GrainTimerCreationOptions options)
    {
        _activation = activation;
        _callback = callback;
        _state = state;
        _options = options;
        _period = options.Period;
        _timer = activation.Time.CreateTimer(static s => ((GrainTimer)s!).OnDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Start() => _timer.Change(_options.DueTime, Timeout.InfiniteTimeSpan);

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _period = period;
        _timer.Change(dueTime, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _timer.Dispose();
        _disposal.Cancel();
        _activation.RemoveTimer(this);
    }

    internal async Task TickAsync()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            await _callback(_state, _disposal.Token);
        }
        catch (Exception exception) when (!_disposal.IsCancellationRequested)
        {
            _activation.Logger.LogWarning(exception, "Timer tick of {GrainId} threw; the timer keeps running", _activation.GrainId);
        }
        catch (OperationCanceledException)
        {
            // Disposed while the tick ran: nothing to report.
        }

        if (!_disposed && _period != Timeout.InfiniteTimeSpan)
        {
            _timer.Change(_period, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnDue()
    {
        if (_disposed)
        {
            return;
        }

        var tick = new TimerTick(this) { Interleaves = _options.Interleave, KeepAlive = _options.KeepAlive };
        if (!_activation.Enqueue(tick))
        {
            Dispose();
        }
    }

    private sealed class TimerTick(GrainTimer timer) : WorkItem
    {
        public override Task ExecuteAsync(ActivationData activation) => timer.TickAsync();

        public override void Reject(Exception exception)
        {
            // A tick that cannot run (activation gone) is dropped, like the timer itself.
        }
    }
}
