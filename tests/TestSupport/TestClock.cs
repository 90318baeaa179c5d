using Microsoft.Extensions.Time.Testing;

namespace OrleansTenancy.TestSupport;

/// <summary>
/// The one clock of the test suites: <see cref="FakeTimeProvider"/> (time moves only when a test advances it, and due
/// timers fire inside <see cref="FakeTimeProvider.Advance"/>), plus a way to wait until code running on another thread
/// has armed a timer, so that a test advances the clock only once the wait it means to end exists.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    /// <summary>The instant every test clock starts at unless told otherwise: 2026-03-10 12:00 UTC.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly List<ObservedTimer> _timers = [];
    private readonly List<(Func<TimeSpan, bool> Match, TaskCompletionSource<TimeSpan> Armed)> _waiters = [];

    /// <summary>Creates a clock at <paramref name="start"/>, or at <see cref="DefaultStart"/>.</summary>
    public TestClock(DateTimeOffset? start = null)
        : base(start ?? DefaultStart)
    {
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(this, base.CreateTimer(callback, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Completes with the due time of a timer armed with a due time that <paramref name="match"/> accepts (any, when it
    /// is <see langword="null"/>) — one armed already and not yet due, or the next one — such as the timer behind a
    /// <c>Task.Delay</c> or a timeout.
    /// </summary>
    public Task<TimeSpan> WhenTimerArmed(Func<TimeSpan, bool>? match = null)
    {
        match ??= _ => true;
        lock (_gate)
        {
            var now = GetUtcNow();
            if (_timers.Find(t => t.DueAt > now && match(t.Due)) is { } armed)
            {
                return Task.FromResult(armed.Due);
            }

            var waiter = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, waiter));
            return waiter.Task;
        }
    }

    private void Armed(ObservedTimer timer, TimeSpan dueTime)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            timer.Due = dueTime;
            timer.DueAt = GetUtcNow() + dueTime;
            _timers.Add(timer);
            foreach (var waiter in _waiters.Where(w => w.Match(dueTime)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Armed.TrySetResult(dueTime);
            }
        }
    }

    private void Disposed(ObservedTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    /// <summary>A timer of the fake clock whose arming the clock sees.</summary>
    private sealed class ObservedTimer(TestClock clock, ITimer inner) : ITimer
    {
        public TimeSpan Due { get; set; }

        public DateTimeOffset DueAt { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (!inner.Change(dueTime, period))
            {
                return false;
            }

            clock.Armed(this, dueTime);
            return true;
        }

        public void Dispose()
        {
            clock.Disposed(this);
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            clock.Disposed(this);
            return inner.DisposeAsync();
        }
    }
}
