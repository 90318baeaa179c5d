using OrleansTenancy.Grains.Persistence;

namespace OrleansTenancy.Grains.Tests.Persistence;

/// <summary>
/// The committer's invariants, on a scheduler that runs one work item at a time as an Orleans activation does: one write
/// in flight, every caller released only by a write that started after its mutation, a failed write failing its batch
/// and the one behind it after the owner discarded its state.
/// </summary>
public sealed class GroupCommitterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TaskScheduler _activation = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
    private readonly List<Write> _writes = [];
    private readonly List<string> _events = [];
    private readonly GroupCommitter _committer;
    private int _version;
    private int _inFlight;
    private int _mostInFlight;

    private readonly TestClock _clock = new();

    public GroupCommitterTests() => _committer = new GroupCommitter(WriteAsync, OnFailureAsync, _clock);

    /// <summary>A write the test lets finish (or fail); it persists the state version it started with.</summary>
    private sealed record Write(int Version, TaskCompletionSource Done);

    private async Task WriteAsync()
    {
        var write = new Write(_version, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _writes.Add(write);
        _mostInFlight = Math.Max(_mostInFlight, ++_inFlight);
        try
        {
            await write.Done.Task;
        }
        finally
        {
            _inFlight--;
        }
    }

    private Task OnFailureAsync(Exception error)
    {
        _events.Add("discarded: " + error.Message);
        return Task.CompletedTask;
    }

    /// <summary>On the activation's scheduler: changes the state and asks for durability in the same turn.</summary>
    private Task<(int Version, Task Durable)> MutateAsync() => OnActivation(() =>
    {
        var version = ++_version;
        return (version, _committer.WhenDurable());
    });

    private Task<T> OnActivation<T>(Func<T> work) => Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.None, _activation);

    private async Task<Write> WriteNumber(int number)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (await OnActivation(() => _writes.Count) < number)
        {
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }

        return await OnActivation(() => _writes[number - 1]);
    }

    [Fact]
    public async Task One_write_is_in_flight_and_callers_that_arrive_meanwhile_share_the_next()
    {
        var (firstVersion, first) = await MutateAsync();
        var write1 = await WriteNumber(1);
        var behind = new List<(int Version, Task Durable)>();
        for (var i = 0; i < 5; i++)
        {
            behind.Add(await MutateAsync());
        }

        Assert.Equal(1, await OnActivation(() => _writes.Count));
        Assert.False(first.IsCompleted);
        write1.Done.SetResult();
        await first.WaitAsync(Patience);
        Assert.True(write1.Version >= firstVersion);

        var write2 = await WriteNumber(2);
        Assert.All(behind, b => Assert.False(b.Durable.IsCompleted, "released before the write that holds it"));
        Assert.True(write2.Version >= behind.Max(b => b.Version), "the next write started before the mutations it releases");
        write2.Done.SetResult();
        await Task.WhenAll(behind.Select(b => b.Durable)).WaitAsync(Patience);

        Assert.Equal((2, 1), (await OnActivation(() => _writes.Count), _mostInFlight));
        Assert.Equal((2L, 6L), (_committer.WritesSucceeded, _committer.CallersCommitted));
        Assert.False(await OnActivation(() => _committer.IsBusy));
    }

    [Fact]
    public async Task Requests_already_queued_on_the_activation_join_the_write_about_to_start()
    {
        var queued = await OnActivation(() =>
        {
            // Requests that arrived while this turn runs wait in the activation's queue, ahead of the commit loop.
            var next = Enumerable.Range(0, 3)
                .Select(_ => Task.Factory.StartNew(() => _committer.WhenDurable(), CancellationToken.None, TaskCreationOptions.None, _activation))
                .ToList();
            return (first: _committer.WhenDurable(), next);
        });

        var write = await WriteNumber(1);
        var others = await Task.WhenAll(queued.next);
        write.Done.SetResult();
        await Task.WhenAll(others.Prepend(queued.first)).WaitAsync(Patience);

        Assert.Equal(1, await OnActivation(() => _writes.Count));
        Assert.Equal(4L, _committer.CallersCommitted);
    }

    [Fact]
    public async Task Callers_that_may_wait_share_one_write_when_the_window_ends_and_none_is_released_before_it()
    {
        var window = TimeSpan.FromMilliseconds(10);
        var armed = _clock.WhenTimerArmed(d => d == window);
        var first = await OnActivation(() => { ++_version; return _committer.WhenDurable(window); });
        Assert.Equal(window, await armed.WaitAsync(Patience));
        var later = new List<Task>();
        for (var i = 0; i < 4; i++)
        {
            later.Add(await OnActivation(() => { ++_version; return _committer.WhenDurable(window); }));
        }

        Assert.Equal(0, await OnActivation(() => _writes.Count));
        _clock.Advance(window);
        var write = await WriteNumber(1);
        Assert.Equal(5, write.Version);
        Assert.False(first.IsCompleted, "released before the write that holds it");
        write.Done.SetResult();
        await Task.WhenAll(later.Prepend(first)).WaitAsync(Patience);

        Assert.Equal((1L, 5L), (_committer.WritesSucceeded, _committer.CallersCommitted));
    }

    [Fact]
    public async Task A_window_ending_between_two_timer_ticks_starts_its_write_without_spinning_on_the_clock()
    {
        // Task.Delay counts whole milliseconds: a wait for the last half millisecond of a window completes at once. A
        // committer that waited for it would loop, holding the activation, until the clock passed the window's end;
        // the test clock moves only when told, so the clock below moves it on (and says so) once the loop has read it
        // far more often than one window needs.
        var clock = new ReadCountingClock(_clock);
        var committer = new GroupCommitter(WriteAsync, OnFailureAsync, clock);
        var armed = _clock.WhenTimerArmed(d => d == TimeSpan.FromMilliseconds(10));
        var held = await OnActivation(() => { ++_version; return committer.WhenDurable(TimeSpan.FromMilliseconds(10.5)); });
        await armed.WaitAsync(Patience);
        Assert.Equal(0, await OnActivation(() => _writes.Count));

        _clock.Advance(TimeSpan.FromMilliseconds(10));
        var write = await WriteNumber(1);
        Assert.False(clock.Spun, $"the committer read the clock {clock.Reads} times for one window before it wrote");
        write.Done.SetResult();
        await held.WaitAsync(Patience);
    }

    /// <summary>
    /// The test clock, counting how often it is read; past <see cref="Enough"/> reads it moves time on by a millisecond
    /// per read, so that code looping on it ends.
    /// </summary>
    private sealed class ReadCountingClock(TestClock clock) : TimeProvider
    {
        private const int Enough = 20;
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public bool Spun => Reads > Enough;

        public override DateTimeOffset GetUtcNow()
        {
            if (Interlocked.Increment(ref _reads) > Enough)
            {
                clock.Advance(TimeSpan.FromMilliseconds(1));
            }

            return clock.GetUtcNow();
        }

        public override long GetTimestamp() => clock.GetTimestamp();

        public override long TimestampFrequency => clock.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            clock.CreateTimer(callback, state, dueTime, period);
    }

    [Fact]
    public async Task A_caller_that_cannot_wait_starts_the_held_write_at_once_with_the_waiting_callers_in_it()
    {
        var window = TimeSpan.FromSeconds(10);
        var armed = _clock.WhenTimerArmed(d => d == window);
        var patient = await OnActivation(() => { ++_version; return _committer.WhenDurable(window); });
        await armed.WaitAsync(Patience);

        var (version, urgent) = await MutateAsync();
        var write = await WriteNumber(1);
        write.Done.SetResult();
        await Task.WhenAll(patient, urgent).WaitAsync(Patience);

        Assert.Equal(version, write.Version);
        Assert.Equal((1L, 2L), (_committer.WritesSucceeded, _committer.CallersCommitted));
    }

    [Fact]
    public async Task A_failed_write_fails_its_batch_and_the_one_behind_once_the_state_is_discarded()
    {
        var (_, first) = await MutateAsync();
        var write1 = await WriteNumber(1);
        var (_, behind) = await MutateAsync();

        write1.Done.SetException(new IOException("disk full"));

        foreach (var caller in new[] { first, behind })
        {
            var error = await Assert.ThrowsAsync<IOException>(() => caller.WaitAsync(Patience));
            Assert.Equal("disk full", error.Message);
        }

        Assert.Equal(["discarded: disk full"], await OnActivation(() => _events.ToList()));
        Assert.Equal(1, await OnActivation(() => _writes.Count));

        // The next caller starts a fresh write.
        var (_, again) = await MutateAsync();
        (await WriteNumber(2)).Done.SetResult();
        await again.WaitAsync(Patience);
        Assert.Equal(1L, _committer.WritesSucceeded);
    }
}
