using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansTenancy.Grains.Resilience;

namespace OrleansTenancy.Grains.Tests.Resilience;

public sealed class GrainCallRetryTests
{
    private readonly TestClock _clock = new();
    private readonly GrainCallRetry _retry;

    public GrainCallRetryTests() => _retry = new GrainCallRetry(new GrainCallRetryOptions(), _clock, NullLogger<GrainCallRetry>.Instance);

    public static TheoryData<Exception> FailuresOfTheCluster() =>
    [
        new SiloUnavailableException("The target silo became unavailable"),
        ConnectionRefused(),
        new TimeoutException("Response did not arrive on time"),
        new InconsistentStateException("ETag mismatch", "1", "2"),
        new NpgsqlException("Connection refused"),
        new OrleansException("Error from storage provider GrainTypeScopedStorage.budget during WriteStateAsync for grain tenant/t1", new NpgsqlException("Failed to connect")),
    ];

    public static TheoryData<Exception> FailuresOfTheRequest() =>
    [
        new ArgumentException("bad request"),
        new InvalidOperationException("the grain refused"),
        new OperationCanceledException(),
        new OrleansException("a grain threw"),
        new OrleansException("Error from storage provider during ReadStateAsync", new System.Text.Json.JsonException("not a budget")),
    ];

    [Theory]
    [MemberData(nameof(FailuresOfTheCluster))]
    public void A_failure_of_the_cluster_or_its_storage_is_transient(Exception error) => Assert.True(GrainCallRetry.IsTransient(error));

    [Theory]
    [MemberData(nameof(FailuresOfTheRequest))]
    public void A_failure_of_the_request_itself_is_not(Exception error) => Assert.False(GrainCallRetry.IsTransient(error));

    [Fact]
    public async Task A_call_the_cluster_failed_is_sent_again_after_growing_waits_until_it_succeeds()
    {
        var attempts = 0;
        var run = _retry.RunAsync(() => ++attempts < 4 ? Task.FromException<int>(new SiloUnavailableException("gone")) : Task.FromResult(42), "reserve t1");

        // 100 ms, 200 ms, 400 ms: each wait is armed before the clock moves past it.
        foreach (var wait in new[] { 100, 200, 400 })
        {
            Assert.Equal(TimeSpan.FromMilliseconds(wait), await _clock.WhenTimerArmed().WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.False(run.IsCompleted);
            _clock.Advance(TimeSpan.FromMilliseconds(wait));
        }

        Assert.Equal(42, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(4, attempts);
    }

    [Fact]
    public async Task A_failure_of_the_request_goes_to_the_caller_at_once()
    {
        var attempts = 0;
        var refused = new InvalidOperationException("Request id 'r1' has already been completed");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _retry.RunAsync<int>(() =>
        {
            attempts++;
            throw refused;
        }, "reserve t1"));

        Assert.Same(refused, error);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task When_the_budget_is_spent_the_last_failure_goes_to_the_caller_and_no_attempt_starts_after_it()
    {
        var retry = new GrainCallRetry(
            new GrainCallRetryOptions { FirstDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(2), Budget = TimeSpan.FromSeconds(6) },
            _clock,
            NullLogger<GrainCallRetry>.Instance);
        var started = new List<DateTimeOffset>();
        var run = retry.RunAsync<int>(() =>
        {
            started.Add(_clock.GetUtcNow());
            throw new TimeoutException($"attempt {started.Count}");
        }, "settle t1");

        // Waits of 1, 2, 2 s: attempts at 0, 1, 3, 5 s; a fifth at 7 s would start past the 6 s budget.
        foreach (var wait in new[] { 1, 2, 2 })
        {
            Assert.Equal(TimeSpan.FromSeconds(wait), await _clock.WhenTimerArmed().WaitAsync(TimeSpan.FromSeconds(10)));
            _clock.Advance(TimeSpan.FromSeconds(wait));
        }

        var error = await Assert.ThrowsAsync<TimeoutException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("attempt 4", error.Message);
        Assert.Equal([0, 1, 3, 5], started.Select(t => (t - TestClock.DefaultStart).TotalSeconds));
    }

    [Fact]
    public async Task A_cancelled_caller_stops_the_retries()
    {
        using var cancel = new CancellationTokenSource();
        var attempts = 0;
        var run = _retry.RunAsync(() =>
        {
            attempts++;
            return Task.FromException(ConnectionRefused());
        }, "release t1", cancel.Token);
        await _clock.WhenTimerArmed().WaitAsync(TimeSpan.FromSeconds(10));

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public void Waits_that_cannot_add_up_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrainCallRetry(new GrainCallRetryOptions { FirstDelay = TimeSpan.Zero }, _clock, NullLogger<GrainCallRetry>.Instance));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrainCallRetry(
            new GrainCallRetryOptions { FirstDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(1) }, _clock, NullLogger<GrainCallRetry>.Instance));
    }

    /// <summary>What Orleans throws for a call to a silo whose port refuses connections (its constructors are internal).</summary>
    private static OrleansMessageRejectionException ConnectionRefused() =>
        (OrleansMessageRejectionException)Activator.CreateInstance(
            typeof(OrleansMessageRejectionException),
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic,
            binder: null,
            ["Exception while sending message: Unable to connect to endpoint S127.0.0.1:11113:1."],
            culture: null)!;
}
