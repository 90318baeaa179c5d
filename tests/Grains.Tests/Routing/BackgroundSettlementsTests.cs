using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTenancy.Grains.Routing;

namespace OrleansTenancy.Grains.Tests.Routing;

public sealed class BackgroundSettlementsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TestClock _time = new();
    private readonly Channel<TaskCompletionSource> _attempts = Channel.CreateUnbounded<TaskCompletionSource>();
    private readonly BackgroundSettlements _settlements;
    private int _attemptCount;

    public BackgroundSettlementsTests() => _settlements = new BackgroundSettlements(_time, NullLogger<BackgroundSettlements>.Instance);

    // Each attempt is a task the test completes. The retry loop may go on on another thread, so the test waits for
    // each attempt to appear and for the delay's timer to be armed before it moves the clock.
    private Task Attempt()
    {
        var attempt = new TaskCompletionSource();
        Interlocked.Increment(ref _attemptCount);
        _attempts.Writer.TryWrite(attempt);
        return attempt.Task;
    }

    private async Task<TaskCompletionSource> NextAttemptAsync() => await _attempts.Reader.ReadAsync().AsTask().WaitAsync(Patience);

    private async Task FailNextAttemptAsync()
    {
        var attempt = await NextAttemptAsync();
        var delayArmed = _time.WhenTimerArmed();
        attempt.SetException(new InvalidOperationException("storage unavailable"));
        await delayArmed.WaitAsync(Patience);
    }

    [Fact]
    public async Task The_settlement_is_sent_at_once_and_drain_waits_for_it()
    {
        _settlements.Start(Attempt, "acme", "r1");

        Assert.Equal(1, _attemptCount); // sent before Start returned
        Assert.Equal(1, _settlements.InFlight);
        var drained = _settlements.DrainAsync();
        Assert.False(drained.IsCompleted);

        (await NextAttemptAsync()).SetResult();
        await drained.WaitAsync(Patience);
        Assert.Equal((0, 0L), (_settlements.InFlight, _settlements.Failed));
    }

    [Fact]
    public async Task A_failed_settlement_is_retried_after_the_first_delay()
    {
        _settlements.Start(Attempt, "acme", "r1");
        await FailNextAttemptAsync();

        _time.Advance(BackgroundSettlements.RetryDelays[0] - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _attemptCount);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        (await NextAttemptAsync()).SetResult();

        await _settlements.DrainAsync().WaitAsync(Patience);
        Assert.Equal((2, 0L), (_attemptCount, _settlements.Failed));
    }

    [Fact]
    public async Task A_settlement_that_keeps_failing_is_given_up_and_counted()
    {
        _settlements.Start(Attempt, "acme", "r1");
        foreach (var delay in BackgroundSettlements.RetryDelays)
        {
            await FailNextAttemptAsync();
            _time.Advance(delay);
        }

        (await NextAttemptAsync()).SetException(new InvalidOperationException("storage unavailable"));
        await _settlements.DrainAsync().WaitAsync(Patience);
        Assert.Equal((BackgroundSettlements.RetryDelays.Count + 1, 0, 1L), (_attemptCount, _settlements.InFlight, _settlements.Failed));
    }
}
