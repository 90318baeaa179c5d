using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;
using static OrleansTenancy.Grains.Tests.Routing.SettlementSamples;

namespace OrleansTenancy.Grains.Tests.Routing;

public sealed class BackgroundSettlementsTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "settlement-outbox-" + Guid.NewGuid().ToString("N"));
    private readonly TestClock _time = new();
    private readonly Channel<(PendingSettlement Settlement, TaskCompletionSource Attempt)> _attempts = Channel.CreateUnbounded<(PendingSettlement, TaskCompletionSource)>();
    private readonly FileSettlementOutbox _outbox;
    private readonly BackgroundSettlements _settlements;
    private int _attemptCount;

    public BackgroundSettlementsTests()
    {
        _outbox = new FileSettlementOutbox(_folder, NullLogger<FileSettlementOutbox>.Instance);
        _settlements = NewSilo();
    }

    public void Dispose()
    {
        _settlements.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private BackgroundSettlements NewSilo() => new(Attempt, _outbox, _time, NullLogger<BackgroundSettlements>.Instance);

    // Each attempt is a task the test completes. The retry loop may go on on another thread, so the test waits for
    // each attempt to appear and for the delay's timer to be armed before it moves the clock.
    private Task Attempt(PendingSettlement settlement)
    {
        var attempt = new TaskCompletionSource();
        Interlocked.Increment(ref _attemptCount);
        _attempts.Writer.TryWrite((settlement, attempt));
        return attempt.Task;
    }

    private async Task<(PendingSettlement Settlement, TaskCompletionSource Attempt)> NextAttemptAsync() => await _attempts.Reader.ReadAsync().AsTask().WaitAsync(Patience);

    private async Task FailNextAttemptAsync()
    {
        var (_, attempt) = await NextAttemptAsync();
        var delayArmed = _time.WhenTimerArmed();
        attempt.SetException(new InvalidOperationException("storage unavailable"));
        await delayArmed.WaitAsync(Patience);
    }

    [Fact]
    public async Task The_settlement_is_sent_at_once_and_drain_waits_for_it_without_touching_the_outbox()
    {
        _settlements.Start(Settlement("r1"));

        Assert.Equal(1, _attemptCount); // sent before Start returned
        Assert.Equal(1, _settlements.InFlight);
        var drained = _settlements.DrainAsync();
        Assert.False(drained.IsCompleted);

        (await NextAttemptAsync()).Attempt.SetResult();
        await drained.WaitAsync(Patience);
        Assert.Equal(0, _settlements.InFlight);
        Assert.Empty(await _outbox.LoadAsync());
    }

    [Fact]
    public async Task The_answer_waits_for_the_first_attempt_to_be_stored()
    {
        var answered = _settlements.StartAsync(Settlement("r1"));

        var (_, attempt) = await NextAttemptAsync();
        Assert.False(answered.IsCompleted);
        attempt.SetResult();
        await answered.WaitAsync(Patience);
        Assert.Empty(await _outbox.LoadAsync());
    }

    [Fact]
    public async Task The_answer_waits_for_a_failed_first_attempt_to_be_kept_in_the_outbox_and_not_for_the_retries()
    {
        var answered = _settlements.StartAsync(Settlement("r1"));

        await FailNextAttemptAsync();
        await answered.WaitAsync(Patience);
        Assert.Equal("r1", Assert.Single(await _outbox.LoadAsync()).Settlement.RequestId);
        Assert.Equal((1, 1), (_attemptCount, _settlements.InFlight));
    }

    [Fact]
    public async Task A_failed_settlement_is_kept_in_the_outbox_retried_and_removed_once_stored()
    {
        _settlements.Start(Settlement("r1"));
        await FailNextAttemptAsync();

        var kept = Assert.Single(await _outbox.LoadAsync());
        Assert.Equal(Settlement("r1").Settlement, kept.Settlement);
        Assert.Equal(Settlement("r1").Details, kept.Details);
        _time.Advance(BackgroundSettlements.RetryDelays[0] - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _attemptCount);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        (await NextAttemptAsync()).Attempt.SetResult();

        await _settlements.DrainAsync().WaitAsync(Patience);
        Assert.Equal((2, 0, 0), (_attemptCount, _settlements.InFlight, _settlements.Kept));
        Assert.Empty(await _outbox.LoadAsync());
    }

    [Fact]
    public async Task A_settlement_that_keeps_failing_is_never_given_up()
    {
        _settlements.Start(Settlement("r1"));
        for (var i = 0; i < 20; i++)
        {
            await FailNextAttemptAsync();
            _time.Advance(BackgroundSettlements.RetryDelays[^1]);
        }

        (await NextAttemptAsync()).Attempt.SetResult();
        await _settlements.DrainAsync().WaitAsync(Patience);
        Assert.Equal(21, _attemptCount);
        Assert.Empty(await _outbox.LoadAsync());
    }

    [Fact]
    public async Task Settlements_not_stored_when_the_silo_stops_are_sent_again_when_it_starts()
    {
        _settlements.Start(Settlement("failing"));
        await FailNextAttemptAsync();
        _settlements.Start(Settlement("in-flight"));
        var inFlight = await NextAttemptAsync();

        using (var stop = new CancellationTokenSource())
        {
            var drained = _settlements.DrainAsync(stop.Token);
            await stop.CancelAsync();
            await drained.WaitAsync(Patience);
        }

        Assert.Equal(["failing", "in-flight"], (await _outbox.LoadAsync()).Select(s => s.Settlement.RequestId).Order().ToArray());
        inFlight.Attempt.SetException(new InvalidOperationException("the silo stopped"));

        using var restarted = NewSilo();
        Assert.Equal(2, await restarted.ResumeAsync());
        var resent = new[] { await NextAttemptAsync(), await NextAttemptAsync() };
        foreach (var (_, attempt) in resent)
        {
            attempt.SetResult();
        }

        await restarted.DrainAsync().WaitAsync(Patience);
        Assert.Equal(["failing", "in-flight"], resent.Select(r => r.Settlement.Settlement.RequestId).Order().ToArray());
        Assert.Empty(await _outbox.LoadAsync());
    }

    [Fact]
    public async Task An_unreadable_outbox_file_is_set_aside_and_the_others_are_resumed()
    {
        await _outbox.SaveAsync(Settlement("good"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "broken.json"), "{ not json");

        var loaded = await _outbox.LoadAsync();

        Assert.Equal("good", Assert.Single(loaded).Settlement.RequestId);
        Assert.True(File.Exists(Path.Combine(_folder, "broken.json.unreadable")));
        Assert.Single(await _outbox.LoadAsync());
    }

    private (SettlementJournal Journal, BackgroundSettlements Settlements) JournalSilo()
    {
        var journal = new SettlementJournal(Path.Combine(_folder, "journal"), NullLoggerFactory.Instance);
        return (journal, new BackgroundSettlements(Attempt, journal, _time, NullLogger<BackgroundSettlements>.Instance, new SettlementOptions { AnswerOnceKept = true }));
    }

    [Fact]
    public async Task Answering_once_kept_the_answer_waits_for_the_journal_and_not_the_tenant_grain_and_a_crash_then_loses_nothing()
    {
        var (journal, settlements) = JournalSilo();
        await journal.LoadAsync();

        var answered = settlements.StartAsync(Settlement("r1"));
        var (_, attempt) = await NextAttemptAsync();
        await answered.WaitAsync(Patience); // the tenant grain has not stored it
        Assert.False(attempt.Task.IsCompleted);

        // The silo dies here: no drain, no clean stop. The next one on the same folder sends the settlement again.
        var (journalAfter, restarted) = JournalSilo();
        Assert.Equal(1, await restarted.ResumeAsync());
        var (resent, again) = await NextAttemptAsync();
        Assert.Equal(Settlement("r1").Settlement, resent.Settlement);
        again.SetResult();
        await restarted.DrainAsync().WaitAsync(Patience);
        journalAfter.Dispose();
        restarted.Dispose();
        journal.Dispose();
        settlements.Dispose();

        Assert.Empty(await new SettlementJournal(Path.Combine(_folder, "journal"), NullLoggerFactory.Instance).LoadAsync());
    }

    [Fact]
    public async Task Answering_once_kept_the_answer_waits_for_the_flush_of_its_journal_line_and_the_tenant_grain_gets_it_meanwhile()
    {
        using var disk = new FlushGate();
        using var journal = new SettlementJournal(Path.Combine(_folder, "journal"), NullLoggerFactory.Instance, disk.Flush);
        using var settlements = new BackgroundSettlements(Attempt, journal, _time, NullLogger<BackgroundSettlements>.Instance, new SettlementOptions { AnswerOnceKept = true });
        await journal.LoadAsync();
        await settlements.StartAsync(Settlement("r0")).WaitAsync(Patience); // the segment exists: from here each flush is one write's
        (await NextAttemptAsync()).Attempt.SetResult();

        // No write is under way, so the caller's thread flushes r1's line itself and is held there; r2 comes meanwhile
        // and waits for the next write.
        disk.Hold();
        var first = Task.Run(() => settlements.StartAsync(Settlement("r1")));
        var (_, attempt1) = await NextAttemptAsync(); // sent before the flush, not after it
        await disk.Entered.WaitAsync(Patience);
        var second = settlements.StartAsync(Settlement("r2"));
        var (_, attempt2) = await NextAttemptAsync();
        var durableAt = new[] { first, second }.Select(t => t.ContinueWith(_ => disk.LinesFlushed, TaskContinuationOptions.ExecuteSynchronously)).ToList();
        Assert.False(first.IsCompleted || second.IsCompleted);

        disk.Release();
        var flushed = await Task.WhenAll(durableAt).WaitAsync(Patience);
        Assert.True(flushed[0] >= 2 && flushed[1] >= 3, $"answered with {flushed[0]} and {flushed[1]} lines flushed"); // r1 is line 2, r2 line 3
        Assert.False(attempt1.Task.IsCompleted || attempt2.Task.IsCompleted); // the tenant grain has stored neither
        attempt1.SetResult();
        attempt2.SetResult();
        await settlements.DrainAsync().WaitAsync(Patience);
    }

    [Fact]
    public async Task Answering_once_kept_a_settlement_stored_behind_the_answer_is_not_sent_again_after_a_clean_stop()
    {
        var (journal, settlements) = JournalSilo();
        await journal.LoadAsync();

        await settlements.StartAsync(Settlement("r1")).WaitAsync(Patience);
        (await NextAttemptAsync()).Attempt.SetResult();
        await settlements.DrainAsync().WaitAsync(Patience);
        journal.Dispose();
        settlements.Dispose();

        var (journalAfter, restarted) = JournalSilo();
        Assert.Equal(0, await restarted.ResumeAsync());
        Assert.Equal(1, _attemptCount);
        journalAfter.Dispose();
        restarted.Dispose();
    }

    [Fact]
    public async Task Answering_once_kept_when_the_outbox_cannot_keep_it_the_answer_waits_for_the_tenant_grain()
    {
        using var settlements = new BackgroundSettlements(Attempt, new BrokenOutbox(), _time, NullLogger<BackgroundSettlements>.Instance, new SettlementOptions { AnswerOnceKept = true });

        var answered = settlements.StartAsync(Settlement("r1"));
        var (_, attempt) = await NextAttemptAsync();
        Assert.True(SpinWait.SpinUntil(() => settlements.Kept == 0, Patience)); // the outbox refused it
        Assert.False(answered.IsCompleted);
        attempt.SetResult();
        await answered.WaitAsync(Patience);
    }

    private sealed class BrokenOutbox : ISettlementOutbox
    {
        public Task SaveAsync(PendingSettlement settlement, CancellationToken cancellationToken = default) => Task.FromException(new IOException("disk full"));

        public Task RemoveAsync(PendingSettlement settlement, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<PendingSettlement>> LoadAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<PendingSettlement>>([]);
    }
}
