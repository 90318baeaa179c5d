namespace OrleansTenancy.OpenRouter.Tests;

/// <summary>A clock that moves only when told, so retry waits and timeouts are observed without sleeping.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<(Func<TimeSpan, bool> Match, TaskCompletionSource<TimeSpan> Done)> _waiters = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Completes when a timer is armed with a due time matching <paramref name="match"/>.</summary>
    public Task<TimeSpan> WhenTimerArmed(Func<TimeSpan, bool> match)
    {
        var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            foreach (var timer in _timers)
            {
                if (timer.Due is { } due && match(due))
                {
                    done.TrySetResult(due);
                    return done.Task;
                }
            }

            _waiters.Add((match, done));
        }

        return done.Task;
    }

    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_gate)
        {
            _now += by;
            due = _timers.Where(timer => timer.DueAt <= _now).ToList();
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    private void Arm(ManualTimer timer, TimeSpan dueTime)
    {
        List<TaskCompletionSource<TimeSpan>> matched = [];
        lock (_gate)
        {
            _timers.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                timer.DueAt = null;
                timer.Due = null;
                return;
            }

            timer.DueAt = _now + dueTime;
            timer.Due = dueTime;
            _timers.Add(timer);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(dueTime))
                {
                    matched.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        matched.ForEach(done => done.TrySetResult(dueTime));
    }

    private void Disarm(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan? Due { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            owner.Arm(this, dueTime);
            return true;
        }

        public void Fire()
        {
            if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
            {
                owner.Arm(this, _period);
            }
            else
            {
                owner.Disarm(this);
            }

            callback(state);
        }

        public void Dispose() => owner.Disarm(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
